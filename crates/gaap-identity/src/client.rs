//! The relying-party client: discovery, keys, token exchange, userinfo, core identity and logout.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gaap_http::{ClientConfig, RawResponse, RetryPolicy, Sent, outcome_of, send_with_retry};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use url::Url;

use crate::authorize::{AuthorizationRequest, AuthorizeRequest, PendingAuthorization};
use crate::error::{Error, TokenError, TokenKind};
use crate::logout::{JtiStore, MemoryJtiStore};
use crate::rules::{self, CoreIdentityExpectations, DidDocument, Expectations};
use crate::types::{
    AccessToken, Algorithm, AuthorizationCode, ClientAssertion, ClientKey, CoreIdentity, IdToken,
    IdTokenClaims, IdentityOutcome, JwkSet, LogoutTokenClaims, ProviderMetadata, ReturnCode,
    UserInfo, VocabClaim, Vtr,
};

const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The longest any document is cached, whatever its `max-age` says: keys removed upstream stop being
/// trusted within a day.
const MAX_CACHE_AGE: Duration = Duration::from_secs(86_400);
/// How long a logout-token `jti` is remembered at least (One Login: "not seen in the last 3 min").
const JTI_WINDOW: time::Duration = time::Duration::seconds(180);

/// Configures a [`Client`].
///
/// Defaults: ID tokens ES256, 30 s leeway, 10 s connect and 30 s per-attempt timeouts, no retries, client
/// assertions valid for 5 minutes, JWKS/DID refetch on an unknown `kid` at most once a minute, https only.
/// A response without `Cache-Control: max-age` is cached for a day (86,400 s) if it is the provider metadata
/// and for 5 minutes if it is a JWKS or DID document; nothing is cached for more than a day.
#[derive(Debug)]
pub struct ClientBuilder {
    issuer: String,
    client_id: String,
    redirect_uri: Option<String>,
    key: Option<ClientKey>,
    id_token_alg: Algorithm,
    leeway: Duration,
    config: ClientConfig,
    retry: RetryPolicy,
    identity_issuer: Option<String>,
    did_url: Option<String>,
    insecure_http_loopback: bool,
    refetch_cooldown: Duration,
    default_max_age: Duration,
    assertion_lifetime: Duration,
    jti_store: Option<Arc<dyn JtiStore>>,
}

