use serde::{Serialize, Serializer};
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

    /// A userinfo response a provider sends: `sub` alone, to which the `with_` methods add what the scopes
    /// and the `claims` request ask for.
    #[must_use]
    pub fn new(sub: impl Into<String>) -> Self {
        let sub = sub.into();
        let mut raw = Map::new();
        raw.insert("sub".to_owned(), Value::String(sub.clone()));
        Self {
            sub,
            email: None,
            email_verified: None,
            phone_number: None,
            phone_number_verified: None,
            raw,
        }
    }

    /// With `email` and `email_verified` (the `email` scope).
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>, verified: bool) -> Self {
        let email = email.into();
        self.raw.insert("email".to_owned(), Value::String(email.clone()));
        self.raw.insert("email_verified".to_owned(), Value::Bool(verified));
        self.email = Some(email);
        self.email_verified = Some(verified);
        self
    }

    /// With `phone_number`, when the user has one, and `phone_number_verified` (the `phone` scope).
    #[must_use]
    pub fn with_phone_number(mut self, phone_number: Option<String>, verified: bool) -> Self {
        if let Some(number) = &phone_number {
            self.raw.insert("phone_number".to_owned(), Value::String(number.clone()));
        }
        self.raw.insert("phone_number_verified".to_owned(), Value::Bool(verified));
        self.phone_number = phone_number;
        self.phone_number_verified = Some(verified);
        self
    }

    /// With a URL-named identity claim.
    #[must_use]
    pub fn with_vocab(mut self, claim: VocabClaim, value: Value) -> Self {
        self.raw.insert(claim.url().to_owned(), value);
        self
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

/// Every member of `raw`, with the typed fields written over it.
impl Serialize for UserInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = self.raw.clone();
        out.insert("sub".to_owned(), Value::String(self.sub.clone()));
        let typed = [
            ("email", self.email.clone().map(Value::String)),
            ("email_verified", self.email_verified.map(Value::Bool)),
            ("phone_number", self.phone_number.clone().map(Value::String)),
            ("phone_number_verified", self.phone_number_verified.map(Value::Bool)),
        ];
        for (name, value) in typed {
            if let Some(value) = value {
                out.insert(name.to_owned(), value);
            }
        }
        out.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_response_reads_back_as_sent() {
        let info = UserInfo::new("urn:s")
            .with_email("a@example.com", true)
            .with_phone_number(None, false)
            .with_vocab(VocabClaim::ReturnCode, serde_json::json!([{"code": "X"}]));
        let value = serde_json::to_value(&info).unwrap();
        assert!(value.get("phone_number").is_none());
        assert_eq!(value["phone_number_verified"], false);
        assert_eq!(value[VocabClaim::ReturnCode.url()][0]["code"], "X");
        assert_eq!(UserInfo::from_json(&value).unwrap(), info);
    }

    // Found by the `identity_userinfo` fuzz target: a number JSON writes as `222e-33` was read to a float
    // whose shortest printing, `2.22e-31`, then read to the next float up, so a response printed and read
    // again differed. Numbers are read exactly rounded (serde_json's `float_roundtrip`).
    #[test]
    fn fuzz_finding_a_claims_numbers_survive_printing_and_reading_again() {
        let body = br#"{"sub": "2Yw=", "": [33333, 3322, 3322e-33333, 222e-33], " htt": [{}]}"#;
        let info = UserInfo::from_json(&serde_json::from_slice(body).unwrap()).unwrap();
        let printed = serde_json::to_string(&info.raw).unwrap();
        let again = UserInfo::from_json(&serde_json::from_str(&printed).unwrap()).unwrap();
        assert_eq!(again, info, "{printed}");
        assert_eq!(info.raw[""][3].as_f64(), Some(2.22e-31));
    }
}
