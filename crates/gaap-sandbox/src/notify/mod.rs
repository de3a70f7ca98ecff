//! GOV.UK Notify v2: the 12 public operations, API-key JWT auth, rate and daily limits, key types and simulated
//! recipients, statuses that move on the clock, delivery-status callbacks, and an outbox.

pub(crate) mod auth;
mod personalisation;
pub(crate) mod rules;
mod templates;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use gaap_http::SharedClock;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::{NotifyConfig, TemplateConfig, TemplateKind};
use crate::outbound::{DeliveryKind, Outbound};

/// Notify's API page size (app/config.py `API_PAGE_SIZE`).
const PAGE_SIZE: usize = 250;

/// Notify's three key types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// A live key (`normal` in Notify's code).
    Normal,
    /// Team and guest list.
    Team,
    /// Test: nothing is sent.
    Test,
}

impl KeyType {
    fn upper(self) -> &'static str {
        match self {
            Self::Normal => "LIVE",
            Self::Team => "TEAM",
            Self::Test => "TEST",
        }
    }
}

/// A v2 error in Notify's envelope.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) errors: Vec<(String, String)>,
}

impl ApiError {
    pub(crate) fn new(status: u16, error: &str, message: &str) -> Self {
        Self { status, errors: vec![(error.to_owned(), message.to_owned())] }
    }

    /// The first message.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &str {
        self.errors.first().map_or("", |e| e.1.as_str())
    }

    fn validation(messages: Vec<String>) -> Self {
        let mut errors: Vec<(String, String)> = Vec::new();
        for m in messages {
            let entry = ("ValidationError".to_owned(), m);
            if !errors.contains(&entry) {
                errors.push(entry);
            }
        }
        Self { status: 400, errors }
    }

    fn bad_request(message: &str) -> Self {
        Self::new(400, "BadRequestError", message)
    }

    fn not_found() -> Self {
        Self::new(404, "NoResultFound", "No result found")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let errors: Vec<Value> =
            self.errors.iter().map(|(e, m)| json!({"error": e, "message": m})).collect();
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(json!({"status_code": self.status, "errors": errors}))).into_response()
    }
}

/// The final outcome a notification reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Outcome {
    Delivered,
    TemporaryFailure,
    PermanentFailure,
}

/// A stored notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Notification {
    id: Uuid,
    reference: Option<String>,
    kind: TemplateKind,
    key_type: KeyType,
    template_id: Uuid,
    template_version: u32,
    email_address: Option<String>,
    phone_number: Option<String>,
    address: Vec<String>,
    body: String,
    subject: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    outcome: Outcome,
    postage: Option<String>,
    one_click_unsubscribe_url: Option<String>,
    fragments: usize,
    international: bool,
    precompiled: bool,
    /// A letter's `address_line_1`..`address_line_6` and `postcode` as sent, for `line_N` and `postcode`.
    #[serde(default)]
    letter_fields: Vec<Value>,
    /// A precompiled letter's PDF as uploaded (base64), served back unchanged.
    #[serde(default)]
    pdf: Option<String>,
    /// The SMS sender or email reply-to address the send used.
    #[serde(default)]
    reply_to: Option<String>,
}

/// A received text message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReceivedText {
    id: Uuid,
    user_number: String,
    notify_number: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    content: String,
}

/// A token bucket on the sandbox clock.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Bucket {
    tokens: f64,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

/// Everything Notify remembers; persisted as one JSON document.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct NotifyData {
    notifications: Vec<Notification>,
    #[serde(skip)]
    index: HashMap<Uuid, usize>,
    received: Vec<ReceivedText>,
    buckets: HashMap<KeyType, Bucket>,
    daily: HashMap<String, u64>,
}

impl NotifyData {
    fn reindex(&mut self) {
        self.index = self.notifications.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    }
}

/// Shared Notify state.
#[derive(Debug)]
pub(crate) struct NotifyState {
    pub(crate) cfg: NotifyConfig,
    keys: Vec<auth::StoredKey>,
    pub(crate) base_url: String,
    pub(crate) data: Mutex<NotifyData>,
    clock: SharedClock,
    outbound: Outbound,
    pub(crate) dirty: std::sync::atomic::AtomicBool,
}

