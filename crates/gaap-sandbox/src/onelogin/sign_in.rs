//! The sign-in page that stands in for One Login's journey, and finishing sign-in with a code or an error.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gaap_identity::VocabClaim;

use crate::jwt;

use super::errors::{OAuthError, found, oauth_error, redirect_error};
use super::knobs::{CoreIdentityError, IdTokenError, parse_all};
use super::{AuthRequest, Grant, OneLoginState, max_level, random_token};

/// The outcomes the sign-in page offers besides success: the errors One Login's journey can end in.
const OUTCOME_ERRORS: [OAuthError; 3] =
    [OAuthError::AccessDenied, OAuthError::TemporarilyUnavailable, OAuthError::LoginRequired];

/// The sign-in page's value for success.
const SUCCESS: &str = "success";

/// The product name in the header of One Login's pages.
pub(super) const PRODUCT: &str = "GOV.UK One Login sandbox";

/// What the banner of One Login's pages says.
pub(super) const NOTICE: &str =
    "Nobody's identity is checked: this page stands in for GOV.UK One Login's sign-in.";

/// The sign-in page: its heading names the service (the client's `client_name`), then who signs in and how.
pub(super) fn sign_in_page(s: &OneLoginState, request_id: &str, r: &AuthRequest) -> Response {
    let users: Vec<(String, String, bool)> = s
        .read()
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let label = format!(
                "{} {} ({}, up to {})",
                u.given_names.join(" "),
                u.family_name,
                u.email,
                u.max_loc
            );
            (i.to_string(), label, i == 0)
        })
        .collect();
    let mut outcomes = vec![(SUCCESS.to_owned(), format!("Sign in ({})", r.vtr), true)];
    outcomes.extend(OUTCOME_ERRORS.map(|e| (e.as_str().to_owned(), e.as_str().to_owned(), false)));
    let errors = |names: &[&str]| -> Vec<(String, String, bool)> {
        names.iter().map(|n| ((*n).to_owned(), (*n).to_owned(), false)).collect()
    };
    let service =
        s.client(&r.client_id).map_or_else(|| r.client_id.clone(), |c| c.cfg.client_name.clone());
    let main = format!(
        "<form method=\"post\" action=\"/authorize/sign-in\" novalidate>\
         <input type=\"hidden\" name=\"request_id\" value=\"{}\">{}{}{}{}\
         <button class=\"govuk-button\">Continue</button></form>",
        crate::pages::esc(request_id),
        crate::pages::choices("radio", "user", "User", &users),
        crate::pages::choices("radio", "outcome", "Outcome", &outcomes),
        crate::pages::choices(
            "checkbox",
            "id_token_error",
            "ID token errors",
            &errors(IdTokenError::WIRE_VALUES)
        ),
        crate::pages::choices(
            "checkbox",
            "core_identity_error",
            "Core identity errors",
            &errors(CoreIdentityError::WIRE_VALUES)
        ),
    );
    crate::pages::page(PRODUCT, NOTICE, &format!("Sign in to {service}"), &main).into_response()
}

pub(super) async fn sign_in(
    State(s): State<Arc<OneLoginState>>,
    body: axum::body::Bytes,
) -> Response {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let all = |k: &str| -> Vec<String> {
        pairs.iter().filter(|(key, _)| key == k).map(|(_, v)| v.clone()).collect()
    };
    let bad = |description: &str| {
        oauth_error(StatusCode::BAD_REQUEST, &OAuthError::InvalidRequest, description)
    };
    let Some(request) = get("request_id").and_then(|id| s.lock().pending.remove(id)) else {
        return bad("Unknown or used sign-in request");
    };
    let user = get("user").and_then(|u| u.parse::<usize>().ok()).unwrap_or(0);
    if user >= s.read().users.len() {
        return bad("Unknown user");
    }
    let outcome = match get("outcome").filter(|o| *o != SUCCESS) {
        None => None,
        Some(o) => match OUTCOME_ERRORS.into_iter().find(|e| e.as_str() == o) {
            Some(error) => Some(error),
            None => return bad(&format!("Unknown outcome {o}")),
        },
    };
    let id_token_errors = match parse_all(&all("id_token_error")) {
        Ok(errors) => errors,
        Err(name) => return bad(&format!("Unknown ID token error {name}")),
    };
    let core_identity_errors = match parse_all(&all("core_identity_error")) {
        Ok(errors) => errors,
        Err(name) => return bad(&format!("Unknown core identity error {name}")),
    };
    finish_sign_in(&s, request, user, outcome, id_token_errors, core_identity_errors)
}

pub(super) fn finish_sign_in(
    s: &OneLoginState,
    request: AuthRequest,
    user: usize,
    outcome: Option<OAuthError>,
    id_token_errors: Vec<IdTokenError>,
    core_identity_errors: Vec<CoreIdentityError>,
) -> Response {
    if let Some(error) = outcome {
        return redirect_error(
            &request.redirect_uri,
            &error,
            "Sign-in outcome chosen on the sandbox page",
            Some(&request.state),
        );
    }
    // Identity below the requested level: access_denied, unless the client asked for return codes.
    if let (Some(loc), Some(u)) = (request.loc(), s.user(user))
        && loc > max_level(&u)
        && !request.claims.iter().any(|c| c == VocabClaim::ReturnCode.url())
    {
        return redirect_error(
            &request.redirect_uri,
            &OAuthError::AccessDenied,
            "Access denied by resource owner or authorization server",
            Some(&request.state),
        );
    }
    let now = s.clock.now();
    let code = random_token();
    let mut location = match url::Url::parse(&request.redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                &OAuthError::InvalidRequest,
                "Invalid redirect_uri",
            );
        }
    };
    location.query_pairs_mut().append_pair("code", &code).append_pair("state", &request.state);
    let knobs = s.knobs();
    let id_token_errors =
        if id_token_errors.is_empty() { knobs.id_token_errors } else { id_token_errors };
    let core_identity_errors = if core_identity_errors.is_empty() {
        knobs.core_identity_errors
    } else {
        core_identity_errors
    };
    let grant = Grant {
        request,
        user,
        id_token_errors,
        core_identity_errors,
        issued: now,
        auth_time: now,
        sid: jwt::b64(rand::random::<[u8; 16]>()),
    };
    s.lock().codes.insert(code, grant);
    found(location.as_str())
}
