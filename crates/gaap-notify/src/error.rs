//! The crate's error type, split by where a call failed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One entry of Notify's error envelope: `{"error": "ValidationError", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorItem {
    /// The error class, for example `ValidationError`, `AuthError`, `RateLimitError`.
    pub error: String,
    /// The message. Notify's docs ask integrators not to match on it; use the variant instead.
    pub message: String,
}

/// An error response from Notify: the status and the parsed envelope
/// (`{"status_code": 400, "errors": [...]}`), with the raw body kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The envelope's entries (empty if the body was not an envelope).
    pub errors: Vec<ApiErrorItem>,
    /// The raw response body.
    pub body: String,
}

impl ApiError {
    /// The first entry's message, if any.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.errors.first().map(|e| e.message.as_str())
    }

    /// Whether any entry has this error class.
    #[must_use]
    pub fn has_error(&self, class: &str) -> bool {
        self.errors.iter().any(|e| e.error == class)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {}", self.status)?;
        for (i, e) in self.errors.iter().enumerate() {
            write!(f, "{}{}: {}", if i == 0 { ": " } else { "; " }, e.error, e.message)?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in gaap-notify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured wrongly (bad base URL, HTTP client could not be built).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The API key is not `{name}-{service id}-{secret}` with two UUIDs.
    #[error("invalid API key: {0}")]
    InvalidApiKey(&'static str),
    /// A request could not be prepared (file too large, token could not be signed).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A value given to [`crate::personalisation_of`] is not an object of placeholder names.
    #[error("cannot use this value as personalisation: {reason}")]
    Personalisation {
        /// What is wrong with it.
        reason: String,
        /// The serialisation error, when the value did not serialise.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// 400 `ValidationError`: the request failed Notify's schema or recipient checks.
    #[error("validation error ({0})")]
    Validation(ApiError),
    /// 400 (or 403) `BadRequestError` and other client errors: template, service or key problems.
    #[error("bad request ({0})")]
    BadRequest(ApiError),
    /// 401/403 `AuthError`: missing, malformed, expired or revoked token.
    #[error("authentication failed ({0})")]
    Auth(ApiError),
    /// 429 `RateLimitError`: over 3,000 requests a minute for this key type. Safe to retry later.
    #[error("rate limit exceeded ({0})")]
    RateLimit(ApiError),
    /// 429 `TooManyRequestsError`: the service's daily sending limit is used up until midnight UTC.
    #[error("daily limit exceeded ({0})")]
    TooManyRequests(ApiError),
    /// 404: no such notification or template.
    #[error("not found ({0})")]
    NotFound(ApiError),
    /// 5xx: Notify failed. A POST may or may not have created a message.
    #[error("server error ({0})")]
    Server(ApiError),
    /// Any other unexpected status.
    #[error("unexpected response ({0})")]
    Api(ApiError),
    /// The connection failed. `sent` tells whether the request may have reached Notify.
    #[cfg(feature = "client")]
    #[error("transport error (request may have been sent: {sent})")]
    Transport {
        /// Whether the request may have been sent (false only when the connection never opened).
        sent: bool,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// No response within the configured timeout.
    #[cfg(feature = "client")]
    #[error("request timed out")]
    Timeout(#[source] reqwest::Error),
    /// A success response whose body could not be decoded; the body is kept.
    #[error("could not decode the response (status {status})")]
    Decode {
        /// HTTP status.
        status: u16,
        /// The raw body.
        body: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// The API error behind this error, if Notify answered.
    #[must_use]
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Validation(e)
            | Self::BadRequest(e)
            | Self::Auth(e)
            | Self::RateLimit(e)
            | Self::TooManyRequests(e)
            | Self::NotFound(e)
            | Self::Server(e)
            | Self::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, if Notify answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Decode { status, .. } => Some(*status),
            other => other.api_error().map(|e| e.status),
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    errors: Vec<ApiErrorItem>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

/// Turns an error response into the matching [`Error`] variant.
#[must_use]
pub fn classify(status: u16, body: String) -> Error {
    let errors = match serde_json::from_str::<Envelope>(&body) {
        Ok(env) if !env.errors.is_empty() => env.errors,
        Ok(Envelope { message: Some(m), .. }) => {
            // Some older endpoints answer `{"result": "error", "message": …}`.
            vec![ApiErrorItem {
                error: String::new(),
                message: m.as_str().map_or_else(|| m.to_string(), str::to_owned),
            }]
        }
        _ => Vec::new(),
    };
    let e = ApiError { status, errors, body };
    match status {
        400 if e.has_error("ValidationError") => Error::Validation(e),
        401 | 403 if e.has_error("AuthError") || e.errors.is_empty() => Error::Auth(e),
        400..=403 => Error::BadRequest(e),
        404 => Error::NotFound(e),
        429 if e.has_error("TooManyRequestsError") => Error::TooManyRequests(e),
        429 => Error::RateLimit(e),
        500..=599 => Error::Server(e),
        _ => Error::Api(e),
    }
}
