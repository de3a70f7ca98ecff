//! Webhooks: `Pay-Signature` verification and signing, the typed envelope, and deduplication.
//!
//! Pay signs each delivery with `Pay-Signature: hex(HMAC-SHA256(key = signing secret, message = raw body))`
//! in lower case (`alphagov/pay-webhooks` `WebhookMessageSignatureGenerator.java`). Verify over the raw bytes
//! you received, before parsing; re-serialised JSON will not match. Delivery is at least once and unordered,
//! so dedupe by `webhook_message_id` and do not assume order.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use ring::hmac;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::SigningSecret;
use crate::types::{Payment, pay_time};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Pay-Signature";

/// Pay's redelivery delays after failed attempts 1–5; it gives up after the sixth attempt
/// (`alphagov/pay-webhooks` `SendAttempter.java`).
pub const RETRY_DELAYS_SECONDS: [u64; 5] = [60, 300, 3_600, 86_400, 172_800];

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature header is not 64 hex digits.
    #[error("Pay-Signature is not a 64-digit hex HMAC-SHA256")]
    MalformedSignature,
    /// The signature does not match the body.
    #[error("Pay-Signature does not match the body")]
    BadSignature,
    /// The body is signed correctly but is not a webhook message.
    #[error("webhook body is not a Pay webhook message: {0}")]
    Decode(String),
}

fn key(secret: &SigningSecret) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, secret.expose_secret().as_bytes())
}

/// Signs `body` as Pay does: lower-case hex HMAC-SHA256. For tests and the sandbox.
#[must_use]
pub fn sign(secret: &SigningSecret, body: &[u8]) -> String {
    let tag = hmac::sign(&key(secret), body);
    tag.as_ref().iter().fold(String::with_capacity(64), |mut out, b| {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
        out
    })
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.trim().as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let hi = char::from(*pair.first()?).to_digit(16)?;
        let lo = char::from(*pair.get(1)?).to_digit(16)?;
        *slot = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

/// Checks `Pay-Signature` against the raw body, in constant time (`ring::hmac::verify`).
pub fn verify_signature(
    secret: &SigningSecret,
    body: &[u8],
    signature: &str,
) -> Result<(), WebhookError> {
    let tag = decode_hex(signature).ok_or(WebhookError::MalformedSignature)?;
    hmac::verify(&key(secret), body, &tag).map_err(|_| WebhookError::BadSignature)
}

/// Verifies the signature, then parses the envelope.
pub fn verify_and_parse(
    secret: &SigningSecret,
    body: &[u8],
    signature: &str,
) -> Result<WebhookMessage, WebhookError> {
    verify_signature(secret, body, signature)?;
    serde_json::from_slice(body).map_err(|e| WebhookError::Decode(e.to_string()))
}

gaap_http::open_enum! {
    /// A webhook event type (`alphagov/pay-webhooks` `EventTypeName.java`).
    pub enum EventType {
        /// In Pay's code but never sent.
        CardPaymentStarted = "card_payment_started",
        /// The payer confirmed; capture queued.
        CardPaymentSucceeded = "card_payment_succeeded",
        /// The payment provider confirmed capture.
        CardPaymentCaptured = "card_payment_captured",
        /// A refund succeeded; `resource` is the parent payment.
        CardPaymentRefunded = "card_payment_refunded",
        /// Rejected, cancelled or errored.
        CardPaymentFailed = "card_payment_failed",
        /// Expired.
        CardPaymentExpired = "card_payment_expired",
        /// Listed in Pay's docs; not in its code.
        CardPaymentSettled = "card_payment_settled",
    }
}

/// A webhook delivery body (`WebhookMessageBody.java`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookMessage {
    /// Unique per message; the dedupe key. (The docs call it `id`; the payload says `webhook_message_id`.)
    pub webhook_message_id: String,
    /// When the event happened (UTC, milliseconds).
    #[serde(with = "pay_time")]
    pub created_date: OffsetDateTime,
    /// The payment id (the parent payment, for refunds).
    pub resource_id: String,
    /// Always 1 so far.
    pub api_version: u32,
    /// `payment` (compare case-insensitively).
    pub resource_type: String,
    /// The event.
    pub event_type: EventType,
    /// The payment as it was at the event, without `_links`. A failed payment's status may use the ledger's
    /// words (`declined`, `timedout`); rely on `code` and `finished`.
    pub resource: Payment,
}

impl WebhookMessage {
    /// Serialises and signs, returning `(body, signature)`. For tests and the sandbox.
    pub fn to_signed(
        &self,
        secret: &SigningSecret,
    ) -> Result<(Vec<u8>, String), serde_json::Error> {
        let body = serde_json::to_vec(self)?;
        let signature = sign(secret, &body);
        Ok((body, signature))
    }

    /// Whether the resource is a payment.
    #[must_use]
    pub fn is_payment(&self) -> bool {
        self.resource_type.eq_ignore_ascii_case("payment")
    }
}

/// Remembers recent `webhook_message_id`s so a redelivered message is handled once. Thread-safe; bounded to
/// the last `capacity` ids (oldest forgotten first). Keep it for as long as Pay may redeliver (up to 3 days);
/// for restarts or several instances, persist ids with a unique constraint instead.
#[derive(Debug)]
pub struct Deduplicator {
    inner: Mutex<(HashSet<String>, VecDeque<String>)>,
    capacity: usize,
}

impl Deduplicator {
    /// A deduplicator remembering up to `capacity` ids (at least 1).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self { inner: Mutex::new((HashSet::new(), VecDeque::new())), capacity: capacity.max(1) }
    }

    /// True the first time `webhook_message_id` is seen; false for a redelivery.
    pub fn first_delivery(&self, webhook_message_id: &str) -> bool {
        let mut guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (seen, order) = &mut *guard;
        if seen.contains(webhook_message_id) {
            return false;
        }
        if order.len() >= self.capacity
            && let Some(oldest) = order.pop_front()
        {
            seen.remove(&oldest);
        }
        seen.insert(webhook_message_id.to_owned());
        order.push_back(webhook_message_id.to_owned());
        true
    }

    /// Forgets an id, so a message whose handling failed can be processed on redelivery.
    pub fn forget(&self, webhook_message_id: &str) {
        let mut guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (seen, order) = &mut *guard;
        if seen.remove(webhook_message_id) {
            order.retain(|id| id != webhook_message_id);
        }
    }
}

impl Default for Deduplicator {
    /// Remembers 100 000 ids.
    fn default() -> Self {
        Self::new(100_000)
    }
}
