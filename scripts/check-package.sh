#!/usr/bin/env bash
# Checks that every publishable crate packages on its own and that each package is complete:
#
#   - `cargo package -p NAME --no-verify` succeeds for each crate alone (every path dependency has a version);
#   - each package carries LICENSE-MIT, LICENSE-APACHE and its README;
#   - every relative link in a README points at a file inside that crate's package;
#   - all the crates package together, with a lock file, as a release would (`cargo package` resolves the
#     unpublished gaap crates from the packages it has just made).
#
# It runs offline and builds nothing, so it takes seconds. Why `--no-verify`: verifying builds each package from
# its tarball against the registry index, with the gaap crates it depends on taken from the packages made in the
# same run; that is a full build of the workspace in a second target directory (minutes on a small machine), and
# the workspace build and tests already compile the same sources. Run `cargo package --workspace --exclude
# examples --exclude benches --allow-dirty` by hand before a release to verify.
#
# A single crate is packaged with `--exclude-lockfile`: its lock file would have to name the unpublished gaap
# crates it depends on, which only the packaging of those crates in the same run (the last check) can provide.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*" >&2; }
fail() {
  printf 'error: %s\n' "$*" >&2
  failed=1
}
failed=0
# Packages are made in a folder of their own, so this never waits on (or disturbs) a build's target directory.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/check-package"

# The publishable members: `publish` unset (null) in `cargo metadata`; `publish = false` gives [].
mapfile -t crates < <(
  cargo metadata --no-deps --format-version 1 --offline |
    python3 -c 'import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p["publish"] is None:
        print(p["name"], p["manifest_path"].rsplit("/", 1)[0], p.get("readme") or "")'
)
[ "${#crates[@]}" -gt 0 ] || { echo "error: no publishable crates found" >&2; exit 1; }

for line in "${crates[@]}"; do
  read -r name dir readme <<<"$line"
  say "$name"
  if ! files=$(cargo package --list -p "$name" --allow-dirty --offline --exclude-lockfile 2>&1); then
    fail "$name: cargo package --list failed: $files"
    continue
  fi
  for wanted in LICENSE-MIT LICENSE-APACHE "${readme:-README.md}"; do
    grep -qxF "$wanted" <<<"$files" || fail "$name: the package has no $wanted"
  done
  # Relative links in the README ([text](path) and [text](path#part)) must name a packaged file.
  if [ -n "$readme" ]; then
    while IFS= read -r target; do
      grep -qxF "$target" <<<"$files" ||
        fail "$name: $readme links to $target, which is not in the package (use a full URL)"
    done < <(grep -oE '\]\([^)# ]+' "$dir/$readme" | sed 's/^](//' | grep -vE '^[a-z]+:' || true)
  fi
  if ! out=$(cargo package -p "$name" --allow-dirty --offline --no-verify --exclude-lockfile 2>&1); then
    fail "$name: cargo package failed on its own: $out"
  fi
done

say "all publishable crates together, with lock files"
args=()
for line in "${crates[@]}"; do args+=(-p "${line%% *}"); done
if ! out=$(cargo package "${args[@]}" --allow-dirty --offline --no-verify 2>&1); then
  fail "cargo package of every publishable crate failed: $out"
fi

if [ "$failed" -ne 0 ]; then
  exit 1
fi
say "${#crates[@]} crates package with their licences and READMEs"
