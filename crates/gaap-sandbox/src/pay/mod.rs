//! GOV.UK Pay v1: payments (create, get, events, cancel, capture, search), refunds, agreements, the hosted
//! card-details page behind `next_url`, `Idempotency-Key`, 429 P0900 and signed webhooks.
//!
//! Validation, the state machine, refund availability and the webhook signature are gaap-pay's own rules, so
//! the sandbox and the client cannot disagree.

mod disputes;
mod moto;
mod pages;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaap_http::SharedClock;
use gaap_pay::rules::refund::{RefundEntry, check_refund, refund_summary};
use gaap_pay::rules::state::CaptureOutcome;
use gaap_pay::rules::validate::{self, ValidationOptions};
use gaap_pay::types::{AgreementStatus, AuthorisationMode, RefundStatus};
use gaap_pay::{Money, PaymentEvent, PaymentState};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::config::{IdempotencyScope, PayConfig};
use crate::outbound::{DeliveryKind, Outbound};

/// A payment expires 90 minutes after creation (pay-connector config `defaultChargeExpiryThreshold: 5400`).
const EXPIRY: Duration = Duration::from_secs(5400);
/// A capturable payment expires after 5 days (`awaitingCaptureExpiryThreshold: 432000`).
const CAPTURABLE_EXPIRY: Duration = Duration::from_secs(432_000);
/// Idempotency keys are forgotten after 24 h (`idempotencyKeyExpiryThresholdInSeconds: 86400`).
const IDEMPOTENCY_TTL: Duration = Duration::from_secs(86_400);

/// Pay's error body with an HTTP status; 401s have no body.
#[derive(Debug)]
pub(crate) struct PayError {
    status: u16,
    body: Option<Value>,
}

impl PayError {
    fn new(status: u16, code: &str, description: &str) -> Self {
        Self { status, body: Some(json!({"code": code, "description": description})) }
    }

    fn unauthorised() -> Self {
        Self { status: 401, body: None }
    }

    fn from_invalid(invalid: &validate::Invalid) -> Self {
        Self { status: invalid.status, body: serde_json::to_value(&invalid.error).ok() }
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

/// A state as stored: gaap-pay's wire form (`status`, `code`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Wire {
    status: String,
    code: Option<String>,
}

impl Wire {
    fn of(state: PaymentState) -> Self {
        Self { status: state.status().to_owned(), code: state.code().map(str::to_owned) }
    }

    fn state(&self) -> PaymentState {
        PaymentState::from_wire(&self.status, self.code.as_deref()).unwrap_or(PaymentState::Error)
    }
}

/// A state change, for `/events`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Event {
    state: Wire,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Refund {
    refund_id: String,
    amount: i64,
    status: RefundStatus,
    #[serde(with = "time::serde::rfc3339")]
    created_date: OffsetDateTime,
}

/// A stored payment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Payment {
    payment_id: String,
    body: Map<String, Value>,
    amount: i64,
    #[serde(with = "time::serde::rfc3339")]
    created_date: OffsetDateTime,
    state: Wire,
    events: Vec<Event>,
    card: Option<Value>,
    refunds: Vec<Refund>,
    #[serde(with = "time::serde::rfc3339::option")]
    captured_at: Option<OffsetDateTime>,
    provider_id: String,
    /// A `moto_api` payment's token for `POST /v1/auth`.
    #[serde(default)]
    one_time_token: Option<String>,
    /// Whether `POST /v1/auth` has used the token.
    #[serde(default)]
    one_time_token_used: bool,
}

impl Payment {
    fn field(&self, name: &str) -> Option<&Value> {
        self.body.get(name).filter(|v| !v.is_null())
    }

    fn mode(&self) -> AuthorisationMode {
        authorisation_mode(&self.body)
    }

    fn delayed_capture(&self) -> bool {
        self.field("delayed_capture").and_then(Value::as_bool).unwrap_or(false)
    }
}

