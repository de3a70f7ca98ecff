//! When to retry: a pure decision, unit-tested without a network or a clock.

use std::time::Duration;

use gaap_http::Backoff;
/// The outcome and decision words, the sleeper, and the tokio sleeper are the shared client core's.
pub use gaap_http::{AttemptOutcome, RetryDecision, Sleeper, TokioSleeper};

/// Whether replaying a request can duplicate its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// Replaying cannot duplicate anything: GETs, capture (Pay answers 204 again), cancel, a create carrying an
    /// `Idempotency-Key`, a refund guarded by `refund_amount_available`.
    Replayable,
    /// Replaying may duplicate it (a create without a key, MOTO authorisation): only retried when Pay provably
    /// did not process it (429, or the connection never opened).
    Once,
}

/// Retry limits. What is retried is [`retry_decision`]'s rule: a request is resent after a timeout or a 5xx only
/// when it is [`Safety::Replayable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first. 1 disables retries.
    pub max_attempts: u32,
    /// Capped exponential backoff with full jitter.
    pub backoff: Backoff,
    /// The least wait after a 429 without `Retry-After` (Pay's docs say retry after about 1 s).
    pub rate_limit_floor: Duration,
    /// The most a `Retry-After` is honoured for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 200 ms capped at 10 s, at least 1 s after a 429, `Retry-After` up to 60 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            backoff: Backoff::default(),
            rate_limit_floor: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    #[must_use]
    pub fn never() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Retries with no waiting: for tests.
    #[must_use]
    pub fn immediate(max_attempts: u32) -> Self {
        Self {
            max_attempts,
            backoff: Backoff::new(Duration::ZERO, Duration::ZERO),
            rate_limit_floor: Duration::ZERO,
            max_retry_after: Duration::ZERO,
        }
    }
}

/// Decides whether attempt number `attempt` (1-based) should be followed by another.
/// `jitter` in `[0, 1]` scales the backoff step.
#[must_use]
pub fn retry_decision(
    policy: &RetryPolicy,
    safety: Safety,
    attempt: u32,
    outcome: AttemptOutcome,
    jitter: f64,
) -> RetryDecision {
    if attempt >= policy.max_attempts {
        return RetryDecision::Stop;
    }
    let step = policy.backoff.delay(attempt, jitter);
    match (outcome, safety) {
        // 429 P0900: refused before processing, so any request may be repeated.
        (AttemptOutcome::Status { status: 429, retry_after }, _) => {
            let wait = retry_after
                .map_or(step.max(policy.rate_limit_floor), |ra| ra.min(policy.max_retry_after));
            RetryDecision::RetryAfter(wait)
        }
        (AttemptOutcome::Connect, _) => RetryDecision::RetryAfter(step),
        (AttemptOutcome::Timeout | AttemptOutcome::Transport, Safety::Replayable) => {
            RetryDecision::RetryAfter(step)
        }
        (AttemptOutcome::Status { status: 500 | 502 | 503 | 504, .. }, Safety::Replayable) => {
            RetryDecision::RetryAfter(step)
        }
        _ => RetryDecision::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn status(status: u16) -> AttemptOutcome {
        AttemptOutcome::Status { status, retry_after: None }
    }

    #[test]
    fn gets_retry_transient_failures_with_capped_backoff() {
        let p = RetryPolicy { max_attempts: 10, ..RetryPolicy::default() };
        let d = |a, o| retry_decision(&p, Safety::Replayable, a, o, 1.0);
        assert_eq!(
            d(1, AttemptOutcome::Timeout),
            RetryDecision::RetryAfter(Duration::from_millis(200))
        );
        assert_eq!(d(2, status(503)), RetryDecision::RetryAfter(Duration::from_millis(400)));
        assert_eq!(d(9, status(500)), RetryDecision::RetryAfter(Duration::from_secs(10)));
        assert_eq!(d(1, status(404)), RetryDecision::Stop);
        assert_eq!(d(1, status(400)), RetryDecision::Stop);
        assert_eq!(d(10, AttemptOutcome::Timeout), RetryDecision::Stop);
        let half = retry_decision(&p, Safety::Replayable, 3, AttemptOutcome::Transport, 0.5);
        assert_eq!(half, RetryDecision::RetryAfter(Duration::from_millis(400)));
    }

    #[test]
    fn rate_limit_is_honoured_for_everything() {
        let p = RetryPolicy::default();
        let ra = AttemptOutcome::Status { status: 429, retry_after: Some(Duration::from_secs(3)) };
        assert_eq!(retry_decision(&p, Safety::Once, 1, ra, 0.0), RetryDecision::RetryAfter(3 * S));
        assert_eq!(
            retry_decision(&p, Safety::Once, 1, status(429), 0.0),
            RetryDecision::RetryAfter(S)
        );
        let huge =
            AttemptOutcome::Status { status: 429, retry_after: Some(Duration::from_secs(3600)) };
        assert_eq!(
            retry_decision(&p, Safety::Replayable, 1, huge, 0.0),
            RetryDecision::RetryAfter(60 * S)
        );
    }

    #[test]
    fn unsafe_requests_are_never_resent_after_sending() {
        let p = RetryPolicy::default();
        for outcome in
            [AttemptOutcome::Timeout, AttemptOutcome::Transport, status(500), status(503)]
        {
            assert_eq!(retry_decision(&p, Safety::Once, 1, outcome, 1.0), RetryDecision::Stop);
        }
        let connect = retry_decision(&p, Safety::Once, 1, AttemptOutcome::Connect, 1.0);
        assert_eq!(connect, RetryDecision::RetryAfter(Duration::from_millis(200)));
        assert_eq!(
            retry_decision(&RetryPolicy::never(), Safety::Replayable, 1, status(429), 1.0),
            RetryDecision::Stop
        );
    }
}
