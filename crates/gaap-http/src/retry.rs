//! The words of a retry decision, and the decision for clients whose only rule is idempotency.

use std::time::Duration;

use crate::backoff::Backoff;

/// How one attempt ended, as a retry decision sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The server answered with this status; `retry_after` is its `Retry-After`, if any.
    Status {
        /// The HTTP status.
        status: u16,
        /// The parsed `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// The connection could not be opened: the request was never sent.
    Connect,
    /// The request was sent and no answer came in time.
    Timeout,
    /// Another transport failure after sending.
    Transport,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop and report the outcome.
    Stop,
}

/// Retry limits for a client whose requests are either idempotent (a `GET`) or must not be resent once
/// sent (a one-time code exchange). The default is no retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first. 1 disables retries.
    pub max_attempts: u32,
    /// Capped exponential backoff with full jitter.
    pub backoff: Backoff,
    /// The most a `Retry-After` is honoured for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// No retries.
    fn default() -> Self {
        Self::never()
    }
}

impl RetryPolicy {
    /// No retries at all.
    #[must_use]
    pub fn never() -> Self {
        Self::new(1)
    }

    /// `max_attempts` attempts in all, backoff from 200 ms capped at 10 s, `Retry-After` up to 60 s.
    #[must_use]
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            backoff: Backoff::default(),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// Retries with no waiting: for tests.
    #[must_use]
    pub fn immediate(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            backoff: Backoff::new(Duration::ZERO, Duration::ZERO),
            max_retry_after: Duration::ZERO,
        }
    }

    /// Decides whether attempt `attempt` (1-based) is followed by another. An `idempotent` request is
    /// retried on a timeout, a broken connection, 429 (after its `Retry-After`, capped) and 500, 502, 503 and
    /// 504; any other request only when the connection never opened, so it was never sent. `jitter` in
    /// `[0, 1]` scales the backoff step.
    #[must_use]
    pub fn decide(
        &self,
        idempotent: bool,
        attempt: u32,
        outcome: AttemptOutcome,
        jitter: f64,
    ) -> RetryDecision {
        if attempt >= self.max_attempts {
            return RetryDecision::Stop;
        }
        let step = self.backoff.delay(attempt, jitter);
        match outcome {
            AttemptOutcome::Connect => RetryDecision::RetryAfter(step),
            _ if !idempotent => RetryDecision::Stop,
            AttemptOutcome::Status { status: 429, retry_after } => RetryDecision::RetryAfter(
                retry_after.map_or(step, |wait| wait.min(self.max_retry_after)),
            ),
            AttemptOutcome::Timeout
            | AttemptOutcome::Transport
            | AttemptOutcome::Status { status: 500 | 502 | 503 | 504, .. } => {
                RetryDecision::RetryAfter(step)
            }
            AttemptOutcome::Status { .. } => RetryDecision::Stop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> AttemptOutcome {
        AttemptOutcome::Status { status, retry_after: None }
    }

    #[test]
    fn idempotent_requests_retry_transient_failures() {
        let p = RetryPolicy::new(3);
        let ms = |n| RetryDecision::RetryAfter(Duration::from_millis(n));
        assert_eq!(p.decide(true, 1, AttemptOutcome::Timeout, 1.0), ms(200));
        assert_eq!(p.decide(true, 2, status(503), 1.0), ms(400));
        assert_eq!(p.decide(true, 3, status(503), 1.0), RetryDecision::Stop);
        assert_eq!(p.decide(true, 1, status(404), 1.0), RetryDecision::Stop);
        let later =
            AttemptOutcome::Status { status: 429, retry_after: Some(Duration::from_secs(900)) };
        assert_eq!(
            p.decide(true, 1, later, 1.0),
            RetryDecision::RetryAfter(Duration::from_secs(60))
        );
    }

    #[test]
    fn other_requests_retry_only_when_never_sent() {
        let p = RetryPolicy::new(3);
        for outcome in
            [AttemptOutcome::Timeout, AttemptOutcome::Transport, status(429), status(503)]
        {
            assert_eq!(p.decide(false, 1, outcome, 1.0), RetryDecision::Stop, "{outcome:?}");
        }
        let connect = p.decide(false, 1, AttemptOutcome::Connect, 0.5);
        assert_eq!(connect, RetryDecision::RetryAfter(Duration::from_millis(100)));
        assert_eq!(
            RetryPolicy::never().decide(true, 1, AttemptOutcome::Connect, 1.0),
            RetryDecision::Stop
        );
    }
}
