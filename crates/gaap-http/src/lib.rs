#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
//!
//! Plumbing shared by the gaap API clients: an injectable clock and sleeper, capped and jittered backoff,
//! `Retry-After` parsing, client-side rate limits and the User-Agent string; with the `client` feature, the
//! client core over reqwest.
//!
//! ```
//! use std::time::Duration;
//! use gaap_http::{Backoff, Clock, ManualClock};
//!
//! let clock = ManualClock::new(time::macros::datetime!(2026-01-01 12:00 UTC));
//! clock.advance(Duration::from_secs(90));
//! assert_eq!(clock.now().minute(), 1);
//!
//! let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
//! // With jitter fraction 1.0 the delay is the full exponential step, capped.
//! assert_eq!(backoff.delay(4, 1.0), Duration::from_millis(800));
//! assert_eq!(backoff.delay(30, 1.0), Duration::from_secs(5));
//! ```

#[cfg(feature = "retry")]
mod backoff;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "retry")]
mod clock;
#[cfg(feature = "retry")]
mod limit;
mod open_enum;
pub use open_enum::OpenEnum;
#[cfg(feature = "retry")]
mod retry;
mod secret;
#[cfg(feature = "retry")]
mod sleep;

#[cfg(feature = "retry")]
pub use backoff::{Backoff, parse_retry_after};
#[cfg(feature = "client")]
pub use client::{
    ClientConfig, ConfigError, RawResponse, Sent, Transport, outcome_of, send_with_retry,
};
#[cfg(feature = "retry")]
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
#[cfg(feature = "retry")]
pub use limit::{RateLimit, SlidingWindow, TokenBucket, acquire};
/// The reqwest the client core is built on, for [`client_builder_setters!`].
#[cfg(feature = "client")]
pub use reqwest;
#[cfg(feature = "retry")]
pub use retry::{AttemptOutcome, RetryDecision, RetryPolicy};
#[cfg(feature = "client")]
pub use sleep::TokioSleeper;
#[cfg(feature = "retry")]
pub use sleep::{RecordingSleeper, SharedSleeper, Sleeper};

/// A jitter fraction in `[0, 1]` from the thread-local generator, for [`RetryPolicy::decide`].
#[cfg(feature = "retry")]
#[must_use]
pub fn jitter() -> f64 {
    rand::random::<f64>()
}

/// The User-Agent a gaap client sends: `NAME/VERSION`, for example `gaap-notify/0.1.0`.
#[must_use]
pub fn user_agent(crate_name: &str, version: &str) -> String {
    format!("{crate_name}/{version}")
}
