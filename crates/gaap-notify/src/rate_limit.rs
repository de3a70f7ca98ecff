//! A client-side token bucket matching Notify's send limit, on an injected clock.

use std::time::Duration;

use gaap_http::{RateLimit, SharedClock};

/// Notify's default limit: 3,000 sends a minute per key type.
pub const NOTIFY_RATE_LIMIT_PER_MINUTE: u32 = 3_000;

/// A token bucket refilling at `per_minute / 60` tokens a second up to `per_minute` tokens: the shared
/// [`gaap_http::TokenBucket`] with Notify's default. Clones share one bucket. Time comes from the injected
/// clock, so tests drive it with `gaap_http::ManualClock`; the client waits for it through its sleeper.
#[derive(Debug, Clone)]
pub struct TokenBucket(gaap_http::TokenBucket);

impl TokenBucket {
    /// A full bucket of `per_minute` tokens.
    #[must_use]
    pub fn new(per_minute: u32, clock: SharedClock) -> Self {
        Self(gaap_http::TokenBucket::new(per_minute, clock))
    }

    /// Notify's 3,000 a minute.
    #[must_use]
    pub fn notify_default(clock: SharedClock) -> Self {
        Self::new(NOTIFY_RATE_LIMIT_PER_MINUTE, clock)
    }

    /// Takes a token if one is available; otherwise returns how long until one is.
    ///
    /// # Errors
    /// The wait before a token is available.
    pub fn try_acquire(&self) -> Result<(), Duration> {
        self.0.try_acquire()
    }

    pub(crate) fn as_limit(&self) -> &dyn RateLimit {
        &self.0
    }
}
