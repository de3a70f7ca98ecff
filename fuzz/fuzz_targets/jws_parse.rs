//! Feeds arbitrary bytes to the JWS parser and verifier, and to the JWK parser: none may panic.
#![no_main]

use std::sync::LazyLock;

use gaap_jose::{Algorithm, Jwk, JwkSet, VerifyingKey};
use libfuzzer_sys::fuzz_target;

/// RFC 7515 A.3's public key, so ES256 inputs reach the signature check.
static JWKS: LazyLock<JwkSet> = LazyLock::new(|| {
    JwkSet::from_json(
        r#"{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#,
    )
    .unwrap_or_default()
});

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = gaap_jose::decode_header_unverified(token);
        let _ = gaap_jose::verify(token, &VerifyingKey::hmac(b"fuzz".to_vec()), &Algorithm::ALL);
        let _ = gaap_jose::verify_with_jwks(token, &JWKS, &Algorithm::ALL);
    }
    if let Ok(jwk) = Jwk::from_json(data) {
        let _ = jwk.thumbprint();
        let _ = jwk.verifying_key();
    }
});
