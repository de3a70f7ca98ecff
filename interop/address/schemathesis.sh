#!/bin/sh
# Runs schemathesis against a running gaap-server's OS Places API, with an OpenAPI document of OS's contract.
# Usage: schemathesis.sh PYTHON BASE_URL
set -eu
PYTHON="$1"
BASE="$2"
HERE="$(dirname "$0")"
ST="$(dirname "$PYTHON")/schemathesis"
SPEC="$(mktemp)"
trap 'rm -f "$SPEC"' EXIT
"$PYTHON" "$HERE/os_places_openapi.py" "$BASE" > "$SPEC"
"$ST" run "$SPEC" --url "$BASE/search/places/v1" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples 60 --seed 14 --no-color --suppress-health-check all 2>&1
