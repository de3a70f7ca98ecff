//! `GET /userinfo`: the claims the scopes and `claims` ask for, with the core identity JWT.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::config::UserConfig;

use super::errors::{oauth_error, unauthorised};
use super::sign_in::loc_rank;
use super::token_endpoint::apply_signature_knobs;
use super::{
    ADDRESS_CLAIM, CORE_IDENTITY_CLAIM, CORE_IDENTITY_LIFETIME, DRIVING_PERMIT_CLAIM, Grant,
    OneLoginState, PASSPORT_CLAIM, RETURN_CODE_CLAIM,
};

/// The user's core identity credential: as configured, or built from their name and date of birth; none when
/// `POST /config` set it to null.
pub(super) fn core_identity_vc(user: &UserConfig) -> Option<Value> {
    match &user.core_identity_vc {
        Some(Value::Null) => None,
        Some(vc) => Some(vc.clone()),
        None => {
            let mut name_parts: Vec<Value> =
                user.given_names.iter().map(|g| json!({"value": g, "type": "GivenName"})).collect();
            name_parts.push(json!({"value": user.family_name, "type": "FamilyName"}));
            Some(json!({
                "type": ["VerifiableCredential", "IdentityCheckCredential"],
                "credentialSubject": {"name": [{"nameParts": name_parts}],
                                      "birthDate": [{"value": user.birth_date}]}}))
        }
    }
}

pub(super) fn core_identity(
    s: &OneLoginState,
    grant: &Grant,
    user: &UserConfig,
    loc: &str,
    now: OffsetDateTime,
) -> Result<String, String> {
    let has = |e: &str| grant.core_identity_errors.iter().any(|x| x == e);
    // The simulator's expired core identity is a day old, past any RP's leeway.
    let exp = if has("TOKEN_EXPIRED") {
        now - Duration::from_secs(86_400)
    } else {
        now + CORE_IDENTITY_LIFETIME
    };
    let claims = json!({
        "sub": if has("INCORRECT_SUB") { "urn:fdc:gov.uk:2022:incorrect-sub".to_owned() } else { user.sub.clone() },
        "iss": if has("INVALID_ISS") { "https://invalid-issuer.account.gov.uk/".to_owned() } else { s.issuer() },
        "aud": if has("INVALID_AUD") { "invalid-client-id".to_owned() } else { grant.request.client_id.clone() },
        "nbf": now.unix_timestamp(), "iat": now.unix_timestamp(), "exp": exp.unix_timestamp(),
        "vot": loc, "vtm": s.url("trustmark"),
        "vc": core_identity_vc(user),
    });
    let kid = s.identity_kid();
    let token = s.identity_key.sign(&kid, Some("JWT"), &claims)?;
    Ok(apply_signature_knobs(&token, has("INVALID_ALG_HEADER"), has("INVALID_SIGNATURE"), &kid))
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
    let mut out = serde_json::Map::new();
    out.insert("sub".to_owned(), json!(user.sub));
    let scoped = |name: &str| grant.request.scopes.iter().any(|sc| sc == name);
    if scoped("email") {
        out.insert("email".to_owned(), json!(user.email));
        out.insert("email_verified".to_owned(), json!(user.email_verified));
    }
    if scoped("phone") {
        // As the simulator: no `phone_number` when the user has none, `phone_number_verified` as configured.
        if let Some(phone) = &user.phone_number {
            out.insert("phone_number".to_owned(), json!(phone));
        }
        out.insert("phone_number_verified".to_owned(), json!(user.phone_number_verified));
    }
    let wants = |claim: &str| grant.request.claims.iter().any(|c| c == claim);
    let proven =
        grant.request.loc().filter(|l| loc_rank(l) > 0 && loc_rank(l) <= loc_rank(&user.max_loc));
    if let Some(loc) = proven {
        // As the simulator: no credential configured, no core identity claim.
        if wants(CORE_IDENTITY_CLAIM) && core_identity_vc(&user).is_some() {
            match core_identity(&s, &grant, &user, loc, now) {
                Ok(jwt) => {
                    out.insert(CORE_IDENTITY_CLAIM.to_owned(), json!(jwt));
                }
                Err(e) => {
                    return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e);
                }
            }
        }
        // A claim the user has no value for is left out, as the simulator does.
        for (claim, value) in [
            (ADDRESS_CLAIM, &user.address),
            (PASSPORT_CLAIM, &user.passport),
            (DRIVING_PERMIT_CLAIM, &user.driving_permit),
        ] {
            if wants(claim)
                && let Some(value) = value
            {
                out.insert(claim.to_owned(), value.clone());
            }
        }
    }
    if wants(RETURN_CODE_CLAIM) {
        let codes: Vec<Value> = user.return_codes.iter().map(|c| json!({"code": c})).collect();
        out.insert(RETURN_CODE_CLAIM.to_owned(), json!(codes));
    }
    axum::Json(Value::Object(out)).into_response()
}
