//! Callbacks from Notify to your service: typed payloads and a constant-time bearer-token check.
//!
//! Notify `POST`s JSON with `Authorization: Bearer <token>` (the token you set in Notify's
//! admin; there is no signature). It retries up to 5 times, 5 minutes apart, on connection
//! errors, 5xx and 429, so handlers must be idempotent (key on `id`).

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::types::{NotificationStatus, NotificationType};

/// A delivery receipt for an email or text message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStatusCallback {
    /// Notification id.
    pub id: Uuid,
    /// Your reference.
    pub reference: Option<String>,
    /// The recipient.
    pub to: String,
    /// The status.
    pub status: NotificationStatus,
    /// When Notify received the request.
    pub created_at: String,
    /// When it reached this status.
    pub completed_at: Option<String>,
    /// When it was sent.
    pub sent_at: Option<String>,
    /// `email` or `sms`.
    pub notification_type: NotificationType,
    /// The template.
    pub template_id: Uuid,
    /// The template version.
    pub template_version: i64,
}

/// A text message sent to your inbound number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedTextCallback {
    /// Id.
    pub id: Uuid,
    /// The sender's number, e.g. `447700912345`.
    pub source_number: String,
    /// Your number.
    pub destination_number: String,
    /// The text.
    pub message: String,
    /// When it arrived.
    pub date_received: String,
}

/// A letter that came back undelivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedLetterCallback {
    /// The letter's notification id.
    pub notification_id: Uuid,
    /// Your reference.
    pub reference: Option<String>,
    /// When it was sent.
    pub date_sent: String,
    /// The sender's email, or `API`.
    pub sent_by: String,
    /// Template name.
    pub template_name: String,
    /// Template id.
    pub template_id: Uuid,
    /// Template version.
    pub template_version: i64,
    /// The spreadsheet it came from, if any.
    pub spreadsheet_file_name: Option<String>,
    /// Its row there.
    pub spreadsheet_row_number: Option<i64>,
    /// The uploaded letter's file name, if any.
    pub upload_letter_file_name: Option<String>,
}

/// Why a callback request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackAuthError {
    /// No `Authorization` header.
    #[error("missing Authorization header")]
    Missing,
    /// Not a bearer token.
    #[error("Authorization header is not a bearer token")]
    NotBearer,
    /// The token does not match.
    #[error("bearer token does not match")]
    Mismatch,
}

gaap_http::secret_string! {
    /// The bearer token configured for your callbacks. Compared in constant time; never shown by
    /// `Debug`.
    pub struct CallbackToken;
}

impl CallbackToken {
    /// Checks an `Authorization` header value (`Bearer <token>`; the scheme is case-insensitive).
    ///
    /// ```
    /// use gaap_notify::callbacks::{CallbackToken, CallbackAuthError};
    /// let token = CallbackToken::new("s3cret-token-value");
    /// assert!(token.verify(Some("Bearer s3cret-token-value")).is_ok());
    /// assert_eq!(token.verify(Some("Bearer nope")), Err(CallbackAuthError::Mismatch));
    /// assert!(!format!("{token:?}").contains("s3cret"));
    /// ```
    ///
    /// # Errors
    /// [`CallbackAuthError`].
    pub fn verify(&self, authorization: Option<&str>) -> Result<(), CallbackAuthError> {
        let header = authorization.ok_or(CallbackAuthError::Missing)?;
        let scheme = header.get(..7).ok_or(CallbackAuthError::NotBearer)?;
        if !scheme.eq_ignore_ascii_case("bearer ") {
            return Err(CallbackAuthError::NotBearer);
        }
        let presented = header.get(7..).unwrap_or("").trim();
        if bool::from(presented.as_bytes().ct_eq(self.0.as_bytes())) {
            Ok(())
        } else {
            Err(CallbackAuthError::Mismatch)
        }
    }
}
