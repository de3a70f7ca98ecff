//! The HTTP client.

use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use gaap_http::{ClientConfig, ConfigError, Sent, Transport, outcome_of, send_with_retry};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::Error;
use crate::retry::{RetryPolicy, Safety, retry_decision};
use crate::rules::validate::{
    ValidationOptions, validate_create_payment, validate_create_refund, validate_idempotency_key,
};
use crate::secret::ApiKey;
use crate::types::{
    Agreement, AuthoriseRequest, CreateAgreementRequest, CreatePaymentRequest, CreateRefundRequest,
    Dispute, Payment, PaymentEvents, PaymentStatus, Refund, RefundList, RequestError, Search,
    SearchPage,
};

/// GOV.UK Pay's API. Test and live share it; the key decides which you are on.
pub const DEFAULT_BASE_URL: &str = "https://publicapi.payments.service.gov.uk";
/// Default whole-request timeout. Pay's MOTO authorisation can take about 10 s and Pay's docs ask clients to
/// wait at least 15 s, so 20 s leaves room.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    key: ApiKey,
    config: ClientConfig,
    retry: RetryPolicy,
    validation: ValidationOptions,
}

impl ClientBuilder {
    // `retry_policy` takes a `RetryPolicy` (default: 4 attempts, jittered backoff 200 ms–10 s).
    gaap_http::client_builder_setters!(base_url, RetryPolicy);

    /// The account settings used to validate requests before sending.
    #[must_use]
    pub fn validation(mut self, options: ValidationOptions) -> Self {
        self.validation = options;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", self.key.expose())).map_err(|_| {
                Error::Config("the API key contains characters not allowed in a header".to_owned())
            })?;
        auth.set_sensitive(true);
        let Transport { base, http, .. } =
            self.config.transport(&gaap_http::crate_user_agent!(), |b| b)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                retry: self.retry,
                validation: self.validation,
                config: self.config,
            }),
        })
    }
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: HeaderValue,
    retry: RetryPolicy,
    validation: ValidationOptions,
    config: ClientConfig,
}

/// A GOV.UK Pay client. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Response {
    status: StatusCode,
    body: Vec<u8>,
}

