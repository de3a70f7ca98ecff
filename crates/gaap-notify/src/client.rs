//! The async client for Notify's v2 API.

use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt};
use gaap_http::{
    Backoff, ClientConfig, ConfigError, RetryDecision, Sent, Transport, send_with_retry,
};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use url::Url;
use uuid::Uuid;

use crate::error::classify;
use crate::rate_limit::TokenBucket;
use crate::types::{
    EmailRequest, EmailResponse, LetterRequest, LetterResponse, Notification, NotificationFilter,
    NotificationType, NotificationsPage, Personalisation, PrecompiledLetterRequest,
    PrecompiledLetterResponse, ReceivedText, ReceivedTextsPage, SmsRequest, SmsResponse, Template,
    TemplateList, TemplatePreview,
};
use crate::{ApiKey, Error};

/// Notify's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.notifications.service.gov.uk";
/// The default total timeout for one HTTP attempt, as in the official Python client.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default timeout for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How a failed attempt ended, for the retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// 429 `RateLimitError`: the per-minute bucket was empty; nothing was created.
    RateLimited,
    /// 429 `TooManyRequestsError`: the daily limit; retrying before midnight UTC cannot succeed.
    DailyLimit,
    /// A 5xx: the server may have created the message before failing.
    Server,
    /// The connection could not be opened: the request was never sent.
    ConnectFailed,
    /// No response in time: the request may have been processed.
    Timeout,
    /// The connection broke after the request may have been sent.
    TransportAfterSend,
    /// Anything else (4xx, decode errors): retrying cannot help.
    Permanent,
}

impl Failure {
    /// Classifies an error.
    #[must_use]
    pub fn of(error: &Error) -> Self {
        match error {
            Error::RateLimit(_) => Self::RateLimited,
            Error::TooManyRequests(_) => Self::DailyLimit,
            Error::Server(_) => Self::Server,
            Error::Transport { sent: false, .. } => Self::ConnectFailed,
            Error::Transport { sent: true, .. } => Self::TransportAfterSend,
            Error::Timeout(_) => Self::Timeout,
            _ => Self::Permanent,
        }
    }

    /// Classifies a transport error as [`Failure::of`] would classify the [`Error`] it maps to.
    #[must_use]
    pub fn of_transport(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else if error.is_connect() {
            Self::ConnectFailed
        } else {
            Self::TransportAfterSend
        }
    }
}

/// Whether an attempt may be retried.
///
/// Notify has no idempotency key, so a `POST` (a send) is retried only when no message can have
/// been created: a 429 rate-limit response, or a connection that failed before the request was
/// sent. A `POST` is never retried after a timeout, a broken connection or a 5xx, because the
/// message may exist. A `GET` is also retried on those. Daily-limit 429s and other errors are
/// never retried.
#[must_use]
pub fn should_retry(is_post: bool, failure: Failure) -> bool {
    match failure {
        Failure::RateLimited | Failure::ConnectFailed => true,
        Failure::Server | Failure::Timeout | Failure::TransportAfterSend => !is_post,
        Failure::DailyLimit | Failure::Permanent => false,
    }
}

/// Opt-in retries. The default is no retries. What is retried is [`should_retry`]'s rule: a send (`POST`)
/// only when no message can have been created.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = none).
    pub max_retries: u32,
    /// Delay between attempts (exponential, capped, jittered).
    pub backoff: Backoff,
}

impl RetryPolicy {
    /// No retries.
    #[must_use]
    pub fn none() -> Self {
        Self { max_retries: 0, backoff: Backoff::default() }
    }

    /// Up to `max_retries` retries with the default backoff.
    #[must_use]
    pub fn new(max_retries: u32) -> Self {
        Self { max_retries, backoff: Backoff::default() }
    }

    /// Sets the backoff.
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::none()
    }
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    key: ApiKey,
    config: ClientConfig,
    retry: RetryPolicy,
    bucket: Option<TokenBucket>,
}

impl ClientBuilder {
    // `retry_policy` takes the opt-in `RetryPolicy`; see [`should_retry`] for what is retried.
    gaap_http::client_builder_setters!(base_url, RetryPolicy);

