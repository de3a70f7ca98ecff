use serde_json::Value;

use super::{
    Expectations, check_exp, check_iat, checked_audience, checked_issuer, leeway_secs, number,
    opt_string, select_key, string, verified_payload,
};
use crate::error::TokenError;
use crate::types::{JwkSet, LogoutTokenClaims};

/// The one member `events` must hold, with `{}` as its value.
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Validates a back-channel logout token in One Login's order: `kid` and pinned `alg`, signature, `iss`,
/// `aud`, `iat` in the past, `exp` in the future, `sub` present, `events` exactly the logout event, no
/// `nonce`, and a `jti`. Replay is checked by the caller's [`crate::JtiStore`].
///
/// # Errors
/// The first rule broken, as a [`TokenError`].
pub fn verify_logout_token(
    token: &str,
    keys: &JwkSet,
    expect: &Expectations,
    now: i64,
) -> Result<LogoutTokenClaims, TokenError> {
    let map =
        verified_payload(token, expect.alg, |kid| select_key(keys, kid, expect.alg).cloned())?;
    let leeway = leeway_secs(expect.leeway);
    let iss = checked_issuer(&map, &expect.issuer)?;
    let aud = checked_audience(&map, &expect.client_id)?;
    let iat = number(&map, "iat")?;
    check_iat(iat, now, leeway)?;
    let exp = number(&map, "exp")?;
    check_exp(exp, now, leeway)?;
    let sub = string(&map, "sub")?;
    match map.get("events") {
        None => return Err(TokenError::MissingClaim("events")),
        Some(Value::Object(events)) => {
            let only_logout = events.len() == 1
                && events
                    .get(BACKCHANNEL_LOGOUT_EVENT)
                    .and_then(Value::as_object)
                    .is_some_and(|v| v.is_empty());
            if !only_logout {
                return Err(TokenError::InvalidEvent);
            }
        }
        Some(_) => return Err(TokenError::InvalidEvent),
    }
    if map.contains_key("nonce") {
        return Err(TokenError::NoncePresent);
    }
    let jti = string(&map, "jti")?;
    Ok(LogoutTokenClaims { iss, sub, aud, iat, exp, jti, sid: opt_string(&map, "sid")?, raw: map })
}
