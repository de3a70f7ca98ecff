//! Integration tests for gaap-jose: RFC vectors, round trips, every rejection, and parser fuzzing.
//!
//! Vectors are the examples of RFC 7515 Appendix A and RFC 7638 §3.1. The private keys of A.2 and A.3
//! are stored as PKCS#8 PEM in `data/` (converted from the RFC's JWKs with jwcrypto); the same vectors
//! appear in lestrrat-go/jwx `jws/jws_test.go` (TestEncode_RS256Compact, TestEncode_ES256Compact).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
#[cfg(feature = "interop")]
mod interop;
mod jwk;
mod rfc;

use gaap_jose::base64url;

/// RFC 7515 A.1-A.3 payload: `{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}`.
pub(crate) const RFC_PAYLOAD_B64: &str = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

/// RFC 7515 A.1: the HMAC key `k`.
pub(crate) const A1_KEY: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

/// RFC 7515 A.1: the complete HS256 token (its header is `{"typ":"JWT",\r\n "alg":"HS256"}`).
pub(crate) const A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// RFC 7515 A.2: the RSA public key.
pub(crate) const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

/// RFC 7515 A.2: the complete RS256 token (header `{"alg":"RS256"}`).
pub(crate) const A2_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

/// RFC 7515 A.3: the EC P-256 public key.
pub(crate) const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
/// RFC 7515 A.3: the y coordinate.
pub(crate) const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

/// RFC 7515 A.3: the complete ES256 token (header `{"alg":"ES256"}`; signature is raw `r || s`).
pub(crate) const A3_TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

/// The A.2 private key, PKCS#8 PEM.
pub(crate) const A2_PKCS8_PEM: &str = include_str!("data/rfc7515_a2_rsa.pem");
/// The A.2 private key, PKCS#1 PEM (`RSA PRIVATE KEY`).
pub(crate) const A2_PKCS1_PEM: &str = include_str!("data/rfc7515_a2_rsa_pkcs1.pem");
/// The A.3 private key, PKCS#8 PEM.
pub(crate) const A3_PKCS8_PEM: &str = include_str!("data/rfc7515_a3_ec.pem");
/// The A.3 private key, PKCS#8 DER.
pub(crate) const A3_PKCS8_DER: &[u8] = include_bytes!("data/rfc7515_a3_ec.der");

/// The A.2 public key as a JWK document.
pub(crate) fn a2_jwk_json() -> String {
    format!(r#"{{"kty":"RSA","n":"{A2_N}","e":"AQAB"}}"#)
}

/// The A.3 public key as a JWK document.
pub(crate) fn a3_jwk_json() -> String {
    format!(r#"{{"kty":"EC","crv":"P-256","x":"{A3_X}","y":"{A3_Y}"}}"#)
}

/// The RFC payload bytes.
pub(crate) fn rfc_payload() -> Vec<u8> {
    base64url::decode(RFC_PAYLOAD_B64).unwrap()
}

/// `token` with one byte of its signature changed (the byte, not a base64url character, so the
/// segment stays valid base64url).
pub(crate) fn tamper_signature(token: &str) -> String {
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = base64url::decode(signature).unwrap();
    bytes[0] ^= 0x01;
    format!("{signing_input}.{}", base64url::encode(bytes))
}

/// A token with this exact header JSON and payload, signed HS256 with `secret` (for crafting headers
/// the typed [`gaap_jose::Header`] would not produce).
pub(crate) fn hs256_with_raw_header(header_json: &str, payload: &[u8], secret: &[u8]) -> String {
    use ring::hmac;
    let signing_input =
        format!("{}.{}", base64url::encode(header_json), base64url::encode(payload));
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), signing_input.as_bytes());
    format!("{signing_input}.{}", base64url::encode(tag.as_ref()))
}
