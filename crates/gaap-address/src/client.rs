//! The OS Places API client (`https://api.os.uk/search/places/v1/`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use gaap_http::{
    ClientConfig, ConfigError, RateLimit, RetryPolicy, Sent, SlidingWindow, Transport, outcome_of,
    send_with_retry,
};
use time::OffsetDateTime;
use url::Url;

use crate::backend::Backend;
use crate::error::Error;
use crate::rules::geo::Coordinates;
use crate::types::address::Address;
use crate::types::os_places::{PlacesResponse, merge_results};
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.os.uk/search/places/v1/";
/// OS Places allows 600 transactions a minute per API per live project.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 600;
/// The default total timeout for one attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default timeout for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Results per page (the API maximum).
const PAGE: u32 = 100;

gaap_http::secret_string! {
    /// An OS Data Hub project API key.
    pub struct ApiKey;
}

/// What to do when the local 600-a-minute budget is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateLimitMode {
    /// Wait (asynchronously) until a slot frees up. Use with a real clock.
    #[default]
    Wait,
    /// Fail at once with [`Error::RateLimited`], saying how long to wait.
    Fail,
}

/// Builds an [`OsPlacesClient`].
#[derive(Debug)]
pub struct OsPlacesClientBuilder {
    key: ApiKey,
    config: ClientConfig,
    retry: RetryPolicy,
    per_minute: u32,
    mode: RateLimitMode,
    cache_ttl: Option<Duration>,
}

impl OsPlacesClientBuilder {
    // `retry_policy` retries the lookups, all idempotent `GET`s (default: none; see `RetryPolicy::decide`).
    gaap_http::client_builder_setters!(base_url, RetryPolicy);

    /// Requests allowed per minute. Default 600 (the OS live-project limit; dev mode allows 50).
    #[must_use]
    pub const fn rate_per_minute(mut self, n: u32) -> Self {
        self.per_minute = n;
        self
    }

    /// What to do when the budget is spent. Default [`RateLimitMode::Wait`].
    #[must_use]
    pub const fn rate_limit_mode(mut self, mode: RateLimitMode) -> Self {
        self.mode = mode;
        self
    }