impl ClientBuilder {
    /// Sets the redirect URI registered with One Login.
    #[must_use]
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// Sets the `private_key_jwt` signing key.
    #[must_use]
    pub fn signing_key(mut self, key: ClientKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Pins the ID-token (and logout-token) algorithm: ES256 (default) or RS256 if registered so.
    #[must_use]
    pub fn id_token_algorithm(mut self, alg: Algorithm) -> Self {
        self.id_token_alg = alg;
        self
    }

    /// Sets the clock-skew leeway for `exp`/`iat`/`nbf`; at most 60 s.
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Sets the core identity issuer and the DID document URL, e.g.
    /// `https://identity.integration.account.gov.uk/` and `…/.well-known/did.json`.
    #[must_use]
    pub fn identity(mut self, issuer: impl Into<String>, did_url: impl Into<String>) -> Self {
        self.identity_issuer = Some(issuer.into());
        self.did_url = Some(did_url.into());
        self
    }

    /// Allows plain `http://` to loopback hosts (127.0.0.0/8, ::1, localhost) for local simulators.
    /// Never turn this on in production.
    #[must_use]
    pub fn insecure_allow_http_loopback(mut self, allow: bool) -> Self {
        self.insecure_http_loopback = allow;
        self
    }

    // `retry_policy` retries the idempotent `GET`s: discovery, JWKS, DID document and userinfo (default: none;
    // see `RetryPolicy::decide`). The code exchange is never resent: a code is single use.
    gaap_http::client_builder_setters!(RetryPolicy);

    /// The least time between two refetches caused by an unknown `kid` (default 60 s).
    #[must_use]
    pub fn refetch_cooldown(mut self, cooldown: Duration) -> Self {
        self.refetch_cooldown = cooldown;
        self
    }

    /// How long the client assertion is valid (default and maximum 5 minutes).
    #[must_use]
    pub fn assertion_lifetime(mut self, lifetime: Duration) -> Self {
        self.assertion_lifetime = lifetime;
        self
    }

    /// Shares logout-token `jti`s through your own store (default: in memory).
    #[must_use]
    pub fn jti_store(mut self, store: Arc<dyn JtiStore>) -> Self {
        self.jti_store = Some(store);
        self
    }

    /// Builds the client. Nothing is fetched yet.
    ///
    /// # Errors
    /// [`Error::Config`] for a non-https URL (unless loopback is allowed), a leeway over 60 s, an assertion
    /// lifetime over 5 minutes, or an HTTP client that cannot be built.
    pub fn build(mut self) -> Result<Client, Error> {
        let allow = self.insecure_http_loopback;
        check_url(&self.issuer, allow)?;
        if let Some(uri) = &self.redirect_uri {
            Url::parse(uri).map_err(|e| Error::Config(format!("redirect URI {uri:?}: {e}")))?;
        }
        if let Some(did) = &self.did_url {
            check_url(did, allow)?;
        }
        if self.leeway > rules::MAX_LEEWAY {
            return Err(Error::Config("leeway must be at most 60 seconds".to_owned()));
        }
        if self.assertion_lifetime > Duration::from_secs(300) || self.assertion_lifetime.is_zero() {
            return Err(Error::Config(
                "client assertion lifetime must be between 1 s and 5 minutes".to_owned(),
            ));
        }
        let (http, _) = self
            .config
            .http_client(&gaap_http::crate_user_agent!(), |b| {
                b.redirect(reqwest::redirect::Policy::none()).https_only(!allow)
            })
            .map_err(|e| Error::Config(e.to_string()))?;
        let discovery_url =
            format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'));
        Ok(Client {
            inner: Arc::new(Inner {
                discovery_url,
                http,
                metadata: Slot::default(),
                jwks: Slot::default(),
                did: Slot::default(),
                jti_store: self.jti_store.take().unwrap_or_else(|| Arc::new(MemoryJtiStore::new())),
                config: self,
            }),
        })
    }
}

/// A GOV.UK One Login relying party. Cheap to clone; clones share caches.
///
/// ```no_run
/// # async fn run() -> Result<(), gaap_identity::Error> {
/// use gaap_identity::{AuthorizeRequest, CallbackOutcome, Client, ClientKey};
///
/// let client = Client::builder("https://oidc.integration.account.gov.uk/", "my-client-id")
///     .redirect_uri("https://my-service.gov.uk/callback")
///     .signing_key(ClientKey::from_pem(&std::fs::read_to_string("key.pem").unwrap_or_default())?)
///     .build()?;
/// let request = client.authorize(&AuthorizeRequest::new()).await?;
/// // Redirect to request.url; keep request.pending in the session. On the callback:
/// # let query = "";
/// if let CallbackOutcome::Code(code) = request.pending.callback(query)? {
///     let tokens = client.exchange_code(&request.pending, code).await?;
///     let userinfo = client.userinfo(&tokens).await?;
///     println!("{}", userinfo.sub);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("issuer", &self.inner.config.issuer)
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

struct Inner {
    config: ClientBuilder,
    discovery_url: String,
    http: reqwest::Client,
    metadata: Slot<ProviderMetadata>,
    jwks: Slot<JwkSet>,
    did: Slot<DidDocument>,
    jti_store: Arc<dyn JtiStore>,
}

/// The tokens from a successful code exchange, with the validated ID-token claims.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Tokens {
    /// The bearer token for `/userinfo`.
    pub access_token: AccessToken,
    /// The raw ID token (the logout `id_token_hint`).
    pub id_token: IdToken,
    /// Its validated claims.
    pub claims: IdTokenClaims,
    /// The access-token lifetime in seconds, when sent.
    pub expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<u64>,
    id_token: String,
}

