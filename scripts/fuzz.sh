#!/usr/bin/env bash
# Runs the fuzz targets in fuzz/ with cargo-fuzz (libFuzzer, address sanitizer) on the stable toolchain.
#
#   scripts/fuzz.sh ci                 every target for FUZZ_RUNS executions (default 20000), each capped at
#                                      FUZZ_MAX_SECONDS seconds (default 12); exits non-zero on any crash
#   scripts/fuzz.sh long [TARGET...]   each target (default: all) for FUZZ_RUNS executions (default
#                                      10000000) or FUZZ_MAX_SECONDS seconds (default 1800), whichever
#                                      comes first, then a table of executions and coverage edges per target
#   scripts/fuzz.sh list               the targets
#
# FUZZ_BUILD picks how the targets are built; both builds keep the address sanitizer, debug assertions, overflow
# checks and libFuzzer's coverage instrumentation, so a crash fails a run in the same way:
#   quick (the default of ci)    opt-level 1 and no debug info: much less to compile and link on a fresh clone,
#                                for fewer executions a second
#   full  (the default of long)  cargo-fuzz's release build (opt-level 3, line tables for symbolised stack traces)
#
# Each run starts from the committed seeds in fuzz/corpus/TARGET and keeps what it finds in
# fuzz/target/corpus/TARGET (ignored by git); a crash is written to fuzz/artifacts/TARGET/. FUZZ_TARGET_DIR
# (default fuzz/target) puts the build, the logs and the kept corpora somewhere else. cargo-fuzz is
# installed from the crate registry when missing. RUSTC_BOOTSTRAP=1 lets the stable compiler take the
# sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export RUSTC_BOOTSTRAP=1
# The fuzz crate is a workspace of its own; it builds into fuzz/target.
unset CARGO_TARGET_DIR
target_dir=${FUZZ_TARGET_DIR:-$root/fuzz/target}
case "$target_dir" in /*) ;; *) target_dir=$root/$target_dir ;; esac

say() { printf '==> %s\n' "$*" >&2; }

mode=${1:-}
[ $# -gt 0 ] && shift
case "$mode" in
  # CI fuzzes with a fixed random seed (FUZZ_SEED), so a run is repeatable; long runs take a new seed each time.
  ci) runs=${FUZZ_RUNS:-20000}; max_seconds=${FUZZ_MAX_SECONDS:-12}; seed=(-seed="${FUZZ_SEED:-1}")
    build=${FUZZ_BUILD:-quick} ;;
  long) runs=${FUZZ_RUNS:-10000000}; max_seconds=${FUZZ_MAX_SECONDS:-1800}; seed=(); build=${FUZZ_BUILD:-full} ;;
  list) ;;
  *) echo "usage: scripts/fuzz.sh ci | long [TARGET...] | list" >&2; exit 2 ;;
esac

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

all_targets=$(cd fuzz && cargo fuzz list)
if [ "$mode" = list ]; then
  echo "$all_targets"
  exit 0
fi
targets=${*:-$all_targets}

# 16 codegen units instead of cargo-fuzz's one: several times faster to build on two cores, a little slower to
# run. FUZZ_CODEGEN_UNITS=1 gives the fastest fuzzing binaries for a long run.
case "$build" in
  # The profile's opt-level gives way to the environment; cargo-fuzz sets the release profile's debug info on its
  # command line, so it is turned off in RUSTFLAGS, which cargo-fuzz appends after its own flags.
  quick) export CARGO_PROFILE_RELEASE_OPT_LEVEL=1 RUSTFLAGS="${RUSTFLAGS:-} -Cdebuginfo=0" ;;
  full) ;;
  *) echo "FUZZ_BUILD must be quick or full, not $build" >&2; exit 2 ;;
esac
say "building the fuzz targets ($build: address sanitizer, debug assertions)"
start=$(date +%s)
(cd fuzz && cargo fuzz build --codegen-units "${FUZZ_CODEGEN_UNITS:-16}" --target-dir "$target_dir")
say "built in $(( $(date +%s) - start ))s"

bin_dir=$target_dir/x86_64-unknown-linux-gnu/release
logs=$target_dir/logs
mkdir -p "$logs"
summary=()
failed=()
for t in $targets; do
  seeds=fuzz/corpus/$t
  work=$target_dir/corpus/$t
  artifacts=fuzz/artifacts/$t
  mkdir -p "$work" "$artifacts"
  [ -d "$seeds" ] || { echo "error: $t has no seed corpus in $seeds" >&2; exit 1; }
  say "$t: $runs runs, at most ${max_seconds}s"
  t0=$(date +%s)
  # New inputs go to the first folder only, so the committed seeds stay as they are.
  if "$bin_dir/$t" -runs="$runs" -max_total_time="$max_seconds" -timeout=30 -rss_limit_mb=4096 \
       -print_final_stats=1 "${seed[@]}" -artifact_prefix="$artifacts/" "$work" "$seeds" >"$logs/$t.log" 2>&1; then
    status=ok
  else
    status=CRASH
    failed+=("$t")
    tail -40 "$logs/$t.log" >&2
  fi
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$logs/$t.log" | tail -1 | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$logs/$t.log" | tail -1 | grep -o '[0-9]*$' || true)
  secs=$(( $(date +%s) - t0 ))
  summary+=("$(printf '%-24s %-6s %12s %8s %6ss' "$t" "$status" "${execs:-?}" "${cov:-?}" "$secs")")
done

printf '\n%-24s %-6s %12s %8s %7s\n' target result executions cov time
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "error: crashes in: ${failed[*]} (inputs under fuzz/artifacts/, logs under $logs/)" >&2
  exit 1
fi
echo "fuzz: ${#summary[@]} passed, 0 failed"
