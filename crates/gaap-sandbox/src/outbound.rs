//! Outgoing calls the platforms make to a service: Notify delivery-status callbacks, Pay webhooks and One Login
//! back-channel logout, each on its platform's retry schedule, timed on the sandbox clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gaap_http::SharedClock;
use serde::Serialize;
use time::OffsetDateTime;

/// Which platform's retry rules a delivery follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// Notify: retried every 5 minutes up to 5 times, only on connection errors, 5xx and 429.
    NotifyCallback,
    /// Pay: retried after 60 s, 5 min, 1 h, 1 day and 2 days on any non-2xx or error.
    PayWebhook,
    /// One Login back-channel logout: one attempt.
    BackChannelLogout,
}

impl DeliveryKind {
    /// Delay before the next attempt after `failed_attempts` failures, or `None` to give up.
    fn retry_delay(self, failed_attempts: u32) -> Option<Duration> {
        match self {
            // alphagov/notifications-api:app/celery/service_callback_tasks.py: max_retries=5, delay 300 s.
            Self::NotifyCallback => (failed_attempts <= 5).then_some(Duration::from_secs(300)),
            // alphagov/pay-webhooks:.../deliveryqueue/managed/SendAttempter.java.
            Self::PayWebhook => match failed_attempts {
                1 => Some(Duration::from_secs(60)),
                2 => Some(Duration::from_secs(300)),
                3 => Some(Duration::from_secs(3600)),
                4 => Some(Duration::from_secs(86_400)),
                5 => Some(Duration::from_secs(172_800)),
                _ => None,
            },
            Self::BackChannelLogout => None,
        }
    }

    fn retries_status(self, status: u16) -> bool {
        match self {
            Self::NotifyCallback => status >= 500 || status == 429,
            Self::PayWebhook => !(200..300).contains(&status),
            Self::BackChannelLogout => false,
        }
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Answered 2xx.
    Delivered,
    /// Failed and will not be retried.
    Failed,
}

/// One attempt's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// When it was made (sandbox clock).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// HTTP status, when one came back.
    pub status: Option<u16>,
    /// Transport error, when none did.
    pub error: Option<String>,
}

/// A callback, webhook or logout notification and its attempts.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// Sequence number.
    pub id: u64,
    /// Platform rules followed.
    pub kind: DeliveryKind,
    /// Target URL.
    pub url: String,
    /// Request headers sent (bearer tokens included: this is a local test tool).
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: String,
    /// Status.
    pub status: DeliveryStatus,
    /// Next attempt time.
    #[serde(with = "time::serde::rfc3339")]
    pub next_at: OffsetDateTime,
    /// Attempts made.
    pub attempts: Vec<Attempt>,
    #[serde(skip)]
    in_flight: bool,
}

/// The delivery queue shared by the three services.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    inner: Arc<Mutex<Vec<Delivery>>>,
    clock: SharedClock,
    http: reqwest::Client,
}

impl Outbound {
    pub(crate) fn new(clock: SharedClock) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .user_agent(gaap_http::user_agent("gaap-sandbox", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self { inner: Arc::default(), clock, http }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Delivery>> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues a delivery for `at`.
    pub(crate) fn enqueue(
        &self,
        kind: DeliveryKind,
        url: &str,
        headers: Vec<(String, String)>,
        body: String,
        at: OffsetDateTime,
    ) {
        let mut queue = self.lock();
        let id = queue.len() as u64 + 1;
        queue.push(Delivery {
            id,
            kind,
            url: url.to_owned(),
            headers,
            body,
            status: DeliveryStatus::Pending,
            next_at: at,
            attempts: Vec::new(),
            in_flight: false,
        });
    }

    /// A snapshot of every delivery.
    pub(crate) fn snapshot(&self) -> Vec<Delivery> {
        self.lock().clone()
    }

    /// Makes every attempt that is due on the clock, and waits for them.
    pub(crate) async fn run_due(&self) {
        let now = self.clock.now();
        let due: Vec<(usize, Delivery)> = {
            let mut queue = self.lock();
            queue
                .iter_mut()
                .enumerate()
                .filter(|(_, d)| {
                    d.status == DeliveryStatus::Pending && !d.in_flight && d.next_at <= now
                })
                .map(|(i, d)| {
                    d.in_flight = true;
                    (i, d.clone())
                })
                .collect()
        };
        let mut set = tokio::task::JoinSet::new();
        for (index, delivery) in due {
            let http = self.http.clone();
            set.spawn(async move {
                let mut request = http.post(&delivery.url).body(delivery.body.clone());
                for (name, value) in &delivery.headers {
                    request = request.header(name, value);
                }
                let outcome =
                    request.send().await.map(|r| r.status().as_u16()).map_err(|e| e.to_string());
                (index, outcome)
            });
        }
        while let Some(joined) = set.join_next().await {
            let Ok((index, outcome)) = joined else { continue };
            let now = self.clock.now();
            let mut queue = self.lock();
            let Some(d) = queue.get_mut(index) else { continue };
            d.in_flight = false;
            let (status, error, retryable) = match outcome {
                Ok(status) if (200..300).contains(&status) => (Some(status), None, false),
                Ok(status) => (Some(status), None, d.kind.retries_status(status)),
                Err(e) => (None, Some(e), d.kind != DeliveryKind::BackChannelLogout),
            };
            d.attempts.push(Attempt { at: now, status, error });
            let failures = u32::try_from(d.attempts.len()).unwrap_or(u32::MAX);
            if status.is_some_and(|s| (200..300).contains(&s)) {
                d.status = DeliveryStatus::Delivered;
            } else if let Some(delay) = retryable.then(|| d.kind.retry_delay(failures)).flatten() {
                d.next_at = now + delay;
            } else {
                d.status = DeliveryStatus::Failed;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pay_schedule_gives_up_after_the_sixth_attempt() {
        let delays: Vec<_> = (1..=6).map(|n| DeliveryKind::PayWebhook.retry_delay(n)).collect();
        assert_eq!(delays[0], Some(Duration::from_secs(60)));
        assert_eq!(delays[4], Some(Duration::from_secs(172_800)));
        assert_eq!(delays[5], None);
    }

    #[test]
    fn notify_retries_only_server_errors_and_429() {
        assert!(DeliveryKind::NotifyCallback.retries_status(503));
        assert!(DeliveryKind::NotifyCallback.retries_status(429));
        assert!(!DeliveryKind::NotifyCallback.retries_status(404));
        assert_eq!(DeliveryKind::NotifyCallback.retry_delay(5), Some(Duration::from_secs(300)));
        assert_eq!(DeliveryKind::NotifyCallback.retry_delay(6), None);
    }
}