    /// Keeps postcode and UPRN answers in memory for `ttl` (by the injected clock). Off by default.
    #[must_use]
    pub const fn cache(mut self, ttl: Duration) -> Self {
        self.cache_ttl = Some(ttl);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty key, a bad base URL or a zero rate.
    pub fn build(self) -> Result<OsPlacesClient, Error> {
        if self.key.expose_secret().trim().is_empty() {
            return Err(Error::Config("the OS Places API key is empty".into()));
        }
        if self.per_minute == 0 {
            return Err(Error::Config("rate_per_minute must be at least 1".into()));
        }
        let Transport { base, http, .. } =
            self.config.transport(&gaap_http::crate_user_agent!(), |b| b)?;
        Ok(OsPlacesClient {
            inner: Arc::new(Inner {
                http,
                key: self.key,
                base,
                limiter: SlidingWindow::new(self.per_minute, Arc::clone(&self.config.clock)),
                config: self.config,
                retry: self.retry,
                mode: self.mode,
                cache_ttl: self.cache_ttl,
                cache: Mutex::new(HashMap::new()),
            }),
        })
    }
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    key: ApiKey,
    base: Url,
    config: ClientConfig,
    retry: RetryPolicy,
    mode: RateLimitMode,
    limiter: SlidingWindow,
    cache_ttl: Option<Duration>,
    cache: Mutex<HashMap<String, (OffsetDateTime, Vec<Address>)>>,
}

/// An OS Places API client. Cheap to clone (an `Arc` inside); clones share the rate limiter and cache.
#[derive(Debug, Clone)]
pub struct OsPlacesClient {
    inner: Arc<Inner>,
}

impl OsPlacesClient {
    /// A builder with the production base URL, the system clock and a 600-a-minute limit.
    #[must_use]
    pub fn builder(key: ApiKey) -> OsPlacesClientBuilder {
        OsPlacesClientBuilder {
            key,
            config: ClientConfig::new(DEFAULT_BASE_URL, DEFAULT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
            retry: RetryPolicy::never(),
            per_minute: DEFAULT_RATE_PER_MINUTE,
            mode: RateLimitMode::Wait,
            cache_ttl: None,
        }
    }

    async fn get(
        &self,
        endpoint: &str,
        params: &[(&str, String)],
    ) -> Result<PlacesResponse, Error> {
        let inner = &*self.inner;
        let mut url =
            inner.base.join(endpoint).map_err(|e| Error::Config(format!("endpoint URL: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in params {
                q.append_pair(k, v);
            }
            q.append_pair("key", inner.key.expose_secret());
        }
        // Every attempt is a transaction: it takes a slot, waiting for one or failing at once.
        let (limit, fail_fast) = match inner.mode {
            RateLimitMode::Wait => (Some(&inner.limiter as &dyn RateLimit), false),
            RateLimitMode::Fail => (None, true),
        };
        let request = |_| {
            if fail_fast {
                inner
                    .limiter
                    .try_acquire()
                    .map_err(|retry_after| Error::RateLimited { retry_after })?;
            }
            Ok::<_, Error>(inner.http.get(url.clone()))
        };
        let decide = |attempt, sent: &Sent| {
            let outcome = outcome_of(sent, inner.config.clock.as_ref());
            inner.retry.decide(true, attempt, outcome, gaap_http::jitter())
        };
        let (sent, _) =
            send_with_retry(inner.config.sleeper.as_ref(), limit, request, decide).await?;
        let response = sent.map_err(classify)?;
        let text = String::from_utf8_lossy(&response.body);
        let body = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
        if !response.status.is_success() {
            return Err(Error::Api {
                status: response.status.as_u16(),
                message: error_message(&body),
                body,
            });
        }
        serde_json::from_str(&body).map_err(|source| Error::Decode { source, body })
    }

    fn cached(&self, key: &str) -> Option<Vec<Address>> {
        let ttl = self.inner.cache_ttl?;
        let now = self.inner.config.clock.now();
        let cache = self.inner.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let (at, value) = cache.get(key)?;
        (now - *at < ttl).then(|| value.clone())
    }

    fn store(&self, key: String, value: &[Address]) {
        if self.inner.cache_ttl.is_some() {
            let now = self.inner.config.clock.now();
            self.inner
                .cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key, (now, value.to_vec()));
        }
    }

    /// `GET /postcode`: every address at the postcode, following pages of 100, one per UPRN with Welsh twins
    /// merged. No match (the API leaves out `results`) gives an empty list.
    ///
    /// # Errors
    /// [`Error::Api`] for error statuses (400 for an invalid postcode), transport, timeout, decode and
    /// rate-limit errors.
    pub async fn postcode(&self, postcode: &Postcode) -> Result<Vec<Address>, Error> {
        let key = format!("postcode:{postcode}");
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let mut all = Vec::new();
        let mut offset = 0u32;
        loop {
            let page = self
                .get(
                    "postcode",
                    &[
                        ("postcode", postcode.compact()),
                        ("maxresults", PAGE.to_string()),
                        ("offset", offset.to_string()),
                    ],
                )
                .await?;
            let results = page.results.unwrap_or_default();
            let got = results.len() as u32;
            all.extend(results);
            offset += got;
            if got == 0 || offset >= page.header.totalresults {
                break;
            }
        }
        let merged = merge_results(&all);
        self.store(key, &merged);
        Ok(merged)
    }

    /// `GET /uprn`.
    ///
    /// # Errors
    /// As [`OsPlacesClient::postcode`].
    pub async fn uprn(&self, uprn: Uprn) -> Result<Option<Address>, Error> {
        let key = format!("uprn:{uprn}");
        if let Some(hit) = self.cached(&key) {
            return Ok(hit.into_iter().next());
        }
        let page = self.get("uprn", &[("uprn", uprn.to_string())]).await?;
        let merged = merge_results(&page.results.unwrap_or_default());
        self.store(key, &merged);
        Ok(merged.into_iter().next())
    }

    /// `GET /find`: free text, best first, with the API's `MATCH` score.
    ///
    /// # Errors
    /// As [`OsPlacesClient::postcode`].
    pub async fn find(&self, query: &str, limit: usize) -> Result<Vec<(Address, f32)>, Error> {
        let max = limit.clamp(1, PAGE as usize);
        let page = self
            .get("find", &[("query", query.to_owned()), ("maxresults", max.to_string())])
            .await?;
        let results = page.results.unwrap_or_default();
        let scores: HashMap<String, f32> = results
            .iter()
            .filter_map(|r| {
                Some((r.record().uprn.clone()?, r.record().r#match.unwrap_or(0.0) as f32))
            })
            .collect();
        Ok(merge_results(&results)
            .into_iter()
            .map(|a| {
                let score = scores.get(&a.uprn.to_string()).copied().unwrap_or(0.0);
                (a, score)
            })
            .collect())
    }

    /// `GET /nearest` within `radius` metres (the API allows up to 1,000).
    ///
    /// # Errors
    /// As [`OsPlacesClient::postcode`].
    pub async fn nearest(&self, at: Coordinates, radius: f64) -> Result<Option<Address>, Error> {
        let page = self
            .get(
                "nearest",
                &[
                    ("point", format!("{},{}", at.easting, at.northing)),
                    ("radius", radius.clamp(0.01, 1000.0).to_string()),
                ],
            )
            .await?;
        Ok(merge_results(&page.results.unwrap_or_default()).into_iter().next())
    }
}

fn classify(e: reqwest::Error) -> Error {
    if e.is_timeout() { Error::Timeout(e) } else { Error::Transport(e) }
}

/// `{"error":{"statuscode":400,"message":"..."}}` or Apigee `{"fault":{"faultstring":"..."}}`, else the body.
fn error_message(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    v.pointer("/error/message")
        .or_else(|| v.pointer("/fault/faultstring"))
        .and_then(serde_json::Value::as_str)
        .map_or_else(|| body.chars().take(200).collect(), str::to_owned)
}

impl Backend for OsPlacesClient {
    fn by_postcode(
        &self,
        postcode: &Postcode,
    ) -> impl Future<Output = Result<Vec<Address>, Error>> + Send {
        let postcode = *postcode;
        async move { self.postcode(&postcode).await }
    }

    fn by_uprn(&self, uprn: Uprn) -> impl Future<Output = Result<Option<Address>, Error>> + Send {
        self.uprn(uprn)
    }

    fn find(
        &self,
        query: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(Address, f32)>, Error>> + Send {
        let query = query.to_owned();
        async move { OsPlacesClient::find(self, &query, limit).await }
    }

    fn nearest(
        &self,
        at: Coordinates,
        radius: f64,
    ) -> impl Future<Output = Result<Option<Address>, Error>> + Send {
        OsPlacesClient::nearest(self, at, radius)
    }
}

/// A base URL that does not parse or an HTTP client that cannot be built: [`Error::Config`].
impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Self::Config(error.to_string())
    }
}