impl NotifyState {
    pub(crate) fn new(
        cfg: NotifyConfig,
        base_url: String,
        clock: SharedClock,
        outbound: Outbound,
        saved: Option<NotifyData>,
    ) -> Self {
        let keys = vec![
            auth::StoredKey { key_type: KeyType::Normal, secret: cfg.live_secret, revoked: false },
            auth::StoredKey { key_type: KeyType::Team, secret: cfg.team_secret, revoked: false },
            auth::StoredKey { key_type: KeyType::Test, secret: cfg.test_secret, revoked: false },
        ];
        let now = clock.now();
        let mut data = saved.unwrap_or_else(|| {
            let received = cfg
                .received_texts
                .iter()
                .enumerate()
                .map(|(i, r)| ReceivedText {
                    id: Uuid::new_v4(),
                    user_number: r.user_number.clone(),
                    notify_number: "07700900000".to_owned(),
                    created_at: now - Duration::from_secs(60 * (i as u64 + 1)),
                    content: r.content.clone(),
                })
                .collect();
            NotifyData { received, ..NotifyData::default() }
        });
        data.reindex();
        Self {
            cfg,
            keys,
            base_url,
            data: Mutex::new(data),
            clock,
            outbound,
            dirty: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, NotifyData> {
        self.data.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The API key string for a key type, in the real `{name}-{service_id}-{secret}` format.
    pub(crate) fn api_key(&self, key_type: KeyType) -> String {
        let (name, secret) = match key_type {
            KeyType::Normal => ("sandbox_live", self.cfg.live_secret),
            KeyType::Team => ("sandbox_team", self.cfg.team_secret),
            KeyType::Test => ("sandbox_test", self.cfg.test_secret),
        };
        format!("{name}-{}-{secret}", self.cfg.service_id)
    }

    fn root(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    fn template(&self, id: Uuid) -> Option<&TemplateConfig> {
        self.cfg.templates.iter().find(|t| t.id == id)
    }

    fn authenticate(&self, headers: &HeaderMap) -> Result<KeyType> {
        let header = headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok());
        auth::authenticate(header, self.cfg.service_id, &self.keys, self.clock.unix_seconds())
    }

    fn status_of(&self, n: &Notification, now: OffsetDateTime) -> &'static str {
        let sending = n.created_at + Duration::from_secs(self.cfg.sending_after_seconds);
        let done = n.created_at + Duration::from_secs(self.cfg.delivered_after_seconds);
        if n.kind == TemplateKind::Letter {
            // Public letter statuses: created|sending → accepted, delivered → received.
            return if now >= done { "received" } else { "accepted" };
        }
        if now >= done {
            match n.outcome {
                Outcome::Delivered if n.international => "sent",
                Outcome::Delivered => "delivered",
                Outcome::TemporaryFailure => "temporary-failure",
                Outcome::PermanentFailure => "permanent-failure",
            }
        } else if now >= sending {
            "sending"
        } else {
            "created"
        }
    }

    fn times(
        &self,
        n: &Notification,
        now: OffsetDateTime,
    ) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
        let sending = n.created_at + Duration::from_secs(self.cfg.sending_after_seconds);
        let done = n.created_at + Duration::from_secs(self.cfg.delivered_after_seconds);
        ((now >= sending).then_some(sending), (now >= done).then_some(done))
    }

    fn notification_json(&self, n: &Notification, now: OffsetDateTime) -> Value {
        let (sent_at, completed_at) = self.times(n, now);
        // Notify reads these straight from the personalisation (`Notification.serialize`), so the postcode
        // is never also a `line_N`.
        let line = |i: usize| -> Value { n.letter_fields.get(i).cloned().unwrap_or(Value::Null) };
        let (cost, details) = match n.kind {
            TemplateKind::Sms => {
                let rate = 0.0227;
                let multiplier = if n.international { 2.0 } else { 1.0 };
                let fragments = n.fragments as f64;
                (
                    (fragments * rate * multiplier * 10_000.0).round() / 10_000.0,
                    json!({"billable_sms_fragments": n.fragments, "international_rate_multiplier": multiplier,
                           "sms_rate": rate}),
                )
            }
            TemplateKind::Letter => {
                (0.68, json!({"billable_sheets_of_paper": 1, "postage": n.postage}))
            }
            TemplateKind::Email => (0.0, json!({})),
        };
        let postcode = line(6);
        let mut out = json!({
            "id": n.id, "reference": n.reference,
            "email_address": n.email_address, "phone_number": n.phone_number,
            "line_1": line(0), "line_2": line(1), "line_3": line(2), "line_4": line(3), "line_5": line(4),
            "line_6": line(5), "postcode": postcode,
            "type": n.kind.as_str(), "status": self.status_of(n, now),
            "template": {"version": n.template_version, "id": n.template_id,
                         "uri": format!("{}services/{}/templates/{}", self.root(), self.cfg.service_id, n.template_id)},
            "body": n.body, "subject": n.subject,
            "created_at": notify_time(n.created_at), "created_by_name": null,
            "sent_at": sent_at.map(notify_time), "completed_at": completed_at.map(notify_time),
            "scheduled_for": null, "postage": n.postage,
            "one_click_unsubscribe_url": n.one_click_unsubscribe_url,
            "is_cost_data_ready": true, "cost_in_pounds": cost, "cost_details": details,
        });
        if n.kind == TemplateKind::Letter
            && let Some(obj) = out.as_object_mut()
        {
            let estimate = (n.created_at + Duration::from_secs(3 * 86_400)).date();
            obj.insert(
                "estimated_delivery".to_owned(),
                json!(format!("{estimate}T16:00:00.000000Z")),
            );
        }
        out
    }

    /// Takes a token from the `{service}-tokens-{key_type}` bucket; false when empty.
    fn take_token(&self, data: &mut NotifyData, key_type: KeyType, now: OffsetDateTime) -> bool {
        let rate = f64::from(self.cfg.rate_limit_per_minute);
        if rate <= 0.0 {
            return true;
        }
        // app/notifications/validators.py: refill rate/60 per second, bucket max min(ceil(rate/3)+1, 1000).
        let max = ((rate / 3.0).ceil() + 1.0).min(1000.0);
        let bucket = data.buckets.entry(key_type).or_insert(Bucket { tokens: max, at: now });
        let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * rate / 60.0).min(max);
        bucket.at = now;
        if bucket.tokens < 1.0 {
            return false;
        }
        bucket.tokens -= 1.0;
        true
    }
}

/// Notify's `DATETIME_FORMAT`, `%Y-%m-%dT%H:%M:%S.%fZ`.
fn notify_time(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// The Notify router.
pub(crate) fn router(state: Arc<NotifyState>) -> Router {
    Router::new()
        .route("/v2/notifications/sms", post(send_sms))
        .route("/v2/notifications/email", post(send_email))
        .route("/v2/notifications/letter", post(send_letter))
        .route("/v2/notifications/{id}", get(get_notification))
        .route("/v2/notifications/{id}/pdf", get(get_pdf))
        .route("/v2/notifications", get(list_notifications))
        .route("/v2/template/{id}", get(get_template))
        .route("/v2/template/{id}/version/{version}", get(get_template_version))
        .route("/v2/template/{id}/preview", post(preview_template))
        .route("/v2/templates", get(list_templates))
        .route("/v2/received-text-messages", get(received_texts))
        .route("/_sandbox/outbox", get(outbox_html))
        .route("/_sandbox/outbox.json", get(outbox_json))
        .route("/_sandbox/received-text-messages", post(inject_received_text))
        .route("/openapi.json", get(|| async { crate::openapi::notify() }))
        .with_state(state)
}

type Result<T> = std::result::Result<T, ApiError>;

fn parse_body(body: &Bytes) -> Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::validation(vec!["JSON body is not of type object".to_owned()])),
        Err(_) => Err(ApiError::bad_request("Invalid JSON supplied in POST data")),
    }
}

