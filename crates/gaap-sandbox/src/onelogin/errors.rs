//! How One Login refuses: an OAuth error body, an error redirect to the client, a 401 with
//! `WWW-Authenticate`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_identity::OAuthErrorResponse;

gaap_http::open_enum! {
    /// An OAuth error code One Login answers with (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, OpenID Connect
    /// Core §3.1.2.6).
    pub(crate) enum OAuthError {
        InvalidRequest = "invalid_request", InvalidClient = "invalid_client", InvalidGrant = "invalid_grant",
        InvalidScope = "invalid_scope", InvalidToken = "invalid_token", UnauthorizedClient = "unauthorized_client",
        UnsupportedGrantType = "unsupported_grant_type", UnsupportedResponseType = "unsupported_response_type",
        AccessDenied = "access_denied", TemporarilyUnavailable = "temporarily_unavailable",
        LoginRequired = "login_required", UnmetAuthenticationRequirements = "unmet_authentication_requirements",
        ServerError = "server_error",
    }
}

pub(crate) fn oauth_error(status: StatusCode, error: &OAuthError, description: &str) -> Response {
    (status, axum::Json(OAuthErrorResponse::new(error.as_str(), description))).into_response()
}

pub(super) fn redirect_error(
    redirect_uri: &str,
    error: &OAuthError,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                &OAuthError::InvalidRequest,
                "Invalid redirect_uri",
            );
        }
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("error", error.as_str()).append_pair("error_description", description);
        if let Some(state) = state {
            q.append_pair("state", state);
        }
    }
    found(url.as_str())
}

pub(super) fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => {
            oauth_error(StatusCode::BAD_REQUEST, &OAuthError::InvalidRequest, "Invalid redirect")
        }
    }
}

pub(super) fn unauthorised(description: Option<&str>) -> Response {
    let value = match description {
        Some(d) => format!(
            "Bearer error=\"{}\", error_description=\"{d}\"",
            OAuthError::InvalidToken.as_str()
        ),
        None => "Bearer".to_owned(),
    };
    let mut r = StatusCode::UNAUTHORIZED.into_response();
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use gaap_http::OpenEnum;

    use super::*;

    #[test]
    fn error_codes_serialise_as_their_wire_codes() {
        for wire in OAuthError::WIRE_VALUES {
            let code = OAuthError::known(wire).unwrap();
            assert_eq!(serde_json::to_value(&code).unwrap(), *wire);
            assert_eq!(code.as_str(), *wire);
        }
        assert_eq!(OAuthError::known("Invalid_Request"), None);
    }
}
