//! Errors, split by where they happened.

use crate::types::Algorithm;

/// Why a token (ID token, core identity JWT, logout token) was rejected.
///
/// [`TokenError::kind`] gives a stable snake_case name, the one the `gaap identity` commands print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a compact JWS, or its header or payload is not the JSON expected.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header `alg` is not the algorithm pinned for this token type (`none` and HS* always land here).
    #[error("algorithm {alg:?} is not allowed here; only {expected} is")]
    UnsupportedAlgorithm {
        /// The `alg` in the header.
        alg: String,
        /// The pinned algorithm.
        expected: Algorithm,
    },
    /// No trusted key matches the header `kid` (after one refetch), or no `kid` and several keys fit.
    #[error("no trusted key for kid {kid:?}")]
    UnknownKey {
        /// The `kid` in the header, if any.
        kid: Option<String>,
    },
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// `iss` is not the expected issuer.
    #[error("issuer {found:?} is not the expected {expected:?}")]
    WrongIssuer {
        /// The expected issuer.
        expected: String,
        /// The `iss` in the token.
        found: String,
    },
    /// `aud` does not contain the client id, contains others without a matching `azp`, or is missing.
    #[error("audience does not fit client id {client_id:?}: {reason}")]
    WrongAudience {
        /// Our client id.
        client_id: String,
        /// What was wrong.
        reason: String,
    },
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired at {exp} (now {now})")]
    Expired {
        /// The `exp` claim.
        exp: i64,
        /// The time of the check.
        now: i64,
    },
    /// `iat` is in the future (beyond the leeway).
    #[error("token issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// The `iat` claim.
        iat: i64,
        /// The time of the check.
        now: i64,
    },
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: i64,
        /// The time of the check.
        now: i64,
    },
    /// A required claim is absent or has the wrong JSON type.
    #[error("missing or mistyped claim `{0}`")]
    MissingClaim(&'static str),
    /// `nonce` is not the one sent in the authorize request.
    #[error("nonce does not match the one sent")]
    NonceMismatch,
    /// `vot` is not the level requested in `vtr`.
    #[error("vot {found:?} is not the requested {expected:?}")]
    VotMismatch {
        /// The level asked for.
        expected: String,
        /// The `vot` in the token.
        found: String,
    },
    /// `sub` differs from the ID token's (core identity JWT, userinfo).
    #[error("subject {found:?} is not the ID token's {expected:?}")]
    WrongSubject {
        /// The ID token `sub`.
        expected: String,
        /// The `sub` found.
        found: String,
    },
    /// `at_hash` does not match the access token issued with the ID token.
    #[error("at_hash does not match the access token")]
    AtHashMismatch,
    /// A logout token's `events` is not exactly the back-channel logout event.
    #[error("logout token events are not exactly the back-channel logout event")]
    InvalidEvent,
    /// A logout token carries a `nonce`, which the spec forbids.
    #[error("a logout token must not contain a nonce")]
    NoncePresent,
    /// A logout token `jti` was seen before.
    #[error("logout token jti {jti:?} was already used")]
    Replayed {
        /// The repeated `jti`.
        jti: String,
    },
}

impl TokenError {
    /// A stable snake_case name: `malformed`, `unsupported_algorithm`, `unknown_key`, `bad_signature`,
    /// `wrong_issuer`, `wrong_audience`, `expired`, `issued_in_future`, `not_yet_valid`, `missing_claim`,
    /// `nonce_mismatch`, `vot_mismatch`, `wrong_subject`, `at_hash_mismatch`, `invalid_event`, `nonce_present` or
    /// `replayed`.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            Self::UnknownKey { .. } => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::WrongIssuer { .. } => "wrong_issuer",
            Self::WrongAudience { .. } => "wrong_audience",
            Self::Expired { .. } => "expired",
            Self::IssuedInFuture { .. } => "issued_in_future",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::MissingClaim(_) => "missing_claim",
            Self::NonceMismatch => "nonce_mismatch",
            Self::VotMismatch { .. } => "vot_mismatch",
            Self::WrongSubject { .. } => "wrong_subject",
            Self::AtHashMismatch => "at_hash_mismatch",
            Self::InvalidEvent => "invalid_event",
            Self::NoncePresent => "nonce_present",
            Self::Replayed { .. } => "replayed",
        }
    }
}

/// Which token a [`TokenError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// The ID token from `/token`.
    IdToken,
    /// The `coreIdentityJWT` claim from `/userinfo`.
    CoreIdentity,
    /// A back-channel logout token.
    LogoutToken,
    /// The userinfo response (its `sub`).
    UserInfo,
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::IdToken => "ID token",
            Self::CoreIdentity => "core identity JWT",
            Self::LogoutToken => "logout token",
            Self::UserInfo => "userinfo",
        })
    }
}

/// Everything that can go wrong in gaap-identity.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured wrongly (bad URL, plain http, bad key, leeway too large …).
    #[error("configuration: {0}")]
    Config(String),
    /// The request could not be sent or the response not read.
    #[cfg(feature = "client")]
    #[error("transport error calling {url}")]
    Transport {
        /// The URL called.
        url: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request timed out.
    #[cfg(feature = "client")]
    #[error("timed out calling {url}")]
    Timeout {
        /// The URL called.
        url: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The provider answered with a non-success status.
    #[error("{url} answered {status}: {}", error.as_deref().unwrap_or("(no error code)"))]
    Api {
        /// The URL called.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code, when the body had one (or the `WWW-Authenticate` error).
        error: Option<String>,
        /// The OAuth `error_description`, when present.
        error_description: Option<String>,
        /// The raw body.
        body: String,
    },
    /// A response body was not the JSON expected.
    #[error("cannot decode {what} from {url}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The URL called.
        url: String,
        /// The raw body.
        body: String,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The provider's metadata or DID document contradicts the configuration (issuer or DID mismatch).
    #[error("provider metadata: {0}")]
    Metadata(String),
    /// A token failed validation.
    #[error("{token} rejected")]
    Token {
        /// Which token.
        token: TokenKind,
        /// Why.
        #[source]
        source: TokenError,
    },
    /// The authorization response does not belong to the pending request (missing or foreign `state`).
    #[error("authorization response: {0}")]
    State(String),
}

impl Error {
    #[cfg(feature = "client")]
    pub(crate) fn token(token: TokenKind, source: TokenError) -> Self {
        Self::Token { token, source }
    }

    /// The token error, when this is a rejected token.
    #[must_use]
    pub fn token_error(&self) -> Option<&TokenError> {
        match self {
            Self::Token { source, .. } => Some(source),
            _ => None,
        }
    }
}
