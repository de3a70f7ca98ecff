#!/bin/sh
# Runs schemathesis against the three OpenAPI documents a running gaap-sandbox serves.
# Usage: schemathesis.sh PYTHON '<first stdout line of gaap sandbox>'
set -eu
PYTHON="$1"
export GAAP_SANDBOX_CREDENTIALS="$2"
export SCHEMATHESIS_HOOKS=schemathesis_hooks
export PYTHONPATH="$(dirname "$0")${PYTHONPATH:+:$PYTHONPATH}"
ST="$(dirname "$PYTHON")/schemathesis"
url() { "$PYTHON" -c "import json,os;c=json.loads(os.environ['GAAP_SANDBOX_CREDENTIALS']);print($1)"; }
for base in "$(url "c['notify']['base_url']")" "$(url "c['pay']['base_url']")" "$(url "c['one_login']['issuer'].rstrip('/')")"; do
  "$ST" run "$base/openapi.json" --url "$base" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples 25 --no-color --suppress-health-check all --exclude-checks ignored_auth 2>&1
done