/// Python's `repr`-less, quote-stripped rendering of a JSON value, as `build_error_message` leaves it.
fn bare(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        other => other.to_string().replace('\'', ""),
    }
}

/// A JSON-schema pass in the style of notification_schemas.py: required, types, UUIDs, lengths, extras.
struct Schema<'a> {
    body: &'a Map<String, Value>,
    errors: Vec<String>,
}

impl<'a> Schema<'a> {
    fn new(body: &'a Map<String, Value>, allowed: &[&str], required: &[&str]) -> Self {
        let mut errors = Vec::new();
        for field in required {
            if !body.contains_key(*field) {
                errors.push(format!("{field} is a required property"));
            }
        }
        let extra: Vec<&str> =
            body.keys().map(String::as_str).filter(|k| !allowed.contains(k)).collect();
        if !extra.is_empty() {
            let verb = if extra.len() == 1 { "was" } else { "were" };
            errors.push(format!(
                "Additional properties are not allowed ({} {verb} unexpected)",
                extra.join(", ")
            ));
        }
        Self { body, errors }
    }

    fn string(&mut self, field: &str) -> Option<&'a str> {
        match self.body.get(field)? {
            Value::String(s) => Some(s),
            other => {
                self.errors.push(format!("{field} {} is not of type string", bare(other)));
                None
            }
        }
    }

    fn uuid(&mut self, field: &str) -> Option<Uuid> {
        let value = self.body.get(field)?;
        match value.as_str().map(Uuid::parse_str) {
            Some(Ok(id)) => Some(id),
            _ => {
                self.errors.push(format!("{field} is not a valid UUID"));
                None
            }
        }
    }

    fn reference(&mut self) -> Option<String> {
        match self.body.get("reference")? {
            Value::Null => None,
            Value::String(s) if s.chars().count() > 1000 => {
                self.errors.push(format!("reference {s} is too long"));
                None
            }
            Value::String(s) => Some(s.clone()),
            other => {
                self.errors.push(format!("reference {} is not of type string, null", bare(other)));
                None
            }
        }
    }

    fn personalisation(&mut self) -> Map<String, Value> {
        match self.body.get("personalisation") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(other) => {
                self.errors.push(format!("personalisation {} is not of type object", bare(other)));
                Map::new()
            }
        }
    }

    fn finish(self) -> Result<()> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::validation(self.errors)) }
    }
}

/// Checks the rate limit (before the body is read, as Notify does) and the key.
fn admit(state: &NotifyState, headers: &HeaderMap) -> Result<KeyType> {
    let key_type = state.authenticate(headers)?;
    let now = state.clock.now();
    let mut data = state.lock();
    if !state.take_token(&mut data, key_type, now) {
        return Err(ApiError::new(
            429,
            "RateLimitError",
            &format!(
                "Exceeded rate limit for key type {} of {} requests per 60 seconds",
                key_type.upper(),
                state.cfg.rate_limit_per_minute
            ),
        ));
    }
    Ok(key_type)
}

fn check_daily(
    state: &NotifyState,
    data: &mut NotifyData,
    key_type: KeyType,
    channel: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let limit = match channel {
        "email" => state.cfg.daily_limits.email,
        "sms" => state.cfg.daily_limits.sms,
        "international_sms" => state.cfg.daily_limits.international_sms,
        _ => state.cfg.daily_limits.letter,
    };
    // A service in trial mode may send 50 emails or texts a day (docs `_limits.md`).
    let limit = if state.cfg.trial_mode
        && key_type != KeyType::Test
        && matches!(channel, "email" | "sms")
    {
        limit.min(50)
    } else {
        limit
    };
    let group = if key_type == KeyType::Test { "test" } else { "live" };
    let key = format!("{group}-{channel}-{}", now.date());
    let count = data.daily.entry(key).or_insert(0);
    if *count >= limit {
        return Err(ApiError::new(
            429,
            "TooManyRequestsError",
            &format!("Exceeded send limits ({channel}: {limit}) for today"),
        ));
    }
    *count += 1;
    Ok(())
}

/// Smoke-test recipients: validated and answered, never stored (app/config.py `SIMULATED_*`).
fn is_smoke_test(recipient: &str) -> bool {
    const NUMBERS: [&str; 3] = ["447700900000", "447700900111", "447700900222"];
    const EMAILS: [&str; 3] = [
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        "simulate-delivered-3@notifications.service.gov.uk",
    ];
    NUMBERS.contains(&recipient) || EMAILS.contains(&recipient)
}

/// Test-key failure simulation, matched with `endswith` (app/celery/research_mode_tasks.py).
fn simulated_outcome(key_type: KeyType, recipient: &str) -> Outcome {
    if key_type != KeyType::Test {
        return Outcome::Delivered;
    }
    if recipient.ends_with("7700900003") || recipient == "temp-fail@simulator.notify" {
        Outcome::TemporaryFailure
    } else if recipient.ends_with("7700900002") || recipient == "perm-fail@simulator.notify" {
        Outcome::PermanentFailure
    } else {
        Outcome::Delivered
    }
}

fn team_allows(state: &NotifyState, recipient: &str) -> bool {
    state.cfg.team_recipients.iter().any(|allowed| {
        let normalised = rules::validate_phone(allowed)
            .map(|(n, _)| n)
            .or_else(|_| rules::validate_email(allowed))
            .unwrap_or_else(|_| allowed.to_lowercase());
        normalised == recipient
    })
}

