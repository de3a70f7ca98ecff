//! Residents' sessions, and the signed cookie that carries a sign-in in progress.
//!
//! - Nothing is stored for a visitor who has not signed in. A sign-in in flight (`state`, `nonce`, the
//!   redirect URI) travels in a short-lived cookie signed with HMAC-SHA-256 under a key kept in the
//!   database, so every replica can check it; the MAC is compared in constant time.
//! - A session is made at sign-in, always with a new id (32 random bytes): an id planted in the browser
//!   before sign-in is never promoted. The database keys it by the SHA-256 of the id, so a copy of the
//!   table cannot be turned back into cookies.
//! - A session ends after [`Limits::idle`] without use, [`Limits::absolute`] after sign-in, or at sign-out;
//!   times come from the app's injected clock. Every sign-in first sweeps ended sessions and keeps at most
//!   [`Limits::max_sessions`], dropping the least recently used.
//! - Over https the cookies are `Secure` with the `__Host-` prefix.

use std::fmt;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gaap_http::SharedClock;
use ring::rand::SecureRandom as _;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq as _;

use crate::store::{Records, StoreError};

/// How long a sign-in may take, from the redirect to One Login to the callback: 10 minutes.
pub(crate) const PENDING_MAX_AGE_SECONDS: i64 = 600;

/// Session limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A session unused for this long has ended (default 30 minutes).
    pub idle: Duration,
    /// A session this old has ended however much it is used (default 8 hours).
    pub absolute: Duration,
    /// At most this many sessions are kept; past it the least recently used go (default 100,000).
    pub max_sessions: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(8 * 60 * 60),
            max_sessions: 100_000,
        }
    }
}

/// What the service remembers about a signed-in resident. Its `Debug` leaves the tokens out.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SessionData {
    /// The One Login subject.
    pub(crate) subject: String,
    /// The email address from One Login.
    pub(crate) email: String,
    /// The raw ID token, for `id_token_hint` at sign-out.
    pub(crate) id_token: String,
    /// The token every form carries, compared in constant time.
    pub(crate) csrf: String,
    /// The postcode they entered (normalised).
    pub(crate) postcode: Option<String>,
    /// The UPRN they picked.
    pub(crate) uprn: Option<String>,
}

impl fmt::Debug for SessionData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionData")
            .field("subject", &self.subject)
            .field("postcode", &self.postcode)
            .field("uprn", &self.uprn)
            .finish_non_exhaustive()
    }
}

impl SessionData {
    /// Whether a submitted form token is this session's.
    pub(crate) fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| bool::from(s.as_bytes().ct_eq(self.csrf.as_bytes())))
    }
}

/// A live session found from the request's cookie.
#[derive(Debug, Clone)]
pub(crate) struct Current {
    pub(crate) id_hash: String,
    pub(crate) data: SessionData,
}

/// 32 random bytes, base64url without padding (43 characters).
pub(crate) fn new_token() -> Result<String, StoreErrorOrRandom> {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut bytes).map_err(|_| StoreErrorOrRandom::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether a cookie value has the shape of [`new_token`]'s output; anything else is never looked up.
pub(crate) fn looks_like_token(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The key a session id is stored under: base64url(SHA-256(id)).
pub(crate) fn hash_token(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()))
}

/// A session failure: the database, or the system's random generator.
#[derive(Debug)]
pub(crate) enum StoreErrorOrRandom {
    Store(StoreError),
    Random,
}

impl fmt::Display for StoreErrorOrRandom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(err) => write!(f, "session store: {err}"),
            Self::Random => f.write_str("the system random generator failed"),
        }
    }
}

impl From<StoreError> for StoreErrorOrRandom {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

/// The app's two cookies (the session, and the sign-in in progress) and whether they are `Secure`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cookies {
    pub(crate) session: &'static str,
    pub(crate) sign_in: &'static str,
    secure: bool,
}

impl Cookies {
    /// Over https the names carry the `__Host-` prefix: `Secure`, no `Domain`, `Path=/`.
    pub(crate) const fn new(https: bool) -> Self {
        let (session, sign_in) = match https {
            true => ("__Host-council_tax_session", "__Host-council_tax_signin"),
            false => ("council_tax_session", "council_tax_signin"),
        };
        Self { session, sign_in, secure: https }
    }

    /// `name=value`, `Max-Age` when given, and the attributes every cookie of the app has.
    fn cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> String {
        let mut cookie = format!("{name}={value}");
        if let Some(seconds) = max_age {
            cookie.push_str(&format!("; Max-Age={seconds}"));
        }
        cookie.push_str("; Path=/; HttpOnly; SameSite=Lax");
        if self.secure {
            cookie.push_str("; Secure");
        }
        cookie
    }

