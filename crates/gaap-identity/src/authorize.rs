//! The `/authorize` request and its callback.

use std::collections::BTreeSet;
use std::time::Duration;

use url::Url;

use crate::error::Error;
use crate::types::{
    AuthorizationCode, AuthorizeErrorCode, CallbackOutcome, ClaimsRequest, Nonce, PkceVerifier,
    Scope, State, UiLocale, Vtr,
};

/// What to ask One Login for. `state` and `nonce` are always generated; `openid` is always in scope.
///
/// ```
/// use gaap_identity::{AuthorizeRequest, ClaimsRequest, LevelOfConfidence, Scope, UiLocale, VocabClaim, Vtr};
///
/// let request = AuthorizeRequest::new()
///     .scope(Scope::Email)
///     .vtr(Vtr::identity(LevelOfConfidence::P2))
///     .claims(ClaimsRequest::new().with(VocabClaim::CoreIdentityJwt))
///     .ui_locale(UiLocale::Cy)
///     .pkce(true);
/// let built = request
///     .build("https://oidc.integration.account.gov.uk/authorize", "my-client", "https://service.gov.uk/callback")
///     .unwrap();
/// assert!(built.url.as_str().contains("vtr=%5B%22Cl.Cm.P2%22%5D"));
/// assert!(built.pending.pkce_verifier.is_some());
/// ```
#[derive(Debug, Clone, Default)]
pub struct AuthorizeRequest {
    scopes: BTreeSet<Scope>,
    vtr: Vtr,
    claims: ClaimsRequest,
    ui_locale: Option<UiLocale>,
    pkce: bool,
    max_age: Option<Duration>,
}

impl AuthorizeRequest {
    /// `openid` only, `vtr` `["Cl.Cm"]`, no claims, no PKCE.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a scope.
    #[must_use]
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scopes.insert(scope);
        self
    }

    /// Sets the vector of trust.
    #[must_use]
    pub fn vtr(mut self, vtr: Vtr) -> Self {
        self.vtr = vtr;
        self
    }

    /// Sets the `claims` request.
    #[must_use]
    pub fn claims(mut self, claims: ClaimsRequest) -> Self {
        self.claims = claims;
        self
    }

    /// Sets `ui_locales`.
    #[must_use]
    pub fn ui_locale(mut self, locale: UiLocale) -> Self {
        self.ui_locale = Some(locale);
        self
    }

    /// Turns PKCE (S256) on or off.
    #[must_use]
    pub fn pkce(mut self, on: bool) -> Self {
        self.pkce = on;
        self
    }

    /// Sends `max_age` (approved services only); the ID token's `auth_time` is then checked.
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Builds the URL for `authorization_endpoint`, with fresh `state`, `nonce` and PKCE verifier.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad endpoint URL or a failing random generator.
    pub fn build(
        &self,
        authorization_endpoint: &str,
        client_id: &str,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest, Error> {
        let mut url = Url::parse(authorization_endpoint).map_err(|e| {
            Error::Config(format!("authorization endpoint {authorization_endpoint:?}: {e}"))
        })?;
        let state = State::generate()?;
        let nonce = Nonce::generate()?;
        let pkce_verifier = if self.pkce { Some(PkceVerifier::generate()?) } else { None };
        let scope: Vec<&str> =
            std::iter::once("openid").chain(self.scopes.iter().map(|s| s.as_str())).collect();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("scope", &scope.join(" "))
                .append_pair("client_id", client_id)
                .append_pair("state", state.expose_secret())
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("nonce", nonce.expose_secret())
                .append_pair("vtr", &self.vtr.to_param());
            if let Some(locale) = self.ui_locale {
                q.append_pair("ui_locales", locale.as_str());
            }
            if !self.claims.is_empty() {
                q.append_pair("claims", &self.claims.to_param());
            }
            if let Some(verifier) = &pkce_verifier {
                q.append_pair("code_challenge", &verifier.challenge())
                    .append_pair("code_challenge_method", "S256");
            }
            if let Some(max_age) = self.max_age {
                q.append_pair("max_age", &max_age.as_secs().to_string());
            }
        }
        Ok(AuthorizationRequest {
            url,
            pending: PendingAuthorization {
                state,
                nonce,
                pkce_verifier,
                vtr: self.vtr,
                redirect_uri: redirect_uri.to_owned(),
                max_age: self.max_age,
            },
        })
    }
}

/// A built authorize request: send the browser to `url`, keep `pending` in the user's session.
#[derive(Debug)]
pub struct AuthorizationRequest {
    /// Where to redirect the browser.
    pub url: Url,
    /// What the callback and the token exchange need.
    pub pending: PendingAuthorization,
}

/// The per-login secrets to keep in the user's session (server side) until the callback.
#[derive(Debug, Clone)]
pub struct PendingAuthorization {
    /// The `state` sent.
    pub state: State,
    /// The `nonce` sent.
    pub nonce: Nonce,
    /// The PKCE verifier, when PKCE was used.
    pub pkce_verifier: Option<PkceVerifier>,
    /// The vector of trust asked for.
    pub vtr: Vtr,
    /// The redirect URI sent (repeated at `/token`).
    pub redirect_uri: String,
    /// `max_age`, when sent.
    pub max_age: Option<Duration>,
}

impl PendingAuthorization {
    /// Reads the callback query string (without `?`). `state` must be present and ours; then `error` gives a
    /// typed outcome (`access_denied` apart) and `code` a code to exchange.
    ///
    /// # Errors
    /// [`Error::State`] for a missing or foreign `state`, or a response with neither `code` nor `error`.
    pub fn callback(&self, query: &str) -> Result<CallbackOutcome, Error> {
        let (mut state, mut code, mut error, mut description) = (None, None, None, None);
        for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            match k.as_ref() {
                "state" => state = Some(v.into_owned()),
                "code" => code = Some(v.into_owned()),
                "error" => error = Some(v.into_owned()),
                "error_description" => description = Some(v.into_owned()),
                _ => {}
            }
        }
        let state = state.ok_or_else(|| Error::State("the callback has no state".to_owned()))?;
        if !self.state.matches(&state) {
            return Err(Error::State(
                "the callback state is not the one sent for this session".to_owned(),
            ));
        }
        match (error, code) {
            (Some(e), _) if e == "access_denied" => {
                Ok(CallbackOutcome::AccessDenied { description })
            }
            (Some(e), _) => {
                Ok(CallbackOutcome::Error { error: AuthorizeErrorCode::parse(&e), description })
            }
            (None, Some(code)) => Ok(CallbackOutcome::Code(AuthorizationCode::new(code))),
            (None, None) => Err(Error::State("the callback has neither code nor error".to_owned())),
        }
    }
}
