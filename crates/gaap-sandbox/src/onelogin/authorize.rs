//! `GET /authorize`: the request (or its request object) checked as the simulator checks it, in its order.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use gaap_identity::{LevelOfConfidence, Vtr};

use crate::config::TokenAuthMethod;

use super::errors::{OAuthError, oauth_error, redirect_error};
use super::sign_in::{finish_sign_in, sign_in_page};
use super::wire::{PKCE_S256, PROMPT_SELECT_ACCOUNT, RESPONSE_TYPE_CODE, SCOPE_OPENID};
use super::{AuthRequest, Client, OneLoginState, claims, random_token, request_object};

pub(super) async fn authorize(
    State(s): State<Arc<OneLoginState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q: HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
    let q = match request_object::apply(&s, q).await {
        Ok(q) => q,
        Err(refused) => return *refused,
    };
    let get = |k: &str| q.get(k).map(String::as_str);
    let Some(client) = get("client_id").and_then(|id| s.client(id)) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            &OAuthError::InvalidRequest,
            "Unknown client_id",
        );
    };
    let Some(redirect_uri) =
        get("redirect_uri").filter(|r| client.cfg.redirect_uris.iter().any(|u| u == r))
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            &OAuthError::InvalidRequest,
            "redirect_uri is not registered for this client",
        );
    };
    let state = get("state");
    let refuse =
        |code, description: &str, state| redirect_error(redirect_uri, &code, description, state);
    let invalid = |description: &str, state| refuse(OAuthError::InvalidRequest, description, state);
    let requested_claims = claims::requested(get("claims"), &client.cfg.claims);
    if requested_claims == Err(claims::ClaimsProblem::Malformed) {
        return invalid("Invalid Request", None);
    }
    if get("response_type") != Some(RESPONSE_TYPE_CODE) {
        return refuse(OAuthError::UnsupportedResponseType, "Unsupported response type", state);
    }
    if let Some(mode) = get("response_mode").filter(|m| !ResponseMode::parse(m).is_known()) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            &OAuthError::InvalidRequest,
            &format!("Unsupported response_mode {mode}"),
        );
    }
    let scopes = match requested_scopes(&client, get("scope")) {
        Ok(scopes) => scopes,
        Err((code, description)) => return refuse(code, description, state),
    };
    let Ok(claims) = requested_claims else {
        return invalid("Request contains invalid claims", state);
    };
    let Some(state) = state else {
        return invalid("Request is missing state parameter", None);
    };
    let Some(nonce) = get("nonce") else {
        return invalid("Request is missing nonce parameter", Some(state));
    };
    let Some(vtr) = permitted_vtr(&client, get("vtr")) else {
        return invalid("Request vtr not valid", Some(state));
    };
    let code_challenge =
        match pkce_challenge(&client, get("code_challenge"), get("code_challenge_method")) {
            Ok(challenge) => challenge,
            Err(description) => return invalid(description, Some(state)),
        };
    if get("prompt").is_some_and(|p| p.split_whitespace().any(|p| p == PROMPT_SELECT_ACCOUNT)) {
        let description = "Unmet authentication requirements";
        return refuse(OAuthError::UnmetAuthenticationRequirements, description, Some(state));
    }
    if let Some(error) = s.knobs().authorise_error {
        let (code, description) = error.redirect();
        return refuse(code, description, Some(state));
    }
    let request = AuthRequest {
        client_id: client.cfg.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: state.to_owned(),
        nonce: nonce.to_owned(),
        scopes,
        vtr,
        claims,
        code_challenge,
    };
    if s.cfg.auto_sign_in {
        return finish_sign_in(&s, request, 0, None, Vec::new(), Vec::new());
    }
    let request_id = random_token();
    let page = sign_in_page(&s, &request_id, &request);
    s.lock().pending.insert(request_id, request);
    page
}

gaap_http::open_enum! {
    /// The `response_mode`s One Login takes.
    pub(crate) enum ResponseMode {
        Query = "query", Fragment = "fragment",
    }
}

/// The scopes asked for (`openid` among them, the rest registered for the client), or the error code and
/// description One Login redirects with.
pub(super) fn requested_scopes(
    client: &Client,
    raw: Option<&str>,
) -> Result<Vec<String>, (OAuthError, &'static str)> {
    let scopes: Vec<String> =
        raw.unwrap_or_default().split_whitespace().map(str::to_owned).collect();
    if !scopes.iter().any(|sc| sc == SCOPE_OPENID) {
        return Err((OAuthError::InvalidRequest, "Request is missing openid scope"));
    }
    if scopes.iter().any(|sc| !client.cfg.scopes.contains(sc) && sc != SCOPE_OPENID) {
        return Err((OAuthError::InvalidScope, "Invalid, unknown or malformed scope"));
    }
    Ok(scopes)
}

/// The vector of trust asked for, when it parses (gaap-identity's reading of the simulator's grammar) and the
/// client may ask for its level: an identity level needs a client registered for identity (never a
/// client_secret_post one), as the simulator's vtr-validator says.
pub(super) fn permitted_vtr(client: &Client, raw: Option<&str>) -> Option<Vtr> {
    let vtr = Vtr::from_authorize_param(raw).ok()?;
    let identity_refused = !client.cfg.identity_verification_supported
        || client.cfg.token_auth_method == TokenAuthMethod::ClientSecretPost;
    if let Some(level) = vtr.level()
        && (!client.cfg.client_locs.iter().any(|l| l == level.as_str())
            || (level != LevelOfConfidence::P0 && identity_refused))
    {
        return None;
    }
    Some(vtr)
}

/// The PKCE `code_challenge`: S256 only, and required when the client enforces PKCE; otherwise the error
/// description.
pub(super) fn pkce_challenge(
    client: &Client,
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<Option<String>, &'static str> {
    match (method, challenge) {
        (Some(PKCE_S256), Some(_)) | (None, None) => {}
        (None, Some(_)) | (Some(_), _) => {
            return Err("Invalid value for code_challenge_method parameter");
        }
    }
    if client.cfg.pkce_enforced && challenge.is_none() {
        return Err("Request is missing code_challenge parameter");
    }
    Ok(challenge.map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vtr_follows_the_simulator_grammar() {
        // The sandbox reads `vtr` with gaap-identity's parser; these pin the simulator's grammar it keeps.
        let parse_vtr = |raw: Option<&str>| {
            Vtr::from_authorize_param(raw).ok().map(|v| {
                (v.credential().as_str().to_owned(), v.level().map(|l| l.as_str().to_owned()))
            })
        };
        assert_eq!(parse_vtr(None), Some(("Cl.Cm".to_owned(), None)));
        assert_eq!(
            parse_vtr(Some("[\"Cm.Cl.P2\"]")),
            Some(("Cl.Cm".to_owned(), Some("P2".to_owned())))
        );
        assert_eq!(parse_vtr(Some("[\"Cl\"]")), Some(("Cl".to_owned(), None)));
        assert_eq!(parse_vtr(Some("[\"Cl.P2\"]")), None);
        assert_eq!(parse_vtr(Some("[\"Cl.Cm.P1.P2\"]")), None);
        assert_eq!(parse_vtr(Some("not json")), None);
    }
}