    /// Waits for a token from this bucket before each send (`POST /v2/notifications/*`). The wait goes
    /// through the builder's sleeper; the bucket reads its own clock.
    #[must_use]
    pub fn rate_limiter(mut self, bucket: TokenBucket) -> Self {
        self.bucket = Some(bucket);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`].
    pub fn build(self) -> Result<Client, Error> {
        let Transport { base, http, user_agent, .. } =
            self.config.transport(&gaap_http::crate_user_agent!(), |b| b)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                key: self.key,
                config: self.config,
                retry: self.retry,
                bucket: self.bucket,
                user_agent,
            }),
        })
    }
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    key: ApiKey,
    config: ClientConfig,
    retry: RetryPolicy,
    bucket: Option<TokenBucket>,
    user_agent: String,
}

/// A Notify client. Cheap to clone (one `Arc`); share it across tasks.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

fn map_transport(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Transport { sent: !e.is_connect(), source: e }
    }
}

impl Client {
    /// A builder for the given API key (from [`ApiKey::parse`] or `str::parse`).
    #[must_use]
    pub fn builder(api_key: ApiKey) -> ClientBuilder {
        ClientBuilder {
            key: api_key,
            config: ClientConfig::new(DEFAULT_BASE_URL, DEFAULT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
            retry: RetryPolicy::none(),
            bucket: None,
        }
    }

    /// A client for production with the defaults.
    ///
    /// # Errors
    /// [`Error::Config`].
    pub fn new(api_key: ApiKey) -> Result<Self, Error> {
        Self::builder(api_key).build()
    }

    /// The service id from the key.
    #[must_use]
    pub fn service_id(&self) -> Uuid {
        self.inner.key.service_id()
    }

    async fn execute(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<(u16, bytes_or_text::Body), Error> {
        let inner = &*self.inner;
        let url = inner.base.join(path).map_err(|e| Error::Config(format!("URL: {e}")))?;
        let is_post = method == Method::POST;
        let request = |_| {
            let token = inner.key.token(inner.config.clock.unix_seconds())?;
            let mut request = inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token)
                .header(reqwest::header::USER_AGENT, &inner.user_agent);
            if !query.is_empty() {
                request = request.query(query);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            Ok::<_, Error>(request)
        };
        // Attempts count from 1; the policy counts retries from 0.
        let decide = |attempt: u32, sent: &Sent| {
            let retries = attempt - 1;
            let failure = match sent {
                Ok(response) if response.status.is_success() => return RetryDecision::Stop,
                Ok(response) => Failure::of(&classify(
                    response.status.as_u16(),
                    String::from_utf8_lossy(&response.body).into_owned(),
                )),
                Err(e) => Failure::of_transport(e),
            };
            if retries >= inner.retry.max_retries || !should_retry(is_post, failure) {
                RetryDecision::Stop
            } else {
                RetryDecision::RetryAfter(inner.retry.backoff.jittered_delay(retries))
            }
        };
        let limit = inner.bucket.as_ref().filter(|_| is_post).map(TokenBucket::as_limit);
        let (sent, _) =
            send_with_retry(inner.config.sleeper.as_ref(), limit, request, decide).await?;
        match sent {
            Ok(response) if response.status.is_success() => {
                Ok((response.status.as_u16(), bytes_or_text::Body(response.body)))
            }
            Ok(response) => Err(classify(
                response.status.as_u16(),
                String::from_utf8_lossy(&response.body).into_owned(),
            )),
            Err(e) => Err(map_transport(e)),
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<T, Error> {
        let (status, body) = self.execute(method, path, query, body).await?;
        serde_json::from_slice(&body.0).map_err(|source| Error::Decode {
            status,
            body: String::from_utf8_lossy(&body.0).into_owned(),
            source,
        })
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        let value = serde_json::to_value(body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        self.json(Method::POST, path, &[], Some(&value)).await
    }

    /// Operation 1: `POST /v2/notifications/sms`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn send_sms(&self, request: &SmsRequest) -> Result<SmsResponse, Error> {
        self.post("v2/notifications/sms", request).await
    }

    /// Operation 2: `POST /v2/notifications/email`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn send_email(&self, request: &EmailRequest) -> Result<EmailResponse, Error> {
        self.post("v2/notifications/email", request).await
    }

    /// Operation 3: `POST /v2/notifications/letter` from a template.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn send_letter(&self, request: &LetterRequest) -> Result<LetterResponse, Error> {
        self.post("v2/notifications/letter", request).await
    }

    /// Operation 4: `POST /v2/notifications/letter` with a precompiled PDF.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn send_precompiled_letter(
        &self,
        request: &PrecompiledLetterRequest,
    ) -> Result<PrecompiledLetterResponse, Error> {
        self.post("v2/notifications/letter", request).await
    }

    /// Operation 5: `GET /v2/notifications/{id}`.
    ///
    /// # Errors
    /// See [`Error`]; [`Error::NotFound`] for an unknown id.
    pub async fn get_notification(&self, id: Uuid) -> Result<Notification, Error> {
        self.json(Method::GET, &format!("v2/notifications/{id}"), &[], None).await
    }

    /// Operation 6: `GET /v2/notifications`: one page (250, newest first), older than `older_than`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn get_notifications(
        &self,
        filter: &NotificationFilter,
        older_than: Option<Uuid>,
    ) -> Result<NotificationsPage, Error> {
        let mut query: Vec<(String, String)> = Vec::new();
        if let Some(t) = &filter.template_type {
            query.push(("template_type".to_owned(), t.as_str().to_owned()));
        }
        for s in &filter.status {
            query.push(("status".to_owned(), s.as_str().to_owned()));
        }
        if let Some(r) = &filter.reference {
            query.push(("reference".to_owned(), r.clone()));
        }
        if let Some(id) = older_than {
            query.push(("older_than".to_owned(), id.to_string()));
        }
        if filter.include_jobs {
            query.push(("include_jobs".to_owned(), "true".to_owned()));
        }
        self.json(Method::GET, "v2/notifications", &query, None).await
    }

    /// Operation 6 as a stream: every notification matching `filter`, newest first, paging
    /// with `older_than` while Notify returns a `links.next`.
    #[must_use]
    pub fn notifications(
        &self,
        filter: NotificationFilter,
    ) -> BoxStream<'static, Result<Notification, Error>> {
        let client = self.clone();
        stream::unfold(Some((client, filter, None::<Uuid>)), |state| async move {
            let (client, filter, older_than) = state?;
            match client.get_notifications(&filter, older_than).await {
                Err(e) => Some((stream::iter(vec![Err(e)]), None)),
                Ok(page) => {
                    let last = page.notifications.last().map(|n| n.id);
                    let next = match (last, page.links.next.is_some()) {
                        (Some(id), true) => Some((client, filter, Some(id))),
                        _ => None,
                    };
                    if page.notifications.is_empty() {
                        return None;
                    }
                    Some((
                        stream::iter(page.notifications.into_iter().map(Ok).collect::<Vec<_>>()),
                        next,
                    ))
                }
            }
        })
        .flatten()
        .boxed()
    }

    /// Operation 7: `GET /v2/notifications/{id}/pdf`: the letter's PDF.
    ///
    /// # Errors
    /// See [`Error`]; 400 `PDFNotReadyError` becomes [`Error::BadRequest`].
    pub async fn get_pdf_for_letter(&self, id: Uuid) -> Result<Vec<u8>, Error> {
        let (_, body) =
            self.execute(Method::GET, &format!("v2/notifications/{id}/pdf"), &[], None).await?;
        Ok(body.0)
    }

    /// Operation 8: `GET /v2/template/{id}`: the latest version.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn get_template(&self, id: Uuid) -> Result<Template, Error> {
        self.json(Method::GET, &format!("v2/template/{id}"), &[], None).await
    }

    /// Operation 9: `GET /v2/template/{id}/version/{version}`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn get_template_version(&self, id: Uuid, version: i64) -> Result<Template, Error> {
        self.json(Method::GET, &format!("v2/template/{id}/version/{version}"), &[], None).await
    }

    /// Operation 10: `GET /v2/templates`, optionally of one type.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn get_all_templates(
        &self,
        template_type: Option<NotificationType>,
    ) -> Result<Vec<Template>, Error> {
        let query: Vec<(String, String)> = template_type
            .map(|t| vec![("type".to_owned(), t.as_str().to_owned())])
            .unwrap_or_default();
        let list: TemplateList = self.json(Method::GET, "v2/templates", &query, None).await?;
        Ok(list.templates)
    }

    /// Operation 11: `POST /v2/template/{id}/preview`: renders a template with personalisation. It creates
    /// nothing, but as a `POST` it follows the send retry rules.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn preview_template(
        &self,
        id: Uuid,
        personalisation: &Personalisation,
    ) -> Result<TemplatePreview, Error> {
        let body = json!({ "personalisation": personalisation });
        self.json(Method::POST, &format!("v2/template/{id}/preview"), &[], Some(&body)).await
    }

    /// Operation 12: `GET /v2/received-text-messages`: one page, older than `older_than`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn get_received_texts(
        &self,
        older_than: Option<Uuid>,
    ) -> Result<ReceivedTextsPage, Error> {
        let query: Vec<(String, String)> = older_than
            .map(|id| vec![("older_than".to_owned(), id.to_string())])
            .unwrap_or_default();
        self.json(Method::GET, "v2/received-text-messages", &query, None).await
    }

    /// 12. Every received text, newest first, paging with `older_than`.
    #[must_use]
    pub fn received_texts(&self) -> BoxStream<'static, Result<ReceivedText, Error>> {
        let client = self.clone();
        stream::unfold(Some((client, None::<Uuid>)), |state| async move {
            let (client, older_than) = state?;
            match client.get_received_texts(older_than).await {
                Err(e) => Some((stream::iter(vec![Err(e)]), None)),
                Ok(page) => {
                    let last = page.received_text_messages.last().map(|m| m.id);
                    let next = match (last, page.links.next.is_some()) {
                        (Some(id), true) => Some((client, Some(id))),
                        _ => None,
                    };
                    if page.received_text_messages.is_empty() {
                        return None;
                    }
                    Some((
                        stream::iter(
                            page.received_text_messages.into_iter().map(Ok).collect::<Vec<_>>(),
                        ),
                        next,
                    ))
                }
            }
        })
        .flatten()
        .boxed()
    }
}

mod bytes_or_text {
    /// A response body.
    #[derive(Debug)]
    pub(super) struct Body(pub(super) Vec<u8>);
}

/// A base URL that does not parse or an HTTP client that cannot be built: [`Error::Config`].
impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Self::Config(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_decision_table() {
        use Failure::*;
        let table = [
            (RateLimited, true, true),
            (ConnectFailed, true, true),
            (Server, false, true),
            (Timeout, false, true),
            (TransportAfterSend, false, true),
            (DailyLimit, false, false),
            (Permanent, false, false),
        ];
        for (failure, post, get) in table {
            assert_eq!(should_retry(true, failure), post, "POST {failure:?}");
            assert_eq!(should_retry(false, failure), get, "GET {failure:?}");
        }
    }
}