impl Client {
    /// Starts configuring a client for `issuer` (One Login's ends with `/`) and `client_id`.
    #[must_use]
    pub fn builder(issuer: impl Into<String>, client_id: impl Into<String>) -> ClientBuilder {
        let issuer = issuer.into();
        ClientBuilder {
            config: ClientConfig::new(
                issuer.clone(),
                Duration::from_secs(30),
                Duration::from_secs(10),
            ),
            retry: RetryPolicy::never(),
            issuer,
            client_id: client_id.into(),
            redirect_uri: None,
            key: None,
            id_token_alg: Algorithm::ES256,
            leeway: Duration::from_secs(30),
            identity_issuer: None,
            did_url: None,
            insecure_http_loopback: false,
            refetch_cooldown: Duration::from_secs(60),
            default_max_age: Duration::from_secs(300),
            assertion_lifetime: Duration::from_secs(300),
            jti_store: None,
        }
    }

    fn config(&self) -> &ClientBuilder {
        &self.inner.config
    }

    fn now(&self) -> OffsetDateTime {
        self.config().config.clock.now()
    }

    fn expectations(&self) -> Expectations {
        let c = self.config();
        Expectations::new(c.issuer.clone(), c.client_id.clone())
            .with_alg(c.id_token_alg)
            .with_leeway(c.leeway)
    }

