//! GOV.UK Pay v1: payments (create, get, events, cancel, capture, search), refunds, agreements, the hosted
//! card-details page behind `next_url`, `Idempotency-Key`, 429 P0900 and signed webhooks.
//!
//! Validation, the state machine, refund availability and the webhook signature are gaap-pay's own rules, so
//! the sandbox and the client cannot disagree.

mod agreements;
mod disputes;
mod lifecycle;
mod moto;
mod pages;
mod payments;
mod rate_limit;
mod refunds;
mod resources;
mod search;
mod store;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaap_http::SharedClock;
use gaap_pay::rules::validate;
use gaap_pay::types::RequestError;
use time::OffsetDateTime;

use crate::config::PayConfig;
use crate::outbound::Outbound;

use agreements::{cancel_agreement, create_agreement, get_agreement, search_agreements};
use payments::{cancel_payment, capture_payment, create_payment, get_events, get_payment};
use refunds::{create_refund, get_refund, list_refunds, search_refunds};
use search::{Search, parse_search_time, reject_search_params, search_page, search_payments};
use store::PayData;

/// A payment expires 90 minutes after creation (pay-connector config `defaultChargeExpiryThreshold: 5400`).
const EXPIRY: Duration = Duration::from_secs(5400);
/// A capturable payment expires after 5 days (`awaitingCaptureExpiryThreshold: 432000`).
const CAPTURABLE_EXPIRY: Duration = Duration::from_secs(432_000);
/// Idempotency keys are forgotten after 24 h (`idempotencyKeyExpiryThresholdInSeconds: 86400`).
const IDEMPOTENCY_TTL: Duration = Duration::from_secs(86_400);

/// Pay's error body (gaap-pay's `RequestError`) with an HTTP status; 401s have no body.
#[derive(Debug)]
pub(crate) struct PayError {
    status: u16,
    body: Option<RequestError>,
}

impl PayError {
    pub(crate) fn new(status: u16, code: &str, description: &str) -> Self {
        Self { status, body: Some(RequestError::new(code, description)) }
    }

    /// An error naming the request `field` at fault.
    fn for_field(status: u16, code: &str, field: &str, description: &str) -> Self {
        Self { status, body: Some(RequestError::for_field(field, code, description)) }
    }

    fn unauthorised() -> Self {
        Self { status: 401, body: None }
    }

    fn from_invalid(invalid: &validate::Invalid) -> Self {
        Self { status: invalid.status, body: Some(invalid.error.clone()) }
    }
}

impl IntoResponse for PayError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match self.body {
            Some(body) => (status, axum::Json(body)).into_response(),
            None => status.into_response(),
        }
    }
}

type Result<T> = std::result::Result<T, PayError>;

/// Shared Pay state.
#[derive(Debug)]
pub(crate) struct PayState {
    cfg: PayConfig,
    pub(crate) api_key: String,
    pub(crate) webhook_secret: String,
    base_url: String,
    pub(crate) data: Mutex<PayData>,
    clock: SharedClock,
    outbound: Outbound,
    pub(crate) dirty: std::sync::atomic::AtomicBool,
}

/// 26 lower-case base32 characters from 130 random bits, as pay-connector's `RandomIdGenerator`.
pub(crate) fn random_id() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    (0..26).map(|_| char::from(ALPHABET[usize::from(rand::random::<u8>() & 31)])).collect()
}

/// A test API key in Pay's shape: `api_test_` + random id + 32 base32hex characters of HMAC-SHA1.
fn new_api_key() -> String {
    let token = random_id();
    let secret: [u8; 32] = rand::random();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &secret);
    let tag = ring::hmac::sign(&key, token.as_bytes());
    const HEX32: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let mut bits: u64 = 0;
    let mut nbits = 0;
    let mut checksum = String::new();
    for byte in tag.as_ref() {
        bits = (bits << 8) | u64::from(*byte);
        nbits += 8;
        while nbits >= 5 {
            nbits -= 5;
            checksum.push(char::from(HEX32[usize::try_from((bits >> nbits) & 31).unwrap_or(0)]));
        }
    }
    format!("api_test_{token}{checksum}")
}

/// Pay's timestamp: UTC with milliseconds, `2016-01-21T17:15:00.000Z` (gaap-pay's format, of the time cut to
/// the millisecond as Pay stores it).
fn pay_time(t: OffsetDateTime) -> String {
    gaap_pay::types::pay_time::format(to_millis(t))
}

/// A time cut to the millisecond, as Pay keeps its timestamps: what gaap-pay's `pay_time` then prints is what Pay
/// sends.
fn to_millis(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(u32::from(t.millisecond()) * 1_000_000).unwrap_or(t)
}

impl PayState {
    pub(crate) fn new(
        cfg: PayConfig,
        base_url: String,
        clock: SharedClock,
        outbound: Outbound,
        saved: Option<PayData>,
    ) -> Self {
        let api_key = cfg.api_key.clone().unwrap_or_else(new_api_key);
        let webhook_secret =
            cfg.webhook_secret.clone().unwrap_or_else(|| format!("webhook_test_{}", random_id()));
        let mut data = saved.unwrap_or_default();
        data.reindex();
        Self {
            cfg,
            api_key,
            webhook_secret,
            base_url,
            data: Mutex::new(data),
            clock,
            outbound,
            dirty: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PayData> {
        self.data.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn payment_count(&self) -> usize {
        self.lock().payments.len()
    }

    fn touch(&self) {
        self.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The Pay router.
pub(crate) fn router(state: Arc<PayState>) -> Router {
    Router::new()
        .route("/v1/payments", post(create_payment).get(search_payments))
        .route("/v1/payments/{id}", get(get_payment))
        .route("/v1/payments/{id}/events", get(get_events))
        .route("/v1/payments/{id}/cancel", post(cancel_payment))
        .route("/v1/payments/{id}/capture", post(capture_payment))
        .route("/v1/payments/{id}/refunds", post(create_refund).get(list_refunds))
        .route("/v1/payments/{id}/refunds/{refund_id}", get(get_refund))
        .route("/v1/refunds", get(search_refunds))
        .route("/v1/disputes", get(disputes::search))
        .route("/v1/auth", post(moto::authorise))
        .route("/v1/agreements", post(create_agreement).get(search_agreements))
        .route("/v1/agreements/{id}", get(get_agreement))
        .route("/v1/agreements/{id}/cancel", post(cancel_agreement))
        .route("/openapi.json", get(|| async { crate::openapi::pay() }))
        .merge(pages::router())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_keys_have_pays_shape() {
        let id = random_id();
        assert_eq!(id.len(), 26);
        assert!(id.chars().all(|c| c.is_ascii_digit() || ('a'..='v').contains(&c)));
        let key = new_api_key();
        assert!(key.starts_with("api_test_"));
        assert_eq!(key.len(), "api_test_".len() + 26 + 32);
    }

    #[test]
    fn pay_time_has_milliseconds() {
        assert_eq!(
            pay_time(time::macros::datetime!(2016-01-21 17:15:00.123456 UTC)),
            "2016-01-21T17:15:00.123Z"
        );
    }
}
