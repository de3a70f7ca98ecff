"""Generates the OpenAPI documents gaap-sandbox serves (crates/gaap-sandbox/src/openapi/*.json)."""
import json
import os
S = lambda **kw: kw
str_ = {"type": "string"}; int_ = {"type": "integer"}; bool_ = {"type": "boolean"}
nstr = {"type": "string", "nullable": True}
obj = lambda props, req=None, extra=True: {"type": "object", "properties": props, **({"required": req} if req else {}), "additionalProperties": extra}
def resp(desc, schema=None, ctype="application/json"):
    r = {"description": desc}
    if schema is not None: r["content"] = {ctype: {"schema": schema}}
    return r
# ---------------- Notify ----------------
nerr = {"$ref": "#/components/schemas/Error"}
errs = {"400": resp("Validation or bad request", nerr), "401": resp("No or bad auth scheme", nerr),
        "403": resp("Bad token", nerr), "429": resp("Rate or daily limit", nerr)}
get_errs = {k: v for k, v in errs.items()}
get_errs["404"] = resp("No result found", nerr)
tmpl_ref = obj({"id": str_, "version": int_, "uri": str_}, ["id", "version", "uri"])
send_resp = obj({"id": str_, "reference": nstr, "content": {"type": "object"}, "uri": str_, "template": tmpl_ref,
                 "scheduled_for": nstr}, ["id", "content", "uri", "template"])
notification = obj({"id": str_, "reference": nstr, "email_address": nstr, "phone_number": nstr, "type": {"type": "string", "enum": ["sms", "email", "letter"]},
                    "status": str_, "template": tmpl_ref, "body": str_, "subject": nstr, "created_at": str_,
                    "sent_at": nstr, "completed_at": nstr}, ["id", "type", "status", "template", "body", "created_at"])
template = obj({"id": str_, "name": str_, "type": str_, "created_at": str_, "updated_at": nstr, "version": int_,
                "created_by": str_, "body": str_, "subject": nstr, "letter_contact_block": nstr, "postage": nstr,
                "personalisation": {"type": "object", "additionalProperties": obj({"required": bool_}, ["required"])}},
               ["id", "name", "type", "version", "body"])