    /// The provider metadata: cached by `Cache-Control`, its `issuer` equal to the configured one, every
    /// endpoint https (or loopback http when allowed). A stale copy is used when a refresh fails.
    ///
    /// # Errors
    /// Transport, API, decode, or [`Error::Metadata`] for an issuer mismatch.
    pub async fn metadata(&self) -> Result<Arc<ProviderMetadata>, Error> {
        let inner = &self.inner;
        let allow = self.config().insecure_http_loopback;
        let now = self.now();
        if let Some((doc, true)) = inner.metadata.get(now) {
            return Ok(doc);
        }
        let fetched = self.fetch(&inner.discovery_url).await.and_then(|(body, max_age)| {
            let doc: ProviderMetadata =
                serde_json::from_slice(&body).map_err(|source| Error::Decode {
                    what: "provider metadata",
                    url: inner.discovery_url.clone(),
                    body: String::from_utf8_lossy(&body).into_owned(),
                    source,
                })?;
            if doc.issuer != self.config().issuer {
                return Err(Error::Metadata(format!(
                    "discovery issuer {:?} is not the configured {:?}",
                    doc.issuer,
                    self.config().issuer
                )));
            }
            for url in [&doc.authorization_endpoint, &doc.token_endpoint, &doc.jwks_uri]
                .into_iter()
                .chain(doc.userinfo_endpoint.as_ref())
                .chain(doc.end_session_endpoint.as_ref())
            {
                check_url(url, allow)?;
            }
            Ok((doc, max_age))
        });
        match fetched {
            Ok((doc, max_age)) => {
                Ok(inner.metadata.put(doc, now, max_age.unwrap_or(Duration::from_secs(86_400))))
            }
            Err(e @ (Error::Transport { .. } | Error::Timeout { .. } | Error::Api { .. })) => {
                inner.metadata.get(now).map(|(doc, _)| doc).ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Builds an authorize request against the discovered endpoint and the configured redirect URI.
    ///
    /// # Errors
    /// [`Error::Config`] without a redirect URI, or a discovery error.
    pub async fn authorize(
        &self,
        request: &AuthorizeRequest,
    ) -> Result<AuthorizationRequest, Error> {
        let redirect = self
            .config()
            .redirect_uri
            .clone()
            .ok_or_else(|| Error::Config("no redirect URI configured".to_owned()))?;
        let meta = self.metadata().await?;
        request.build(&meta.authorization_endpoint, &self.config().client_id, &redirect)
    }

    /// Signs a `private_key_jwt` client assertion for `audience` (the token endpoint).
    ///
    /// # Errors
    /// [`Error::Config`] without a signing key.
    pub fn client_assertion(&self, audience: &str) -> Result<ClientAssertion, Error> {
        let c = self.config();
        let key =
            c.key.as_ref().ok_or_else(|| Error::Config("no signing key configured".to_owned()))?;
        let now = self.now().unix_timestamp();
        let lifetime = i64::try_from(c.assertion_lifetime.as_secs()).unwrap_or(300);
        let claims = serde_json::json!({
            "iss": c.client_id,
            "sub": c.client_id,
            "aud": audience,
            "iat": now,
            "exp": now.saturating_add(lifetime),
            "jti": crate::types::secrets_random()?,
        });
        key.sign(&claims)
    }

    /// Exchanges the code (once: it is never retried) and validates the ID token against `pending`.
    ///
    /// # Errors
    /// Transport/timeout (not retried), [`Error::Api`] for an OAuth error, or [`Error::Token`].
    pub async fn exchange_code(
        &self,
        pending: &PendingAuthorization,
        code: AuthorizationCode,
    ) -> Result<Tokens, Error> {
        let meta = self.metadata().await?;
        let url = meta.token_endpoint.clone();
        let assertion = self.client_assertion(&url)?;
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", code.expose_secret()),
            ("redirect_uri", &pending.redirect_uri),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE),
            ("client_assertion", assertion.expose_secret()),
        ];
        if let Some(verifier) = &pending.pkce_verifier {
            form.push(("code_verifier", verifier.expose_secret()));
        }
        let response = self.send(&url, false, || self.inner.http.post(&url).form(&form)).await?;
        let body = read_ok(response, &url)?;
        let tokens: TokenResponse = decode(&body, "token response", &url)?;
        if !tokens.token_type.eq_ignore_ascii_case("bearer") {
            return Err(Error::Api {
                url,
                status: 200,
                error: Some("unsupported_token_type".to_owned()),
                error_description: Some(format!(
                    "token_type {:?} is not Bearer",
                    tokens.token_type
                )),
                body: String::new(),
            });
        }
        let mut expect = self.expectations();
        expect.max_age = pending.max_age;
        let claims = self
            .verify_id_token_with(
                &tokens.id_token,
                &expect,
                pending.nonce.expose_secret(),
                &pending.vtr,
            )
            .await?;
        rules::check_at_hash(&claims, &tokens.access_token, expect.alg)
            .map_err(|e| Error::token(TokenKind::IdToken, e))?;
        Ok(Tokens {
            access_token: AccessToken::new(tokens.access_token),
            id_token: IdToken::new(tokens.id_token),
            claims,
            expires_in: tokens.expires_in,
        })
    }

    /// Validates an ID token with One Login's rules (see [`rules::verify_id_token`]), using the cached JWKS
    /// and one rate-limited refetch on an unknown `kid`.
    ///
    /// # Errors
    /// [`Error::Token`] when rejected; transport errors when the JWKS cannot be fetched at all.
    pub async fn verify_id_token(
        &self,
        token: &str,
        nonce: &str,
        vtr: &Vtr,
    ) -> Result<IdTokenClaims, Error> {
        self.verify_id_token_with(token, &self.expectations(), nonce, vtr).await
    }

    async fn verify_id_token_with(
        &self,
        token: &str,
        expect: &Expectations,
        nonce: &str,
        vtr: &Vtr,
    ) -> Result<IdTokenClaims, Error> {
        let keys = self.jwks_for(token, TokenKind::IdToken).await?;
        let now = self.now().unix_timestamp();
        rules::verify_id_token(token, &keys, expect, nonce, vtr, now)
            .map_err(|e| Error::token(TokenKind::IdToken, e))
    }

    /// Validates a back-channel logout token and records its `jti`; a second use is [`TokenError::Replayed`].
    ///
    /// # Errors
    /// [`Error::Token`] when rejected (answer 400), transport errors when the JWKS cannot be fetched.
    pub async fn verify_logout_token(&self, token: &str) -> Result<LogoutTokenClaims, Error> {
        let keys = self.jwks_for(token, TokenKind::LogoutToken).await?;
        let now = self.now();
        let claims =
            rules::verify_logout_token(token, &keys, &self.expectations(), now.unix_timestamp())
                .map_err(|e| Error::token(TokenKind::LogoutToken, e))?;
        // Remember for at least 3 minutes (One Login's window), or until expiry if later, plus leeway.
        let exp = OffsetDateTime::from_unix_timestamp(claims.exp).unwrap_or(now);
        let forget_after = exp
            .max(now.saturating_add(JTI_WINDOW))
            .saturating_add(self.config().leeway.try_into().unwrap_or(time::Duration::MAX));
        if !self.inner.jti_store.first_use(&claims.jti, forget_after, now) {
            return Err(Error::token(
                TokenKind::LogoutToken,
                TokenError::Replayed { jti: claims.jti },
            ));
        }
        Ok(claims)
    }

    /// Calls `/userinfo` with the access token in the `Authorization` header; its `sub` must equal the
    /// ID token's.
    ///
    /// # Errors
    /// [`Error::Api`] (401 carries the `WWW-Authenticate` error), or [`Error::Token`] for a `sub` mismatch.
    pub async fn userinfo(&self, tokens: &Tokens) -> Result<UserInfo, Error> {
        let meta = self.metadata().await?;
        let url = meta
            .userinfo_endpoint
            .clone()
            .ok_or_else(|| Error::Metadata("the provider has no userinfo endpoint".to_owned()))?;
        let token = tokens.access_token.expose_secret();
        let response =
            self.send(&url, true, || self.inner.http.get(&url).bearer_auth(token)).await?;
        let body = read_ok(response, &url)?;
        let map: serde_json::Map<String, Value> = decode(&body, "userinfo", &url)?;
        let info = UserInfo::from_map(map).map_err(|e| Error::token(TokenKind::UserInfo, e))?;
        if info.sub != tokens.claims.sub {
            return Err(Error::token(
                TokenKind::UserInfo,
                TokenError::WrongSubject { expected: tokens.claims.sub.clone(), found: info.sub },
            ));
        }
        Ok(info)
    }

    /// Validates a core identity JWT against the DID document at the configured URL.
    ///
    /// # Errors
    /// [`Error::Config`] without [`ClientBuilder::identity`], [`Error::Metadata`] when the DID document's
    /// `id` does not match its URL, or [`Error::Token`].
    pub async fn verify_core_identity(
        &self,
        jwt: &str,
        id_token_sub: &str,
        vtr: &Vtr,
    ) -> Result<CoreIdentity, Error> {
        let c = self.config();
        let (Some(issuer), Some(did_url)) = (&c.identity_issuer, &c.did_url) else {
            return Err(Error::Config("no identity issuer and DID URL configured".to_owned()));
        };
        let kid = rules::peek_kid(jwt).map_err(|e| Error::token(TokenKind::CoreIdentity, e))?;
        let doc = self
            .keys(
                &self.inner.did,
                did_url,
                "DID document",
                DidDocument::from_json,
                |d: &DidDocument| d.key_for(kid.as_deref()).is_ok(),
            )
            .await?;
        let url =
            Url::parse(did_url).map_err(|e| Error::Config(format!("DID URL {did_url:?}: {e}")))?;
        if DidDocument::did_web_for(&url).as_deref() != Some(doc.id()) {
            return Err(Error::Metadata(format!(
                "DID document id {:?} does not match its URL {did_url}",
                doc.id()
            )));
        }
        let expect = CoreIdentityExpectations::new(issuer.clone(), c.client_id.clone())
            .with_leeway(c.leeway);
        rules::verify_core_identity(
            jwt,
            &doc,
            &expect,
            id_token_sub,
            vtr,
            self.now().unix_timestamp(),
        )
        .map_err(|e| Error::token(TokenKind::CoreIdentity, e))
    }

    /// Reads the identity result from userinfo: a verified core identity and/or return codes.
    ///
    /// # Errors
    /// As [`Client::verify_core_identity`]; malformed return codes are [`TokenError::Malformed`].
    pub async fn identity_outcome(
        &self,
        info: &UserInfo,
        vtr: &Vtr,
    ) -> Result<IdentityOutcome, Error> {
        let return_codes = match info.vocab(VocabClaim::ReturnCode) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.get("code").and_then(Value::as_str).map(|c| ReturnCode(c.to_owned())))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    Error::token(
                        TokenKind::UserInfo,
                        TokenError::Malformed("returnCode entries need a code".to_owned()),
                    )
                })?,
            Some(_) => {
                return Err(Error::token(
                    TokenKind::UserInfo,
                    TokenError::Malformed("returnCode is not an array".to_owned()),
                ));
            }
        };
        match info.core_identity_jwt() {
            Some(jwt) => {
                let identity = self.verify_core_identity(jwt, &info.sub, vtr).await?;
                Ok(IdentityOutcome::Proven { identity, return_codes })
            }
            None if return_codes.is_empty() => Ok(IdentityOutcome::NotProven),
            None => Ok(IdentityOutcome::ReturnCodes(return_codes)),
        }
    }

    /// The end-session URL for RP-initiated logout.
    ///
    /// # Errors
    /// [`Error::Metadata`] when the provider has no end-session endpoint.
    pub async fn end_session_url(
        &self,
        id_token: &IdToken,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Result<Url, Error> {
        let meta = self.metadata().await?;
        let endpoint = meta.end_session_endpoint.as_deref().ok_or_else(|| {
            Error::Metadata("the provider has no end_session_endpoint".to_owned())
        })?;
        crate::logout::end_session_url(endpoint, id_token, post_logout_redirect_uri, state)
    }

    async fn jwks_for(&self, token: &str, kind: TokenKind) -> Result<Arc<JwkSet>, Error> {
        let kid = rules::peek_kid(token).map_err(|e| Error::token(kind, e))?;
        let meta = self.metadata().await?;
        self.keys(&self.inner.jwks, &meta.jwks_uri, "JWKS", rules::parse_jwks, |set: &JwkSet| {
            kid.as_deref().is_none_or(|k| set.find(k).is_some())
        })
        .await
    }

    /// A key document from its cache: refreshed when expired (stale kept on failure), and refetched at most
    /// once per cooldown when fresh but lacking the wanted key.
    async fn keys<T>(
        &self,
        slot: &Slot<T>,
        url: &str,
        what: &'static str,
        parse: fn(&[u8]) -> Result<T, serde_json::Error>,
        has_key: impl Fn(&T) -> bool,
    ) -> Result<Arc<T>, Error> {
        let now = self.now();
        let cached = slot.get(now);
        if let Some((doc, true)) = &cached
            && (has_key(doc) || !slot.may_refetch(now, self.config().refetch_cooldown))
        {
            return Ok(Arc::clone(doc));
        }
        let fetched = self.fetch(url).await.and_then(|(body, max_age)| {
            let doc = parse(&body).map_err(|source| Error::Decode {
                what,
                url: url.to_owned(),
                body: String::from_utf8_lossy(&body).into_owned(),
                source,
            })?;
            Ok((doc, max_age))
        });
        match (fetched, cached) {
            (Ok((doc, max_age)), _) => {
                Ok(slot.put(doc, now, max_age.unwrap_or(self.config().default_max_age)))
            }
            (
                Err(Error::Transport { .. } | Error::Timeout { .. } | Error::Api { .. }),
                Some((stale, _)),
            ) => Ok(stale),
            (Err(e), _) => Err(e),
        }
    }

    async fn fetch(&self, url: &str) -> Result<(Vec<u8>, Option<Duration>), Error> {
        let response = self.send(url, true, || self.inner.http.get(url)).await?;
        let max_age = response
            .headers
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(rules::cache_max_age);
        let body = read_ok(response, url)?;
        Ok((body, max_age))
    }

    /// Sends through the shared retry loop: an `idempotent` request by the retry policy, any other never
    /// resent.
    async fn send(
        &self,
        url: &str,
        idempotent: bool,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<RawResponse, Error> {
        let c = &self.config().config;
        let policy = if idempotent { self.config().retry } else { RetryPolicy::never() };
        let decide = |attempt, sent: &Sent| {
            policy.decide(
                idempotent,
                attempt,
                outcome_of(sent, c.clock.as_ref()),
                gaap_http::jitter(),
            )
        };
        let build = |_| Ok::<_, Error>(request());
        let (sent, _) = send_with_retry(c.sleeper.as_ref(), None, build, decide).await?;
        sent.map_err(|e| transport(url, e))
    }
}

/// One cached document, with the time of the last kid-driven refetch.
struct Slot<T> {
    state: Mutex<SlotState<T>>,
}

struct SlotState<T> {
    value: Option<(Arc<T>, OffsetDateTime)>,
    last_refetch: Option<OffsetDateTime>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self { state: Mutex::new(SlotState { value: None, last_refetch: None }) }
    }
}

