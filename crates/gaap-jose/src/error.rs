//! The one error type of this crate.

use std::fmt;

use crate::{Algorithm, KeyKind};

/// Which part of a token (or key document) an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// The protected header, the first segment.
    Header,
    /// The payload, the second segment.
    Payload,
    /// The signature, the third segment.
    Signature,
    /// A JWK or JWK Set document.
    Jwk,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
            Self::Jwk => "JWK",
        })
    }
}

/// Everything that can go wrong signing, verifying or loading keys.
///
/// Each way a token can be rejected is its own variant, so callers (and logs) can tell an attack from
/// a typo. [`Error::kind`] gives a stable snake_case name for each.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token is longer than the limit ([`crate::MAX_TOKEN_LEN`] by default).
    #[error("token is {len} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// The token's length in bytes.
        len: usize,
        /// The limit that applied.
        limit: usize,
    },
    /// The token is not three dot-separated segments (fewer than three, or an empty header).
    #[error("token is not a JWS compact serialisation: {reason}")]
    Malformed {
        /// What was wrong.
        reason: &'static str,
    },
    /// There is data after the signature segment (a fourth segment, as in a JWE or a concatenation).
    #[error("unexpected data after the signature segment")]
    TrailingData,
    /// A segment is not unpadded, canonical base64url.
    #[error("{part} segment is not valid unpadded base64url")]
    Base64 {
        /// The segment.
        part: Part,
    },
    /// A segment (or a JWK) is not the JSON expected.
    #[error("invalid {part} JSON: {source}")]
    Json {
        /// Where.
        part: Part,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// The header's `alg` is `none`: an unsecured token, never accepted.
    #[error("alg \"none\" (an unsecured token) is never accepted")]
    AlgNone,
    /// The header's `alg` is not in the caller's allow-list, or not an algorithm this crate knows.
    #[error("algorithm {alg:?} is not allowed")]
    AlgorithmNotAllowed {
        /// The `alg` as the token gave it.
        alg: String,
    },
    /// The header has a `crit` parameter; no extensions are understood, so the token must be rejected
    /// (RFC 7515 §4.1.11).
    #[error("header has a \"crit\" parameter and no extensions are understood")]
    CritHeader,
    /// The key's type does not fit the algorithm (for example an RSA public key offered as an HS256
    /// secret, the classic key confusion), or the JWK pins another `alg` or `use`.
    #[error("a {key} key cannot be used with {alg}")]
    KeyMismatch {
        /// The algorithm asked for.
        alg: Algorithm,
        /// The kind of key offered.
        key: KeyKind,
    },
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// No key in the set has the token's `kid`.
    #[error("no key with kid {kid:?} in the key set")]
    UnknownKey {
        /// The token's `kid`, if it had one.
        kid: Option<String>,
    },
    /// The key material is invalid (wrong length, not on the curve, not PKCS#8, too small…).
    #[error("invalid key material: {reason}")]
    InvalidKey {
        /// What was wrong.
        reason: String,
    },
    /// The system random number generator or the signing primitive failed.
    #[error("signing failed")]
    Signing,
}

impl Error {
    /// A stable snake_case name for the variant, for JSON output and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Malformed { .. } => "malformed",
            Self::TrailingData => "trailing_data",
            Self::Base64 { .. } => "base64",
            Self::Json { .. } => "json",
            Self::AlgNone => "alg_none",
            Self::AlgorithmNotAllowed { .. } => "algorithm_not_allowed",
            Self::CritHeader => "crit_header",
            Self::KeyMismatch { .. } => "key_mismatch",
            Self::BadSignature => "bad_signature",
            Self::UnknownKey { .. } => "unknown_key",
            Self::InvalidKey { .. } => "invalid_key",
            Self::Signing => "signing",
        }
    }

    pub(crate) fn invalid_key(reason: impl Into<String>) -> Self {
        Self::InvalidKey { reason: reason.into() }
    }
}