links = obj({"current": str_, "next": str_}, ["current"])
pers = {"type": "object", "additionalProperties": True}
uuid = {"type": "string", "format": "uuid"}
def body(schema): return {"required": True, "content": {"application/json": {"schema": schema}}}
bearer = [{"notifyJwt": []}]
notify = {
 "openapi": "3.0.3",
 "info": {"title": "GOV.UK Notify API v2 (gaap-sandbox)", "version": "1.0.4",
          "description": "The Notify public API as gaap-sandbox serves it. Auth: Bearer JWT (HS256, iss = service id, iat within 30 s)."},
 "components": {"securitySchemes": {"notifyJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
   "schemas": {"Error": obj({"status_code": int_, "errors": {"type": "array", "items": obj({"error": str_, "message": str_}, ["error", "message"])}}, ["status_code", "errors"])}},
 "security": bearer,
 "paths": {
  "/v2/notifications/sms": {"post": {"operationId": "sendSms", "requestBody": body(obj({"phone_number": str_, "template_id": uuid, "personalisation": pers, "reference": str_, "sms_sender_id": uuid}, ["phone_number", "template_id"], False)),
      "responses": {"201": resp("Created", send_resp), **errs}}},
  "/v2/notifications/email": {"post": {"operationId": "sendEmail", "requestBody": body(obj({"email_address": str_, "template_id": uuid, "personalisation": pers, "reference": str_, "email_reply_to_id": uuid, "one_click_unsubscribe_url": str_, "sanitise_content_for": {"type": "array", "items": str_, "nullable": True}}, ["email_address", "template_id"], False)),
      "responses": {"201": resp("Created", send_resp), **errs}}},
  "/v2/notifications/letter": {"post": {"operationId": "sendLetter", "requestBody": body(obj({"template_id": uuid, "personalisation": pers, "reference": str_}, ["template_id", "personalisation"], False)),
      "responses": {"201": resp("Created", obj({"id": str_}, ["id"])), **errs}}},
  "/v2/notifications/{notification_id}": {"get": {"operationId": "getNotification", "parameters": [{"name": "notification_id", "in": "path", "required": True, "schema": str_}],
      "responses": {"200": resp("The notification", notification), **get_errs}}},
  "/v2/notifications/{notification_id}/pdf": {"get": {"operationId": "getPdf", "parameters": [{"name": "notification_id", "in": "path", "required": True, "schema": str_}],
      "responses": {"200": resp("PDF", {"type": "string", "format": "binary"}, "application/pdf"), **get_errs}}},
  "/v2/notifications": {"get": {"operationId": "listNotifications", "parameters": [
        {"name": "template_type", "in": "query", "schema": str_}, {"name": "status", "in": "query", "schema": str_},
        {"name": "reference", "in": "query", "schema": str_}, {"name": "older_than", "in": "query", "schema": str_},
        {"name": "include_jobs", "in": "query", "schema": str_}],
      "responses": {"200": resp("A page", obj({"notifications": {"type": "array", "items": notification}, "links": links}, ["notifications", "links"])), **get_errs}}},
  "/v2/template/{template_id}": {"get": {"operationId": "getTemplate", "parameters": [{"name": "template_id", "in": "path", "required": True, "schema": str_}],
      "responses": {"200": resp("Template", template), **get_errs}}},
  "/v2/template/{template_id}/version/{version}": {"get": {"operationId": "getTemplateVersion", "parameters": [{"name": "template_id", "in": "path", "required": True, "schema": str_}, {"name": "version", "in": "path", "required": True, "schema": int_}],
      "responses": {"200": resp("Template", template), **get_errs}}},
  "/v2/templates": {"get": {"operationId": "listTemplates", "parameters": [{"name": "type", "in": "query", "schema": str_}],
      "responses": {"200": resp("Templates", obj({"templates": {"type": "array", "items": template}}, ["templates"])), **get_errs}}},
  "/v2/template/{template_id}/preview": {"post": {"operationId": "previewTemplate", "parameters": [{"name": "template_id", "in": "path", "required": True, "schema": str_}],
      "requestBody": {"required": False, "content": {"application/json": {"schema": obj({"personalisation": pers}, None, False)}}},
      "responses": {"200": resp("Preview", obj({"id": str_, "type": str_, "version": int_, "body": str_, "html": nstr, "subject": nstr, "postage": nstr}, ["id", "type", "version", "body"])), **get_errs}}},
  "/v2/received-text-messages": {"get": {"operationId": "receivedTexts", "parameters": [{"name": "older_than", "in": "query", "schema": str_}],
      "responses": {"200": resp("A page", obj({"received_text_messages": {"type": "array", "items": obj({"id": str_, "user_number": str_, "notify_number": str_, "created_at": str_, "service_id": str_, "content": str_}, ["id", "user_number", "content"])}, "links": links}, ["received_text_messages", "links"])), **get_errs}}},
 }}
# ---------------- Pay ----------------
perr = {"$ref": "#/components/schemas/Error"}
link = obj({"href": str_, "method": str_}, ["href", "method"])
state = obj({"status": {"type": "string", "enum": ["created", "started", "submitted", "capturable", "success", "failed", "cancelled", "error"]}, "finished": bool_, "code": str_, "message": str_}, ["status", "finished"])
payment = obj({"payment_id": str_, "amount": int_, "description": str_, "reference": str_, "language": str_, "state": state,
               "created_date": str_, "payment_provider": str_, "delayed_capture": bool_, "moto": bool_,
               "refund_summary": obj({"status": str_, "amount_available": int_, "amount_submitted": int_}, ["status", "amount_available", "amount_submitted"]),
               "settlement_summary": {"type": "object"}, "_links": obj({"self": link, "events": link, "refunds": link}, ["self"])},
              ["payment_id", "amount", "description", "reference", "state", "created_date", "_links"])
refund = obj({"refund_id": str_, "created_date": str_, "amount": int_, "status": {"type": "string", "enum": ["submitted", "success", "error"]}, "_links": {"type": "object"}}, ["refund_id", "amount", "status"])
agreement = obj({"agreement_id": str_, "reference": str_, "description": str_, "status": str_, "created_date": str_}, ["agreement_id", "reference", "status"])
def page(item): return obj({"total": int_, "count": int_, "page": int_, "results": {"type": "array", "items": item}, "_links": {"type": "object"}}, ["total", "count", "page", "results"])
perrs = {"400": resp("Bad request", perr), "401": resp("Unauthorised (no body)"), "404": resp("Not found", perr), "409": resp("Conflict", perr), "412": resp("Precondition failed", perr), "422": resp("Invalid", perr), "429": resp("Too many requests", perr)}
pid = [{"name": "paymentId", "in": "path", "required": True, "schema": str_}]
pay = {
 "openapi": "3.0.3",
 "info": {"title": "GOV.UK Pay API v1 (gaap-sandbox)", "version": "1.0.4"},
 "components": {"securitySchemes": {"payKey": {"type": "http", "scheme": "bearer"}},
   "schemas": {"Error": obj({"field": str_, "header": str_, "code": str_, "description": str_}, ["code", "description"])}},
 "security": [{"payKey": []}],
 "paths": {
  "/v1/payments": {
    "post": {"operationId": "createPayment", "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": str_}],
             "requestBody": body(obj({"amount": int_, "reference": str_, "description": str_, "return_url": str_, "language": str_, "email": str_, "delayed_capture": bool_, "metadata": {"type": "object"}}, ["amount", "reference", "description"])),
             "responses": {"201": resp("Created", payment), "200": resp("Idempotent replay", payment), **perrs}},
    "get": {"operationId": "searchPayments", "parameters": [{"name": n, "in": "query", "schema": str_} for n in ["reference", "email", "state", "card_brand", "from_date", "to_date", "first_digits_card_number", "last_digits_card_number", "agreement_id", "page", "display_size"]],
            "responses": {"200": resp("Results", page(payment)), **perrs}}},
  "/v1/payments/{paymentId}": {"get": {"operationId": "getPayment", "parameters": pid, "responses": {"200": resp("Payment", payment), **perrs}}},
  "/v1/payments/{paymentId}/events": {"get": {"operationId": "getEvents", "parameters": pid, "responses": {"200": resp("Events", obj({"payment_id": str_, "events": {"type": "array", "items": obj({"state": state, "updated": str_}, ["state", "updated"])}}, ["payment_id", "events"])), **perrs}}},
  "/v1/payments/{paymentId}/cancel": {"post": {"operationId": "cancelPayment", "parameters": pid, "responses": {"204": resp("Cancelled"), **perrs}}},
  "/v1/payments/{paymentId}/capture": {"post": {"operationId": "capturePayment", "parameters": pid, "responses": {"204": resp("Captured"), **perrs}}},
  "/v1/payments/{paymentId}/refunds": {
    "post": {"operationId": "createRefund", "parameters": pid, "requestBody": body(obj({"amount": int_, "refund_amount_available": int_}, ["amount"])), "responses": {"202": resp("Refund", refund), **perrs}},
    "get": {"operationId": "listRefunds", "parameters": pid, "responses": {"200": resp("Refunds", obj({"payment_id": str_, "_embedded": obj({"refunds": {"type": "array", "items": refund}}, ["refunds"])}, ["payment_id", "_embedded"])), **perrs}}},
  "/v1/payments/{paymentId}/refunds/{refundId}": {"get": {"operationId": "getRefund", "parameters": pid + [{"name": "refundId", "in": "path", "required": True, "schema": str_}], "responses": {"200": resp("Refund", refund), **perrs}}},
  "/v1/refunds": {"get": {"operationId": "searchRefunds", "parameters": [{"name": n, "in": "query", "schema": str_} for n in ["from_date", "to_date", "page", "display_size"]], "responses": {"200": resp("Results", page(refund)), **perrs}}},
  "/v1/disputes": {"get": {"operationId": "searchDisputes", "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["needs_response", "under_review", "lost", "won"]}}] + [{"name": n, "in": "query", "schema": str_} for n in ["from_date", "to_date", "from_settled_date", "to_settled_date", "page", "display_size"]],
      "responses": {"200": resp("Results", page(obj({"dispute_id": str_, "payment_id": str_, "amount": int_, "fee": int_, "net_amount": int_, "created_date": str_, "evidence_due_date": str_, "reason": str_, "status": str_}, ["dispute_id", "payment_id", "amount", "status"]))), **perrs}}},
  "/v1/auth": {"post": {"operationId": "authoriseMotoPayment", "security": [],
      "description": "Card details for a payment created with authorisation_mode moto_api (pay.moto in the sandbox config), matched by the one_time_token in its auth_url_post link.",
      "requestBody": body(obj({"one_time_token": {"type": "string", "minLength": 1}, "card_number": {"type": "string", "minLength": 12, "maxLength": 19}, "cvc": {"type": "string", "minLength": 3, "maxLength": 4}, "expiry_date": {"type": "string", "minLength": 5, "maxLength": 5}, "cardholder_name": {"type": "string", "maxLength": 255}}, ["one_time_token", "card_number", "cvc", "expiry_date", "cardholder_name"])),
      "responses": {"204": resp("Authorised"), "400": resp("Bad JSON or token", perr), "402": resp("Card rejected", perr), "422": resp("Invalid", perr), "500": resp("PSP error", perr)}}},
  "/v1/agreements": {
    "post": {"operationId": "createAgreement", "requestBody": body(obj({"reference": str_, "description": str_, "user_identifier": str_}, ["reference", "description"])), "responses": {"201": resp("Created", agreement), **perrs}},
    "get": {"operationId": "searchAgreements", "parameters": [{"name": n, "in": "query", "schema": str_} for n in ["reference", "status", "page", "display_size"]], "responses": {"200": resp("Results", page(agreement)), **perrs}}},
  "/v1/agreements/{agreementId}": {"get": {"operationId": "getAgreement", "parameters": [{"name": "agreementId", "in": "path", "required": True, "schema": str_}], "responses": {"200": resp("Agreement", agreement), **perrs}}},
  "/v1/agreements/{agreementId}/cancel": {"post": {"operationId": "cancelAgreement", "parameters": [{"name": "agreementId", "in": "path", "required": True, "schema": str_}], "responses": {"204": resp("Cancelled"), **perrs}}},
 }}
