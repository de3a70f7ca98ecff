//! The bridge to gaap-jose: pinned-algorithm verification with One Login's key choice, and error mapping.

use gaap_jose::{Algorithm, Jwk, JwkSet};

use crate::error::TokenError;

pub(crate) fn b64(bytes: &[u8]) -> String {
    gaap_jose::base64url::encode(bytes)
}

/// Maps a gaap-jose rejection onto the One Login kinds.
pub(crate) fn token_error(e: gaap_jose::Error, expected: Algorithm) -> TokenError {
    use gaap_jose::Error as J;
    match e {
        J::AlgNone => TokenError::UnsupportedAlgorithm { alg: "none".to_owned(), expected },
        J::AlgorithmNotAllowed { alg } => TokenError::UnsupportedAlgorithm { alg, expected },
        J::UnknownKey { kid } => TokenError::UnknownKey { kid },
        J::KeyMismatch { .. } | J::InvalidKey { .. } => TokenError::UnknownKey { kid: None },
        J::BadSignature => TokenError::BadSignature,
        other => TokenError::Malformed(other.to_string()),
    }
}

/// The header `kid`, read before verification only to pick a key.
pub(crate) fn peek_kid(token: &str) -> Result<Option<String>, TokenError> {
    gaap_jose::decode_header_unverified(token.trim())
        .map(|h| h.kid)
        .map_err(|e| token_error(e, Algorithm::ES256))
}

/// Checks the header `alg` is exactly `alg`, picks the key with `select`, verifies; returns the payload.
pub(crate) fn verify_pinned(
    token: &str,
    alg: Algorithm,
    select: impl FnOnce(Option<&str>) -> Result<Jwk, TokenError>,
) -> Result<Vec<u8>, TokenError> {
    let token = token.trim();
    let header = gaap_jose::decode_header_unverified(token).map_err(|e| token_error(e, alg))?;
    if header.alg != alg {
        return Err(TokenError::UnsupportedAlgorithm {
            alg: header.alg.as_str().to_owned(),
            expected: alg,
        });
    }
    let jwk = select(header.kid.as_deref())?;
    if !jwk.allows(alg) {
        return Err(TokenError::UnknownKey { kid: header.kid });
    }
    let key =
        jwk.verifying_key().map_err(|_| TokenError::UnknownKey { kid: header.kid.clone() })?;
    gaap_jose::verify(token, &key, &[alg]).map(|v| v.payload).map_err(|e| token_error(e, alg))
}

/// Parses a JWKS leniently: entries gaap-jose cannot use (other key types, curves) are skipped.
///
/// # Errors
/// When the document is not an object with a `keys` array.
pub(crate) fn parse_jwks(bytes: &[u8]) -> Result<JwkSet, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct Raw {
        keys: Vec<serde_json::Value>,
    }
    let raw: Raw = serde_json::from_slice(bytes)?;
    Ok(JwkSet::new(raw.keys.into_iter().filter_map(|k| serde_json::from_value(k).ok()).collect()))
}
