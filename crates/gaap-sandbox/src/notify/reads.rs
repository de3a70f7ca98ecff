//! Reading notifications back: one by id, and the filtered, paged list.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{ApiError, NotifyState, PAGE_SIZE, Result};

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
    Ok(axum::Json(state.notification_json(n, now)).into_response())
}

pub(super) const STATUSES: [&str; 16] = [
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
