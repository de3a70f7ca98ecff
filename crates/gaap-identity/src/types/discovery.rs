use serde::{Deserialize, Serialize};

/// The fields of `/.well-known/openid-configuration` this relying party uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    /// Must equal the configured issuer exactly.
    pub issuer: String,
    /// `/authorize`.
    pub authorization_endpoint: String,
    /// `/token`; also the client-assertion `aud`.
    pub token_endpoint: String,
    /// `/userinfo`.
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// The ID-token and logout-token JWKS.
    pub jwks_uri: String,
    /// `/logout`.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// `ES256`, and `RS256` where RSA signing is offered.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// `private_key_jwt`, `client_secret_post`.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// RSA algorithms only at One Login.
    #[serde(default)]
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    /// Published only when PKCE is on.
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    /// `en`, `cy`.
    #[serde(default)]
    pub ui_locales_supported: Vec<String>,
    /// Whether back-channel logout is offered.
    #[serde(default)]
    pub backchannel_logout_supported: Option<bool>,
}