fn check_recipient_allowed(state: &NotifyState, key_type: KeyType, recipient: &str) -> Result<()> {
    if is_smoke_test(recipient) || key_type == KeyType::Test {
        return Ok(());
    }
    if key_type == KeyType::Team && !team_allows(state, recipient) {
        return Err(ApiError::bad_request(
            "Can’t send to this recipient using a team-only API key",
        ));
    }
    if key_type == KeyType::Normal && state.cfg.trial_mode && !team_allows(state, recipient) {
        return Err(ApiError::bad_request(
            "Can’t send to this recipient when service is in trial mode – see https://www.notifications.service.gov.uk/trial-mode",
        ));
    }
    Ok(())
}

fn template_for(state: &NotifyState, id: Uuid, kind: TemplateKind) -> Result<&TemplateConfig> {
    let template = state.template(id).ok_or_else(|| ApiError::bad_request("Template not found"))?;
    if template.kind != kind {
        return Err(ApiError::bad_request(&format!(
            "{} template is not suitable for {} notification",
            template.kind.as_str(),
            kind.as_str()
        )));
    }
    Ok(template)
}

fn check_missing(
    template: &TemplateConfig,
    values: &Map<String, Value>,
    extra_fields: &[&str],
) -> Result<()> {
    let mut fields: Vec<&str> =
        vec![template.subject.as_deref().unwrap_or_default(), &template.body];
    fields.extend_from_slice(extra_fields);
    let names = rules::placeholder_names(&fields);
    let missing = rules::missing(&names, values);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad_request(&format!("Missing personalisation: {}", missing.join(", "))))
    }
}

fn created(value: Value) -> Response {
    (StatusCode::CREATED, axum::Json(value)).into_response()
}

fn store(state: &NotifyState, n: Notification, callback: bool) {
    let now = state.clock.now();
    if callback
        && n.kind != TemplateKind::Letter
        && let Some(cb) = &state.cfg.delivery_status_callback
    {
        // The status is a function of time, so the final callback body is known now and sent when due.
        let done = n.created_at + Duration::from_secs(state.cfg.delivered_after_seconds);
        let (sent_at, completed_at) = state.times(&n, done);
        let body = json!({
            "id": n.id, "reference": n.reference,
            "to": n.email_address.clone().or_else(|| n.phone_number.clone()),
            "status": state.status_of(&n, done),
            "created_at": notify_time(n.created_at),
            "completed_at": completed_at.map(notify_time), "sent_at": sent_at.map(notify_time),
            "notification_type": n.kind.as_str(), "template_id": n.template_id,
            "template_version": n.template_version,
        });
        state.outbound.enqueue(
            DeliveryKind::NotifyCallback,
            &cb.url,
            vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("authorization".to_owned(), format!("Bearer {}", cb.bearer_token)),
            ],
            body.to_string(),
            done.max(now),
        );
    }
    let mut data = state.lock();
    let position = data.notifications.len();
    data.index.insert(n.id, position);
    data.notifications.push(n);
    state.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
}

async fn send_sms(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let key_type = admit(&state, &headers)?;
    let body = parse_body(&body)?;
    let mut schema = Schema::new(
        &body,
        &[
            "phone_number",
            "template_id",
            "personalisation",
            "reference",
            "sms_sender_id",
            "scheduled_for",
        ],
        &["phone_number", "template_id"],
    );
    let phone = schema.string("phone_number");
    let template_id = schema.uuid("template_id");
    let personalisation = schema.personalisation();
    let reference = schema.reference();
    let sender_id =
        if body.contains_key("sms_sender_id") { schema.uuid("sms_sender_id") } else { None };
    let normalised = match phone.map(rules::validate_phone) {
        Some(Ok(n)) => Some(n),
        Some(Err(message)) => {
            schema.errors.push(format!("phone_number {message}"));
            None
        }
        None => None,
    };
    schema.finish()?;
    let (Some((number, international)), Some(template_id)) = (normalised, template_id) else {
        return Err(ApiError::validation(vec!["phone_number is a required property".to_owned()]));
    };
    let template = template_for(&state, template_id, TemplateKind::Sms)?;
    check_missing(template, &personalisation, &[])?;
    let message = rules::sms(&template.body, &personalisation);
    if message.empty {
        return Err(ApiError::bad_request("Your message is empty."));
    }
    if message.too_long {
        return Err(ApiError::bad_request(&message.too_long_message()));
    }
    let content = message.content;
    let from_number = sms_sender(&state, sender_id)?;
    if let Some(Err(m)) = phone.map(rules::service_phone) {
        return Err(ApiError::new(400, "InvalidPhoneError", m));
    }
    check_recipient_allowed(&state, key_type, &number)?;
    let now = state.clock.now();
    {
        let mut data = state.lock();
        check_daily(&state, &mut data, key_type, "sms", now)?;
        if international {
            check_daily(&state, &mut data, key_type, "international_sms", now)?;
        }
    }
    let id = Uuid::new_v4();
    let response = json!({
        "id": id, "reference": reference,
        "content": {"body": content, "from_number": from_number},
        "uri": format!("{}v2/notifications/{id}", state.root()),
        "template": {"id": template.id, "version": template.version,
                     "uri": format!("{}services/{}/templates/{}", state.root(), state.cfg.service_id, template.id)},
        "scheduled_for": null,
    });
    if !is_smoke_test(&number) {
        let n = Notification {
            id,
            reference,
            kind: TemplateKind::Sms,
            key_type,
            template_id: template.id,
            template_version: template.version,
            email_address: None,
            phone_number: phone.map(str::to_owned),
            address: Vec::new(),
            fragments: message.fragments,
            body: content,
            subject: None,
            created_at: now,
            outcome: simulated_outcome(key_type, &number),
            postage: None,
            one_click_unsubscribe_url: None,
            international,
            precompiled: false,
            letter_fields: Vec::new(),
            pdf: None,
            reply_to: Some(from_number),
        };
        store(&state, n, true);
    }
    Ok(created(response))
}

