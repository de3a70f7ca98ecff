//! Operations: `/healthz`, `/readyz`, `/metrics`, the middleware every request passes (metrics, CORS,
//! security headers, error logging), hot reload, rate limits and logs.

pub(crate) mod limit;
pub(crate) mod log;
pub(crate) mod metrics;
pub(crate) mod reload;

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::{AppState, Status};
use metrics::IndexFacts;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok"})))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.index.status() {
        Status::Ready => {
            let facts = index_facts(&state);
            axum::Json(serde_json::json!({
                "status": "ready",
                "addresses": facts.addresses,
                "postcodes": facts.postcodes,
            }))
            .into_response()
        }
        Status::Loading => {
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "loading"})))
                .into_response()
        }
        // The reason is in the log; the probe only needs to know it is not ready.
        Status::Failed(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "failed"})))
                .into_response()
        }
    }
}

fn index_facts(state: &AppState) -> IndexFacts {
    match state.index.get() {
        Some(loaded) => {
            let now = state.clock.now();
            IndexFacts {
                ready: true,
                addresses: loaded.index.len(),
                postcodes: loaded.index.postcode_count(),
                age_seconds: (now - loaded.data_time).as_seconds_f64().max(0.0),
                loaded_unix: loaded.loaded_at.unix_timestamp(),
            }
        }
        None => IndexFacts::default(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(index_facts(&state));
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The fallback: OS's error envelope under the OS Places paths, a plain JSON 404 elsewhere.
pub(crate) async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/search/places/") {
        return crate::address::error::PlacesError::not_found(request.uri().path()).into_response();
    }
    (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({"error": "not found"}))).into_response()
}

/// Whether `origin` may call the API from a browser page.
fn cors_allows(state: &AppState, origin: &str) -> bool {
    state.config.address.cors_origins.iter().any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
}

/// Lets `origin` read the response. A page's script may also read `Retry-After`, which a 429 carries.
fn cors_headers(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Retry-After"));
}

/// `Vary: Origin`, unless the response says so already: with origins configured, an API response depends
/// on the request's `Origin`, allowed or not, and a cache must not give one origin's answer to another.
fn vary_origin(headers: &mut HeaderMap) {
    let said = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',').any(|p| matches!(p.trim(), "*") || p.trim().eq_ignore_ascii_case("origin"))
        })
    });
    if !said {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// Every request: CORS for the configured origins, security headers, metrics, and a log line for 5xx.
pub(crate) async fn observe(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let origin = request.headers().get(header::ORIGIN).cloned();
    let allowed_origin = origin.filter(|o| o.to_str().is_ok_and(|o| cors_allows(&state, o)));
    let api = {
        let path = request.uri().path();
        path.starts_with("/search/places/") || path.starts_with("/api/") || path.starts_with("/v1/")
    };
    let preflight = request.method() == Method::OPTIONS
        && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight && api {
        match &allowed_origin {
            Some(o) => {
                let mut r = StatusCode::NO_CONTENT.into_response();
                let h = r.headers_mut();
                cors_headers(h, o);
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST, OPTIONS"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("Content-Type, key"),
                );
                h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
                r
            }
            None => StatusCode::FORBIDDEN.into_response(),
        }
    } else {
        let method = request.method().clone();
        let uri = request.uri().clone();
        let mut r = next.run(request).await;
        if api && let Some(o) = &allowed_origin {
            cors_headers(r.headers_mut(), o);
        }
        if r.status().is_server_error() {
            state.logger.error(
                "request failed",
                &[
                    ("method", method.as_str()),
                    ("path", uri.path()),
                    ("status", r.status().as_str()),
                ],
            );
        }
        r
    };
    let h = response.headers_mut();
    if api && !state.config.address.cors_origins.is_empty() {
        vary_origin(h);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("no-referrer"));
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    state.metrics.record(route, response.status().as_u16(), started.elapsed());
    response
}
