//! Waiting between attempts, injectable so tests never sleep on real time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::clock::ManualClock;

/// Waits between attempts and for rate-limit slots. Inject one to keep tests off the real clock.
pub trait Sleeper: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// A sleeper shared between a client and its caller.
pub type SharedSleeper = Arc<dyn Sleeper>;

/// Sleeps on the tokio timer (the `client` feature).
#[cfg(feature = "client")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[cfg(feature = "client")]
impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A sleeper that returns at once and records every wait; with [`RecordingSleeper::advancing`] it also moves
/// a [`ManualClock`] forward by each wait, so a clock-driven wait ends without real time passing.
#[derive(Debug, Clone, Default)]
pub struct RecordingSleeper {
    waits: Arc<Mutex<Vec<Duration>>>,
    clock: Option<ManualClock>,
}

impl RecordingSleeper {
    /// Records waits; time does not move.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records waits and advances `clock` by each.
    #[must_use]
    pub fn advancing(clock: ManualClock) -> Self {
        Self { waits: Arc::default(), clock: Some(clock) }
    }

    /// The waits so far, in order. Clones share the record.
    #[must_use]
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.waits.lock().unwrap_or_else(PoisonError::into_inner).push(duration);
        if let Some(clock) = &self.clock {
            clock.advance(duration);
        }
        Box::pin(std::future::ready(()))
    }
}
