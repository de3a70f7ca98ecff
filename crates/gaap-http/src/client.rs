//! The client core (the `client` feature): one configuration and one send-with-retry loop over reqwest.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};
use url::Url;

use crate::backoff::parse_retry_after;
use crate::clock::{Clock, SharedClock, SystemClock};
use crate::limit::{RateLimit, acquire};
use crate::retry::{AttemptOutcome, RetryDecision};
use crate::sleep::{SharedSleeper, Sleeper, TokioSleeper};

/// A client configuration that cannot be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL does not parse.
    BaseUrl {
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        source: url::ParseError,
    },
    /// reqwest could not build its client (for example, no TLS backend).
    HttpClient(reqwest::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BaseUrl { url, source } => write!(f, "base_url {url:?}: {source}"),
            Self::HttpClient(e) => write!(f, "HTTP client: {e}"),
        }
    }
}

impl StdError for ConfigError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::BaseUrl { source, .. } => Some(source),
            Self::HttpClient(e) => Some(e),
        }
    }
}

/// What every gaap client is configured with: where to send, how long one attempt may take, who is
/// asking, and the clock and sleeper that tests replace. Each client's builder holds one and sets it through
/// [`client_builder_setters!`](crate::client_builder_setters).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The API's base URL; a `/` is added to its path if missing.
    pub base_url: String,
    /// The total timeout for one attempt (each retry gets its own).
    pub timeout: Duration,
    /// The timeout for opening a connection.
    pub connect_timeout: Duration,
    /// The caller's product, sent before the crate's own `NAME/VERSION` in the User-Agent.
    pub user_agent: Option<String>,
    /// The clock for tokens, `Retry-After` dates, caches and rate limits.
    pub clock: SharedClock,
    /// How waits between attempts and for rate-limit slots are made.
    pub sleeper: SharedSleeper,
    /// A caller-supplied `reqwest::Client`; the timeouts and User-Agent above are then its own business.
    pub http: Option<reqwest::Client>,
}

impl ClientConfig {
    /// A configuration with the system clock and the tokio sleeper.
    #[must_use]
    pub fn new(base_url: impl Into<String>, timeout: Duration, connect_timeout: Duration) -> Self {
        Self {
            base_url: base_url.into(),
            timeout,
            connect_timeout,
            user_agent: None,
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(TokioSleeper),
            http: None,
        }
    }

    /// The base URL, parsed, its path ending in `/` so relative paths join under it.
    ///
    /// # Errors
    /// [`ConfigError::BaseUrl`].
    pub fn base(&self) -> Result<Url, ConfigError> {
        let mut base = Url::parse(&self.base_url)
            .map_err(|source| ConfigError::BaseUrl { url: self.base_url.clone(), source })?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(base)
    }

    /// The User-Agent: the caller's product (if set), then `crate_agent` (see [`crate::user_agent`]).
    #[must_use]
    pub fn user_agent_header(&self, crate_agent: &str) -> String {
        match &self.user_agent {
            Some(product) => format!("{product} {crate_agent}"),
            None => crate_agent.to_owned(),
        }
    }

    /// [`ClientConfig::base`] and [`ClientConfig::http_client`] together: what a client's `build` needs.
    ///
    /// # Errors
    /// As those two.
    pub fn transport(
        &self,
        crate_agent: &str,
        tweak: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> Result<Transport, ConfigError> {
        let base = self.base()?;
        let (http, user_agent) = self.http_client(crate_agent, tweak)?;
        Ok(Transport { base, http, user_agent })
    }

    /// The HTTP client and the User-Agent it sends ([`ClientConfig::user_agent_header`] of `crate_agent`,
    /// usually [`crate_user_agent!`](crate::crate_user_agent)). The client is the caller's `reqwest::Client` if one
    /// was given; otherwise one with the timeouts and that User-Agent, after `tweak` (a client's own settings,
    /// such as not following redirects).
    ///
    /// # Errors
    /// [`ConfigError::HttpClient`].
    pub fn http_client(
        &self,
        crate_agent: &str,
        tweak: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> Result<(reqwest::Client, String), ConfigError> {
        let user_agent = self.user_agent_header(crate_agent);
        if let Some(http) = &self.http {
            return Ok((http.clone(), user_agent));
        }
        let builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(&user_agent);
        let http = tweak(builder).build().map_err(ConfigError::HttpClient)?;
        Ok((http, user_agent))
    }
}

/// What a client is built on: the parsed base URL, the HTTP client and the User-Agent it sends.
#[derive(Debug)]
#[non_exhaustive]
pub struct Transport {
    /// [`ClientConfig::base`].
    pub base: Url,
    /// The caller's `reqwest::Client` or the one built from the configuration.
    pub http: reqwest::Client,
    /// The User-Agent the client sends.
    pub user_agent: String,
}

/// A response read to its end.
#[derive(Debug)]
#[non_exhaustive]
pub struct RawResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

/// How one attempt ended: a whole response, or the transport error that stopped it.
pub type Sent = Result<RawResponse, reqwest::Error>;

/// The outcome a retry decision reads: the status with its `Retry-After` (HTTP dates read on `clock`), or
/// whether the request was never sent, timed out, or broke after sending.
#[must_use]
pub fn outcome_of(sent: &Sent, clock: &dyn Clock) -> AttemptOutcome {
    match sent {
        Ok(response) => AttemptOutcome::Status {
            status: response.status.as_u16(),
            retry_after: response
                .headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, clock.now())),
        },
        Err(e) if e.is_connect() => AttemptOutcome::Connect,
        Err(e) if e.is_timeout() => AttemptOutcome::Timeout,
        Err(_) => AttemptOutcome::Transport,
    }
}

