//! GOV.UK Notify v2: the 12 public operations, API-key JWT auth, rate and daily limits, key types and simulated
//! recipients, statuses that move on the clock, delivery-status callbacks, and an outbox.

mod admission;
pub(crate) mod auth;
mod letters;
mod outbox;
mod personalisation;
mod rate_limit;
mod reads;
mod received;
mod request;
mod resources;
pub(crate) mod rules;
mod send;
mod store;
mod template_endpoints;
mod templates;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaap_http::SharedClock;
use gaap_notify::{ApiErrorItem, NotificationType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::config::{NotifyConfig, TemplateConfig, TemplateKind};
use crate::outbound::Outbound;

use letters::{get_pdf, send_letter};
use outbox::{outbox_html, outbox_json};
use reads::{get_notification, list_notifications};
use received::{inject_received_text, received_texts};
use send::{send_email, send_sms};
use store::{NotifyData, ReceivedText};
use template_endpoints::{get_template, get_template_version, list_templates, preview_template};

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
    /// The name on the wire and in the outbox (`normal`, `team`, `test`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Team => "team",
            Self::Test => "test",
        }
    }

    fn upper(self) -> &'static str {
        match self {
            Self::Normal => "LIVE",
            Self::Team => "TEAM",
            Self::Test => "TEST",
        }
    }
}

/// The template types in the order Notify's messages list them (`TEMPLATE_TYPES`).
static TEMPLATE_TYPES: [NotificationType; 3] =
    [NotificationType::Sms, NotificationType::Email, NotificationType::Letter];

/// A query value that must be one of `allowed`: the value, or Notify's `{field} {value} is not one of [..]`.
fn one_of<T>(
    field: &str,
    value: &str,
    allowed: &[T],
    name: fn(&T) -> &str,
) -> std::result::Result<T, String>
where
    T: PartialEq + for<'a> From<&'a str>,
{
    let parsed = T::from(value);
    if allowed.contains(&parsed) {
        Ok(parsed)
    } else {
        let names: Vec<&str> = allowed.iter().map(name).collect();
        Err(format!("{field} {value} is not one of [{}]", names.join(", ")))
    }
}

/// A template type from a query parameter, or Notify's message naming [`TEMPLATE_TYPES`].
fn template_type(field: &str, value: &str) -> std::result::Result<NotificationType, String> {
    one_of(field, value, &TEMPLATE_TYPES, NotificationType::as_str)
}

impl From<TemplateKind> for NotificationType {
    fn from(kind: TemplateKind) -> Self {
        match kind {
            TemplateKind::Sms => Self::Sms,
            TemplateKind::Email => Self::Email,
            TemplateKind::Letter => Self::Letter,
        }
    }
}

/// A v2 error in Notify's envelope.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) errors: Vec<ApiErrorItem>,
}

/// Notify's v2 error body: `{"status_code": .., "errors": [{"error": .., "message": ..}]}`.
#[derive(Debug, Serialize)]
struct ErrorBody<'a> {
    status_code: u16,
    errors: &'a [ApiErrorItem],
}

impl ApiError {
    pub(crate) fn new(status: u16, error: &str, message: &str) -> Self {
        Self {
            status,
            errors: vec![ApiErrorItem { error: error.to_owned(), message: message.to_owned() }],
        }
    }

    /// The first message.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &str {
        self.errors.first().map_or("", |e| e.message.as_str())
    }

    fn validation(messages: Vec<String>) -> Self {
        let mut errors: Vec<ApiErrorItem> = Vec::new();
        for message in messages {
            let entry = ApiErrorItem { error: "ValidationError".to_owned(), message };
            if !errors.contains(&entry) {
                errors.push(entry);
            }
        }
        Self { status: 400, errors }
    }

    /// Notify's answer to an unexpected exception (app/v2/errors.py), here a body that would not serialise.
    fn internal() -> Self {
        Self::new(500, "Exception", "Internal server error")
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
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody { status_code: self.status, errors: &self.errors };
        (status, axum::Json(body)).into_response()
    }
}

/// A gaap-notify wire type as a JSON value (for the fields those types keep as `Value`).
fn to_json<T: Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|_| ApiError::internal())
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

    fn template(&self, id: Uuid) -> Option<&TemplateConfig> {
        self.cfg.templates.iter().find(|t| t.id == id)
    }

    fn authenticate(&self, headers: &HeaderMap) -> Result<KeyType> {
        let header = headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok());
        auth::authenticate(header, self.cfg.service_id, &self.keys, self.clock.unix_seconds())
    }
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
