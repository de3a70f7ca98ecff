"""Two-way interop driver for gaap-jose, run by tests/it/interop.rs with GAAP_PYTHON.

`python interop.py sign`: generate keys, sign one token per algorithm with jwcrypto, print JSON.
`python interop.py verify`: read {"jwks", "hmac_k", "tokens"} on stdin, verify each with jwcrypto,
print {alg: payload-or-error}.
"""

import json
import sys

from jwcrypto import jwk, jws
from jwcrypto.common import json_encode

ALGS = ["HS256", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"]


def sign():
    rsa = jwk.JWK.generate(kty="RSA", size=2048, kid="py-rsa")
    ec = jwk.JWK.generate(kty="EC", crv="P-256", kid="py-ec")
    oct_key = jwk.JWK.generate(kty="oct", size=256)
    payload = json.dumps({"iss": "jwcrypto", "sub": "interop", "n": 7}).encode()
    tokens = {}
    for alg in ALGS:
        key = oct_key if alg.startswith("HS") else ec if alg.startswith("ES") else rsa
        protected = {"alg": alg, "typ": "JWT"}
        if key.get("kid"):
            protected["kid"] = key["kid"]
        token = jws.JWS(payload)
        token.add_signature(key, alg=alg, protected=json_encode(protected))
        tokens[alg] = token.serialize(compact=True)
    jwks = {"keys": [json.loads(rsa.export_public()), json.loads(ec.export_public())]}
    print(json.dumps({"jwks": jwks, "hmac_k": oct_key["k"], "payload": payload.decode(), "tokens": tokens}))


def verify():
    request = json.load(sys.stdin)
    keys = jwk.JWKSet.from_json(json.dumps(request["jwks"]))
    hmac = jwk.JWK(kty="oct", k=request["hmac_k"])
    results = {}
    for alg, token in request["tokens"].items():
        parsed = jws.JWS()
        parsed.allowed_algs = [alg]
        try:
            parsed.deserialize(token)
            kid = parsed.jose_header.get("kid")
            key = hmac if alg.startswith("HS") else keys.get_key(kid)
            parsed.verify(key, alg=alg)
            results[alg] = {"ok": True, "payload": parsed.payload.decode(), "header": parsed.jose_header}
        except Exception as err:  # noqa: BLE001 - every failure is reported back to the Rust test
            results[alg] = {"ok": False, "error": repr(err)}
    print(json.dumps(results))


if __name__ == "__main__":
    {"sign": sign, "verify": verify}[sys.argv[1]]()
