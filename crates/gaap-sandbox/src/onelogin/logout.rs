//! `GET /logout`: RP-initiated logout, then the back-channel logout tokens.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::Value;

use crate::jwt;

use super::OneLoginState;
use super::errors::{OAuthError, found};

pub(super) async fn logout(
    State(s): State<Arc<OneLoginState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q: HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
    let signed_out = s.url("signed-out");
    let state = q.get("state").map(String::as_str);
    let with_error = |description: &str| {
        let mut u = url::Url::parse(&signed_out).ok();
        if let Some(u) = u.as_mut() {
            let mut qp = u.query_pairs_mut();
            qp.append_pair("error_code", OAuthError::InvalidRequest.as_str())
                .append_pair("error_description", description);
            if let Some(st) = state {
                qp.append_pair("state", st);
            }
        }
        found(u.as_ref().map_or(signed_out.as_str(), url::Url::as_str))
    };
    let Some(hint) = q.get("id_token_hint") else {
        if q.contains_key("post_logout_redirect_uri") {
            return with_error("id_token_hint is required with post_logout_redirect_uri");
        }
        return found(&signed_out);
    };
    let Some(parsed) = jwt::parse(hint) else {
        return with_error("unable to validate id_token_hint");
    };
    if !s.id_token_keys.signed(hint) {
        return with_error("unable to validate id_token_hint");
    }
    let aud = parsed.claims.get("aud").and_then(Value::as_str).unwrap_or_default().to_owned();
    let sub = parsed.claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned();
    let Some(client) = s.client(&aud) else { return with_error("client not found") };
    s.back_channel_logout(&sub, None);
    match q.get("post_logout_redirect_uri") {
        None => found(&signed_out),
        Some(uri) if client.cfg.post_logout_redirect_uris.iter().any(|u| u == uri) => {
            let mut u = match url::Url::parse(uri) {
                Ok(u) => u,
                Err(_) => return with_error("invalid post_logout_redirect_uri"),
            };
            if let Some(st) = state {
                u.query_pairs_mut().append_pair("state", st);
            }
            found(u.as_str())
        }
        Some(_) => with_error("client registry does not contain post_logout_redirect_uri"),
    }
}