async fn send_email(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let key_type = admit(&state, &headers)?;
    let body = parse_body(&body)?;
    let mut schema = Schema::new(
        &body,
        &[
            "email_address",
            "template_id",
            "personalisation",
            "reference",
            "email_reply_to_id",
            "one_click_unsubscribe_url",
            "sanitise_content_for",
            "scheduled_for",
        ],
        &["email_address", "template_id"],
    );
    let email = schema.string("email_address");
    let template_id = schema.uuid("template_id");
    let personalisation = schema.personalisation();
    let reference = schema.reference();
    let reply_to_id = if body.contains_key("email_reply_to_id") {
        schema.uuid("email_reply_to_id")
    } else {
        None
    };
    let sanitise_for = personalisation::sanitise_for(&body, &mut schema.errors);
    let unsubscribe = match body.get("one_click_unsubscribe_url") {
        None | Some(Value::Null) => None,
        Some(Value::String(u)) if u.starts_with("https") && url::Url::parse(u).is_ok() => {
            Some(u.clone())
        }
        Some(_) => {
            schema.errors.push("one_click_unsubscribe_url is not a valid https url".to_owned());
            None
        }
    };
    let normalised = match email.map(rules::validate_email) {
        Some(Ok(e)) => Some(e),
        Some(Err(message)) => {
            schema.errors.push(format!("email_address {message}"));
            None
        }
        None => None,
    };
    schema.finish()?;
    let (Some(address), Some(template_id)) = (normalised, template_id) else {
        return Err(ApiError::validation(vec!["email_address is a required property".to_owned()]));
    };
    let (mut personalisation, sanitised_content) =
        personalisation::apply_sanitise(&personalisation, &sanitise_for);
    let template = template_for(&state, template_id, TemplateKind::Email)?;
    check_missing(template, &personalisation, &[])?;
    let reply_to = email_reply_to(&state, reply_to_id)?;
    personalisation::replace_files(&mut personalisation, state.cfg.service_id)
        .map_err(|m| ApiError::validation(vec![m]))?;
    let rendered = rules::email(
        template.subject.as_deref().unwrap_or_default(),
        &template.body,
        &personalisation,
    );
    if rendered.too_long {
        return Err(ApiError::bad_request(&rendered.too_long_message()));
    }
    let (content, subject) = (rendered.content, rendered.subject);
    check_recipient_allowed(&state, key_type, &address)?;
    let now = state.clock.now();
    check_daily(&state, &mut state.lock(), key_type, "email", now)?;
    let id = Uuid::new_v4();
    let from_email = format!(
        "{}@notifications.service.gov.uk",
        state.cfg.service_name.to_lowercase().replace(' ', ".")
    );
    let response = json!({
        "id": id, "reference": reference,
        "content": {"body": content, "subject": subject, "from_email": from_email,
                    "one_click_unsubscribe_url": unsubscribe},
        "uri": format!("{}v2/notifications/{id}", state.root()),
        "template": {"id": template.id, "version": template.version,
                     "uri": format!("{}services/{}/templates/{}", state.root(), state.cfg.service_id, template.id)},
        "scheduled_for": null,
        "sanitised_content": sanitised_content,
    });
    if !is_smoke_test(&address) {
        let n = Notification {
            id,
            reference,
            kind: TemplateKind::Email,
            key_type,
            template_id: template.id,
            template_version: template.version,
            email_address: email.map(str::to_owned),
            phone_number: None,
            address: Vec::new(),
            body: content,
            subject: Some(subject),
            created_at: now,
            outcome: simulated_outcome(key_type, &address),
            postage: None,
            one_click_unsubscribe_url: unsubscribe,
            fragments: 0,
            international: false,
            precompiled: false,
            letter_fields: Vec::new(),
            pdf: None,
            reply_to,
        };
        store(&state, n, true);
    }
    Ok(created(response))
}

async fn send_letter(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let key_type = admit(&state, &headers)?;
    let body = parse_body(&body)?;
    if key_type == KeyType::Team {
        return Err(ApiError::new(
            403,
            "BadRequestError",
            "Cannot send letters with a team api key",
        ));
    }
    if key_type == KeyType::Normal && state.cfg.trial_mode {
        return Err(ApiError::new(
            403,
            "BadRequestError",
            "Cannot send letters when service is in trial mode",
        ));
    }
    let now = state.clock.now();
    let id = Uuid::new_v4();
    if body.contains_key("content") {
        // Precompiled letter.
        let mut schema =
            Schema::new(&body, &["reference", "content", "postage"], &["reference", "content"]);
        let reference = schema.string("reference").map(str::to_owned);
        let content = schema.string("content");
        let postage = match body.get("postage") {
            None => "second".to_owned(),
            Some(Value::String(p)) if ["first", "second", "economy"].contains(&p.as_str()) => {
                p.clone()
            }
            Some(_) => {
                schema.errors.push(
                    "postage invalid. It must be either first, second or economy.".to_owned(),
                );
                String::new()
            }
        };
        let pdf = content.and_then(|c| base64_std(c).or_else(|| crate::jwt::unb64(c)));
        if content.is_some() && pdf.is_none() {
            schema.errors.push("content is not a valid base64 string".to_owned());
        }
        schema.finish()?;
        check_daily(&state, &mut state.lock(), key_type, "letter", now)?;
        let n = Notification {
            id,
            reference: reference.clone(),
            kind: TemplateKind::Letter,
            key_type,
            template_id: Uuid::nil(),
            template_version: 1,
            email_address: None,
            phone_number: None,
            address: Vec::new(),
            body: String::new(),
            subject: Some("Pre-compiled PDF".to_owned()),
            created_at: now,
            outcome: Outcome::Delivered,
            postage: Some(postage.clone()),
            one_click_unsubscribe_url: None,
            fragments: 0,
            international: false,
            precompiled: true,
            // Notify addresses a precompiled letter "Provided as PDF" until it has read the PDF.
            letter_fields: vec![json!("Provided as PDF")],
            pdf: pdf.map(|bytes| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(bytes)
            }),
            reply_to: None,
        };
        store(&state, n, false);
        return Ok(created(json!({"id": id, "reference": reference, "postage": postage})));
    }
    let mut schema = Schema::new(
        &body,
        &["template_id", "personalisation", "reference"],
        &["template_id", "personalisation"],
    );
    let template_id = schema.uuid("template_id");
    let personalisation = schema.personalisation();
    let reference = schema.reference();
    schema.finish()?;
    let Some(template_id) = template_id else {
        return Err(ApiError::validation(vec!["template_id is a required property".to_owned()]));
    };
    let template = template_for(&state, template_id, TemplateKind::Letter)?;
    let address =
        rules::validate_address(&personalisation).map_err(|m| ApiError::validation(vec![m]))?;
    let letter_fields = letter_fields(&personalisation);
    let contact = template.letter_contact_block.as_deref().unwrap_or_default();
    check_missing(template, &personalisation, &[contact])?;
    let content = rules::fill_body(&template.body, &personalisation);
    let subject = rules::fill(template.subject.as_deref().unwrap_or_default(), &personalisation);
    check_daily(&state, &mut state.lock(), key_type, "letter", now)?;
    let response = json!({
        "id": id, "reference": reference,
        "content": {"body": content, "subject": subject},
        "uri": format!("{}v2/notifications/{id}", state.root()),
        "template": {"id": template.id, "version": template.version,
                     "uri": format!("{}services/{}/templates/{}", state.root(), state.cfg.service_id, template.id)},
        "scheduled_for": null,
    });
    let n = Notification {
        id,
        reference,
        kind: TemplateKind::Letter,
        key_type,
        template_id: template.id,
        template_version: template.version,
        email_address: None,
        phone_number: None,
        address,
        body: content,
        subject: Some(subject),
        created_at: now,
        outcome: Outcome::Delivered,
        postage: Some(template.postage.clone().unwrap_or_else(|| "second".to_owned())),
        one_click_unsubscribe_url: None,
        fragments: 0,
        international: false,
        precompiled: false,
        letter_fields,
        pdf: None,
        reply_to: template.letter_contact_block.clone(),
    };
    store(&state, n, false);
    Ok(created(response))
}

