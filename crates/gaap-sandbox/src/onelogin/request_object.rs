//! Request objects (`request`, RFC 9101) as the simulator takes them (`parse-auth-request.ts`,
//! `validate-auth-request-object.ts`): a JWT signed with the client's key whose claims carry the authorisation
//! request. Once its signature, redirect URI, state, client, audience and issuer are checked, its parameters
//! replace the query's and the request goes through the same checks as any other.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::authorize::ResponseMode;
use super::wire::RESPONSE_TYPE_CODE;
use super::{OAuthError, OneLoginState, client_jwks, oauth_error, redirect_error};
use crate::jwt;

/// Parameters a request object may carry into the authorisation request.
const CARRIED: [&str; 14] = [
    "response_type",
    "scope",
    "state",
    "nonce",
    "redirect_uri",
    "vtr",
    "claims",
    "code_challenge",
    "code_challenge_method",
    "ui_locales",
    "prompt",
    "max_age",
    "response_mode",
    "login_hint",
];

fn as_param(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The query with a request object's parameters applied, or the simulator's answer refusing it. A query
/// without `request` comes back unchanged.
pub(crate) async fn apply(
    s: &OneLoginState,
    mut q: HashMap<String, String>,
) -> Result<HashMap<String, String>, Box<Response>> {
    let Some(request) = q.get("request").cloned() else { return Ok(q) };
    let bad =
        |d: &str| Box::new(oauth_error(StatusCode::BAD_REQUEST, &OAuthError::InvalidRequest, d));
    if q.contains_key("request_uri") {
        return Err(bad(
            "Invalid request: Found mutually exclusive request and request_uri parameters",
        ));
    }
    let Some(parsed) = jwt::parse(&request) else {
        return Err(bad("Invalid request parameter: the request is not a JWT"));
    };
    let query_client = q.get("client_id").cloned().unwrap_or_default();
    let claim = |k: &str| parsed.claims.get(k).and_then(Value::as_str);
    if claim("sub") == Some(query_client.as_str()) {
        return Err(bad(
            "Invalid request parameter: The JWT sub (subject) claim must not equal the client_id",
        ));
    }
    let Some(client) = s.client(&query_client) else {
        return Err(bad("Unknown client_id"));
    };
    let jwks_key = match &client.cfg.jwks_uri {
        Some(url) => {
            let kid = parsed.header.get("kid").and_then(Value::as_str);
            match client_jwks::fetch_key(url, kid).await {
                Ok(key) => Some(key),
                Err(_) => {
                    return Err(Box::new(
                        (StatusCode::BAD_REQUEST, "Trust chain validation failed").into_response(),
                    ));
                }
            }
        }
        None => None,
    };
    if !jwt::verify_rsa(&request, jwks_key.as_ref().unwrap_or(&client.rsa_public_key)) {
        return Err(Box::new(
            (StatusCode::BAD_REQUEST, "Trust chain validation failed").into_response(),
        ));
    }
    let Some(redirect_uri) =
        claim("redirect_uri").filter(|r| client.cfg.redirect_uris.iter().any(|u| u == r))
    else {
        return Err(bad("Invalid Redirect URI in request"));
    };
    if claim("response_mode").is_some_and(|m| !ResponseMode::parse(m).is_known()) {
        return Err(bad("Invalid request"));
    }
    let Some(state) = claim("state") else {
        return Err(Box::new(redirect_error(
            redirect_uri,
            &OAuthError::InvalidRequest,
            "Request is missing state parameter",
            None,
        )));
    };
    let refuse = |error: OAuthError, description: &str| {
        Err(Box::new(redirect_error(redirect_uri, &error, description, Some(state))))
    };
    if q.get("response_type").map(String::as_str) != Some(RESPONSE_TYPE_CODE) {
        return refuse(OAuthError::UnsupportedResponseType, "Unsupported response type");
    }
    if claim("client_id") != Some(query_client.as_str()) {
        return refuse(OAuthError::UnauthorizedClient, "Unauthorized client");
    }
    if parsed.claims.get("request").is_some() || parsed.claims.get("request_uri").is_some() {
        return refuse(OAuthError::InvalidRequest, "Invalid request");
    }
    if claim("aud") != Some(format!("{}authorize", s.issuer()).as_str()) {
        return refuse(
            OAuthError::AccessDenied,
            "Access denied by resource owner or authorization server",
        );
    }
    if claim("iss") != Some(query_client.as_str()) {
        return refuse(OAuthError::UnauthorizedClient, "Unauthorized client");
    }
    q.remove("request");
    for name in CARRIED {
        q.remove(name);
        if let Some(value) = parsed.claims.get(name).filter(|v| !v.is_null()) {
            q.insert(name.to_owned(), as_param(value));
        }
    }
    Ok(q)
}
