//! A sign-in in progress. What the callback needs (nonce, PKCE verifier, vtr, the path to return to) is kept
//! server-side under the SHA-256 of `state`, for at most ten minutes, and is taken out (deleted) when the
//! callback reads it, so a replayed callback finds nothing. It is bound to the browser that started it by the
//! sign-in cookie: a callback carrying someone else's `state` (login CSRF) is refused.

use std::time::Duration;

use gaap_identity::{Nonce, PendingAuthorization, PkceVerifier, State, Vtr};
use serde::{Deserialize, Serialize};

use super::session::Secret;

/// How long a sign-in may take, from the redirect to One Login to the callback: 10 minutes.
pub(crate) const PENDING_MAX_AGE_SECONDS: i64 = 600;

/// The stored half of a sign-in (the `state` itself is only stored hashed, as the key).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PendingSignIn {
    nonce: Secret,
    pkce_verifier: Option<Secret>,
    /// The vector of trust asked for.
    pub(crate) vtr: String,
    redirect_uri: String,
    max_age_seconds: Option<u64>,
    /// The same-origin path (and query) to send the browser back to.
    pub(crate) return_to: String,
    /// SHA-256 of the sign-in cookie of the browser that started it.
    pub(crate) browser: String,
}

impl PendingSignIn {
    /// Keeps what the callback will need from a built authorize request.
    pub(crate) fn new(pending: &PendingAuthorization, return_to: String, browser: String) -> Self {
        Self {
            nonce: Secret::new(pending.nonce.expose_secret().to_owned()),
            pkce_verifier: pending
                .pkce_verifier
                .as_ref()
                .map(|v| Secret::new(v.expose_secret().to_owned())),
            vtr: pending.vtr.to_string(),
            redirect_uri: pending.redirect_uri.clone(),
            max_age_seconds: pending.max_age.map(|d| d.as_secs()),
            return_to,
            browser,
        }
    }

    /// gaap-identity's view of it again, with the `state` the callback carried (already matched by hash).
    pub(crate) fn to_authorization(&self, state: &str) -> Result<PendingAuthorization, String> {
        let vtr: Vtr = self.vtr.parse().map_err(|e| format!("stored vtr: {e}"))?;
        Ok(PendingAuthorization {
            state: State::new(state),
            nonce: Nonce::new(self.nonce.expose_secret()),
            pkce_verifier: self
                .pkce_verifier
                .as_ref()
                .map(|v| PkceVerifier::new(v.expose_secret())),
            vtr,
            redirect_uri: self.redirect_uri.clone(),
            max_age: self.max_age_seconds.map(Duration::from_secs),
        })
    }
}

/// `raw` when it is a path on this origin (`/…`, not `//host` or `/\host`, no control characters and at most
/// 2048 bytes); `None` otherwise, so a crafted return address can never send the browser to another site.
pub(crate) fn safe_return_path(raw: &str) -> Option<String> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= 2048
        && !raw.bytes().any(|b| b == b'\\' || b.is_ascii_control() || b == b' ' || b >= 0x80);
    if !ok {
        return None;
    }
    // Belt and braces: resolved against a dummy origin, it must stay there.
    let base = url::Url::parse("http://gateway.invalid/").ok()?;
    let joined = base.join(raw).ok()?;
    (joined.origin() == base.origin()).then(|| raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_paths_are_return_addresses() {
        for good in ["/", "/apply", "/apply/form?step=2&x=%2F%2Fevil", "/a//b"] {
            assert_eq!(safe_return_path(good).as_deref(), Some(good), "{good}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/\n/evil.example",
            "",
            " /x",
        ] {
            assert_eq!(safe_return_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn round_trips_through_json_without_showing_secrets() {
        let built = gaap_identity::AuthorizeRequest::new()
            .pkce(true)
            .vtr(Vtr::identity(gaap_identity::LevelOfConfidence::P2))
            .build("https://oidc.example/authorize", "client", "https://gw.example/_gaap/callback")
            .unwrap();
        let p = PendingSignIn::new(&built.pending, "/apply".to_owned(), "b".to_owned());
        assert!(!format!("{p:?}").contains(built.pending.nonce.expose_secret()));
        let json = serde_json::to_string(&p).unwrap();
        let back: PendingSignIn = serde_json::from_str(&json).unwrap();
        let auth = back.to_authorization(built.pending.state.expose_secret()).unwrap();
        assert_eq!(auth.vtr, built.pending.vtr);
        assert_eq!(auth.nonce.expose_secret(), built.pending.nonce.expose_secret());
        assert_eq!(
            auth.pkce_verifier.unwrap().expose_secret(),
            built.pending.pkce_verifier.unwrap().expose_secret()
        );
        assert!(auth.state.matches(built.pending.state.expose_secret()));
    }
}