/// `address_line_1`..`address_line_6` and `postcode` as sent (keys matched as Notify's `InsensitiveDict` does).
fn letter_fields(values: &Map<String, Value>) -> Vec<Value> {
    let wanted = |key: &str| {
        let key = personalisation::insensitive(key);
        values
            .iter()
            .find(|(k, _)| personalisation::insensitive(k) == key)
            .map_or(Value::Null, |(_, v)| v.clone())
    };
    (1..=6).map(|i| wanted(&format!("address_line_{i}"))).chain([wanted("postcode")]).collect()
}

/// The sender a text goes from: the one `sms_sender_id` names (a number formatted as Notify formats it), or
/// the service's default; Notify's 400 when the id is not the service's.
fn sms_sender(state: &NotifyState, id: Option<Uuid>) -> Result<String> {
    let senders = &state.cfg.sms_senders;
    match id {
        Some(id) => {
            let sender = senders.iter().find(|s| s.id == id).ok_or_else(|| {
                ApiError::bad_request(&format!(
                    "sms_sender_id {id} does not exist in database for service id {}",
                    state.cfg.service_id
                ))
            })?;
            Ok(rules::validate_phone(&sender.sms_sender)
                .map_or_else(|_| sender.sms_sender.clone(), |(n, _)| n))
        }
        None => Ok(senders
            .iter()
            .find(|s| s.is_default)
            .map_or_else(|| "GOVUK".to_owned(), |s| s.sms_sender.clone())),
    }
}

/// The reply-to address `email_reply_to_id` names, or the service's default; Notify's 400 for an unknown id.
fn email_reply_to(state: &NotifyState, id: Option<Uuid>) -> Result<Option<String>> {
    let addresses = &state.cfg.email_reply_to;
    match id {
        Some(id) => {
            addresses.iter().find(|r| r.id == id).map(|r| Some(r.email_address.clone())).ok_or_else(
                || {
                    ApiError::bad_request(&format!(
                        "email_reply_to_id {id} does not exist in database for service id {}",
                        state.cfg.service_id
                    ))
                },
            )
        }
        None => Ok(addresses.iter().find(|r| r.is_default).map(|r| r.email_address.clone())),
    }
}

fn base64_std(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

fn path_uuid(raw: &str, field: &str) -> Result<Uuid> {
    Uuid::parse_str(raw)
        .map_err(|_| ApiError::validation(vec![format!("{field} is not a valid UUID")]))
}

async fn get_notification(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "notification_id")?;
    let now = state.clock.now();
    let data = state.lock();
    let n = data
        .index
        .get(&id)
        .and_then(|i| data.notifications.get(*i))
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(state.notification_json(n, now)).into_response())
}

