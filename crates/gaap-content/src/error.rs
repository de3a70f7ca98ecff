//! The crate's error type.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::rules::ValidationError;

/// A refusal, as publishing-api answers it: HTTP status, `error_code` (422s), message and fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandError {
    /// HTTP status publishing-api would answer with (404, 409, 422).
    pub code: u16,
    /// publishing-api's `error_code` (set on 422s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<&'static str>,
    /// The message publishing-api sends.
    pub message: String,
    /// Field errors.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<String>>,
}

impl CommandError {
    pub(crate) fn new(
        code: u16,
        error_code: Option<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        Self { code, error_code, message: message.into(), fields: BTreeMap::new() }
    }

    pub(crate) fn field(mut self, name: &str, problem: &str) -> Self {
        self.fields.entry(name.to_owned()).or_default().push(problem.to_owned());
        self
    }

    /// The publishing-api error envelope: `{"error": {"code", "message", "error_code"?, "fields"?}}`.
    pub fn envelope(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }

    /// A 422 from validation failures: one error keeps its code, several give `multiple_validation_errors`.
    pub fn from_validation(errors: &[ValidationError]) -> Self {
        let error_code = match errors {
            [one] => one.error_code,
            _ => "multiple_validation_errors",
        };
        let message = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(", ");
        Self::new(422, Some(error_code), message)
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Everything that can go wrong in gaap-content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The workflow refused the command, with publishing-api's status and message.
    #[error("{0}")]
    Command(CommandError),
    /// Bad configuration (a database URL, a missing environment variable).
    #[error("configuration: {0}")]
    Config(String),
    /// The database failed.
    #[error("storage failed: {message}")]
    Storage {
        /// What was being done.
        message: String,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Stored data could not be decoded.
    #[error("stored data could not be decoded")]
    Decode {
        /// The stored text.
        body: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The local-services data or lookup failed.
    #[error("local services: {0}")]
    Local(#[from] crate::local::LocalError),
}

impl Error {
    /// The command refusal, if this is one.
    pub fn command(&self) -> Option<&CommandError> {
        match self {
            Self::Command(c) => Some(c),
            _ => None,
        }
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn storage(
        message: &str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Storage { message: message.to_owned(), source: Box::new(source) }
    }
}

impl From<CommandError> for Error {
    fn from(value: CommandError) -> Self {
        Self::Command(value)
    }
}
