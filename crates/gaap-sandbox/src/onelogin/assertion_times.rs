//! The time claims of a client assertion. RFC 7519 NumericDates may carry fractions, and One Login's own test
//! client sends them, so `exp`, `iat` and `nbf` are read as numbers, not integers (the simulator's
//! `validate-private-key-jwt.ts`: `exp` a number, expired when the current whole second is past it). The sandbox
//! also refuses an `exp` further ahead than [`MAX_AHEAD_SECONDS`]: a long-lived assertion is a replayable
//! credential, and its `jti` would have to be remembered for as long. The simulator then verifies the assertion
//! with jose's `jwtVerify` and its defaults, which also refuses an `nbf` still ahead and an `exp` that is not after
//! the current whole second; it answers those as a bad signature, and so does the sandbox.

use serde_json::Value;
use time::OffsetDateTime;

/// How far ahead of now a client assertion's `exp` may be.
pub(crate) const MAX_AHEAD_SECONDS: f64 = 3600.0;

/// Why the assertion's times are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeProblem {
    /// `exp` missing or not a number, or `iat`/`nbf` present and not numbers: a malformed assertion.
    Malformed,
    /// `exp` has passed.
    Expired,
    /// `exp` is more than [`MAX_AHEAD_SECONDS`] ahead.
    TooFarAhead,
    /// `nbf` is after the current whole second, or `exp` is that second: jose's `jwtVerify` time checks fail.
    NotValidNow,
}

/// Checks `exp` (and the types of `iat` and `nbf`); the expiry, as a time, for the `jti` store.
pub(crate) fn check(claims: &Value, now: OffsetDateTime) -> Result<OffsetDateTime, TimeProblem> {
    for optional in ["iat", "nbf"] {
        if claims.get(optional).is_some_and(|v| !v.is_number()) {
            return Err(TimeProblem::Malformed);
        }
    }
    let exp = claims.get("exp").and_then(Value::as_f64).ok_or(TimeProblem::Malformed)?;
    if !exp.is_finite() || exp <= 0.0 {
        return Err(TimeProblem::Malformed);
    }
    let now_secs = now.unix_timestamp();
    // Compared in whole seconds as the simulator does: `Math.floor(Date.now() / 1000) > exp`.
    #[allow(clippy::cast_precision_loss)]
    let now_f = now_secs as f64;
    if now_f > exp {
        return Err(TimeProblem::Expired);
    }
    if exp - now_f > MAX_AHEAD_SECONDS {
        return Err(TimeProblem::TooFarAhead);
    }
    // jose: `exp <= now` and `nbf > now` fail, `now` being the current whole second.
    let not_before = claims.get("nbf").and_then(Value::as_f64);
    if exp <= now_f || not_before.is_some_and(|nbf| nbf > now_f) {
        return Err(TimeProblem::NotValidNow);
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = exp.ceil() as i64;
    Ok(OffsetDateTime::from_unix_timestamp(whole).unwrap_or(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fractional_dates_are_numeric_dates() {
        let now = time::macros::datetime!(2026-11-22 10:00 UTC);
        let t = now.unix_timestamp() as f64;
        assert!(check(&(json!({"exp": t + 299.5, "iat": t - 0.25})), now).is_ok());
        assert_eq!(
            check(&(json!({"exp": t + 0.5})), now).unwrap().unix_timestamp(),
            now.unix_timestamp() + 1
        );
        assert_eq!(
            check(&(json!({"exp": t})), now),
            Err(TimeProblem::NotValidNow),
            "jose: exp <= now"
        );
        assert!(check(&(json!({"exp": t + 0.001})), now).is_ok());
        assert_eq!(
            check(&(json!({"exp": t + 60.0, "nbf": t + 0.5})), now),
            Err(TimeProblem::NotValidNow)
        );
        assert!(check(&(json!({"exp": t + 60.0, "nbf": t})), now).is_ok());
        assert!(
            check(&(json!({"exp": t + 60.0, "iat": t + 3600.0})), now).is_ok(),
            "iat unchecked"
        );
        assert_eq!(check(&(json!({"exp": t - 0.5})), now), Err(TimeProblem::Expired));
        assert_eq!(check(&(json!({"exp": t + 315_360_000.0})), now), Err(TimeProblem::TooFarAhead));
        assert_eq!(check(&(json!({"exp": "soon"})), now), Err(TimeProblem::Malformed));
        assert_eq!(
            check(&(json!({"exp": t + 60.0, "iat": "now"})), now),
            Err(TimeProblem::Malformed)
        );
        assert_eq!(check(&(json!({})), now), Err(TimeProblem::Malformed));
    }
}
