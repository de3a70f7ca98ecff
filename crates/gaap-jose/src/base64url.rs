//! Unpadded base64url (RFC 7515 §2), the encoding of every JOSE segment and JWK member.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded, canonical base64url. Padding, whitespace, the standard alphabet's `+` and `/`,
/// and non-zero trailing bits are all rejected.
pub fn decode(text: impl AsRef<[u8]>) -> Result<Vec<u8>, InvalidBase64> {
    URL_SAFE_NO_PAD.decode(text).map_err(|_| InvalidBase64)
}

/// The input was not unpadded, canonical base64url.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not valid unpadded base64url")]
pub struct InvalidBase64;
