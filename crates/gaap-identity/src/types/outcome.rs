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

/// An `/authorize` error code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizeErrorCode {
    /// `invalid_request` (e.g. "Request vtr not valid").
    InvalidRequest,
    /// `invalid_scope`.
    InvalidScope,
    /// `unsupported_response_type`.
    UnsupportedResponseType,
    /// `unauthorized_client` (client deactivated).
    UnauthorizedClient,
    /// `temporarily_unavailable`.
    TemporarilyUnavailable,
    /// `login_required`: end the RP session.
    LoginRequired,
    /// `server_error`.
    ServerError,
    /// Anything else, verbatim.
    Unknown(String),
}

impl AuthorizeErrorCode {
    pub(crate) fn from_wire(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_scope" => Self::InvalidScope,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "unauthorized_client" => Self::UnauthorizedClient,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "login_required" => Self::LoginRequired,
            "server_error" => Self::ServerError,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

/// A One Login return code (one letter; meanings are shared privately by One Login).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReturnCode(pub String);

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