async fn get_pdf(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "notification_id")?;
    let now = state.clock.now();
    let data = state.lock();
    let n = data
        .index
        .get(&id)
        .and_then(|i| data.notifications.get(*i))
        .ok_or_else(ApiError::not_found)?;
    if n.kind != TemplateKind::Letter {
        return Err(ApiError::new(400, "BadRequestError", "Notification is not a letter"));
    }
    if now < n.created_at + Duration::from_secs(state.cfg.sending_after_seconds) {
        return Err(ApiError::new(
            400,
            "PDFNotReadyError",
            "PDF not available yet, try again later",
        ));
    }
    let pdf = match &n.pdf {
        Some(stored) => base64_std(stored).unwrap_or_default(),
        None => minimal_pdf(&format!("{}\n\n{}", n.address.join("\n"), n.body)),
    };
    Ok(([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response())
}

/// A one-page PDF showing `text` in Helvetica.
fn minimal_pdf(text: &str) -> Vec<u8> {
    let mut stream = String::from("BT /F1 11 Tf 50 790 Td 14 TL\n");
    for line in text.lines() {
        let escaped: String = line
            .chars()
            .filter(char::is_ascii)
            .flat_map(|c| if matches!(c, '(' | ')' | '\\') { vec!['\\', c] } else { vec![c] })
            .collect();
        stream.push_str(&format!("({escaped}) Tj T*\n"));
    }
    stream.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{obj}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

const STATUSES: [&str; 16] = [
    "cancelled",
    "created",
    "sending",
    "sent",
    "delivered",
    "pending",
    "failed",
    "technical-failure",
    "temporary-failure",
    "permanent-failure",
    "pending-virus-check",
    "validation-failed",
    "virus-scan-failed",
    "returned-letter",
    "accepted",
    "received",
];

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

async fn list_notifications(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let pairs = query_pairs(raw.as_deref());
    let mut errors = Vec::new();
    let mut statuses = Vec::new();
    let mut types = Vec::new();
    let mut reference = None;
    let mut older_than = None;
    let allowed = ["template_type", "status", "reference", "older_than", "include_jobs"];
    for (k, v) in &pairs {
        match k.as_str() {
            "status" if STATUSES.contains(&v.as_str()) => statuses.push(v.clone()),
            "status" => errors.push(format!("status {v} is not one of [{}]", STATUSES.join(", "))),
            "template_type" if ["sms", "email", "letter"].contains(&v.as_str()) => {
                types.push(v.clone())
            }
            "template_type" => {
                errors.push(format!("template_type {v} is not one of [sms, email, letter]"))
            }
            "reference" => reference = Some(v.clone()),
            "older_than" => match Uuid::parse_str(v) {
                Ok(id) => older_than = Some(id),
                Err(_) => errors.push("older_than is not a valid UUID".to_owned()),
            },
            "include_jobs" if ["true", "True"].contains(&v.as_str()) => {}
            "include_jobs" => errors.push(format!("include_jobs {v} is not one of [true, True]")),
            other if !allowed.contains(&other) => {
                errors.push(format!(
                    "Additional properties are not allowed ({other} was unexpected)"
                ));
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = state.clock.now();
    let data = state.lock();
    let start = match older_than {
        Some(id) => match data.index.get(&id) {
            Some(i) => *i,
            None => 0,
        },
        None => data.notifications.len(),
    };
    let page: Vec<Value> = data
        .notifications
        .get(..start)
        .unwrap_or_default()
        .iter()
        .rev()
        .filter(|n| !n.precompiled || types.is_empty() || types.iter().any(|t| t == "letter"))
        .filter(|n| types.is_empty() || types.iter().any(|t| t == n.kind.as_str()))
        .filter(|n| statuses.is_empty() || statuses.iter().any(|s| s == state.status_of(n, now)))
        .filter(|n| reference.is_none() || n.reference == reference)
        .take(PAGE_SIZE)
        .map(|n| state.notification_json(n, now))
        .collect();
    let base = format!("{}v2/notifications", state.root());
    let current_query: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "older_than").cloned().collect();
    let encode = |extra: Option<&str>| -> String {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &current_query {
            ser.append_pair(k, v);
        }
        if let Some(id) = extra {
            ser.append_pair("older_than", id);
        }
        let q = ser.finish();
        if q.is_empty() { base.clone() } else { format!("{base}?{q}") }
    };
    let mut links = json!({"current": encode(older_than.map(|u| u.to_string()).as_deref())});
    if let Some(last) = page.last().and_then(|n| n["id"].as_str())
        && let Some(obj) = links.as_object_mut()
    {
        obj.insert("next".to_owned(), json!(encode(Some(last))));
    }
    Ok(axum::Json(json!({"notifications": page, "links": links})).into_response())
}

async fn get_template(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "template_id")?;
    let t = state.template(id).ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(templates::template_json(t)).into_response())
}

async fn get_template_version(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "template_id")?;
    let version: u32 = version.parse().map_err(|_| {
        ApiError::validation(vec![format!("version {version} is not of type integer")])
    })?;
    let t =
        state.template(id).and_then(|t| t.at_version(version)).ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(templates::template_json(&t)).into_response())
}

async fn list_templates(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let mut kind = None;
    for (k, v) in query_pairs(raw.as_deref()) {
        match k.as_str() {
            "type" if ["sms", "email", "letter"].contains(&v.as_str()) => kind = Some(v),
            "type" => {
                return Err(ApiError::validation(vec![format!(
                    "type {v} is not one of [sms, email, letter]"
                )]));
            }
            other => {
                return Err(ApiError::validation(vec![format!(
                    "Additional properties are not allowed ({other} was unexpected)"
                )]));
            }
        }
    }
    let templates: Vec<Value> = state
        .cfg
        .templates
        .iter()
        .filter(|t| kind.as_deref().is_none_or(|k| k == t.kind.as_str()))
        .map(templates::template_json)
        .collect();
    Ok(axum::Json(json!({"templates": templates})).into_response())
}

async fn preview_template(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "id")?;
    let body = if body.is_empty() { Map::new() } else { parse_body(&body)? };
    let mut schema = Schema::new(&body, &["personalisation"], &[]);
    let personalisation = schema.personalisation();
    schema.finish()?;
    let t = state.template(id).ok_or_else(ApiError::not_found)?;
    let contact = t.letter_contact_block.clone().unwrap_or_default();
    check_missing(t, &personalisation, &[&contact])?;
    let (body_text, subject, html) = match t.kind {
        TemplateKind::Email => {
            let r =
                rules::email(t.subject.as_deref().unwrap_or_default(), &t.body, &personalisation);
            (r.content, Some(r.subject), Some(r.html))
        }
        TemplateKind::Sms => (rules::sms(&t.body, &personalisation).content, None, None),
        TemplateKind::Letter => (
            rules::fill_body(&t.body, &personalisation),
            t.subject.as_deref().map(|s| rules::fill(s, &personalisation)),
            None,
        ),
    };
    Ok(axum::Json(json!({
        "id": t.id, "type": t.kind.as_str(), "version": t.version, "body": body_text,
        "html": html, "subject": if t.kind == TemplateKind::Sms { None } else { subject },
        "postage": if t.kind == TemplateKind::Letter { t.postage.clone().or_else(|| Some("second".to_owned())) } else { None },
    }))
    .into_response())
}

