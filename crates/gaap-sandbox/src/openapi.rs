//! The OpenAPI documents the sandbox serves at `/openapi.json` on each service.

use axum::response::{IntoResponse, Response};

fn serve(text: &'static str) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], text).into_response()
}

/// Notify's document.
pub(crate) fn notify() -> Response {
    serve(include_str!("openapi/notify.json"))
}

/// Pay's document.
pub(crate) fn pay() -> Response {
    serve(include_str!("openapi/pay.json"))
}

/// One Login's document.
pub(crate) fn one_login() -> Response {
    serve(include_str!("openapi/one_login.json"))
}
