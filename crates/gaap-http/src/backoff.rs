use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// Capped exponential backoff with full jitter.
///
/// The delay before retry `attempt` (1 for the first retry) is `jitter × min(cap, base × 2^(attempt-1))`,
/// where `jitter` is drawn uniformly from `[0, 1]`. The draw is an argument, so the decision stays a
/// pure function that tests can pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
}

impl Backoff {
    /// Backoff starting at `base` and never above `cap`.
    #[must_use]
    pub const fn new(base: Duration, cap: Duration) -> Self {
        Self { base, cap }
    }

    /// The first step.
    #[must_use]
    pub const fn base(&self) -> Duration {
        self.base
    }

    /// The largest delay.
    #[must_use]
    pub const fn cap(&self) -> Duration {
        self.cap
    }

    /// The delay before retry `attempt` (1-based), scaled by `jitter` in `[0, 1]` (clamped).
    #[must_use]
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(31);
        let step = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        step.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// [`Backoff::delay`] with a jitter drawn from the thread-local generator.
    #[must_use]
    pub fn jittered_delay(&self, attempt: u32) -> Duration {
        self.delay(attempt, rand::random::<f64>())
    }
}

impl Default for Backoff {
    /// 200 ms, doubling, capped at 10 s.
    fn default() -> Self {
        Self::new(Duration::from_millis(200), Duration::from_secs(10))
    }
}

/// Parses a `Retry-After` header value: either delay-seconds or an HTTP date (IMF-fixdate).
///
/// A date in the past gives zero. Anything else gives `None`.
#[must_use]
pub fn parse_retry_after(value: &str, now: OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = OffsetDateTime::parse(value, &Rfc2822).ok()?;
    let ahead = date - now;
    Some(Duration::try_from(ahead).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn delay_doubles_then_caps() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let full: Vec<_> = (1..=6).map(|a| b.delay(a, 1.0).as_millis()).collect();
        assert_eq!(full, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.delay(4, 0.5), Duration::from_millis(400));
        assert_eq!(b.delay(4, 0.0), Duration::ZERO);
        assert_eq!(b.delay(u32::MAX, 1.0), Duration::from_secs(1));
    }

    #[test]
    fn jitter_is_clamped() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, 7.0), Duration::from_millis(200));
        assert_eq!(b.delay(1, -1.0), Duration::ZERO);
        assert!(b.jittered_delay(2) <= Duration::from_millis(400));
    }

    #[test]
    fn retry_after_forms() {
        let now = datetime!(2026-11-22 10:00:00 UTC);
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
