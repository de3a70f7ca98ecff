//! OS Places' error envelope: `{"error":{"statuscode":N,"message":"…"}}` with OS's status codes. Key
//! failures and rate limits also carry the `fault` object of OS's API gateway, which is what OS itself
//! sends for those, so clients written against either shape read them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered in OS's envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlacesError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    fault: Option<(&'static str, &'static str)>,
    retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<Fault<'a>>,
}

#[derive(Serialize)]
struct Body<'a> {
    statuscode: u16,
    message: &'a str,
}

#[derive(Serialize)]
struct Fault<'a> {
    faultstring: &'a str,
    detail: FaultDetail<'a>,
}

#[derive(Serialize)]
struct FaultDetail<'a> {
    errorcode: &'a str,
}

impl PlacesError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), fault: None, retry_after: None }
    }

    /// 400 for a parameter: the message names it.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 400: a required parameter is missing or empty, in OS's words (`Parameter postcode cannot be
    /// empty.`).
    pub(crate) fn missing(param: &str) -> Self {
        Self::bad_request(format!("Parameter {param} cannot be empty."))
    }

    /// 400: a parameter's value is not one OS accepts.
    pub(crate) fn invalid(param: &str, expected: &str) -> Self {
        Self::bad_request(format!("Parameter {param} is invalid. {expected}"))
    }

    /// 401: no key, or a key that is not configured.
    pub(crate) fn unauthorized(missing: bool) -> Self {
        let (message, fault) = if missing {
            (
                "Failed to resolve API Key variable request.queryparam.key",
                "steps.oauth.v2.FailedToResolveAPIKey",
            )
        } else {
            ("Invalid ApiKey", "oauth.v2.InvalidApiKey")
        };
        let mut e = Self::new(StatusCode::UNAUTHORIZED, message);
        e.fault = Some((message, fault));
        e
    }

    /// 429: the key is over its limit.
    pub(crate) fn rate_limited(retry_after: u64) -> Self {
        let message = "Rate limit exceeded: too many requests for this API key. Try again later.";
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, message);
        e.fault = Some((message, "policies.ratelimit.QuotaViolation"));
        e.retry_after = Some(retry_after);
        e
    }

    /// 404: no such resource under `/search/places/v1/`.
    pub(crate) fn not_found(path: &str) -> Self {
        let name = path.rsplit('/').next().unwrap_or_default();
        Self::new(StatusCode::NOT_FOUND, format!("Resource '{name}' does not exist"))
    }

    /// 405: a method the resource does not take.
    pub(crate) fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Requested method '{method}' is not supported for this resource"),
        )
    }

    /// 503: the index is still loading.
    pub(crate) fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The address index is loading. Try again shortly.",
        )
    }
}

impl IntoResponse for PlacesError {
    fn into_response(self) -> Response {
        let body = Envelope {
            error: Body { statuscode: self.status.as_u16(), message: &self.message },
            fault: self.fault.map(|(faultstring, errorcode)| Fault {
                faultstring,
                detail: FaultDetail { errorcode },
            }),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
