#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for the tests and prints its URL on stdout.
# Usage: eval "$(scripts/pg-start.sh)"   # sets GAAP_TEST_POSTGRES_URL and GAAP_PG_DIR
# Stop it with: scripts/pg-stop.sh
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg-start: PostgreSQL server binaries not found (install the Debian package 'postgresql')" >&2
  exit 2
fi

port=${GAAP_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
dir=$(mktemp -d /tmp/gaap-pg.XXXXXX)
run() { "$@"; }
if [ "$(id -u)" = "0" ]; then
  # initdb refuses to run as root: hand the cluster to the postgres system user.
  chown postgres: "$dir"
  run() { runuser -u postgres -- "$@"; }
fi
run "$bindir/initdb" -D "$dir/data" -U gaap --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
run "$bindir/createdb" -h 127.0.0.1 -p "$port" -U gaap gaap_test
echo "export GAAP_TEST_POSTGRES_URL=postgres://gaap@127.0.0.1:$port/gaap_test"
echo "export GAAP_PG_DIR=$dir"
