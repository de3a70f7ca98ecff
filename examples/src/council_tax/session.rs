//! Server-side sessions keyed by a random cookie.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use rand::RngCore as _;

/// The session cookie's name.
pub(crate) const COOKIE_NAME: &str = "council_tax_session";

/// What the service remembers about one visitor.
#[derive(Debug, Clone, Default)]
pub(crate) struct Session {
    /// A One Login sign-in in flight (`state`, `nonce`, redirect URI).
    pub(crate) sign_in: Option<gaap_identity::PendingAuthorization>,
    /// The signed-in user: One Login subject and email.
    pub(crate) user: Option<(String, String)>,
    /// The postcode they entered (normalised).
    pub(crate) postcode: Option<String>,
    /// The UPRN they picked.
    pub(crate) uprn: Option<String>,
}

/// All sessions, in memory.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

/// A random 128-bit token in hex.
pub(crate) fn random_token() -> String {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().fold(String::with_capacity(32), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

impl Sessions {
    /// The session id from the request's cookie, if it names a live session.
    pub(crate) fn id_from(&self, headers: &HeaderMap) -> Option<String> {
        let id = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE_NAME)
            .map(|(_, value)| value.to_owned())?;
        self.lock().contains_key(&id).then_some(id)
    }

    /// The session for the request, creating one if needed; the bool says it is new (set the cookie).
    pub(crate) fn get_or_create(&self, headers: &HeaderMap) -> (String, Session, bool) {
        if let Some(id) = self.id_from(headers) {
            let session = self.lock().get(&id).cloned().unwrap_or_default();
            return (id, session, false);
        }
        let id = random_token();
        self.lock().insert(id.clone(), Session::default());
        (id, Session::default(), true)
    }

    /// The session for the request, if there is one.
    pub(crate) fn get(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let id = self.id_from(headers)?;
        let session = self.lock().get(&id).cloned()?;
        Some((id, session))
    }

    /// Changes a session in place.
    pub(crate) fn update(&self, id: &str, f: impl FnOnce(&mut Session)) {
        if let Some(session) = self.lock().get_mut(id) {
            f(session);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The `Set-Cookie` value for a session id.
pub(crate) fn set_cookie(id: &str) -> String {
    format!("{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Lax")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookie_finds_only_live_sessions() {
        let sessions = Sessions::default();
        let (id, _, created) = sessions.get_or_create(&HeaderMap::new());
        assert!(created);
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("other=1; {COOKIE_NAME}={id}")).unwrap(),
        );
        assert_eq!(sessions.id_from(&headers), Some(id.clone()));
        sessions.update(&id, |s| s.postcode = Some("SW1A 1AA".to_owned()));
        assert_eq!(sessions.get(&headers).unwrap().1.postcode.as_deref(), Some("SW1A 1AA"));

        let mut forged = HeaderMap::new();
        forged.insert(COOKIE, HeaderValue::from_static("council_tax_session=deadbeef"));
        assert_eq!(sessions.id_from(&forged), None);
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = random_token();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, random_token());
    }
}
