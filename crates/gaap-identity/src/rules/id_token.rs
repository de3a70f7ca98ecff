use std::time::Duration;

use super::{
    check_exp, check_iat, checked_audience, checked_issuer, constant_time_eq, leeway_secs, number,
    opt_number, opt_string, select_key, string, verified_payload,
};
use crate::error::TokenError;
use crate::types::{Algorithm, IdTokenClaims, JwkSet, Vtr};

/// What an ID token (or a logout token) must agree with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expectations {
    /// The discovery issuer, exactly (One Login's ends with `/`).
    pub issuer: String,
    /// Our client id.
    pub client_id: String,
    /// The one accepted algorithm: ES256 unless the client registered RS256.
    pub alg: Algorithm,
    /// Clock-skew allowance for `exp`/`iat`, at most [`super::MAX_LEEWAY`].
    pub leeway: Duration,
    /// `max_age` sent in the authorize request; then `auth_time` must be recent enough.
    pub max_age: Option<Duration>,
}

impl Expectations {
    /// ES256, 30 s leeway, no `max_age`.
    #[must_use]
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            alg: Algorithm::ES256,
            leeway: Duration::from_secs(30),
            max_age: None,
        }
    }

    /// Pins another algorithm.
    #[must_use]
    pub fn with_alg(mut self, alg: Algorithm) -> Self {
        self.alg = alg;
        self
    }

    /// Sets the leeway (clamped to 60 s).
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway.min(super::MAX_LEEWAY);
        self
    }
}

/// Validates an ID token with One Login's rules, in the documented order: pinned `alg`, `kid` in the
/// JWKS, signature, `iss`, `aud` (and `azp`), `exp`, `iat` not in the future, `sub`, `nonce`, `vot` equal to
/// the credential part of `vtr`, and `auth_time` when `max_age` was sent.
///
/// # Errors
/// The first rule broken, as a [`TokenError`].
pub fn verify_id_token(
    token: &str,
    keys: &JwkSet,
    expect: &Expectations,
    nonce: &str,
    vtr: &Vtr,
    now: i64,
) -> Result<IdTokenClaims, TokenError> {
    let map =
        verified_payload(token, expect.alg, |kid| select_key(keys, kid, expect.alg).cloned())?;
    let leeway = leeway_secs(expect.leeway);
    let iss = checked_issuer(&map, &expect.issuer)?;
    let aud = checked_audience(&map, &expect.client_id)?;
    let exp = number(&map, "exp")?;
    check_exp(exp, now, leeway)?;
    let iat = number(&map, "iat")?;
    check_iat(iat, now, leeway)?;
    let sub = string(&map, "sub")?;
    let sent = string(&map, "nonce")?;
    if !constant_time_eq(&sent, nonce) {
        return Err(TokenError::NonceMismatch);
    }
    let vot = string(&map, "vot")?;
    if vot != vtr.expected_id_token_vot() {
        return Err(TokenError::VotMismatch {
            expected: vtr.expected_id_token_vot().to_owned(),
            found: vot,
        });
    }
    let auth_time = opt_number(&map, "auth_time")?;
    if let Some(max_age) = expect.max_age {
        let auth_time = auth_time.ok_or(TokenError::MissingClaim("auth_time"))?;
        let max_age = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
        if auth_time.saturating_add(max_age).saturating_add(leeway) < now {
            return Err(TokenError::Expired { exp: auth_time.saturating_add(max_age), now });
        }
    }
    Ok(IdTokenClaims {
        iss,
        sub,
        aud,
        exp,
        iat,
        vot,
        vtm: opt_string(&map, "vtm")?,
        sid: opt_string(&map, "sid")?,
        auth_time,
        raw: map,
    })
}

/// Checks `at_hash` against the access token issued with the ID token: base64url of the left half of the
/// hash named by `alg` (SHA-256 for ES256, RS256 and PS256). An absent `at_hash` is accepted (code flow);
/// an algorithm without a known hash fails closed.
///
/// # Errors
/// [`TokenError::AtHashMismatch`], or [`TokenError::UnsupportedAlgorithm`] for an unknown hash.
pub fn check_at_hash(
    claims: &IdTokenClaims,
    access_token: &str,
    alg: Algorithm,
) -> Result<(), TokenError> {
    let Some(sent) = claims.raw.get("at_hash") else { return Ok(()) };
    let sent = sent.as_str().ok_or(TokenError::MissingClaim("at_hash"))?;
    let digest = match alg {
        Algorithm::ES256 | Algorithm::RS256 | Algorithm::PS256 | Algorithm::HS256 => {
            &ring::digest::SHA256
        }
        Algorithm::RS384 | Algorithm::PS384 => &ring::digest::SHA384,
        Algorithm::RS512 | Algorithm::PS512 => &ring::digest::SHA512,
        other => {
            return Err(TokenError::UnsupportedAlgorithm {
                alg: other.as_str().to_owned(),
                expected: alg,
            });
        }
    };
    let hash = ring::digest::digest(digest, access_token.as_bytes());
    let left = hash.as_ref().get(..hash.as_ref().len() / 2).unwrap_or_default();
    if constant_time_eq(&crate::jws::b64(left), sent) {
        Ok(())
    } else {
        Err(TokenError::AtHashMismatch)
    }
}