    /// `Set-Cookie` for a new session (a browser-session cookie; the server enforces expiry).
    pub(crate) fn set_session(&self, id: &str) -> String {
        self.cookie(self.session, id, None)
    }

    /// `Set-Cookie` that removes the session cookie.
    pub(crate) fn clear_session(&self) -> String {
        self.cookie(self.session, "", Some(0))
    }

    /// `Set-Cookie` for a sign-in in progress.
    pub(crate) fn set_sign_in(&self, value: &str) -> String {
        self.cookie(self.sign_in, value, Some(PENDING_MAX_AGE_SECONDS))
    }

    /// `Set-Cookie` that removes the sign-in cookie.
    pub(crate) fn clear_sign_in(&self) -> String {
        self.cookie(self.sign_in, "", Some(0))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers (the first one wins).
pub(crate) fn read_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A sign-in in progress, as carried in its cookie. Its `Debug` leaves `state` and `nonce` out.
#[derive(Serialize, Deserialize)]
pub(crate) struct PendingSignIn {
    state: String,
    nonce: String,
    vtr: String,
    redirect_uri: String,
    /// When the sign-in started, Unix seconds on the app's clock.
    issued_at: i64,
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn").field("issued_at", &self.issued_at).finish_non_exhaustive()
    }
}

impl PendingSignIn {
    pub(crate) fn new(pending: &gaap_identity::PendingAuthorization, now: i64) -> Self {
        Self {
            state: pending.state.expose_secret().to_owned(),
            nonce: pending.nonce.expose_secret().to_owned(),
            vtr: pending.vtr.to_string(),
            redirect_uri: pending.redirect_uri.clone(),
            issued_at: now,
        }
    }

    /// gaap-identity's view of it again.
    pub(crate) fn to_authorization(&self) -> Option<gaap_identity::PendingAuthorization> {
        Some(gaap_identity::PendingAuthorization {
            state: gaap_identity::State::new(self.state.clone()),
            nonce: gaap_identity::Nonce::new(self.nonce.clone()),
            pkce_verifier: None,
            vtr: self.vtr.parse().ok()?,
            redirect_uri: self.redirect_uri.clone(),
            max_age: None,
        })
    }
}

/// Signs and checks the sign-in cookie: `base64url(JSON).base64url(HMAC-SHA-256)`.
pub(crate) struct Signer(ring::hmac::Key);

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    pub(crate) fn new(key: &[u8]) -> Self {
        Self(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key))
    }

    pub(crate) fn seal(&self, pending: &PendingSignIn) -> Option<String> {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(pending).ok()?);
        let tag = URL_SAFE_NO_PAD.encode(ring::hmac::sign(&self.0, body.as_bytes()));
        Some(format!("{body}.{tag}"))
    }

    /// The sign-in in the cookie, if its MAC is ours (checked in constant time) and it started at most
    /// [`PENDING_MAX_AGE_SECONDS`] ago.
    pub(crate) fn open(&self, value: &str, now: i64) -> Option<PendingSignIn> {
        let (body, tag) = value.split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        ring::hmac::verify(&self.0, body.as_bytes(), &tag).ok()?;
        let pending: PendingSignIn =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
        let age = now - pending.issued_at;
        (0..=PENDING_MAX_AGE_SECONDS).contains(&age).then_some(pending)
    }
}

/// Sessions in the database.
#[derive(Debug)]
pub(crate) struct Sessions {
    pub(crate) records: Records,
    pub(crate) clock: SharedClock,
    pub(crate) limits: Limits,
    pub(crate) cookies: Cookies,
    pub(crate) signer: Signer,
}

fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

impl Sessions {
    pub(crate) fn now(&self) -> i64 {
        self.clock.unix_seconds()
    }

    /// The live session named by the request's cookie. An ended one is deleted and not returned.
    pub(crate) async fn current(&self, headers: &HeaderMap) -> Result<Option<Current>, StoreError> {
        let Some(id) = read_cookie(headers, self.cookies.session).filter(|v| looks_like_token(v))
        else {
            return Ok(None);
        };
        let id_hash = hash_token(id);
        let Some(row) = self.records.session(&id_hash).await? else { return Ok(None) };
        let now = self.now();
        let idle = now.saturating_sub(row.last_seen) > seconds(self.limits.idle);
        let old = now.saturating_sub(row.created_at) > seconds(self.limits.absolute);
        let data = serde_json::from_str::<SessionData>(&row.data).ok();
        let Some(data) = data.filter(|_| !idle && !old) else {
            self.records.delete_session(&id_hash).await?;
            return Ok(None);
        };
        // Recorded at most once a minute, to spare the database a write per page.
        if now - row.last_seen >= 60 {
            self.records.touch_session(&id_hash, now).await?;
        }
        Ok(Some(Current { id_hash, data }))
    }

