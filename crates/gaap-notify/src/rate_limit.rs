//! A client-side token bucket matching Notify's send limit, on an injected clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gaap_http::SharedClock;

/// Notify's default limit: 3,000 sends a minute per key type.
pub const NOTIFY_RATE_LIMIT_PER_MINUTE: u32 = 3_000;

#[derive(Debug)]
struct State {
    tokens: f64,
    last_nanos: i128,
}

/// A token bucket refilling at `per_minute / 60` tokens a second up to `per_minute` tokens.
/// Clones share one bucket. Time comes from the injected clock, so tests drive it with
/// `gaap_http::ManualClock`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    per_minute: u32,
    clock: SharedClock,
    state: Arc<Mutex<State>>,
}

impl TokenBucket {
    /// A full bucket of `per_minute` tokens.
    #[must_use]
    pub fn new(per_minute: u32, clock: SharedClock) -> Self {
        let last_nanos = clock.now().unix_timestamp_nanos();
        Self {
            per_minute: per_minute.max(1),
            clock,
            state: Arc::new(Mutex::new(State { tokens: f64::from(per_minute.max(1)), last_nanos })),
        }
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
        let rate_per_sec = f64::from(self.per_minute) / 60.0;
        let now = self.clock.now().unix_timestamp_nanos();
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        #[allow(clippy::cast_precision_loss)]
        let elapsed = (now - state.last_nanos).max(0) as f64 / 1e9;
        state.tokens = (state.tokens + elapsed * rate_per_sec).min(f64::from(self.per_minute));
        state.last_nanos = now.max(state.last_nanos);
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - state.tokens) / rate_per_sec))
        }
    }
}