/// A create body's `authorisation_mode`; `web` when absent or null.
fn authorisation_mode(body: &Map<String, Value>) -> AuthorisationMode {
    body.get("authorisation_mode")
        .and_then(Value::as_str)
        .map_or(AuthorisationMode::Web, AuthorisationMode::parse)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Agreement {
    agreement_id: String,
    reference: String,
    description: String,
    user_identifier: Option<String>,
    status: AgreementStatus,
    #[serde(with = "time::serde::rfc3339")]
    created_date: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    cancelled_date: Option<OffsetDateTime>,
    card: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct IdempotentCreate {
    body: Value,
    payment_id: String,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

/// A rate-limit bucket, as pay-publicapi's `RateLimiterKey` groups requests: every GET together, every POST
/// together, except creating and capturing payments, which count on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RateBucket {
    /// Any GET.
    Get,
    /// Any POST without a bucket of its own.
    Post,
    /// `POST /v1/payments`.
    CreatePayment,
    /// `POST /v1/payments/{id}/capture`.
    CapturePayment,
}

impl RateBucket {
    /// Whether the POST limit applies.
    fn is_post(self) -> bool {
        !matches!(self, Self::Get)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Bucket {
    tokens: f64,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

/// Everything Pay remembers; persisted as one JSON document.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct PayData {
    payments: Vec<Payment>,
    #[serde(skip)]
    index: HashMap<String, usize>,
    /// next_url token → payment id; a token works once.
    tokens: HashMap<String, String>,
    idempotency: HashMap<String, IdempotentCreate>,
    agreements: Vec<Agreement>,
    #[serde(skip)]
    buckets: HashMap<RateBucket, Bucket>,
}

impl PayData {
    fn reindex(&mut self) {
        self.index =
            self.payments.iter().enumerate().map(|(i, p)| (p.payment_id.clone(), i)).collect();
    }

    fn payment_mut(&mut self, id: &str) -> Option<&mut Payment> {
        let i = *self.index.get(id)?;
        self.payments.get_mut(i)
    }

    fn payment(&self, id: &str) -> Option<&Payment> {
        self.payments.get(*self.index.get(id)?)
    }
}

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

/// Pay's timestamp: UTC with milliseconds, `2016-01-21T17:15:00.000Z`.
fn pay_time(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
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

    fn authenticate(&self, headers: &HeaderMap) -> Result<()> {
        let header =
            headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let token = header.strip_prefix("Bearer ").ok_or_else(PayError::unauthorised)?;
        if crate::notify::auth::secrets_equal(token.trim(), &self.api_key) {
            Ok(())
        } else {
            Err(PayError::unauthorised())
        }
    }

    /// Auth, then the rate limit for the request's bucket (pay-publicapi `RateLimiterKey`).
    fn admit(&self, headers: &HeaderMap, bucket: RateBucket) -> Result<()> {
        self.authenticate(headers)?;
        let per_second = if bucket.is_post() {
            self.cfg.post_rate_limit_per_second
        } else {
            self.cfg.get_rate_limit_per_second
        };
        if per_second == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        let rate = f64::from(per_second);
        let mut data = self.lock();
        let b = data.buckets.entry(bucket).or_insert(Bucket { tokens: rate, at: now });
        let elapsed = (now - b.at).as_seconds_f64().max(0.0);
        b.tokens = (b.tokens + elapsed * rate).min(rate);
        b.at = now;
        if b.tokens < 1.0 {
            return Err(PayError::new(429, "P0900", "Too many requests"));
        }
        b.tokens -= 1.0;
        Ok(())
    }

    fn link(&self, path: &str, method: &str) -> Value {
        json!({"href": format!("{}{path}", self.base_url), "method": method})
    }

    /// Moves a payment, recording the event and queueing the webhook it causes.
    fn apply(&self, p: &mut Payment, event: PaymentEvent, now: OffsetDateTime) -> bool {
        let Ok(transition) = p.state.state().apply(event) else { return false };
        let to = transition.to();
        p.state = Wire::of(to);
        p.events.push(Event { state: p.state.clone(), at: now });
        let webhook = match (event, to) {
            (
                PaymentEvent::PayerConfirmed | PaymentEvent::ServiceCaptured,
                PaymentState::Success,
            ) => {
                // Sandbox capture completes at once: succeeded then captured.
                p.captured_at = Some(now);
                self.webhook(p, "card_payment_succeeded", now);
                Some("card_payment_captured")
            }
            (_, PaymentState::Failed(gaap_pay::rules::state::FailureReason::Expired)) => {
                Some("card_payment_expired")
            }
            (_, PaymentState::Failed(_)) => Some("card_payment_failed"),
            _ => None,
        };
        if let Some(event_type) = webhook {
            self.webhook(p, event_type, now);
        }
        self.touch();
        true
    }

    fn webhook(&self, p: &Payment, event_type: &str, now: OffsetDateTime) {
        for hook in &self.cfg.webhooks {
            if !hook.subscriptions.is_empty() && !hook.subscriptions.iter().any(|s| s == event_type)
            {
                continue;
            }
            let mut resource = self.payment_json(p, None, now);
            if let Some(obj) = resource.as_object_mut() {
                obj.remove("_links");
            }
            let body = json!({
                "webhook_message_id": random_id(), "created_date": pay_time(now), "resource_id": p.payment_id,
                "api_version": 1, "resource_type": "payment", "event_type": event_type, "resource": resource,
            })
            .to_string();
            let signature = gaap_pay::webhook::sign(
                &gaap_pay::SigningSecret::new(self.webhook_secret.clone()),
                body.as_bytes(),
            );
            self.outbound.enqueue(
                DeliveryKind::PayWebhook,
                &hook.url,
                vec![
                    ("content-type".to_owned(), "application/json".to_owned()),
                    ("pay-signature".to_owned(), signature),
                ],
                body,
                now,
            );
        }
    }

    /// Expires what is due (the connector's sweeper).
    pub(crate) fn sweep(&self) {
        let now = self.clock.now();
        let mut data = self.lock();
        let data = &mut *data;
        for p in &mut data.payments {
            let state = p.state.state();
            let limit = if state == PaymentState::Capturable { CAPTURABLE_EXPIRY } else { EXPIRY };
            if state.cancellable() && now >= p.created_date + limit {
                self.apply(p, PaymentEvent::Expired, now);
            }
        }
        data.idempotency.retain(|_, v| now < v.at + IDEMPOTENCY_TTL);
    }

    fn refund_entries(p: &Payment) -> Vec<RefundEntry> {
        p.refunds
            .iter()
            .map(|r| RefundEntry {
                amount: Money::from_pence(r.amount),
                status: if r.status == RefundStatus::Success {
                    RefundStatus::Success
                } else {
                    RefundStatus::Submitted
                },
            })
            .collect()
    }

    fn summary(p: &Payment) -> gaap_pay::types::RefundSummary {
        refund_summary(
            p.state.state(),
            p.captured_at.is_some(),
            Money::from_pence(p.amount),
            &Self::refund_entries(p),
        )
    }

    /// The payment resource; `token` is a fresh next_url token when one applies.
    fn payment_json(&self, p: &Payment, token: Option<&str>, now: OffsetDateTime) -> Value {
        let state = p.state.state();
        let mut st = json!({"status": state.status(), "finished": state.finished()});
        if let (Some(code), Some(message), Some(obj)) =
            (state.code(), state.message(), st.as_object_mut())
        {
            obj.insert("code".to_owned(), json!(code));
            obj.insert("message".to_owned(), json!(message));
        }
        let summary = Self::summary(p);
        let id = &p.payment_id;
        let mut links = json!({
            "self": self.link(&format!("/v1/payments/{id}"), "GET"),
            "events": self.link(&format!("/v1/payments/{id}/events"), "GET"),
            "refunds": self.link(&format!("/v1/payments/{id}/refunds"), "GET"),
        });
        if let Some(links) = links.as_object_mut() {
            if let Some(token) = token {
                links.insert("next_url".to_owned(), self.link(&format!("/secure/{token}"), "GET"));
                links.insert(
                    "next_url_post".to_owned(),
                    json!({"type": "application/x-www-form-urlencoded", "params": {"chargeTokenId": token},
                           "href": format!("{}/secure", self.base_url), "method": "POST"}),
                );
            }
            if !state.finished() && p.mode() != AuthorisationMode::Agreement {
                links.insert(
                    "cancel".to_owned(),
                    json!({"href": format!("{}/v1/payments/{id}/cancel", self.base_url), "method": "POST",
                           "type": "", "params": {}}),
                );
            }
            if let Some(token) = &p.one_time_token
                && !p.one_time_token_used
                && state == PaymentState::Created
            {
                links.insert(
                    "auth_url_post".to_owned(),
                    json!({"type": "application/json", "params": {"one_time_token": token},
                           "href": format!("{}/v1/auth", self.base_url), "method": "POST"}),
                );
            }
            if state == PaymentState::Capturable {
                links.insert(
                    "capture".to_owned(),
                    json!({"href": format!("{}/v1/payments/{id}/capture", self.base_url), "method": "POST",
                           "type": "", "params": {}}),
                );
            }
        }
        let mut settlement = json!({});
        if let (Some(at), Some(obj)) = (p.captured_at, settlement.as_object_mut()) {
            obj.insert("capture_submit_time".to_owned(), json!(pay_time(at)));
            obj.insert("captured_date".to_owned(), json!(at.date().to_string()));
        }
        let mut out = json!({
            "amount": p.amount,
            "description": p.field("description"),
            "reference": p.field("reference"),
            "language": p.field("language").cloned().unwrap_or(json!("en")),
            "state": st,
            "payment_id": id,
            "payment_provider": "sandbox",
            "created_date": pay_time(p.created_date),
            "refund_summary": {"status": summary.status.as_str(), "amount_available": summary.amount_available.pence(),
                               "amount_submitted": summary.amount_submitted.pence()},
            "settlement_summary": settlement,
            "delayed_capture": p.delayed_capture(),
            "moto": p.field("moto").and_then(Value::as_bool).unwrap_or(false),
            "authorisation_mode": p.mode().as_str(),
            "_links": links,
        });
        if let Some(obj) = out.as_object_mut() {
            for key in ["email", "return_url", "metadata", "agreement_id", "agreement_payment_type"]
            {
                if let Some(v) = p.field(key) {
                    obj.insert(key.to_owned(), v.clone());
                }
            }
            if let Some(v) = p.field("set_up_agreement") {
                obj.insert("agreement_id".to_owned(), v.clone());
            }
            if p.card.is_some() || state != PaymentState::Created {
                obj.insert("provider_id".to_owned(), json!(p.provider_id));
            }
            if let Some(card) = &p.card {
                obj.insert("card_details".to_owned(), card.clone());
                obj.insert("card_brand".to_owned(), card["card_brand"].clone());
            }
            if state.finished() || now < p.created_date {
                // nothing else to add
            }
        }
        out
    }

    /// A fresh single-use next_url token when the payment may still be paid through the web.
    fn mint_token(data: &mut PayData, p: &Payment) -> Option<String> {
        let state = p.state.state();
        if state.finished()
            || state == PaymentState::Capturable
            || p.mode() != AuthorisationMode::Web
        {
            return None;
        }
        let token = uuid::Uuid::new_v4().to_string();
        data.tokens.insert(token.clone(), p.payment_id.clone());
        Some(token)
    }

    fn payment_response(
        &self,
        data: &mut PayData,
        id: &str,
        status: StatusCode,
    ) -> Result<Response> {
        let now = self.clock.now();
        let p =
            data.payment(id).cloned().ok_or_else(|| PayError::new(404, "P0200", "Not found"))?;
        let token = Self::mint_token(data, &p);
        let body = self.payment_json(&p, token.as_deref(), now);
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::CREATED
            && let Ok(location) = format!("{}/v1/payments/{id}", self.base_url).parse()
        {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
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

async fn create_payment(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    state.admit(&headers, RateBucket::CreatePayment)?;
    let key = match headers.get("idempotency-key") {
        Some(value) => {
            let key = value.to_str().unwrap_or("\u{0}");
            validate::validate_idempotency_key(key).map_err(|e| PayError::from_invalid(&e))?;
            Some(key.to_owned())
        }
        None => None,
    };
    let value = validate::validate_create_payment_bytes(&body, &ValidationOptions::default())
        .map_err(|e| PayError::from_invalid(&e))?;
    let body = value.as_object().cloned().unwrap_or_default();
    let mode = authorisation_mode(&body);
    if mode == AuthorisationMode::MotoApi && !state.cfg.moto {
        return Err(PayError::new(
            422,
            "P0195",
            "Using authorisation_mode of moto_api is not allowed for this account",
        ));
    }
    if body.get("moto").and_then(Value::as_bool) == Some(true) && !state.cfg.moto {
        return Err(PayError::new(422, "P0196", "MOTO payments are not enabled for this account"));
    }
    let now = state.clock.now();
    let mut data = state.lock();
    let data = &mut *data;
    let dedupe = key.filter(|_| {
        state.cfg.idempotency == IdempotencyScope::All || mode == AuthorisationMode::Agreement
    });
    if let Some(key) = &dedupe
        && let Some(previous) = data.idempotency.get(key).filter(|p| now < p.at + IDEMPOTENCY_TTL)
    {
        if previous.body == value {
            let id = previous.payment_id.clone();
            return state.payment_response(data, &id, StatusCode::OK);
        }
        return Err(PayError::new(
            409,
            "P0191",
            "The `Idempotency-Key` you sent in the request header has already been used to create a payment.",
        ));
    }
    if let Some(setup) = body.get("set_up_agreement").and_then(Value::as_str)
        && !data.agreements.iter().any(|a| a.agreement_id == setup)
    {
        let mut e = PayError::new(
            400,
            "P0103",
            "Invalid attribute value: set_up_agreement. Agreement ID does not exist",
        );
        if let Some(obj) = e.body.as_mut().and_then(Value::as_object_mut) {
            obj.insert("field".to_owned(), json!("set_up_agreement"));
        }
        return Err(e);
    }
    let mut agreement_card = None;
    if mode == AuthorisationMode::Agreement {
        let id = body.get("agreement_id").and_then(Value::as_str).unwrap_or_default();
        let agreement = data
            .agreements
            .iter()
            .find(|a| a.agreement_id == id)
            .ok_or_else(|| PayError::new(400, "P0103", "Agreement does not exist"))?;
        if agreement.status != AgreementStatus::Active {
            return Err(PayError::new(400, "P0103", "Agreement must be active"));
        }
        agreement_card = agreement.card.clone();
    }
    let amount = body.get("amount").and_then(Value::as_i64).unwrap_or(0);
    let mut payment = Payment {
        payment_id: random_id(),
        body,
        amount,
        created_date: now,
        state: Wire::of(PaymentState::Created),
        events: vec![Event { state: Wire::of(PaymentState::Created), at: now }],
        card: None,
        refunds: Vec::new(),
        captured_at: None,
        provider_id: uuid::Uuid::new_v4().to_string(),
        one_time_token: (mode == AuthorisationMode::MotoApi)
            .then(|| uuid::Uuid::new_v4().to_string()),
        one_time_token_used: false,
    };
    if let Some(card) = agreement_card {
        // User not present: authorised at once with the agreement's card; 5105105105105100 declines recurring.
        let declined = card["first_digits_card_number"] == "510510"
            && card["last_digits_card_number"] == "5100";
        payment.card = Some(card);
        state.apply(&mut payment, PaymentEvent::PayerStarted, now);
        if declined {
            state.apply(&mut payment, PaymentEvent::Rejected, now);
        } else {
            state.apply(&mut payment, PaymentEvent::Authorised, now);
            state.apply(&mut payment, PaymentEvent::PayerConfirmed, now);
        }
    }
    let id = payment.payment_id.clone();
    data.index.insert(id.clone(), data.payments.len());
    data.payments.push(payment);
    if let Some(key) = dedupe {
        data.idempotency
            .insert(key, IdempotentCreate { body: value, payment_id: id.clone(), at: now });
    }
    state.touch();
    let mut response = state.payment_response(data, &id, StatusCode::CREATED)?;
    response.headers_mut().insert(header::PRAGMA, axum::http::HeaderValue::from_static("no-cache"));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn get_payment(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    state.sweep();
    let mut data = state.lock();
    state.payment_response(&mut data, &id, StatusCode::OK)
}

async fn get_events(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    state.sweep();
    let data = state.lock();
    let p = data.payment(&id).ok_or_else(|| PayError::new(404, "P0300", "Not found"))?;
    let events: Vec<Value> = p
        .events
        .iter()
        .map(|e| {
            let s = e.state.state();
            let mut st = json!({"status": s.status(), "finished": s.finished()});
            if let (Some(code), Some(message), Some(obj)) =
                (s.code(), s.message(), st.as_object_mut())
            {
                obj.insert("code".to_owned(), json!(code));
                obj.insert("message".to_owned(), json!(message));
            }
            json!({"payment_id": id, "state": st, "updated": pay_time(e.at),
                   "_links": {"payment_url": state.link(&format!("/v1/payments/{id}"), "GET")}})
        })
        .collect();
    Ok(axum::Json(json!({"payment_id": id, "events": events,
                         "_links": {"self": state.link(&format!("/v1/payments/{id}/events"), "GET")}}))
    .into_response())
}

async fn cancel_payment(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Post)?;
    let now = state.clock.now();
    let mut data = state.lock();
    let p = data.payment_mut(&id).ok_or_else(|| PayError::new(404, "P0500", "Not found"))?;
    if !state.apply(p, PaymentEvent::CancelledByService, now) {
        return Err(PayError::new(400, "P0501", "Cancellation of payment failed"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn capture_payment(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::CapturePayment)?;
    let now = state.clock.now();
    let mut data = state.lock();
    let p = data.payment_mut(&id).ok_or_else(|| PayError::new(404, "P1000", "Not found"))?;
    match p.state.state().capture() {
        CaptureOutcome::Captures => {
            state.apply(p, PaymentEvent::ServiceCaptured, now);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        CaptureOutcome::AlreadyCaptured => Ok(StatusCode::NO_CONTENT.into_response()),
        CaptureOutcome::NotCapturable => {
            Err(PayError::new(409, "P1003", "Payment cannot be captured"))
        }
    }
}

fn refund_json(state: &PayState, payment_id: &str, r: &Refund, with_payment_id: bool) -> Value {
    let mut out = json!({
        "refund_id": r.refund_id, "created_date": pay_time(r.created_date), "amount": r.amount,
        "status": r.status, "settlement_summary": {},
        "_links": {"self": state.link(&format!("/v1/payments/{payment_id}/refunds/{}", r.refund_id), "GET"),
                   "payment": state.link(&format!("/v1/payments/{payment_id}"), "GET")},
    });
    if with_payment_id && let Some(obj) = out.as_object_mut() {
        obj.insert("payment_id".to_owned(), json!(payment_id));
    }
    out
}

async fn create_refund(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Post)?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|_| PayError::new(400, "P0697", "Unable to parse JSON"))?;
    validate::validate_create_refund(&value).map_err(|e| PayError::from_invalid(&e))?;
    let amount = value.get("amount").and_then(Value::as_i64).unwrap_or(0);
    let expected = match value.get("refund_amount_available") {
        None | Some(Value::Null) => None,
        Some(v) => Some(Money::from_pence(v.as_i64().ok_or_else(|| {
            PayError::new(
                400,
                "P0602",
                "Invalid attribute value: refund_amount_available. Must be a valid numeric format",
            )
        })?)),
    };
    let now = state.clock.now();
    let mut data = state.lock();
    let p = data.payment_mut(&id).ok_or_else(|| PayError::new(404, "P0600", "Not found"))?;
    let summary = PayState::summary(p);
    check_refund(&summary, false, Money::from_pence(amount), expected).map_err(|refusal| {
        PayError::new(refusal.http_status(), refusal.code(), &refusal.to_string())
    })?;
    // The sandbox PSP completes refunds at once.
    let refund =
        Refund { refund_id: random_id(), amount, status: RefundStatus::Success, created_date: now };
    p.refunds.push(refund.clone());
    let snapshot = p.clone();
    state.webhook(&snapshot, "card_payment_refunded", now);
    state.touch();
    Ok((StatusCode::ACCEPTED, axum::Json(refund_json(&state, &id, &refund, false))).into_response())
}

async fn list_refunds(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    let data = state.lock();
    let p = data.payment(&id).ok_or_else(|| PayError::new(404, "P0800", "Not found"))?;
    let refunds: Vec<Value> =
        p.refunds.iter().map(|r| refund_json(&state, &id, r, false)).collect();
    Ok(axum::Json(json!({
        "payment_id": id,
        "_links": {"self": state.link(&format!("/v1/payments/{id}/refunds"), "GET"),
                   "payment": state.link(&format!("/v1/payments/{id}"), "GET")},
        "_embedded": {"refunds": refunds},
    }))
    .into_response())
}

async fn get_refund(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path((id, refund_id)): Path<(String, String)>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    let data = state.lock();
    let r = data
        .payment(&id)
        .and_then(|p| p.refunds.iter().find(|r| r.refund_id == refund_id))
        .ok_or_else(|| PayError::new(404, "P0700", "Not found"))?;
    Ok(axum::Json(refund_json(&state, &id, r, false)).into_response())
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

/// Page and display_size, validated.
fn paging(pairs: &[(String, String)], bad: &mut Vec<String>) -> (usize, usize) {
    let mut page = 1;
    let mut size = 500;
    for (k, v) in pairs {
        match k.as_str() {
            "page" => match v.parse::<usize>() {
                Ok(n) if n >= 1 => page = n,
                _ => bad.push("page".to_owned()),
            },
            "display_size" => match v.parse::<usize>() {
                Ok(n) if (1..=500).contains(&n) => size = n,
                _ => bad.push("display_size".to_owned()),
            },
            _ => {}
        }
    }
    (page, size)
}

/// A search request's start: authenticated and rate-limited, its parameters, and its paging checked.
struct Search {
    pairs: Vec<(String, String)>,
    page: usize,
    size: usize,
    /// Parameters found invalid so far.
    bad: Vec<String>,
}

impl Search {
    fn start(state: &PayState, headers: &HeaderMap, raw: Option<&str>) -> Result<Self> {
        state.admit(headers, RateBucket::Get)?;
        let pairs = query_pairs(raw);
        let mut bad = Vec::new();
        let (page, size) = paging(&pairs, &mut bad);
        Ok(Self { pairs, page, size, bad })
    }
}

fn parse_search_time(v: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok()
}

/// A search page in Pay's shape, or 404 `not_found_code` when the page is past the end.
fn search_page(
    state: &PayState,
    path: &str,
    pairs: &[(String, String)],
    results: Vec<Value>,
    page: usize,
    size: usize,
    not_found_code: &str,
) -> Result<Response> {
    let total = results.len();
    let last = total.div_ceil(size).max(1);
    if page > last {
        return Err(PayError::new(404, not_found_code, "The requested page was not found"));
    }
    let items: Vec<Value> = results.into_iter().skip((page - 1) * size).take(size).collect();
    let href = |n: usize| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| k != "page" && k != "display_size") {
            ser.append_pair(k, v);
        }
        ser.append_pair("display_size", &size.to_string());
        ser.append_pair("page", &n.to_string());
        json!({"href": format!("{}{path}?{}", state.base_url, ser.finish()), "method": "GET"})
    };
    let mut links = json!({"self": href(page), "first_page": href(1), "last_page": href(last)});
    if let Some(obj) = links.as_object_mut() {
        if page > 1 {
            obj.insert("prev_page".to_owned(), href(page - 1));
        }
        if page < last {
            obj.insert("next_page".to_owned(), href(page + 1));
        }
    }
    Ok(axum::Json(json!({"total": total, "count": items.len(), "page": page, "results": items, "_links": links}))
        .into_response())
}

async fn search_payments(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    state.sweep();
    let pairs = query_pairs(raw.as_deref());
    let mut bad = Vec::new();
    let (page, size) = paging(&pairs, &mut bad);
    const STATES: [&str; 7] =
        ["created", "started", "submitted", "success", "failed", "cancelled", "error"];
    for (k, v) in &pairs {
        let ok = match k.as_str() {
            "state" => STATES.contains(&v.as_str()),
            "reference" => v.chars().count() <= 255,
            "email" => v.chars().count() <= 254,
            "first_digits_card_number" => v.len() == 6 && v.chars().all(|c| c.is_ascii_digit()),
            "last_digits_card_number" => v.len() == 4 && v.chars().all(|c| c.is_ascii_digit()),
            "from_date" | "to_date" => parse_search_time(v).is_some(),
            _ => true,
        };
        if !ok {
            bad.push(k.clone());
        }
    }
    reject_search_params("P0401", &bad)?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let now = state.clock.now();
    let data = state.lock();
    let results: Vec<Value> = data
        .payments
        .iter()
        .rev()
        .filter(|p| {
            get("reference").is_none_or(|r| p.field("reference").and_then(Value::as_str) == Some(r))
        })
        .filter(|p| {
            get("email").is_none_or(|e| {
                p.field("email")
                    .and_then(Value::as_str)
                    .is_some_and(|pe| pe.to_lowercase().contains(&e.to_lowercase()))
            })
        })
        .filter(|p| get("state").is_none_or(|s| p.state.status == s))
        .filter(|p| {
            get("agreement_id")
                .is_none_or(|a| p.field("agreement_id").and_then(Value::as_str) == Some(a))
        })
        .filter(|p| {
            get("from_date").and_then(parse_search_time).is_none_or(|t| p.created_date >= t)
        })
        .filter(|p| get("to_date").and_then(parse_search_time).is_none_or(|t| p.created_date < t))
        .filter(|p| {
            get("last_digits_card_number")
                .is_none_or(|d| p.card.as_ref().is_some_and(|c| c["last_digits_card_number"] == d))
        })
        .filter(|p| {
            get("first_digits_card_number")
                .is_none_or(|d| p.card.as_ref().is_some_and(|c| c["first_digits_card_number"] == d))
        })
        .map(|p| {
            let mut v = state.payment_json(p, None, now);
            if let Some(links) = v.get_mut("_links").and_then(Value::as_object_mut) {
                links.retain(|k, _| {
                    ["self", "events", "refunds", "cancel", "capture"].contains(&k.as_str())
                });
            }
            v
        })
        .collect();
    drop(data);
    search_page(&state, "/v1/payments", &pairs, results, page, size, "P0402")
}

async fn search_refunds(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let Search { pairs, page, size, mut bad } = Search::start(&state, &headers, raw.as_deref())?;
    for (k, v) in &pairs {
        if matches!(k.as_str(), "from_date" | "to_date") && parse_search_time(v).is_none() {
            bad.push(k.clone());
        }
    }
    reject_search_params("P1101", &bad)?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let data = state.lock();
    let mut all: Vec<(&Payment, &Refund)> =
        data.payments.iter().flat_map(|p| p.refunds.iter().map(move |r| (p, r))).collect();
    all.sort_by_key(|(_, r)| std::cmp::Reverse(r.created_date));
    let results: Vec<Value> = all
        .into_iter()
        .filter(|(_, r)| {
            get("from_date").and_then(parse_search_time).is_none_or(|t| r.created_date >= t)
        })
        .filter(|(_, r)| {
            get("to_date").and_then(parse_search_time).is_none_or(|t| r.created_date < t)
        })
        .map(|(p, r)| refund_json(&state, &p.payment_id, r, true))
        .collect();
    drop(data);
    search_page(&state, "/v1/refunds", &pairs, results, page, size, "P1100")
}

fn agreement_json(a: &Agreement) -> Value {
    let mut out = json!({
        "agreement_id": a.agreement_id, "reference": a.reference, "description": a.description,
        "status": a.status, "created_date": pay_time(a.created_date),
    });
    if let Some(obj) = out.as_object_mut() {
        if let Some(u) = &a.user_identifier {
            obj.insert("user_identifier".to_owned(), json!(u));
        }
        if let Some(c) = a.cancelled_date {
            obj.insert("cancelled_date".to_owned(), json!(pay_time(c)));
        }
        if let Some(card) = &a.card {
            obj.insert(
                "payment_instrument".to_owned(),
                json!({"type": "card", "card_details": card, "created_date": pay_time(a.created_date)}),
            );
        }
    }
    out
}

async fn create_agreement(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Post)?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|_| PayError::new(400, "P2197", "Unable to parse JSON"))?;
    let empty = Map::new();
    let obj = value.as_object().unwrap_or(&empty);
    let mut fields = HashMap::new();
    for (name, required) in [("reference", true), ("description", true), ("user_identifier", false)]
    {
        match obj.get(name) {
            None | Some(Value::Null) if required => {
                return Err(field_error(
                    400,
                    "P2101",
                    name,
                    &format!("Missing mandatory attribute: {name}"),
                ));
            }
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.trim().is_empty() && required => {
                return Err(field_error(
                    400,
                    "P2101",
                    name,
                    &format!("Missing mandatory attribute: {name}"),
                ));
            }
            Some(Value::String(s)) if s.encode_utf16().count() > 255 => {
                return Err(field_error(
                    422,
                    "P2102",
                    name,
                    &format!(
                        "Invalid attribute value: {name}. Must be less than or equal to 255 characters length"
                    ),
                ));
            }
            Some(Value::String(s)) => {
                fields.insert(name, s.clone());
            }
            Some(_) => {
                return Err(field_error(
                    400,
                    "P2102",
                    name,
                    &format!("Invalid attribute value: {name}. Must be a valid string format"),
                ));
            }
        }
    }
    let agreement = Agreement {
        agreement_id: random_id(),
        reference: fields.remove("reference").unwrap_or_default(),
        description: fields.remove("description").unwrap_or_default(),
        user_identifier: fields.remove("user_identifier"),
        status: AgreementStatus::Created,
        created_date: state.clock.now(),
        cancelled_date: None,
        card: None,
    };
    let out = agreement_json(&agreement);
    state.lock().agreements.push(agreement);
    state.touch();
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}

fn field_error(status: u16, code: &str, field: &str, description: &str) -> PayError {
    PayError {
        status,
        body: Some(json!({"field": field, "code": code, "description": description})),
    }
}

async fn get_agreement(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    let data = state.lock();
    let a = data
        .agreements
        .iter()
        .find(|a| a.agreement_id == id)
        .ok_or_else(|| PayError::new(404, "P2200", "Not found"))?;
    Ok(axum::Json(agreement_json(a)).into_response())
}

async fn search_agreements(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    let pairs = query_pairs(raw.as_deref());
    let mut bad = Vec::new();
    let (page, size) = paging(&pairs, &mut bad);
    for (k, v) in &pairs {
        if k == "status" && !["created", "active", "cancelled", "inactive"].contains(&v.as_str()) {
            bad.push(k.clone());
        }
    }
    reject_search_params("P2401", &bad)?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let data = state.lock();
    let results: Vec<Value> = data
        .agreements
        .iter()
        .rev()
        .filter(|a| get("reference").is_none_or(|r| a.reference.eq_ignore_ascii_case(r)))
        .filter(|a| get("status").is_none_or(|s| a.status.as_str() == s))
        .map(agreement_json)
        .collect();
    drop(data);
    search_page(&state, "/v1/agreements", &pairs, results, page, size, "P2402")
}

async fn cancel_agreement(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Post)?;
    let now = state.clock.now();
    let mut data = state.lock();
    let a = data
        .agreements
        .iter_mut()
        .find(|a| a.agreement_id == id)
        .ok_or_else(|| PayError::new(404, "P2500", "Not found"))?;
    if a.status != AgreementStatus::Active {
        return Err(PayError::new(400, "P2501", "Cancellation of agreement failed"));
    }
    a.status = AgreementStatus::Cancelled;
    a.cancelled_date = Some(now);
    state.touch();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Pay's 422 for bad search parameters, naming each one.
fn reject_search_params(code: &str, bad: &[String]) -> Result<()> {
    if bad.is_empty() {
        return Ok(());
    }
    Err(PayError::new(
        422,
        code,
        &format!(
            "Invalid parameters: {}. See Public API documentation for the correct data formats",
            bad.join(", ")
        ),
    ))
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