/// Sends a request until `decide` says stop, and returns the last attempt with the number of attempts.
///
/// Before each attempt it waits for a slot in `limit` (if any) through `sleeper`, then sends what
/// `request(attempt)` builds (attempts count from 1; build a fresh token or body each time). After each it
/// calls `decide(attempt, &sent)`: the crate's own rule of what may be repeated. The waits it asks for go
/// through `sleeper` too, so a test with a recording sleeper never sleeps.
///
/// # Errors
/// Only what `request` returns; transport errors come back inside [`Sent`] for the crate to map.
pub async fn send_with_retry<E>(
    sleeper: &dyn Sleeper,
    limit: Option<&dyn RateLimit>,
    mut request: impl FnMut(u32) -> Result<RequestBuilder, E>,
    mut decide: impl FnMut(u32, &Sent) -> RetryDecision,
) -> Result<(Sent, u32), E> {
    let mut attempt = 0u32;
    loop {
        attempt = attempt.saturating_add(1);
        if let Some(limit) = limit {
            acquire(limit, sleeper).await;
        }
        let sent = read(request(attempt)?).await;
        match decide(attempt, &sent) {
            RetryDecision::RetryAfter(wait) => sleeper.sleep(wait).await,
            RetryDecision::Stop => return Ok((sent, attempt)),
        }
    }
}

async fn read(request: RequestBuilder) -> Sent {
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    Ok(RawResponse { status, headers, body })
}

/// The calling crate's `NAME/VERSION` User-Agent (see [`user_agent`](crate::user_agent)).
#[macro_export]
macro_rules! crate_user_agent {
    () => {
        $crate::user_agent(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    };
}

/// Writes the builder methods every gaap client shares onto a builder with a `config: ClientConfig` field and
/// a `retry` field of the crate's policy type: `retry_policy`, `timeout`, `connect_timeout`, `user_agent`, `clock`,
/// `sleeper` and `http_client`, and with `base_url` first also `base_url`. The policy type is the crate's own,
/// since what may be retried is each platform's rule.
#[macro_export]
macro_rules! client_builder_setters {
    (base_url, $policy:ty) => {
        /// Overrides the base URL (for the gaap sandbox, a stub or a proxy).
        #[must_use]
        pub fn base_url(mut self, url: impl Into<String>) -> Self {
            self.config.base_url = url.into();
            self
        }

        $crate::client_builder_setters!($policy);
    };
    ($policy:ty) => {
        /// The retry policy; its type's docs say what this client retries and what it never resends.
        #[must_use]
        pub fn retry_policy(mut self, policy: $policy) -> Self {
            self.retry = policy;
            self
        }

        /// The total timeout for one attempt; each retry gets its own.
        #[must_use]
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.config.timeout = timeout;
            self
        }

        /// The timeout for opening a connection.
        #[must_use]
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.config.connect_timeout = timeout;
            self
        }

        /// Your product, sent before this crate's `NAME/VERSION` in the User-Agent, for example
        /// `my-service/1.0 (https://my-service.gov.uk)`.
        #[must_use]
        pub fn user_agent(mut self, product: impl Into<String>) -> Self {
            self.config.user_agent = Some(product.into());
            self
        }

        /// The clock (default: the system clock). Tests use `gaap_http::ManualClock`.
        #[must_use]
        pub fn clock(mut self, clock: $crate::SharedClock) -> Self {
            self.config.clock = clock;
            self
        }

        /// How to wait between attempts and for rate-limit slots (default: the tokio timer). Tests inject
        /// `gaap_http::RecordingSleeper`, which does not sleep.
        #[must_use]
        pub fn sleeper(mut self, sleeper: $crate::SharedSleeper) -> Self {
            self.config.sleeper = sleeper;
            self
        }

        /// Uses this `reqwest::Client`; the timeouts and User-Agent above are then its own business.
        #[must_use]
        pub fn http_client(mut self, http: $crate::reqwest::Client) -> Self {
            self.config.http = Some(http);
            self
        }
    };
}