impl<T> Slot<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState<T>> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached value and whether it is still fresh.
    fn get(&self, now: OffsetDateTime) -> Option<(Arc<T>, bool)> {
        self.lock().value.as_ref().map(|(v, expires)| (Arc::clone(v), now < *expires))
    }

    fn put(&self, value: T, now: OffsetDateTime, max_age: Duration) -> Arc<T> {
        let value = Arc::new(value);
        let max_age =
            time::Duration::try_from(max_age.min(MAX_CACHE_AGE)).unwrap_or(time::Duration::ZERO);
        self.lock().value = Some((Arc::clone(&value), now.saturating_add(max_age)));
        value
    }

    /// Whether an unknown-`kid` refetch is allowed now; if so, records it.
    fn may_refetch(&self, now: OffsetDateTime, cooldown: Duration) -> bool {
        let mut state = self.lock();
        let cooldown = time::Duration::try_from(cooldown).unwrap_or(time::Duration::MAX);
        if state.last_refetch.is_some_and(|last| now < last.saturating_add(cooldown)) {
            return false;
        }
        state.last_refetch = Some(now);
        true
    }
}

fn check_url(raw: &str, allow_http_loopback: bool) -> Result<Url, Error> {
    let url = Url::parse(raw).map_err(|e| Error::Config(format!("{raw:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_http_loopback && is_loopback(&url) => Ok(url),
        "http" => Err(Error::Config(format!(
            "{raw} is plain http; only https is allowed (loopback http needs insecure_allow_http_loopback)"
        ))),
        other => Err(Error::Config(format!("{raw} has scheme {other:?}; only https is allowed"))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn transport(url: &str, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout { url: url.to_owned(), source }
    } else {
        Error::Transport { url: url.to_owned(), source }
    }
}

fn read_ok(response: RawResponse, url: &str) -> Result<Vec<u8>, Error> {
    let status = response.status;
    let www_authenticate = response
        .headers
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.body;
    if status.is_success() {
        return Ok(body);
    }
    let parsed: Option<serde_json::Map<String, Value>> = serde_json::from_slice(&body).ok();
    let field =
        |k: &str| parsed.as_ref().and_then(|m| m.get(k)).and_then(Value::as_str).map(str::to_owned);
    let (error, error_description) = match (field("error"), www_authenticate) {
        (Some(e), _) => (Some(e), field("error_description")),
        (None, Some(h)) => (auth_param(&h, "error"), auth_param(&h, "error_description")),
        (None, None) => (None, None),
    };
    Err(Error::Api {
        url: url.to_owned(),
        status: status.as_u16(),
        error,
        error_description,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A quoted or bare parameter of a `WWW-Authenticate: Bearer k="v", …` header.
fn auth_param(header: &str, name: &str) -> Option<String> {
    let rest = header.split_once(' ').map_or("", |(_, r)| r);
    rest.split(',').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn decode<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &'static str,
    url: &str,
) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|source| Error::Decode {
        what,
        url: url.to_owned(),
        body: String::from_utf8_lossy(body).into_owned(),
        source,
    })
}
