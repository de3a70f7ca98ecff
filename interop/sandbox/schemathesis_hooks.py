"""Schemathesis hooks for gaap-sandbox: a fresh Notify JWT per request (Notify accepts iat within 30 s), and the
Pay API key, both taken from the sandbox's first stdout line in GAAP_SANDBOX_CREDENTIALS."""
import json
import os
import time

import jwt
import schemathesis

CREDS = json.loads(os.environ["GAAP_SANDBOX_CREDENTIALS"])


@schemathesis.auth()
class SandboxAuth:
    def get(self, case, ctx):
        return "fresh"

    def set(self, case, data, ctx):
        path = case.operation.path
        if path.startswith("/v2/"):
            key = CREDS["notify"]["api_key"]
            token = jwt.encode({"iss": key[-73:-37], "iat": int(time.time())}, key[-36:], algorithm="HS256")
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        elif path.startswith("/v1/"):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {CREDS['pay']['api_key']}"}