async fn received_texts(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let mut older_than = None;
    for (k, v) in query_pairs(raw.as_deref()) {
        match k.as_str() {
            "older_than" => {
                older_than = Some(Uuid::parse_str(&v).map_err(|_| {
                    ApiError::validation(vec!["older_than is not a valid UUID".to_owned()])
                })?);
            }
            other => {
                return Err(ApiError::validation(vec![format!(
                    "Additional properties are not allowed ({other} was unexpected)"
                )]));
            }
        }
    }
    let data = state.lock();
    // Newest first.
    let mut all: Vec<&ReceivedText> = data.received.iter().collect();
    all.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let skip =
        older_than.and_then(|id| all.iter().position(|r| r.id == id).map(|p| p + 1)).unwrap_or(0);
    let page: Vec<Value> = all
        .iter()
        .skip(skip)
        .take(PAGE_SIZE)
        .map(|r| {
            json!({"id": r.id, "user_number": r.user_number, "notify_number": r.notify_number,
                   "created_at": notify_time(r.created_at), "service_id": state.cfg.service_id,
                   "content": r.content})
        })
        .collect();
    let base = format!("{}v2/received-text-messages", state.root());
    let mut links = json!({"current": base});
    if let Some(last) = page.last().and_then(|r| r["id"].as_str())
        && let Some(obj) = links.as_object_mut()
    {
        obj.insert("next".to_owned(), json!(format!("{base}?older_than={last}")));
    }
    Ok(axum::Json(json!({"received_text_messages": page, "links": links})).into_response())
}

/// Simulates a text arriving from `user_number`: stored for `GET /v2/received-text-messages` and sent to the
/// received-text callback (`id, source_number, destination_number, message, date_received`).
async fn inject_received_text(
    State(state): State<Arc<NotifyState>>,
    body: Bytes,
) -> Result<Response> {
    let body = parse_body(&body)?;
    let mut schema = Schema::new(&body, &["user_number", "content"], &["user_number", "content"]);
    let user_number = schema.string("user_number").map(str::to_owned);
    let content = schema.string("content").map(str::to_owned);
    schema.finish()?;
    let (Some(user_number), Some(content)) = (user_number, content) else {
        return Err(ApiError::validation(vec!["user_number is a required property".to_owned()]));
    };
    let now = state.clock.now();
    let text = ReceivedText {
        id: Uuid::new_v4(),
        user_number,
        notify_number: "07700900000".to_owned(),
        created_at: now,
        content,
    };
    if let Some(cb) = &state.cfg.received_text_callback {
        let payload = json!({
            "id": text.id, "source_number": text.user_number, "destination_number": text.notify_number,
            "message": text.content, "date_received": notify_time(now),
        });
        state.outbound.enqueue(
            DeliveryKind::NotifyCallback,
            &cb.url,
            vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("authorization".to_owned(), format!("Bearer {}", cb.bearer_token)),
            ],
            payload.to_string(),
            now,
        );
    }
    let out = json!({"id": text.id});
    state.lock().received.push(text);
    state.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(created(out))
}

fn outbox_rows(state: &NotifyState) -> Vec<Value> {
    let now = state.clock.now();
    let data = state.lock();
    data.notifications
        .iter()
        .rev()
        .map(|n| {
            let mut v = state.notification_json(n, now);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("key_type".to_owned(), json!(n.key_type));
                obj.insert("reply_to".to_owned(), json!(n.reply_to));
            }
            v
        })
        .collect()
}

async fn outbox_json(State(state): State<Arc<NotifyState>>) -> Response {
    axum::Json(json!({"notifications": outbox_rows(&state)})).into_response()
}

async fn outbox_html(State(state): State<Arc<NotifyState>>) -> Response {
    let esc = |s: &str| gaap_html::Escape::Text.escape(s);
    let mut rows = String::new();
    for n in outbox_rows(&state) {
        let to = n["email_address"]
            .as_str()
            .or_else(|| n["phone_number"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| n["line_1"].as_str().unwrap_or("").to_owned());
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>\n",
            esc(n["created_at"].as_str().unwrap_or("")),
            esc(n["type"].as_str().unwrap_or("")),
            esc(n["key_type"].as_str().unwrap_or("")),
            esc(&to),
            esc(n["status"].as_str().unwrap_or("")),
            esc(n["subject"].as_str().unwrap_or("")),
            esc(n["body"].as_str().unwrap_or("")),
        ));
    }
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Notify sandbox outbox</title>\
         <style>body{{font-family:sans-serif}}td,th{{border:1px solid #b1b4b6;padding:4px;vertical-align:top}}\
         table{{border-collapse:collapse}}</style></head><body><h1>Notify sandbox outbox</h1>\
         <p>Nothing here was sent anywhere. JSON: <a href=\"/_sandbox/outbox.json\">/_sandbox/outbox.json</a></p>\
         <table><thead><tr><th>Created</th><th>Type</th><th>Key</th><th>To</th><th>Status</th><th>Subject</th>\
         <th>Body</th></tr></thead><tbody>{rows}</tbody></table></body></html>"
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_notify_datetimes() {
        let t = time::macros::datetime!(2026-11-22 09:05:07.123456 UTC);
        assert_eq!(notify_time(t), "2026-11-22T09:05:07.123456Z");
    }

    #[test]
    fn test_key_simulation_matches_the_docs() {
        assert_eq!(simulated_outcome(KeyType::Test, "447700900003"), Outcome::TemporaryFailure);
        assert_eq!(
            simulated_outcome(KeyType::Test, "perm-fail@simulator.notify"),
            Outcome::PermanentFailure
        );
        assert_eq!(simulated_outcome(KeyType::Normal, "447700900003"), Outcome::Delivered);
        assert!(is_smoke_test("simulate-delivered-2@notifications.service.gov.uk"));
    }

    #[test]
    fn pdf_is_well_formed() {
        let pdf = minimal_pdf("Hello (world)");
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }
}