    /// Makes a new session for a resident who has just signed in; returns its id for the cookie.
    pub(crate) async fn start(&self, data: &SessionData) -> Result<String, StoreErrorOrRandom> {
        let now = self.now();
        self.records
            .sweep_sessions(
                now - seconds(self.limits.idle),
                now - seconds(self.limits.absolute),
                self.limits.max_sessions.saturating_sub(1),
            )
            .await?;
        let id = new_token()?;
        let json = serde_json::to_string(data).map_err(|_| StoreErrorOrRandom::Random)?;
        self.records.create_session(&hash_token(&id), &json, now).await?;
        Ok(id)
    }

    /// Saves a session's changed data.
    pub(crate) async fn save(&self, current: &Current) -> Result<(), StoreError> {
        let json = serde_json::to_string(&current.data).unwrap_or_default();
        self.records.update_session(&current.id_hash, &json).await
    }

    /// Ends the session the request names, whether or not it is still live.
    pub(crate) async fn end(&self, headers: &HeaderMap) -> Result<(), StoreError> {
        if let Some(id) = read_cookie(headers, self.cookies.session).filter(|v| looks_like_token(v))
        {
            self.records.delete_session(&hash_token(id)).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn pending() -> gaap_identity::PendingAuthorization {
        gaap_identity::AuthorizeRequest::new()
            .build(
                "https://oidc.example/authorize",
                "client",
                "https://ct.example/sign-in/callback",
            )
            .unwrap()
            .pending
    }

    #[test]
    fn the_sign_in_cookie_opens_only_with_our_key_and_in_time() {
        let built = pending();
        let signer = Signer::new(b"key one");
        let sealed = signer.seal(&PendingSignIn::new(&built, 1_000)).unwrap();
        assert!(!sealed.contains(built.nonce.expose_secret()), "the nonce is encoded, not plain");
        let opened = signer.open(&sealed, 1_000 + PENDING_MAX_AGE_SECONDS).unwrap();
        let auth = opened.to_authorization().unwrap();
        assert!(auth.state.matches(built.state.expose_secret()));
        assert_eq!(auth.nonce.expose_secret(), built.nonce.expose_secret());
        assert!(signer.open(&sealed, 1_001 + PENDING_MAX_AGE_SECONDS).is_none(), "too old");
        assert!(signer.open(&sealed, 999).is_none(), "from the future");
        assert!(Signer::new(b"key two").open(&sealed, 1_000).is_none(), "another key");
        let (body, tag) = sealed.split_once('.').unwrap();
        let mut forged = body.to_owned();
        forged.push('A');
        assert!(signer.open(&format!("{forged}.{tag}"), 1_000).is_none(), "a changed body");
        assert!(signer.open(body, 1_000).is_none(), "no MAC");
        assert!(!format!("{opened:?}").contains(built.nonce.expose_secret()));
    }

    #[test]
    fn cookies_follow_the_scheme() {
        let plain = Cookies::new(false);
        assert_eq!(plain.set_session("x"), "council_tax_session=x; Path=/; HttpOnly; SameSite=Lax");
        let secure = Cookies::new(true);
        assert_eq!(
            secure.set_session("x"),
            "__Host-council_tax_session=x; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert!(secure.set_sign_in("v").starts_with("__Host-council_tax_signin=v; Max-Age=600;"));
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; council_tax_session=abc"));
        assert_eq!(read_cookie(&headers, plain.session), Some("abc"));
        assert_eq!(read_cookie(&headers, secure.session), None);
    }

    #[test]
    fn tokens_are_random_and_only_their_shape_is_looked_up() {
        let a = new_token().unwrap();
        assert!(looks_like_token(&a));
        assert_ne!(a, new_token().unwrap());
        assert!(!looks_like_token("deadbeef"));
        assert!(!looks_like_token(&format!("{}=", &a[..42])));
        assert_eq!(hash_token(&a).len(), 43);
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn csrf_tokens_must_match_exactly() {
        let data = SessionData {
            subject: "s".to_owned(),
            email: "e".to_owned(),
            id_token: "t0k3n".to_owned(),
            csrf: "s3cr3t".to_owned(),
            postcode: None,
            uprn: None,
        };
        assert!(data.csrf_matches(Some("s3cr3t")));
        assert!(!data.csrf_matches(Some("s3cr3")));
        assert!(!data.csrf_matches(Some("")));
        assert!(!data.csrf_matches(None));
        assert!(!format!("{data:?}").contains("s3cr3t"));
        assert!(!format!("{data:?}").contains("t0k3n"));
    }
}