# ---------------- One Login ----------------
oerr = obj({"error": str_, "error_description": str_}, ["error"])
form = lambda props, req: {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": obj(props, req)}}}
strs = {"type": "array", "items": str_}
objs_or_null = {"type": "array", "items": {"type": "object"}, "nullable": True}
client_cfg = obj({"clientId": str_, "publicKey": nstr, "publicKeySource": {"type": "string", "enum": ["STATIC", "JWKS"]}, "jwksUrl": nstr, "scopes": strs, "redirectUrls": strs, "postLogoutRedirectUrls": strs, "claims": strs, "identityVerificationSupported": bool_, "idTokenSigningAlgorithm": {"type": "string", "enum": ["ES256", "RS256"]}, "clientLoCs": strs, "token_auth_method": str_}, None, False)
response_cfg = obj({"sub": str_, "email": str_, "emailVerified": bool_, "phoneNumber": nstr, "phoneNumberVerified": bool_, "maxLoCAchieved": {"type": "string", "enum": ["P0", "P1", "P2", "P3"]}, "coreIdentityVerifiableCredentials": {"type": "object", "nullable": True}, "passportDetails": objs_or_null, "drivingPermitDetails": objs_or_null, "postalAddressDetails": objs_or_null, "returnCodes": {"type": "array", "items": obj({"code": str_}, ["code"], False), "nullable": True}}, None, False)
error_cfg = obj({"idTokenErrors": strs, "coreIdentityErrors": strs, "authoriseErrors": strs}, None, False)
one_login = {
 "openapi": "3.0.3",
 "info": {"title": "GOV.UK One Login OP (gaap-sandbox)", "version": "1.0.0"},
 "paths": {
  "/.well-known/openid-configuration": {"get": {"operationId": "discovery", "responses": {"200": resp("Discovery", obj({"issuer": str_, "authorization_endpoint": str_, "token_endpoint": str_, "jwks_uri": str_, "userinfo_endpoint": str_}, ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"]))}}},
  "/.well-known/jwks.json": {"get": {"operationId": "jwks", "responses": {"200": resp("JWKS", obj({"keys": {"type": "array", "items": obj({"kty": str_, "kid": str_}, ["kty", "kid"])}}, ["keys"]))}}},
  "/.well-known/did.json": {"get": {"operationId": "did", "responses": {"200": resp("DID document", obj({"id": str_, "assertionMethod": {"type": "array", "items": {"type": "object"}}}, ["id", "assertionMethod"]))}}},
  "/authorize": {"get": {"operationId": "authorize", "parameters": [{"name": n, "in": "query", "schema": str_} for n in ["response_type", "scope", "client_id", "state", "redirect_uri", "nonce", "vtr", "claims", "code_challenge", "code_challenge_method", "ui_locales"]],
      "responses": {"200": resp("Sign-in page", str_, "text/html"), "302": resp("Redirect to the client"), "400": resp("Unknown client or redirect", oerr)}}},
  "/token": {"post": {"operationId": "token", "description": "Client authentication by private_key_jwt (client_assertion_type and client_assertion) or client_secret_post (client_id and client_secret).",
      "requestBody": form({"grant_type": str_, "code": str_, "redirect_uri": str_, "client_assertion_type": str_, "client_assertion": str_, "code_verifier": str_, "client_id": str_, "client_secret": str_}, ["grant_type", "code", "redirect_uri"]),
      "responses": {"200": resp("Tokens", obj({"access_token": str_, "token_type": str_, "expires_in": int_, "id_token": str_}, ["access_token", "token_type", "expires_in", "id_token"])), "400": resp("Error", oerr), "401": resp("Unknown client", oerr), "500": resp("Client JWKS unavailable", oerr)}}},
  "/userinfo": {"get": {"operationId": "userinfo", "security": [{"bearer": []}], "responses": {"200": resp("Claims", obj({"sub": str_}, ["sub"])), "401": resp("Invalid token")}}},
  "/trustmark": {"get": {"operationId": "trustmark", "responses": {"200": resp("Trustmark", {"type": "object"})}}},
  "/config": {"get": {"operationId": "getConfig", "responses": {"200": resp("The configuration in force", obj({"clientConfiguration": client_cfg, "errorConfiguration": error_cfg, "responseConfiguration": response_cfg, "simulatorUrl": str_, "publishNewIdTokenKeysEnabled": bool_, "usingNewIdTokenSigningKeys": bool_}, ["clientConfiguration", "errorConfiguration", "responseConfiguration", "simulatorUrl"]))}},
              "post": {"operationId": "setConfig", "description": "The simulator's runtime configuration; errorConfiguration is replaced whole (left out: emptied), the other sections field by field.",
                       "requestBody": body(obj({"clientConfiguration": client_cfg, "responseConfiguration": response_cfg, "errorConfiguration": error_cfg, "simulatorUrl": str_, "publishNewIdTokenSigningKeys": {"oneOf": [bool_, {"type": "string", "enum": ["true", "false"]}]}, "useNewIdTokenSigningKeys": {"oneOf": [bool_, {"type": "string", "enum": ["true", "false"]}]}}, None, False)),
                       "responses": {"200": resp("Applied"), "400": resp("Refused", {"oneOf": [obj({"errors": {"type": "object"}}, ["errors"]), str_]})}}},
  "/logout": {"get": {"operationId": "logout", "parameters": [{"name": n, "in": "query", "schema": str_} for n in ["id_token_hint", "post_logout_redirect_uri", "state"]], "responses": {"302": resp("Redirect")}}},
 },
 "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
for name, doc in [("notify", notify), ("pay", pay), ("one_login", one_login)]:
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "crates", "gaap-sandbox", "src", "openapi")
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
print("ok")
