#!/bin/sh
# Runs schemathesis with GOV.UK Pay's own publicapi_spec.json (interop/third_party/pay-publicapi) against a
# running gaap-sandbox whose Pay has moto on and no rate limit, with live payments (schemathesis_pay_hooks.py).
# Usage: schemathesis_pay_spec.sh PYTHON '<first stdout line of gaap sandbox>'
set -eu
PYTHON="$1"
export GAAP_SANDBOX_CREDENTIALS="$2"
export SCHEMATHESIS_HOOKS=schemathesis_pay_hooks
here="$(dirname "$0")"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
ST="$(dirname "$PYTHON")/schemathesis"
base="$("$PYTHON" -c "import json,os;print(json.loads(os.environ['GAAP_SANDBOX_CREDENTIALS'])['pay']['base_url'])")"
"$ST" run "$here/../third_party/pay-publicapi/publicapi_spec.json" --url "$base" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance \
  --max-examples 30 --no-color --suppress-health-check all 2>&1
