//! Client-side rate limits on an injected clock, waited for through an injected [`Sleeper`].

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use time::OffsetDateTime;

use crate::clock::SharedClock;
use crate::sleep::Sleeper;

/// A client-side limit: take a slot now, or learn how long until one frees up.
pub trait RateLimit: Send + Sync + fmt::Debug {
    /// Takes a slot if one is free; otherwise returns how long until one is.
    ///
    /// # Errors
    /// The wait before a slot is free.
    fn try_acquire(&self) -> Result<(), Duration>;
}

/// Waits (through `sleeper`) until `limit` gives a slot, then takes it. Time is the limit's clock, so with
/// a manual clock the sleeper must move it (see [`crate::RecordingSleeper::advancing`]).
pub async fn acquire(limit: &dyn RateLimit, sleeper: &dyn Sleeper) {
    while let Err(wait) = limit.try_acquire() {
        sleeper.sleep(wait).await;
    }
}

#[derive(Debug)]
struct BucketState {
    tokens: f64,
    last_nanos: i128,
}

/// A token bucket refilling at `per_minute / 60` tokens a second up to `per_minute` tokens.
/// Clones share one bucket. Time comes from the injected clock.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    per_minute: u32,
    clock: SharedClock,
    state: Arc<Mutex<BucketState>>,
}

impl TokenBucket {
    /// A full bucket of `per_minute` tokens (at least 1).
    #[must_use]
    pub fn new(per_minute: u32, clock: SharedClock) -> Self {
        let per_minute = per_minute.max(1);
        let last_nanos = clock.now().unix_timestamp_nanos();
        let state = BucketState { tokens: f64::from(per_minute), last_nanos };
        Self { per_minute, clock, state: Arc::new(Mutex::new(state)) }
    }

    /// The bucket size and the tokens refilled a minute.
    #[must_use]
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }
}

impl RateLimit for TokenBucket {
    fn try_acquire(&self) -> Result<(), Duration> {
        let rate_per_sec = f64::from(self.per_minute) / 60.0;
        let now = self.clock.now().unix_timestamp_nanos();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
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

/// A sliding one-minute window: at most `per_minute` slots in any 60 seconds. Clones share one window.
#[derive(Debug, Clone)]
pub struct SlidingWindow {
    per_minute: u32,
    clock: SharedClock,
    sent: Arc<Mutex<VecDeque<OffsetDateTime>>>,
}

impl SlidingWindow {
    /// An empty window allowing `per_minute` slots a minute (at least 1).
    #[must_use]
    pub fn new(per_minute: u32, clock: SharedClock) -> Self {
        Self { per_minute: per_minute.max(1), clock, sent: Arc::default() }
    }
}

impl RateLimit for SlidingWindow {
    fn try_acquire(&self) -> Result<(), Duration> {
        let now = self.clock.now();
        let window = time::Duration::minutes(1);
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        while sent.front().is_some_and(|&t| t + window <= now) {
            sent.pop_front();
        }
        if sent.len() < self.per_minute as usize {
            sent.push_back(now);
            return Ok(());
        }
        let oldest = sent.front().copied().unwrap_or(now);
        let wait = (oldest + window - now).max(time::Duration::ZERO);
        Err(Duration::try_from(wait).unwrap_or(Duration::from_secs(60)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;

    use crate::{Clock, ManualClock, RecordingSleeper};

    fn block_on<F: Future>(f: F) -> F::Output {
        // The futures here never pend: the recording sleeper is ready at once.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    #[test]
    fn bucket_wait_goes_through_the_sleeper_on_the_injected_clock() {
        let clock = ManualClock::at_unix(1_795_000_000);
        let bucket = TokenBucket::new(60, Arc::new(clock.clone()));
        let sleeper = RecordingSleeper::advancing(clock.clone());
        for _ in 0..60 {
            block_on(acquire(&bucket, &sleeper));
        }
        assert!(sleeper.waits().is_empty(), "a full bucket needs no wait");
        block_on(acquire(&bucket, &sleeper));
        block_on(acquire(&bucket, &sleeper));
        assert_eq!(sleeper.waits(), [Duration::from_secs(1), Duration::from_secs(1)]);
        assert_eq!(clock.unix_seconds(), 1_795_000_002);
    }

    #[test]
    fn window_frees_the_oldest_slot_a_minute_later() {
        let clock = ManualClock::at_unix(1_795_000_000);
        let window = SlidingWindow::new(2, Arc::new(clock.clone()));
        assert_eq!(window.try_acquire(), Ok(()));
        clock.advance(Duration::from_secs(10));
        assert_eq!(window.try_acquire(), Ok(()));
        assert_eq!(window.try_acquire(), Err(Duration::from_secs(50)));
        let sleeper = RecordingSleeper::advancing(clock);
        block_on(acquire(&window, &sleeper));
        assert_eq!(sleeper.waits(), [Duration::from_secs(50)]);
        assert_eq!(window.try_acquire(), Err(Duration::from_secs(10)));
    }
}
