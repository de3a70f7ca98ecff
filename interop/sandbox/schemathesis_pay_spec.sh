#!/bin/sh
# Runs schemathesis against a running gaap-sandbox whose Pay has moto on and no rate limit, with live payments
# (schemathesis_pay_hooks.py), the status-code check included. The document is the sandbox's own Pay OpenAPI
# (all 16 of Pay's operations), or GOV.UK Pay's own publicapi_spec.json when GAAP_PAY_PUBLICAPI_SPEC names a
# copy of it (openapi/publicapi_spec.json in alphagov/pay-publicapi; it is not shipped here).
# Usage: schemathesis_pay_spec.sh PYTHON '<first stdout line of gaap sandbox>'
set -eu
PYTHON="$1"
export GAAP_SANDBOX_CREDENTIALS="$2"
export SCHEMATHESIS_HOOKS=schemathesis_pay_hooks
here="$(dirname "$0")"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
ST="$(dirname "$PYTHON")/schemathesis"
base="$("$PYTHON" -c "import json,os;print(json.loads(os.environ['GAAP_SANDBOX_CREDENTIALS'])['pay']['base_url'])")"
spec="${GAAP_PAY_PUBLICAPI_SPEC:-$base/openapi.json}"
echo "schemathesis: $spec" >&2
"$ST" run "$spec" --url "$base" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance \
  --max-examples 30 --no-color --suppress-health-check all 2>&1
