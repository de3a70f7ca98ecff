"""Schemathesis hooks for running GOV.UK Pay's own publicapi_spec.json against gaap-sandbox's Pay.

Before any case runs, real payments are made on the sandbox: one left created, one paid with a test card through
the hosted pages and then partly refunded, and an agreement. Path parameters are then pointed at those live
resources most of the time (otherwise left as generated, which exercises the 404s), and `POST /v1/auth` is given
the one-time token of a fresh `moto_api` payment, so the by-id operations answer with live bodies that
schemathesis checks against Pay's schemas. Credentials come from GAAP_SANDBOX_CREDENTIALS.
"""
import json
import os
import random
import re
import urllib.parse
import urllib.request

import schemathesis

CREDS = json.loads(os.environ["GAAP_SANDBOX_CREDENTIALS"])["pay"]
BASE = CREDS["base_url"]
KEY = CREDS["api_key"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def call(method, url, body=None, form=None, auth=True):
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if auth:
        headers["Authorization"] = f"Bearer {KEY}"
    request = urllib.request.Request(url if url.startswith("http") else BASE + url, data, headers, method=method)
    try:
        with OPENER.open(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def create(**extra):
    body = {"amount": 2500, "reference": "SPEC-1", "description": "Spec run", "return_url": "https://example.gov.uk/done"}
    body.update(extra)
    if body.get("authorisation_mode") == "moto_api":
        del body["return_url"]
    status, _, raw = call("POST", "/v1/payments", body)
    assert status == 201, (status, raw)
    return json.loads(raw)


def pay_with_card(payment, card="4444333322221111"):
    status, headers, _ = call("GET", payment["_links"]["next_url"]["href"], auth=False)
    assert status == 303, status
    form_path = headers["Location"]
    status, _, page = call("POST", BASE + form_path, form={
        "cardNo": card, "expiryMonth": "12", "expiryYear": "30", "cardholderName": "J. Citizen",
        "email": "payer@example.gov.uk", "addressLine1": "1 High Street", "addressCity": "London",
        "addressPostcode": "SW1A 1AA", "addressCountry": "GB"}, auth=False)
    assert status in (200, 303), (status, page[:200])
    call("POST", BASE + form_path + "/confirm", form={}, auth=False)


CREATED = create()
PAID = create(reference="SPEC-PAID")
pay_with_card(PAID)
status, _, raw = call("GET", f"/v1/payments/{PAID['payment_id']}")
assert json.loads(raw)["state"]["status"] == "success", raw
status, _, raw = call("POST", f"/v1/payments/{PAID['payment_id']}/refunds",
                      {"amount": 500, "refund_amount_available": 2500})
assert status == 202, (status, raw)
REFUND = json.loads(raw)["refund_id"]
status, _, raw = call("POST", "/v1/agreements", {"reference": "SPEC-AGREEMENT", "description": "Spec agreement",
                                                  "user_identifier": "user-1"})
assert status == 201, (status, raw)
AGREEMENT = json.loads(raw)["agreement_id"]
PAYMENTS = [CREATED["payment_id"], PAID["payment_id"]]


# Where GOV.UK Pay's own API answers outside its own spec, the sandbox answers as the API does; the spec is
# widened here, in memory, for exactly those places, so everything else is checked strictly:
# - `billing_address` is null when no address was collected (`CardDetails` is `@JsonInclude(ALWAYS)`; MOTO API
#   payments never collect one), but `Address` is not nullable in the spec;
# - a POST link's `params` values are strings (`next_url_post.params.chargeTokenId`, `auth_url_post.params.
#   one_time_token`), but the spec says objects;
# - a refund request whose body is not JSON gets 400 P0697 (`CREATE_PAYMENT_REFUND_PARSING_ERROR`), and one with
#   an invalid amount 422 P0602 (`CREATE_PAYMENT_REFUND_VALIDATION_ERROR`), neither listed for that operation.
@schemathesis.hook
def before_load_schema(ctx, raw_schema):
    schemas = raw_schema.get("components", {}).get("schemas", {})
    if "PostLink" not in schemas or "Address" not in schemas:
        # The sandbox's own document already says what the sandbox (and Pay) answers.
        return
    schemas["Address"]["nullable"] = True
    schemas["PostLink"]["properties"]["params"]["additionalProperties"] = {"type": "string"}
    refunds = raw_schema["paths"]["/v1/payments/{paymentId}/refunds"]["post"]["responses"]
    refunds.setdefault("400", {"description": "Unable to parse JSON (P0697)", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/RequestError"}}}})
    refunds.setdefault("422", {"description": "Invalid attribute value (P0602)", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/RequestError"}}}})


@schemathesis.auth()
class PayAuth:
    def get(self, case, ctx):
        return KEY

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def map_case(ctx, case):
    path = case.operation.path
    params = dict(case.path_parameters or {})
    if random.random() < 0.8:
        if "paymentId" in params:
            params["paymentId"] = PAID["payment_id"] if "refundId" in params else random.choice(PAYMENTS)
        if "refundId" in params:
            params["refundId"] = REFUND
        if "agreementId" in params:
            params["agreementId"] = AGREEMENT
        # A refund's amount the live payment can take, so refunds are really made.
        if re.fullmatch(r"/v1/payments/\{paymentId\}/refunds", path) and case.method == "POST" \
                and isinstance(case.body, dict) and random.random() < 0.5:
            params["paymentId"] = PAID["payment_id"]
            case.body = {"amount": 1}
    if path == "/v1/auth" and isinstance(case.body, dict) and random.random() < 0.7:
        moto = create(authorisation_mode="moto_api", reference="SPEC-MOTO")
        case.body["one_time_token"] = moto["_links"]["auth_url_post"]["params"]["one_time_token"]
    case.path_parameters = params
    return case
