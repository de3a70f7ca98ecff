use super::core_identity::CoreIdentity;
use super::secrets::AuthorizationCode;

/// What came back on the redirect URI, once `state` matched.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallbackOutcome {
    /// Success: exchange the code.
    Code(AuthorizationCode),
    /// `access_denied`: the browser session was lost, or identity fell short and return codes are off.
    AccessDenied {
        /// `error_description`, when sent.
        description: Option<String>,
    },
    /// Any other authorize error.
    Error {
        /// The `error` code.
        error: AuthorizeErrorCode,
        /// `error_description`, when sent.
        description: Option<String>,
    },
}

gaap_http::open_enum! {
    /// An `/authorize` error code; anything else is kept verbatim in `Unknown`.
    pub enum AuthorizeErrorCode {
        /// `invalid_request` (e.g. "Request vtr not valid").
        InvalidRequest = "invalid_request",
        /// `invalid_scope`.
        InvalidScope = "invalid_scope",
        /// `unsupported_response_type`.
        UnsupportedResponseType = "unsupported_response_type",
        /// `unauthorized_client` (client deactivated).
        UnauthorizedClient = "unauthorized_client",
        /// `temporarily_unavailable`.
        TemporarilyUnavailable = "temporarily_unavailable",
        /// `login_required`: end the RP session.
        LoginRequired = "login_required",
        /// `server_error`.
        ServerError = "server_error",
    }
}

/// A One Login return code (one letter; meanings are shared privately by One Login).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReturnCode(pub String);

/// `{"code": "X"}`, one item of the `returnCode` claim.
impl serde::Serialize for ReturnCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("code", &self.0)?;
        map.end()
    }
}

/// What identity proving produced, read from a userinfo response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityOutcome {
    /// A verified core identity, maybe with return codes alongside (e.g. a politically exposed person).
    Proven {
        /// The identity.
        identity: CoreIdentity,
        /// Return codes sent with it.
        return_codes: Vec<ReturnCode>,
    },
    /// Proving failed and return codes say why.
    ReturnCodes(Vec<ReturnCode>),
    /// No core identity and no return codes: identity was not proven.
    NotProven,
}
