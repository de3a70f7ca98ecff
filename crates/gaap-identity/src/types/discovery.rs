use serde::{Deserialize, Serialize};

/// The fields of `/.well-known/openid-configuration` this relying party uses, and those a provider publishes
/// beside them (serialised only when set).
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
    /// `openid`, `email`, `phone`, `offline_access`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// `code`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_types_supported: Vec<String>,
    /// `authorization_code`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant_types_supported: Vec<String>,
    /// `public`, `pairwise`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject_types_supported: Vec<String>,
    /// The claims the provider can release, the URL-named identity claims among them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims_supported: Vec<String>,
    /// Whether the `claims` request parameter is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_parameter_supported: Option<bool>,
    /// Whether request objects (`request`) are taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_parameter_supported: Option<bool>,
    /// Whether `request_uri` is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_uri_parameter_supported: Option<bool>,
    /// Whether back-channel logout tokens carry `sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_session_supported: Option<bool>,
    /// The trust mark URL, also the `vtm` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trustmarks: Option<String>,
    /// The provider's documentation for relying parties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_documentation: Option<String>,
}
