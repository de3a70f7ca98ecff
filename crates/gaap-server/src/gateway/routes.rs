//! The gateway's own endpoints under `/_gaap/`.
//!
//! - `GET /_gaap/callback`: One Login's redirect back. The `state` is taken (once) from the store, must have
//!   been started by this browser, and then gaap-identity checks everything else; a new session id is
//!   issued (never one the browser brought) and the browser goes back to the path it first asked for.
//! - `GET /_gaap/sign-in?return_to=/path`: starts a sign-in for a same-origin path.
//! - `GET /_gaap/sign-out` shows a form; `POST /_gaap/sign-out` with the form's `csrf` token (and, when the
//!   browser sends one, a same-origin `Origin`) ends the session and then One Login's.
//! - `GET /_gaap/signed-out`: the page One Login returns to.
//! - `POST /_gaap/back-channel-logout`: One Login's logout token (checked by gaap-identity, its `jti`
//!   remembered in the shared store) ends every session of its `sid`, or of its `sub` when it has no `sid`.
//!   It uses no cookies, so a cross-site form cannot ride on a session.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_identity::{AuthorizeErrorCode, CallbackOutcome, IdentityOutcome, Vtr};
use subtle::ConstantTimeEq as _;

use super::pending::{PENDING_MAX_AGE_SECONDS, PendingSignIn, safe_return_path};
use super::session::{
    Secret, Session, SessionData, hash_token, looks_like_token, new_token, read_cookie,
};
use super::{Gateway, error_text, headers, needs_identity, sign_in_href};

