//! The One Login service's single-value wire strings. Its closed vocabularies (error codes, the simulator's
//! error knobs, response modes, key sources) are enums declared with gaap-http's `open_enum!`, read with
//! [`gaap_http::OpenEnum::known`] so that a value outside them is refused.

/// The one `response_type` One Login takes, and publishes.
pub(crate) const RESPONSE_TYPE_CODE: &str = "code";
/// The one `grant_type` `/token` takes, and publishes.
pub(crate) const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
/// The scope every authorisation request must carry.
pub(crate) const SCOPE_OPENID: &str = "openid";
/// The one PKCE `code_challenge_method` One Login takes, and publishes.
pub(crate) const PKCE_S256: &str = "S256";
/// The `client_assertion_type` of `private_key_jwt` (RFC 7523).
pub(crate) const JWT_BEARER_ASSERTION: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The `prompt` value One Login refuses (it has no account chooser).
pub(crate) const PROMPT_SELECT_ACCOUNT: &str = "select_account";