impl Client {
    /// A builder with `key` and the defaults.
    #[must_use]
    pub fn builder(key: ApiKey) -> ClientBuilder {
        ClientBuilder {
            key,
            config: ClientConfig::new(DEFAULT_BASE_URL, DEFAULT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
            retry: RetryPolicy::default(),
            validation: ValidationOptions::default(),
        }
    }

    /// A client for `key` with all defaults.
    pub fn new(key: ApiKey) -> Result<Self, Error> {
        Self::builder(key).build()
    }

    fn url(&self, path: &str) -> Result<Url, Error> {
        self.inner
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::Config(format!("URL: {e}")))
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
        safety: Safety,
    ) -> Result<(Response, u32), Error> {
        let inner = &*self.inner;
        let request = |_| {
            let mut request = inner
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, inner.auth.clone())
                .header("Accept", "application/json");
            if let Some(body) = &body {
                request = request.header(CONTENT_TYPE, "application/json").body(body.clone());
            }
            if let Some(key) = idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            Ok::<_, Error>(request)
        };
        let decide = |attempt, sent: &Sent| {
            let outcome = outcome_of(sent, inner.config.clock.as_ref());
            retry_decision(&inner.retry, safety, attempt, outcome, rand::random::<f64>())
        };
        let limit = None;
        let (sent, attempts) =
            send_with_retry(inner.config.sleeper.as_ref(), limit, request, decide).await?;
        match sent {
            Ok(resp) => Ok((Response { status: resp.status, body: resp.body }, attempts)),
            Err(e) if e.is_timeout() => Err(Error::Timeout(e)),
            Err(e) => Err(Error::Transport(e)),
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Error> {
        let safety = if method == Method::GET { Safety::Replayable } else { Safety::Once };
        let (resp, _) = self.send(method, self.url(path)?, body, None, safety).await?;
        decode(&resp)
    }

    async fn get_url<T: DeserializeOwned>(&self, url: Url) -> Result<T, Error> {
        let (resp, _) = self.send(Method::GET, url, None, None, Safety::Replayable).await?;
        decode(&resp)
    }

    // ---- payments ----

    /// `POST /v1/payments`. Validated first (an invalid body is [`Error::Invalid`], not sent).
    ///
    /// With an `Idempotency-Key` (see [`CreatePaymentRequest::with_idempotency_key`]) timeouts and 5xx are
    /// retried with the same key, so at most one payment exists. Without one, a create that gets no answer is
    /// never resent: it fails with [`Error::OutcomeUnknown`]; look the payment up with
    /// [`Client::find_payments_by_reference`].
    ///
    /// Pay's connector only deduplicates keys on `agreement` (recurring) payments, where a duplicate would charge
    /// the card. For `web` and `moto_api` payments a replay may leave an extra payment in `created`, which takes
    /// no money (the payer only ever pays through the `next_url` or token you use) and expires after 90 minutes.
    pub async fn create_payment(&self, request: &CreatePaymentRequest) -> Result<Payment, Error> {
        let body =
            serde_json::to_value(request).map_err(|e| Error::Config(format!("request: {e}")))?;
        validate_create_payment(&body, &self.inner.validation)?;
        let key = request.idempotency_key.as_ref().map(|k| k.as_str());
        if let Some(key) = key {
            validate_idempotency_key(key)?;
        }
        let safety = if key.is_some() { Safety::Replayable } else { Safety::Once };
        let bytes =
            serde_json::to_vec(&body).map_err(|e| Error::Config(format!("request: {e}")))?;
        match self.send(Method::POST, self.url("v1/payments")?, Some(bytes), key, safety).await {
            Ok((resp, _)) => decode(&resp),
            Err(Error::Timeout(e) | Error::Transport(e)) if key.is_none() && !e.is_connect() => {
                Err(Error::OutcomeUnknown {
                    operation: "create payment",
                    reference: Some(request.reference.clone()),
                    reason: format!(
                        "no answer to a create without an Idempotency-Key, so it was not resent: {e}"
                    ),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// `GET /v1/payments/{id}`: the only strongly consistent way to confirm an outcome.
    pub async fn get_payment(&self, payment_id: &str) -> Result<Payment, Error> {
        self.call(Method::GET, &format!("v1/payments/{}", segment(payment_id)), None).await
    }

    /// `GET /v1/payments/{id}/events`.
    pub async fn payment_events(&self, payment_id: &str) -> Result<PaymentEvents, Error> {
        self.call(Method::GET, &format!("v1/payments/{}/events", segment(payment_id)), None).await
    }

    /// `POST /v1/payments/{id}/cancel` (204). Safe to retry: if a retried cancel is refused, the payment is
    /// read back and an already cancelled payment counts as success.
    pub async fn cancel_payment(&self, payment_id: &str) -> Result<(), Error> {
        let url = self.url(&format!("v1/payments/{}/cancel", segment(payment_id)))?;
        let (resp, attempts) = self.send(Method::POST, url, None, None, Safety::Replayable).await?;
        if resp.status.is_success() {
            return Ok(());
        }
        if attempts > 1 && matches!(resp.status.as_u16(), 400 | 409) {
            let payment = self.get_payment(payment_id).await?;
            if payment.state.status == PaymentStatus::Cancelled {
                return Ok(());
            }
        }
        Err(api_error(&resp))
    }

    /// `POST /v1/payments/{id}/capture` (204). Pay's capture is idempotent, so it is retried freely.
    pub async fn capture_payment(&self, payment_id: &str) -> Result<(), Error> {
        let url = self.url(&format!("v1/payments/{}/capture", segment(payment_id)))?;
        let (resp, _) = self.send(Method::POST, url, None, None, Safety::Replayable).await?;
        no_content(&resp)
    }

    /// `GET /v1/payments`: every matching payment, newest first, following `next_page`. Eventually consistent.
    pub fn search_payments(&self, search: &Search) -> BoxStream<'static, Result<Payment, Error>> {
        self.paginate("v1/payments", search)
    }

    /// Finds payments by exact `reference` through search: the recovery path after
    /// [`Error::OutcomeUnknown`]. Search lags a little behind creation; poll again if nothing is found yet.
    pub async fn find_payments_by_reference(&self, reference: &str) -> Result<Vec<Payment>, Error> {
        self.search_payments(&Search::new().reference(reference)).try_collect().await
    }

    // ---- refunds ----

    /// `POST /v1/payments/{id}/refunds` (202). If `refund_amount_available` is not set it is read from the
    /// payment first, so every refund is guarded: a repeated refund gets 412 P0604 instead of paying twice.
    /// Guarded refunds are retried on timeouts; if a retry meets 412, the first attempt may have succeeded and
    /// the result is [`Error::OutcomeUnknown`] (list the refunds to see).
    pub async fn create_refund(
        &self,
        payment_id: &str,
        request: &CreateRefundRequest,
    ) -> Result<Refund, Error> {
        let mut request = request.clone();
        if request.refund_amount_available.is_none() {
            let payment = self.get_payment(payment_id).await?;
            request.refund_amount_available = payment.refund_summary.map(|s| s.amount_available);
        }
        let body =
            serde_json::to_value(&request).map_err(|e| Error::Config(format!("request: {e}")))?;
        validate_create_refund(&body)?;
        let safety = if request.refund_amount_available.is_some() {
            Safety::Replayable
        } else {
            Safety::Once
        };
        let bytes =
            serde_json::to_vec(&body).map_err(|e| Error::Config(format!("request: {e}")))?;
        let url = self.url(&format!("v1/payments/{}/refunds", segment(payment_id)))?;
        let (resp, attempts) = match self.send(Method::POST, url, Some(bytes), None, safety).await {
            Ok(ok) => ok,
            Err(Error::Timeout(e) | Error::Transport(e))
                if safety == Safety::Once && !e.is_connect() =>
            {
                return Err(Error::OutcomeUnknown {
                    operation: "create refund",
                    reference: None,
                    reason: format!("no answer to an unguarded refund, so it was not resent: {e}"),
                });
            }
            Err(e) => return Err(e),
        };
        if attempts > 1 && resp.status.as_u16() == 412 {
            return Err(Error::OutcomeUnknown {
                operation: "create refund",
                reference: None,
                reason: "a retried refund met 412 P0604: an earlier attempt may have succeeded"
                    .to_owned(),
            });
        }
        decode(&resp)
    }

    /// `GET /v1/payments/{id}/refunds/{refund_id}`.
    pub async fn get_refund(&self, payment_id: &str, refund_id: &str) -> Result<Refund, Error> {
        let path = format!("v1/payments/{}/refunds/{}", segment(payment_id), segment(refund_id));
        self.call(Method::GET, &path, None).await
    }

    /// `GET /v1/payments/{id}/refunds`.
    pub async fn list_refunds(&self, payment_id: &str) -> Result<RefundList, Error> {
        self.call(Method::GET, &format!("v1/payments/{}/refunds", segment(payment_id)), None).await
    }

    /// `GET /v1/refunds`: every matching refund, following `next_page`.
    pub fn search_refunds(&self, search: &Search) -> BoxStream<'static, Result<Refund, Error>> {
        self.paginate("v1/refunds", search)
    }

    // ---- agreements ----

    /// `POST /v1/agreements` (201). Not retried after sending; a lost answer is [`Error::OutcomeUnknown`]
    /// (search agreements by reference).
    pub async fn create_agreement(
        &self,
        request: &CreateAgreementRequest,
    ) -> Result<Agreement, Error> {
        let bytes =
            serde_json::to_vec(request).map_err(|e| Error::Config(format!("request: {e}")))?;
        match self.call(Method::POST, "v1/agreements", Some(bytes)).await {
            Err(Error::Timeout(e) | Error::Transport(e)) if !e.is_connect() => {
                Err(Error::OutcomeUnknown {
                    operation: "create agreement",
                    reference: Some(request.reference.clone()),
                    reason: e.to_string(),
                })
            }
            other => other,
        }
    }

    /// `GET /v1/agreements/{id}`.
    pub async fn get_agreement(&self, agreement_id: &str) -> Result<Agreement, Error> {
        self.call(Method::GET, &format!("v1/agreements/{}", segment(agreement_id)), None).await
    }

    /// `GET /v1/agreements`: every matching agreement, following `next_page`.
    pub fn search_agreements(
        &self,
        search: &Search,
    ) -> BoxStream<'static, Result<Agreement, Error>> {
        self.paginate("v1/agreements", search)
    }

    /// `POST /v1/agreements/{id}/cancel` (204; 400 P2501 if not active).
    pub async fn cancel_agreement(&self, agreement_id: &str) -> Result<(), Error> {
        let url = self.url(&format!("v1/agreements/{}/cancel", segment(agreement_id)))?;
        let (resp, _) = self.send(Method::POST, url, None, None, Safety::Once).await?;
        no_content(&resp)
    }

    // ---- disputes ----

    /// `GET /v1/disputes`: every matching dispute, following `links.next_page`.
    pub fn search_disputes(&self, search: &Search) -> BoxStream<'static, Result<Dispute, Error>> {
        self.paginate("v1/disputes", search)
    }

    // ---- MOTO ----

    /// `POST /v1/auth`: card details for a `moto_api` payment (204). Never resent after sending (the token is
    /// single use); a lost answer is [`Error::OutcomeUnknown`]: read the payment to see.
    pub async fn authorise_moto(&self, request: &AuthoriseRequest) -> Result<(), Error> {
        let bytes =
            serde_json::to_vec(request).map_err(|e| Error::Config(format!("request: {e}")))?;
        match self.send(Method::POST, self.url("v1/auth")?, Some(bytes), None, Safety::Once).await {
            Ok((resp, _)) => no_content(&resp),
            Err(Error::Timeout(e) | Error::Transport(e)) if !e.is_connect() => {
                Err(Error::OutcomeUnknown {
                    operation: "authorise MOTO payment",
                    reference: None,
                    reason: e.to_string(),
                })
            }
            Err(e) => Err(e),
        }
    }

    // ---- pagination ----

    fn paginate<T>(&self, path: &str, search: &Search) -> BoxStream<'static, Result<T, Error>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let first = self.url(path).map(|mut url| {
            if !search.pairs().is_empty() {
                url.query_pairs_mut().extend_pairs(search.pairs());
            }
            url
        });
        let client = self.clone();
        let start = match first {
            Ok(url) => Some(url),
            Err(e) => return stream::once(async move { Err(e) }).boxed(),
        };
        stream::try_unfold((client, start), |(client, next)| async move {
            let Some(url) = next else { return Ok::<_, Error>(None) };
            let page: SearchPage<T> = client.get_url(url.clone()).await?;
            let following = match page.links.next_page.as_ref() {
                Some(link) => Some(client.same_origin(&link.href)?).filter(|n| *n != url),
                None => None,
            };
            Ok(Some((stream::iter(page.results.into_iter().map(Ok)), (client, following))))
        })
        .try_flatten()
        .boxed()
    }

    /// Re-roots a `next_page` link on the configured base URL, so the key is only ever sent there.
    fn same_origin(&self, href: &str) -> Result<Url, Error> {
        let link = Url::parse(href).or_else(|_| self.inner.base.join(href)).map_err(|e| {
            Error::Decode {
                body: href.to_owned(),
                source: serde::de::Error::custom(format!("next_page href: {e}")),
            }
        })?;
        let mut url = self.inner.base.clone();
        url.set_path(link.path());
        url.set_query(link.query());
        Ok(url)
    }
}

/// Percent-encodes an id for use as one path segment.
fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>().replace('+', "%20")
}

fn api_error(resp: &Response) -> Error {
    let body = String::from_utf8_lossy(&resp.body).into_owned();
    let error = serde_json::from_slice::<RequestError>(&resp.body).ok().map(Box::new);
    Error::Api { status: resp.status.as_u16(), error, body }
}

fn decode<T: DeserializeOwned>(resp: &Response) -> Result<T, Error> {
    if !resp.status.is_success() {
        return Err(api_error(resp));
    }
    serde_json::from_slice(&resp.body).map_err(|source| Error::Decode {
        body: String::from_utf8_lossy(&resp.body).into_owned(),
        source,
    })
}

fn no_content(resp: &Response) -> Result<(), Error> {
    if resp.status.is_success() { Ok(()) } else { Err(api_error(resp)) }
}

/// A base URL that does not parse or an HTTP client that cannot be built: [`Error::Config`].
impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Self::Config(error.to_string())
    }
}
