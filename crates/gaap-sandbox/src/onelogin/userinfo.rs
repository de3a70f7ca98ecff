//! `GET /userinfo`: the claims the scopes and `claims` ask for, with the core identity JWT.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_identity::{
    BirthDate, IdentityCredential, LevelOfConfidence, Name, NamePart, NamePartKind, ReturnCode,
    Scope, UserInfo, VocabClaim,
};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::config::UserConfig;

use super::errors::{OAuthError, oauth_error, unauthorised};
use super::knobs::CoreIdentityError;
use super::token_endpoint::{INVALID_AUDIENCE, INVALID_ISSUER, apply_signature_knobs};
use super::{CORE_IDENTITY_LIFETIME, Grant, OneLoginState};

/// The `sub` of a core identity with the `INCORRECT_SUB` knob, the simulator's.
const INCORRECT_SUB: &str = "urn:fdc:gov.uk:2022:incorrect-sub";

/// The user's core identity credential built from their names and date of birth; why it cannot be, otherwise.
pub(super) fn built_credential(user: &UserConfig) -> Result<IdentityCredential, String> {
    let birth = BirthDate::parse(&user.birth_date).ok_or_else(|| {
        format!("user {}: birth_date {:?} is not YYYY-MM-DD", user.sub, user.birth_date)
    })?;
    let mut parts: Vec<NamePart> =
        user.given_names.iter().map(|g| NamePart::new(NamePartKind::GivenName, g)).collect();
    parts.push(NamePart::new(NamePartKind::FamilyName, &user.family_name));
    Ok(IdentityCredential::new(vec![Name::new(parts)], vec![birth]))
}

/// The user's core identity credential: as configured, or built from their name and date of birth; none when
/// `POST /config` set it to null.
pub(super) fn core_identity_vc(user: &UserConfig) -> Result<Option<Value>, String> {
    match &user.core_identity_vc {
        Some(Value::Null) => Ok(None),
        Some(vc) => Ok(Some(vc.clone())),
        None => serde_json::to_value(built_credential(user)?).map(Some).map_err(|e| e.to_string()),
    }
}

/// The claims of the core identity JWT.
#[derive(Serialize)]
struct CoreIdentityClaims {
    sub: String,
    iss: String,
    aud: String,
    nbf: i64,
    iat: i64,
    exp: i64,
    vot: &'static str,
    vtm: String,
    vc: Option<Value>,
}

pub(super) fn core_identity(
    s: &OneLoginState,
    grant: &Grant,
    user: &UserConfig,
    loc: LevelOfConfidence,
    now: OffsetDateTime,
) -> Result<String, String> {
    let has = |e: CoreIdentityError| grant.core_identity_errors.contains(&e);
    // The simulator's expired core identity is a day old, past any RP's leeway.
    let exp = if has(CoreIdentityError::TokenExpired) {
        now - Duration::from_secs(86_400)
    } else {
        now + CORE_IDENTITY_LIFETIME
    };
    let pick = |knob, wrong: &str, right: String| if has(knob) { wrong.to_owned() } else { right };
    let claims = CoreIdentityClaims {
        sub: pick(CoreIdentityError::IncorrectSub, INCORRECT_SUB, user.sub.clone()),
        iss: pick(CoreIdentityError::InvalidIss, INVALID_ISSUER, s.issuer()),
        aud: pick(CoreIdentityError::InvalidAud, INVALID_AUDIENCE, grant.request.client_id.clone()),
        nbf: now.unix_timestamp(),
        iat: now.unix_timestamp(),
        exp: exp.unix_timestamp(),
        vot: loc.as_str(),
        vtm: s.url("trustmark"),
        vc: core_identity_vc(user)?,
    };
    let kid = s.identity_kid();
    let token = s.identity_key.sign(&kid, Some("JWT"), &claims)?;
    apply_signature_knobs(
        &token,
        has(CoreIdentityError::InvalidAlgHeader),
        has(CoreIdentityError::InvalidSignature),
        &kid,
    )
}

pub(super) async fn userinfo(State(s): State<Arc<OneLoginState>>, headers: HeaderMap) -> Response {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
    else {
        return unauthorised(None);
    };
    let now = s.clock.now();
    let Some((grant, expires)) = s.lock().access_tokens.get(token.trim()).cloned() else {
        return unauthorised(Some("Invalid access token"));
    };
    if now >= expires {
        return unauthorised(Some("Access token expired"));
    }
    let user = s.user(grant.user).unwrap_or_default();
    match userinfo_of(&s, &grant, &user, now) {
        Ok(info) => axum::Json(info).into_response(),
        Err(e) => oauth_error(StatusCode::INTERNAL_SERVER_ERROR, &OAuthError::ServerError, &e),
    }
}

/// What userinfo says of `user` to the client of `grant`: what its scopes and `claims` asked for.
fn userinfo_of(
    s: &OneLoginState,
    grant: &Grant,
    user: &UserConfig,
    now: OffsetDateTime,
) -> Result<UserInfo, String> {
    let mut info = UserInfo::new(user.sub.as_str());
    let scoped = |name: &str| grant.request.scopes.iter().any(|sc| sc == name);
    if scoped(Scope::Email.as_str()) {
        info = info.with_email(user.email.as_str(), user.email_verified);
    }
    if scoped(Scope::Phone.as_str()) {
        // As the simulator: no `phone_number` when the user has none, `phone_number_verified` as configured.
        info = info.with_phone_number(user.phone_number.clone(), user.phone_number_verified);
    }
    let wants = |claim: VocabClaim| grant.request.claims.iter().any(|c| c == claim.url());
    let proven =
        grant.request.loc().filter(|l| *l > LevelOfConfidence::P0 && *l <= super::max_level(user));
    if let Some(loc) = proven {
        // As the simulator: no credential configured, no core identity claim.
        if wants(VocabClaim::CoreIdentityJwt) && core_identity_vc(user)?.is_some() {
            let jwt = core_identity(s, grant, user, loc, now)?;
            info = info.with_vocab(VocabClaim::CoreIdentityJwt, Value::String(jwt));
        }
        // A claim the user has no value for is left out, as the simulator does.
        for (claim, value) in [
            (VocabClaim::Address, &user.address),
            (VocabClaim::Passport, &user.passport),
            (VocabClaim::DrivingPermit, &user.driving_permit),
        ] {
            if wants(claim)
                && let Some(value) = value
            {
                info = info.with_vocab(claim, value.clone());
            }
        }
    }
    if wants(VocabClaim::ReturnCode) {
        let codes: Vec<ReturnCode> = user.return_codes.iter().cloned().map(ReturnCode).collect();
        let codes = serde_json::to_value(codes).map_err(|e| e.to_string())?;
        info = info.with_vocab(VocabClaim::ReturnCode, codes);
    }
    Ok(info)
}
