//! Received text messages: `GET /v2/received-text-messages` and the sandbox's way to inject one.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use gaap_notify::callbacks::ReceivedTextCallback;
use gaap_notify::{Links, ReceivedTextsPage};
use serde::Serialize;
use uuid::Uuid;

use super::reads::query_pairs;
use super::request::{Schema, parse_body};
use super::resources::notify_time;
use super::send::{callback, created};
use super::store::ReceivedText;
use super::{ApiError, NotifyState, PAGE_SIZE, Result};

/// The answer to the sandbox's received-text injection: the new message's id.
#[derive(Debug, Serialize)]
struct Injected {
    id: Uuid,
}

pub(super) async fn received_texts(
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
    let page: Vec<gaap_notify::ReceivedText> = all
        .iter()
        .skip(skip)
        .take(PAGE_SIZE)
        .map(|r| gaap_notify::ReceivedText {
            id: r.id,
            user_number: r.user_number.clone(),
            notify_number: r.notify_number.clone(),
            created_at: notify_time(r.created_at),
            service_id: state.cfg.service_id,
            content: r.content.clone(),
        })
        .collect();
    let base = format!("{}v2/received-text-messages", state.root());
    let next = page.last().map(|last| format!("{base}?older_than={}", last.id));
    let links = Links { current: base, next };
    Ok(axum::Json(ReceivedTextsPage { received_text_messages: page, links }).into_response())
}

/// Simulates a text arriving from `user_number`: stored for `GET /v2/received-text-messages` and sent to the
/// received-text callback (`id, source_number, destination_number, message, date_received`).
pub(super) async fn inject_received_text(
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
        let payload = ReceivedTextCallback {
            id: text.id,
            source_number: text.user_number.clone(),
            destination_number: text.notify_number.clone(),
            message: text.content.clone(),
            date_received: notify_time(now),
        };
        callback(&state, cb, &payload, now)?;
    }
    let out = Injected { id: text.id };
    state.lock().received.push(text);
    state.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(created(out))
}
