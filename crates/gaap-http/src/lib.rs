#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
//!
//! Plumbing shared by the gaap API clients: an injectable clock, capped and jittered backoff,
//! `Retry-After` parsing and the User-Agent string.
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
#[cfg(feature = "retry")]
mod clock;
mod open_enum;
mod secret;

#[cfg(feature = "retry")]
pub use backoff::{Backoff, parse_retry_after};
#[cfg(feature = "retry")]
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};

/// The User-Agent a gaap client sends: `NAME/VERSION`, for example `gaap-notify/0.1.0`.
#[must_use]
pub fn user_agent(crate_name: &str, version: &str) -> String {
    format!("{crate_name}/{version}")
}
