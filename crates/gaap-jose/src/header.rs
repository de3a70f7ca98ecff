//! The JOSE protected header.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Algorithm;

/// A JWS protected header: `alg`, the common optional members, and every other member kept as JSON.
///
/// ```
/// use gaap_jose::{Algorithm, Header};
/// let header = Header::new(Algorithm::ES256).with_kid("key-1").with_typ("JWT");
/// assert_eq!(header.kid.as_deref(), Some("key-1"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The signature algorithm.
    pub alg: Algorithm,
    /// Which key signed the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The media type of the whole token, usually `JWT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// The media type of the payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cty: Option<String>,
    /// Every other member, as sent. Verification rejects a token whose header has `crit`.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Header {
    /// A header with only `alg`.
    pub fn new(alg: Algorithm) -> Self {
        Self { alg, kid: None, typ: None, cty: None, other: Map::new() }
    }

    /// Sets `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `typ`.
    #[must_use]
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Sets `cty`.
    #[must_use]
    pub fn with_cty(mut self, cty: impl Into<String>) -> Self {
        self.cty = Some(cty.into());
        self
    }
}
