#!/usr/bin/env bash
# Stops the server scripts/pg-start.sh started (GAAP_PG_DIR names its folder).
set -u
[ -n "${GAAP_PG_DIR:-}" ] && [ -d "$GAAP_PG_DIR/data" ] || exit 0
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ "$(id -u)" = "0" ]; then
  runuser -u postgres -- "$bindir/pg_ctl" -D "$GAAP_PG_DIR/data" -m fast stop >/dev/null 2>&1
else
  "$bindir/pg_ctl" -D "$GAAP_PG_DIR/data" -m fast stop >/dev/null 2>&1
fi
rm -rf "$GAAP_PG_DIR"
