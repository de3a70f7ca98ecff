#!/usr/bin/env bash
# Runs every test in the workspace: unit, integration, doc and interop tests.
#
# The interop tests drive independent implementations (Python and node packages from the registries, a real
# PostgreSQL server, headless Chromium). This script installs the Python and node packages into project-local
# folders (interop/.venv, interop/node_modules) and starts a throwaway PostgreSQL server on 127.0.0.1. The system
# packages (postgresql, chromium) come from `.ci/install-system` (run it once, as root, on Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '==> %s\n' "$*" >&2; }

# Python packages, in a virtualenv of the project's own.
if [ ! -x interop/.venv/bin/python ]; then
  say "creating interop/.venv"
  python3 -m venv interop/.venv
fi
say "installing interop/requirements.txt"
interop/.venv/bin/pip install --quiet --disable-pip-version-check -r interop/requirements.txt
export GAAP_PYTHON="$root/interop/.venv/bin/python"

# Node packages, from the committed lockfile.
say "installing interop/package.json"
(cd interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
export GAAP_NODE_MODULES="$root/interop/node_modules"

# A throwaway PostgreSQL server, unless one is given.
if [ -z "${GAAP_TEST_POSTGRES_URL:-}" ]; then
  say "starting a throwaway PostgreSQL server"
  eval "$(scripts/pg-start.sh)"
  trap 'scripts/pg-stop.sh' EXIT
fi
export GAAP_CHROMIUM="${GAAP_CHROMIUM:-/usr/bin/chromium}"

# One crypto stack: ring. Neither aws-lc nor openssl may enter the dependency graph.
say "checking the dependency graph for aws-lc and openssl"
if cargo tree --workspace --all-features -e normal,build,dev --prefix none | grep -E '^(aws-lc|openssl)'; then
  echo "error: aws-lc or openssl is in the dependency graph; gaap uses ring only" >&2
  exit 1
fi

# Every publishable crate packages on its own, with its licence files (offline, builds nothing).
say "checking the packages"
scripts/check-package.sh

say "cargo nextest run --workspace --all-features"
cargo nextest run --workspace --all-features --no-fail-fast
say "doc tests"
cargo test --workspace --all-features --doc
