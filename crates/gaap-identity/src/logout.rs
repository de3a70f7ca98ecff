//! RP-initiated logout and back-channel logout-token replay protection.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use time::OffsetDateTime;
use url::Url;

use crate::error::Error;
use crate::types::IdToken;

/// Builds the end-session URL: `id_token_hint`, then `post_logout_redirect_uri` (must be registered) and
/// `state` when given. One Login answers `302 {post_logout_redirect_uri}?state=…`.
///
/// # Errors
/// [`Error::Config`] for a bad endpoint URL.
pub fn end_session_url(
    end_session_endpoint: &str,
    id_token_hint: &IdToken,
    post_logout_redirect_uri: Option<&str>,
    state: Option<&str>,
) -> Result<Url, Error> {
    let mut url = Url::parse(end_session_endpoint).map_err(|e| {
        Error::Config(format!("end-session endpoint {end_session_endpoint:?}: {e}"))
    })?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("id_token_hint", id_token_hint.expose_secret());
        if let Some(uri) = post_logout_redirect_uri {
            q.append_pair("post_logout_redirect_uri", uri);
        }
        if let Some(state) = state {
            q.append_pair("state", state);
        }
    }
    Ok(url)
}

/// Remembers logout-token `jti`s so a token is honoured once.
///
/// Implement it on a shared store (database, cache) when several instances receive logout tokens.
pub trait JtiStore: Send + Sync + fmt::Debug {
    /// Records `jti` until `forget_after`; returns `false` when it was already recorded and not yet forgotten.
    fn first_use(&self, jti: &str, forget_after: OffsetDateTime, now: OffsetDateTime) -> bool;
}

/// An in-process [`JtiStore`]; entries are dropped once past their time.
#[derive(Debug, Default)]
pub struct MemoryJtiStore {
    seen: Mutex<HashMap<String, OffsetDateTime>>,
}

impl MemoryJtiStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl JtiStore for MemoryJtiStore {
    fn first_use(&self, jti: &str, forget_after: OffsetDateTime, now: OffsetDateTime) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, until| *until > now);
        if seen.contains_key(jti) {
            return false;
        }
        seen.insert(jti.to_owned(), forget_after);
        true
    }
}
