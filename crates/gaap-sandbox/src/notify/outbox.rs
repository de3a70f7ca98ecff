//! The sandbox outbox: what was sent, as JSON and as a page.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};

use super::NotifyState;

pub(super) fn outbox_rows(state: &NotifyState) -> Vec<Value> {
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

pub(super) async fn outbox_json(State(state): State<Arc<NotifyState>>) -> Response {
    axum::Json(json!({"notifications": outbox_rows(&state)})).into_response()
}

pub(super) async fn outbox_html(State(state): State<Arc<NotifyState>>) -> Response {
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