fn query_param(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Why a sign-in could not be completed after the code came back.
enum Failure {
    /// One Login could not be reached: 503.
    Unavailable,
    /// A token or answer failed validation, or the code was refused: 502.
    Invalid,
    /// Identity was not proven to the level asked for: 403.
    NotProven,
}

fn classify(e: &gaap_identity::Error) -> Failure {
    match e {
        gaap_identity::Error::Transport { .. } | gaap_identity::Error::Timeout { .. } => {
            Failure::Unavailable
        }
        gaap_identity::Error::Api { status, .. } if *status >= 500 => Failure::Unavailable,
        _ => Failure::Invalid,
    }
}

/// `GET /_gaap/callback`.
pub(super) async fn callback(
    State(gw): State<Arc<Gateway>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let Some(state) = query_param(&query, "state") else {
        gw.logger.warn("sign-in refused", &[("reason", "the callback has no state")]);
        return gw.pages.sign_in_expired();
    };
    let taken = match gw.store.take_pending(&hash_token(&state)).await {
        Ok(t) => t,
        Err(e) => return gw.store_failed(&e),
    };
    let Some((data, created_at)) = taken else {
        gw.logger.warn("sign-in refused", &[("reason", "unknown or already used state")]);
        return gw.pages.sign_in_expired();
    };
    if gw.now() - created_at > PENDING_MAX_AGE_SECONDS {
        gw.logger.warn("sign-in refused", &[("reason", "the sign-in took too long")]);
        return gw.pages.sign_in_expired();
    }
    let Ok(pending) = serde_json::from_str::<PendingSignIn>(&data) else {
        gw.logger.error("sign-in refused", &[("reason", "a pending sign-in does not decode")]);
        return gw.pages.sign_in_expired();
    };
    let browser = read_cookie(&headers, gw.cookies.sign_in)
        .filter(|v| looks_like_token(v))
        .map(hash_token)
        .unwrap_or_default();
    if !constant_time_eq(&browser, &pending.browser) {
        gw.logger.warn("sign-in refused", &[("reason", "the callback came to another browser")]);
        return gw.pages.sign_in_expired();
    }
    let retry = sign_in_href(&pending.return_to);
    let auth = match pending.to_authorization(&state) {
        Ok(a) => a,
        Err(e) => {
            gw.logger.error("sign-in refused", &[("reason", &e)]);
            return gw.pages.sign_in_expired();
        }
    };
    let code = match auth.callback(&query) {
        Ok(CallbackOutcome::Code(code)) => code,
        Ok(CallbackOutcome::AccessDenied { description }) => {
            gw.logger.info(
                "One Login answered access_denied",
                &[("description", description.as_deref().unwrap_or(""))],
            );
            return gw.pages.access_denied(&retry);
        }
        Ok(CallbackOutcome::Error {
            error: AuthorizeErrorCode::TemporarilyUnavailable, ..
        }) => {
            gw.logger.warn("One Login answered temporarily_unavailable", &[]);
            return gw.pages.one_login_unavailable();
        }
        Ok(CallbackOutcome::Error { error, description }) => {
            gw.logger.error(
                "One Login answered an error",
                &[
                    ("error", &format!("{error:?}")),
                    ("description", description.as_deref().unwrap_or("")),
                ],
            );
            return gw.pages.sign_in_failed(&retry);
        }
        Ok(other) => {
            gw.logger.error("One Login answered an error", &[("error", &format!("{other:?}"))]);
            return gw.pages.sign_in_failed(&retry);
        }
        Err(e) => {
            gw.logger.warn("sign-in refused", &[("reason", &error_text(&e))]);
            return gw.pages.sign_in_expired();
        }
    };
    match finish(&gw, &auth, code).await {
        Ok(data) => start_session(&gw, &headers, data, &pending.return_to).await,
        Err((failure, e)) => {
            let kind = e.token_error().map_or("", gaap_identity::TokenError::kind);
            gw.logger.error(
                "sign-in failed",
                &[("error", &error_text(&e)), ("token_error", kind), ("vtr", &pending.vtr)],
            );
            match failure {
                Failure::Unavailable => gw.pages.one_login_unavailable(),
                Failure::Invalid => gw.pages.sign_in_failed(&retry),
                Failure::NotProven => gw.pages.identity_not_proven(&retry),
            }
        }
    }
}

/// The code exchange, userinfo and (for a level of confidence) the core identity, all by gaap-identity.
async fn finish(
    gw: &Gateway,
    auth: &gaap_identity::PendingAuthorization,
    code: gaap_identity::AuthorizationCode,
) -> Result<SessionData, (Failure, gaap_identity::Error)> {
    let tokens = gw.client.exchange_code(auth, code).await.map_err(|e| (classify(&e), e))?;
    let info = gw.client.userinfo(&tokens).await.map_err(|e| (classify(&e), e))?;
    let vtr: Vtr = auth.vtr;
    let identity = if needs_identity(&vtr) {
        match gw.client.identity_outcome(&info, &vtr).await.map_err(|e| (classify(&e), e))? {
            IdentityOutcome::Proven { identity, .. } => Some(headers::identity_value(&identity)),
            _ => {
                return Err((
                    Failure::NotProven,
                    gaap_identity::Error::Config(format!("identity not proven at {vtr}")),
                ));
            }
        }
    } else {
        None
    };
    let csrf =
        new_token().map_err(|e| (Failure::Unavailable, gaap_identity::Error::Config(e.0)))?;
    Ok(SessionData {
        sub: tokens.claims.sub.clone(),
        sid: tokens.claims.sid.clone(),
        email: info.email.clone(),
        email_verified: info.email_verified,
        vtr: vtr.to_string(),
        identity,
        id_token: Secret::new(tokens.id_token.expose_secret().to_owned()),
        csrf: Secret::new(csrf),
    })
}

/// Saves a session under a fresh id (ending the one the browser had, if any) and returns to `return_to`.
async fn start_session(
    gw: &Gateway,
    headers: &HeaderMap,
    data: SessionData,
    return_to: &str,
) -> Response {
    let id = match new_token() {
        Ok(id) => id,
        Err(e) => return gw.store_failed(&e),
    };
    let now = gw.now();
    if let Some(old) = read_cookie(headers, gw.cookies.session).filter(|v| looks_like_token(v))
        && let Err(e) = gw.store.delete(&hash_token(old)).await
    {
        return gw.store_failed(&e);
    }
    let vtr = data.vtr.clone();
    let session = Session::new(data, now, now);
    if let Err(e) = gw.store.create(&hash_token(&id), &session).await {
        return gw.store_failed(&e);
    }
    if let Err(e) = gw.store.purge_sessions(now - gw.idle, now - gw.absolute).await {
        gw.logger.warn("session purge failed", &[("error", &e.to_string())]);
    }
    gw.logger.info("signed in", &[("vtr", &vtr)]);
    // Checked when the sign-in started; checked again so nothing stored can redirect off the site.
    let target = safe_return_path(return_to).unwrap_or_else(|| "/".to_owned());
    let mut r = see_other(&target);
    if let Ok(v) = HeaderValue::from_str(&gw.cookies.set_session(&id)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `GET /_gaap/sign-in?return_to=/path`.
pub(super) async fn sign_in(
    State(gw): State<Arc<Gateway>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let raw = query_param(query.as_deref().unwrap_or_default(), "return_to")
        .unwrap_or_else(|| "/".to_owned());
    let Some(return_to) = safe_return_path(&raw) else {
        gw.logger.warn("sign-in refused", &[("reason", "return_to is not a path on this site")]);
        return gw.pages.bad_return_address();
    };
    let path = return_to.split('?').next().unwrap_or("/");
    let route = gw.route_for(path);
    let vtr = if route.sign_in { route.vtr } else { Vtr::default() };
    gw.start_sign_in(&headers, return_to, vtr).await
}

/// `GET /_gaap/sign-out`: the confirmation form (signing out is a POST, so no other site can trigger it).
pub(super) async fn sign_out_page(State(gw): State<Arc<Gateway>>, headers: HeaderMap) -> Response {
    match gw.current_session(&headers).await {
        Ok(Some((_, s))) => gw.pages.sign_out(s.data.csrf.expose_secret()),
        Ok(None) => see_other(super::SIGNED_OUT_PATH),
        Err(e) => gw.store_failed(&e),
    }
}

/// `POST /_gaap/sign-out` with `csrf`: ends the session here, then One Login's.
pub(super) async fn sign_out(
    State(gw): State<Arc<Gateway>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // The token below is the defence; a real Origin from another site is refused as well. Browsers send
    // `Origin: null` under `Referrer-Policy: no-referrer` (the server's default), so that passes on.
    if let Some(origin) = headers.get(header::ORIGIN)
        && origin.as_bytes() != b"null"
        && origin.as_bytes() != gw.public_origin.as_bytes()
    {
        gw.logger.warn("sign-out refused", &[("reason", "cross-origin form")]);
        return gw.pages.forbidden_form();
    }
    let (hash, session) = match gw.current_session(&headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return see_other(super::SIGNED_OUT_PATH),
        Err(e) => return gw.store_failed(&e),
    };
    let sent = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !constant_time_eq(&sent, session.data.csrf.expose_secret()) {
        gw.logger.warn("sign-out refused", &[("reason", "missing or wrong csrf token")]);
        return gw.pages.forbidden_form();
    }
    if let Err(e) = gw.store.delete(&hash).await {
        return gw.store_failed(&e);
    }
    gw.logger.info("signed out", &[]);
    let hint = gaap_identity::IdToken::new(session.data.id_token.expose_secret());
    let target =
        match gw.client.end_session_url(&hint, Some(&gw.post_logout_redirect_uri), None).await {
            Ok(url) => url.to_string(),
            Err(e) => {
                gw.logger.error("cannot build the end-session URL", &[("error", &error_text(&e))]);
                super::SIGNED_OUT_PATH.to_owned()
            }
        };
    let mut r = see_other(&target);
    if let Ok(v) = HeaderValue::from_str(&gw.cookies.clear_session()) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `GET /_gaap/signed-out`.
pub(super) async fn signed_out(State(gw): State<Arc<Gateway>>) -> Response {
    gw.pages.signed_out()
}

/// Anything else under `/_gaap/`.
pub(super) async fn not_found(State(gw): State<Arc<Gateway>>) -> Response {
    gw.pages.not_found()
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut r = (status, text).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `POST /_gaap/back-channel-logout` with `logout_token`: 200 when sessions were ended (or there were
/// none), 400 for a token that fails validation or was seen before, 500 when the store failed (One Login
/// then tries again).
pub(super) async fn back_channel_logout(State(gw): State<Arc<Gateway>>, body: Bytes) -> Response {
    let Some(token) = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
    else {
        gw.logger.warn("logout token refused", &[("reason", "no logout_token")]);
        return plain(StatusCode::BAD_REQUEST, "no logout_token\n");
    };
    let claims = match gw.client.verify_logout_token(&token).await {
        Ok(c) => c,
        Err(e) => {
            let kind = e.token_error().map_or("", gaap_identity::TokenError::kind);
            gw.logger
                .warn("logout token refused", &[("error", &error_text(&e)), ("token_error", kind)]);
            return match classify(&e) {
                Failure::Unavailable => {
                    plain(StatusCode::INTERNAL_SERVER_ERROR, "cannot check the token now\n")
                }
                _ => plain(StatusCode::BAD_REQUEST, "invalid logout token\n"),
            };
        }
    };
    // gaap-identity remembers the jti in this process; the store remembers it for every replica.
    let now = gw.now();
    let forget_after = claims.exp.max(now + 180) + 60;
    match gw.store.first_use_jti(&claims.jti, forget_after, now).await {
        Ok(true) => {}
        Ok(false) => {
            gw.logger.warn("logout token refused", &[("token_error", "replayed")]);
            return plain(StatusCode::BAD_REQUEST, "invalid logout token\n");
        }
        Err(e) => {
            gw.logger.error("session store failed", &[("error", &e.to_string())]);
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "cannot end sessions now\n");
        }
    }
    match gw.store.end_sessions(claims.sid.as_deref(), &claims.sub).await {
        Ok(n) => {
            gw.logger.info("back-channel logout", &[("sessions_ended", &n.to_string())]);
            plain(StatusCode::OK, "")
        }
        Err(e) => {
            gw.logger.error("session store failed", &[("error", &e.to_string())]);
            plain(StatusCode::INTERNAL_SERVER_ERROR, "cannot end sessions now\n")
        }
    }
}
