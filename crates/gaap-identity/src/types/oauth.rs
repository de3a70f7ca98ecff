use serde::ser::SerializeStruct as _;
use serde::{Deserialize, Serialize, Serializer};

use super::secrets::{AccessToken, IdToken};

/// The body of a successful token response (OpenID Connect Core §3.1.3.3), as a provider sends it.
/// `Debug` never shows the tokens (they are redacted secret types).
#[derive(Debug)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The bearer token for `/userinfo`.
    pub access_token: AccessToken,
    /// `Bearer`.
    pub token_type: String,
    /// The access token's lifetime in seconds, when sent.
    pub expires_in: Option<u64>,
    /// The signed ID token.
    pub id_token: IdToken,
}

impl TokenResponse {
    /// A `Bearer` token response.
    #[must_use]
    pub fn bearer(access_token: AccessToken, expires_in: Option<u64>, id_token: IdToken) -> Self {
        Self { access_token, token_type: "Bearer".to_owned(), expires_in, id_token }
    }
}

/// The wire form, tokens included: only for sending the response.
impl Serialize for TokenResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = if self.expires_in.is_some() { 4 } else { 3 };
        let mut s = serializer.serialize_struct("TokenResponse", fields)?;
        s.serialize_field("access_token", self.access_token.expose_secret())?;
        s.serialize_field("token_type", &self.token_type)?;
        if let Some(expires_in) = self.expires_in {
            s.serialize_field("expires_in", &expires_in)?;
        }
        s.serialize_field("id_token", self.id_token.expose_secret())?;
        s.end()
    }
}

/// An OAuth error body (RFC 6749 §5.2): `{"error": …, "error_description": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuthErrorResponse {
    /// The error code, e.g. `invalid_grant`.
    pub error: String,
    /// What went wrong, for a developer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl OAuthErrorResponse {
    /// An error body with a description.
    #[must_use]
    pub fn new(error: impl Into<String>, description: impl Into<String>) -> Self {
        Self { error: error.into(), error_description: Some(description.into()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_response_sends_its_tokens_and_debug_hides_them() {
        let response = TokenResponse::bearer(
            AccessToken::new("at-secret"),
            Some(180),
            IdToken::new("a.b.c-secret"),
        );
        let value = serde_json::to_value(&response).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"access_token": "at-secret", "token_type": "Bearer",
                               "expires_in": 180, "id_token": "a.b.c-secret"})
        );
        let debug = format!("{response:?}");
        assert!(!debug.contains("at-secret") && !debug.contains("c-secret"), "{debug}");
        let without = TokenResponse::bearer(AccessToken::new("a"), None, IdToken::new("i"));
        assert!(serde_json::to_value(&without).unwrap().get("expires_in").is_none());
    }

    #[test]
    fn error_bodies_round_trip() {
        let body = OAuthErrorResponse::new("invalid_grant", "Invalid authorization code");
        let text = serde_json::to_string(&body).unwrap();
        assert_eq!(
            text,
            r#"{"error":"invalid_grant","error_description":"Invalid authorization code"}"#
        );
        assert_eq!(serde_json::from_str::<OAuthErrorResponse>(&text).unwrap(), body);
    }
}
