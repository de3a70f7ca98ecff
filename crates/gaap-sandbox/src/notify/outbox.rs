//! The sandbox outbox: what was sent, as JSON and as a page.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::resources::Resource;
use super::{KeyType, NotifyState, Result};

/// One outbox row: the notification resource, with the key it was sent with and the SMS sender or email
/// reply-to address it used.
#[derive(Debug, Serialize)]
struct OutboxRow {
    #[serde(flatten)]
    resource: Resource,
    key_type: KeyType,
    reply_to: Option<String>,
}

/// `/_sandbox/outbox.json`: every notification, newest first.
#[derive(Debug, Serialize)]
struct Outbox {
    notifications: Vec<OutboxRow>,
}

fn outbox_rows(state: &NotifyState) -> Result<Vec<OutboxRow>> {
    let now = state.clock.now();
    let data = state.lock();
    data.notifications
        .iter()
        .rev()
        .map(|n| {
            Ok(OutboxRow {
                resource: state.notification_resource(n, now)?,
                key_type: n.key_type,
                reply_to: n.reply_to.clone(),
            })
        })
        .collect()
}

pub(super) async fn outbox_json(State(state): State<Arc<NotifyState>>) -> Result<Response> {
    Ok(axum::Json(Outbox { notifications: outbox_rows(&state)? }).into_response())
}

pub(super) async fn outbox_html(State(state): State<Arc<NotifyState>>) -> Result<Response> {
    let esc = |s: &str| gaap_html::Escape::Text.escape(s);
    let mut rows = String::new();
    for row in outbox_rows(&state)? {
        let n = &row.resource.notification;
        let to = n
            .email_address
            .as_deref()
            .or(n.phone_number.as_deref())
            .or(n.line_1.as_deref())
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>\n",
            esc(&n.created_at),
            esc(n.notification_type.as_str()),
            esc(row.key_type.as_str()),
            esc(to),
            esc(n.status.as_str()),
            esc(n.subject.as_deref().unwrap_or_default()),
            esc(n.body.as_deref().unwrap_or_default()),
        ));
    }
    Ok(Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Notify sandbox outbox</title>\
         <style>body{{font-family:sans-serif}}td,th{{border:1px solid #b1b4b6;padding:4px;vertical-align:top}}\
         table{{border-collapse:collapse}}</style></head><body><h1>Notify sandbox outbox</h1>\
         <p>Nothing here was sent anywhere. JSON: <a href=\"/_sandbox/outbox.json\">/_sandbox/outbox.json</a></p>\
         <table><thead><tr><th>Created</th><th>Type</th><th>Key</th><th>To</th><th>Status</th><th>Subject</th>\
         <th>Body</th></tr></thead><tbody>{rows}</tbody></table></body></html>"
    ))
    .into_response())
}
