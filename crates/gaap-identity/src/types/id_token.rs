use serde_json::{Map, Value};

/// A validated ID token's claims.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// The issuer.
    pub iss: String,
    /// The pairwise subject, `urn:fdc:gov.uk:2022:…`.
    pub sub: String,
    /// The audiences (contains the client id).
    pub aud: Vec<String>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// The vector of trust achieved, e.g. `Cl.Cm`.
    pub vot: String,
    /// The trust mark URL.
    pub vtm: Option<String>,
    /// The One Login session id.
    pub sid: Option<String>,
    /// When the user authenticated.
    pub auth_time: Option<i64>,
    /// Every claim in the payload, as sent.
    pub raw: Map<String, Value>,
}

/// A validated back-channel logout token's claims.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LogoutTokenClaims {
    /// The issuer.
    pub iss: String,
    /// The subject whose sessions must end.
    pub sub: String,
    /// The audiences.
    pub aud: Vec<String>,
    /// Issued at.
    pub iat: i64,
    /// Expiry.
    pub exp: i64,
    /// The token id (remembered against replay).
    pub jti: String,
    /// The One Login session id, when sent.
    pub sid: Option<String>,
    /// Every claim in the payload, as sent.
    pub raw: Map<String, Value>,
}
