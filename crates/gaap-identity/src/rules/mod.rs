//! One Login's validation rules as pure functions: no I/O, time passed in.

mod core_identity;
mod id_token;
mod logout_token;

use std::time::Duration;

use serde_json::{Map, Value};

pub use core_identity::{CoreIdentityExpectations, DidDocument, verify_core_identity};
pub use id_token::{Expectations, check_at_hash, verify_id_token};
pub use logout_token::{BACKCHANNEL_LOGOUT_EVENT, verify_logout_token};

use crate::error::TokenError;
use crate::jws;
use crate::types::{Algorithm, Jwk, JwkSet};

/// The largest clock-skew leeway accepted: 60 seconds.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);

/// Compares two strings in constant time (for a given length).
#[must_use]
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The `max-age` of a `Cache-Control` header, unless `no-store`/`no-cache` forbids reuse.
#[must_use]
pub fn cache_max_age(header: &str) -> Option<Duration> {
    let mut max_age = None;
    for directive in header.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(v) = lower.strip_prefix("max-age=") {
            max_age = v.trim_matches('"').parse::<u64>().ok().map(Duration::from_secs);
        }
    }
    max_age
}

/// Chooses the verification key: exact `kid` match, or with no `kid` the only key that fits `alg`.
///
/// # Errors
/// [`TokenError::UnknownKey`] when no key (or more than one, without a `kid`) fits.
pub fn select_key<'k>(
    keys: &'k JwkSet,
    kid: Option<&str>,
    alg: Algorithm,
) -> Result<&'k Jwk, TokenError> {
    keys.select(kid, alg).map_err(|_| TokenError::UnknownKey { kid: kid.map(str::to_owned) })
}

/// Parses a JWKS document leniently: keys of unsupported types or curves are skipped.
///
/// # Errors
/// When it is not a JSON object with a `keys` array.
pub fn parse_jwks(bytes: &[u8]) -> Result<JwkSet, serde_json::Error> {
    jws::parse_jwks(bytes)
}

/// Pins `alg`, selects the key with `select`, verifies; returns the payload object.
pub(crate) fn verified_payload(
    token: &str,
    alg: Algorithm,
    select: impl FnOnce(Option<&str>) -> Result<Jwk, TokenError>,
) -> Result<Map<String, Value>, TokenError> {
    let payload = jws::verify_pinned(token, alg, select)?;
    match serde_json::from_slice::<Value>(&payload) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(TokenError::Malformed("payload is not a JSON object".to_owned())),
        Err(e) => Err(TokenError::Malformed(format!("payload is not JSON: {e}"))),
    }
}

/// The header `kid` of a compact JWS, without verifying anything.
///
/// # Errors
/// [`TokenError::Malformed`] when it is not a compact JWS.
pub fn peek_kid(token: &str) -> Result<Option<String>, TokenError> {
    jws::peek_kid(token)
}

pub(crate) fn string(map: &Map<String, Value>, claim: &'static str) -> Result<String, TokenError> {
    map.get(claim).and_then(Value::as_str).map(str::to_owned).ok_or(TokenError::MissingClaim(claim))
}

pub(crate) fn opt_string(
    map: &Map<String, Value>,
    claim: &'static str,
) -> Result<Option<String>, TokenError> {
    match map.get(claim) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(TokenError::MissingClaim(claim)),
    }
}

pub(crate) fn number(map: &Map<String, Value>, claim: &'static str) -> Result<i64, TokenError> {
    map.get(claim).and_then(numeric_date).ok_or(TokenError::MissingClaim(claim))
}

pub(crate) fn opt_number(
    map: &Map<String, Value>,
    claim: &'static str,
) -> Result<Option<i64>, TokenError> {
    match map.get(claim) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => numeric_date(v).map(Some).ok_or(TokenError::MissingClaim(claim)),
    }
}

/// A NumericDate: an integer, or a finite float truncated to whole seconds.
fn numeric_date(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15).map(|f| {
            #[allow(clippy::cast_possible_truncation)]
            let whole = f.trunc() as i64;
            whole
        })
    })
}

pub(crate) fn checked_issuer(
    map: &Map<String, Value>,
    expected: &str,
) -> Result<String, TokenError> {
    let iss = string(map, "iss")?;
    if iss == expected {
        Ok(iss)
    } else {
        Err(TokenError::WrongIssuer { expected: expected.to_owned(), found: iss })
    }
}

/// `aud` (string or array) must contain `client_id`; with several audiences `azp` must be `client_id`.
pub(crate) fn checked_audience(
    map: &Map<String, Value>,
    client_id: &str,
) -> Result<Vec<String>, TokenError> {
    let wrong = |reason: &str| TokenError::WrongAudience {
        client_id: client_id.to_owned(),
        reason: reason.to_owned(),
    };
    let aud: Vec<String> = match map.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| wrong("aud has a non-string member"))?,
        None => return Err(wrong("aud is missing")),
        Some(_) => return Err(wrong("aud is neither a string nor an array")),
    };
    if !aud.iter().any(|a| a == client_id) {
        return Err(wrong("aud does not contain the client id"));
    }
    if aud.len() > 1 && map.get("azp").and_then(Value::as_str) != Some(client_id) {
        return Err(wrong("several audiences and azp is not the client id"));
    }
    if map.get("azp").is_some_and(|azp| azp.as_str() != Some(client_id)) {
        return Err(wrong("azp is not the client id"));
    }
    Ok(aud)
}

pub(crate) fn leeway_secs(leeway: Duration) -> i64 {
    i64::try_from(leeway.min(MAX_LEEWAY).as_secs()).unwrap_or(60)
}

/// `exp > now − leeway`.
pub(crate) fn check_exp(exp: i64, now: i64, leeway: i64) -> Result<(), TokenError> {
    if exp.saturating_add(leeway) > now { Ok(()) } else { Err(TokenError::Expired { exp, now }) }
}

/// `iat ≤ now + leeway`.
pub(crate) fn check_iat(iat: i64, now: i64, leeway: i64) -> Result<(), TokenError> {
    if iat <= now.saturating_add(leeway) {
        Ok(())
    } else {
        Err(TokenError::IssuedInFuture { iat, now })
    }
}
