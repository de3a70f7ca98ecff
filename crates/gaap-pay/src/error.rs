//! The crate's error type, split by where a request failed.

use crate::rules::validate::Invalid;
use crate::types::RequestError;

/// Everything that can go wrong talking to Pay. Secrets never appear in any variant's text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured wrongly (a bad base URL, a key that cannot be a header).
    #[error("invalid GOV.UK Pay client configuration: {0}")]
    Config(String),
    /// The request breaks one of Pay's rules and was not sent. It carries the answer Pay would give.
    #[error("request not sent, Pay would refuse it: {0}")]
    Invalid(Box<Invalid>),
    /// The request could not be sent or the response could not be read.
    #[cfg(feature = "client")]
    #[error("could not reach GOV.UK Pay")]
    Transport(#[source] reqwest::Error),
    /// The request timed out, and retrying was safe but did not help.
    #[cfg(feature = "client")]
    #[error("GOV.UK Pay did not answer in time")]
    Timeout(#[source] reqwest::Error),
    /// Pay answered with an error status.
    #[error("GOV.UK Pay answered {status}{}", error.as_ref().map(|e| format!(" {}: {}", e.code, e.description)).unwrap_or_default())]
    Api {
        /// The HTTP status.
        status: u16,
        /// Pay's error body, when it sent one (401 has none).
        error: Option<Box<RequestError>>,
        /// The raw body.
        body: String,
    },
    /// Pay answered 2xx but the body was not what was expected.
    #[error("could not decode GOV.UK Pay's response")]
    Decode {
        /// The raw body, kept for diagnosis.
        body: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// A request that must not be repeated blindly was sent, and no answer came back: it may or may not have
    /// taken effect. For a payment, look it up with `Client::find_payments_by_reference` (feature `client`).
    #[error("outcome unknown for {operation}{}: {reason}", reference.as_ref().map(|r| format!(" (reference {r})")).unwrap_or_default())]
    OutcomeUnknown {
        /// What was attempted, such as `create payment`.
        operation: &'static str,
        /// The reference to search by, for payments and agreements.
        reference: Option<String>,
        /// What happened.
        reason: String,
    },
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(Box::new(invalid))
    }
}

impl Error {
    /// Pay's error code (`P0xxx`), when Pay sent one.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { error: Some(e), .. } => Some(&e.code),
            Self::Invalid(i) => Some(&i.error.code),
            _ => None,
        }
    }

    /// The HTTP status Pay answered (or would have answered, for [`Error::Invalid`]).
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            Self::Invalid(i) => Some(i.status),
            _ => None,
        }
    }
}
