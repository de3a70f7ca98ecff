use serde_json::{Map, Value};

use super::claims::VocabClaim;

/// The `/userinfo` response, after its `sub` was checked against the ID token.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserInfo {
    /// The subject (equal to the ID token's).
    pub sub: String,
    /// `email`, with the `email` scope.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: Option<bool>,
    /// `phone_number` (E.164), with the `phone` scope.
    pub phone_number: Option<String>,
    /// `phone_number_verified`.
    pub phone_number_verified: Option<bool>,
    /// Every member, including the URL-named identity claims.
    pub raw: Map<String, Value>,
}

impl UserInfo {
    /// A URL-named claim, when present.
    #[must_use]
    pub fn vocab(&self, claim: VocabClaim) -> Option<&Value> {
        self.raw.get(claim.url())
    }

    /// The compact core identity JWT, when present (verify it with the client before use).
    #[must_use]
    pub fn core_identity_jwt(&self) -> Option<&str> {
        self.vocab(VocabClaim::CoreIdentityJwt).and_then(Value::as_str)
    }

    /// Reads a userinfo JSON object (when you called `/userinfo` yourself). Check `sub` against the ID token.
    ///
    /// # Errors
    /// [`crate::TokenError::Malformed`] for a non-object, [`crate::TokenError::MissingClaim`] without `sub`.
    pub fn from_json(value: &Value) -> Result<Self, crate::error::TokenError> {
        match value {
            Value::Object(map) => Self::from_map(map.clone()),
            _ => {
                Err(crate::error::TokenError::Malformed("userinfo is not a JSON object".to_owned()))
            }
        }
    }

    pub(crate) fn from_map(raw: Map<String, Value>) -> Result<Self, crate::error::TokenError> {
        let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_owned);
        let flag = |k: &str| raw.get(k).and_then(Value::as_bool);
        let sub = text("sub").ok_or(crate::error::TokenError::MissingClaim("sub"))?;
        Ok(Self {
            sub,
            email: text("email"),
            email_verified: flag("email_verified"),
            phone_number: text("phone_number"),
            phone_number_verified: flag("phone_number_verified"),
            raw,
        })
    }
}
