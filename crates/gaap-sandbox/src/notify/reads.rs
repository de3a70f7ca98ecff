//! Reading notifications back: one by id, and the filtered, paged list.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use gaap_notify::{Links, NotificationStatus, NotificationType};
use serde::Serialize;
use uuid::Uuid;

use super::resources::Resource;

use super::{ApiError, NotifyState, PAGE_SIZE, Result, one_of, template_type};

/// One page of `GET /v2/notifications`: gaap-notify's `NotificationsPage`, its notifications as [`Resource`]s.
#[derive(Debug, Serialize)]
struct NotificationsPage {
    notifications: Vec<Resource>,
    links: Links,
}

pub(super) fn path_uuid(raw: &str, field: &str) -> Result<Uuid> {
    Uuid::parse_str(raw)
        .map_err(|_| ApiError::validation(vec![format!("{field} is not a valid UUID")]))
}

pub(super) async fn get_notification(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "notification_id")?;
    let now = state.clock.now();
    let data = state.lock();
    let n = data.notification(&id).ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(state.notification_resource(n, now)?).into_response())
}

/// The statuses `GET /v2/notifications` filters on, in the order Notify's message lists them
/// (`NOTIFICATION_STATUS_TYPES`).
static STATUSES: [NotificationStatus; 16] = [
    NotificationStatus::Cancelled,
    NotificationStatus::Created,
    NotificationStatus::Sending,
    NotificationStatus::Sent,
    NotificationStatus::Delivered,
    NotificationStatus::Pending,
    NotificationStatus::Failed,
    NotificationStatus::TechnicalFailure,
    NotificationStatus::TemporaryFailure,
    NotificationStatus::PermanentFailure,
    NotificationStatus::PendingVirusCheck,
    NotificationStatus::ValidationFailed,
    NotificationStatus::VirusScanFailed,
    NotificationStatus::ReturnedLetter,
    NotificationStatus::Accepted,
    NotificationStatus::Received,
];

/// A `status` filter value: one of [`STATUSES`], or Notify's message listing them.
fn status_filter(value: &str) -> std::result::Result<NotificationStatus, String> {
    one_of("status", value, &STATUSES, NotificationStatus::as_str)
}

pub(super) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

pub(super) async fn list_notifications(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let pairs = query_pairs(raw.as_deref());
    let mut errors = Vec::new();
    let mut statuses: Vec<NotificationStatus> = Vec::new();
    let mut types: Vec<NotificationType> = Vec::new();
    let mut reference = None;
    let mut older_than = None;
    let allowed = ["template_type", "status", "reference", "older_than", "include_jobs"];
    for (k, v) in &pairs {
        match k.as_str() {
            "status" => match status_filter(v) {
                Ok(status) => statuses.push(status),
                Err(message) => errors.push(message),
            },
            "template_type" => match template_type("template_type", v) {
                Ok(kind) => types.push(kind),
                Err(message) => errors.push(message),
            },
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
    let page = data
        .notifications
        .get(..start)
        .unwrap_or_default()
        .iter()
        .rev()
        .filter(|n| !n.precompiled || types.is_empty() || types.contains(&NotificationType::Letter))
        .filter(|n| types.is_empty() || types.contains(&n.kind.into()))
        .filter(|n| statuses.is_empty() || statuses.contains(&state.status_of(n, now)))
        .filter(|n| reference.is_none() || n.reference == reference)
        .take(PAGE_SIZE)
        .map(|n| state.notification_resource(n, now))
        .collect::<Result<Vec<_>>>()?;
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
    let links = Links {
        current: encode(older_than.map(|u| u.to_string()).as_deref()),
        next: page.last().map(|r| encode(Some(&r.notification.id.to_string()))),
    };
    Ok(axum::Json(NotificationsPage { notifications: page, links }).into_response())
}
