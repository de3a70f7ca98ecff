#![doc = include_str!("../README.md")]
#![cfg_attr(
    feature = "client",
    doc = r#"
# The client

[`Client`] covers the 12 v2 operations, plus [`prepare_upload`] for sending a file by email.
Each request carries a fresh HS256 JWT (`iss` = service id, `iat` = now from the injected
clock) and the User-Agent `gaap-notify/<version>`. The default timeout is 30 s per attempt
([`DEFAULT_TIMEOUT`]). The two lists are also [`futures::Stream`]s that page with
`older_than`. Errors are typed by Notify's envelope ([`Error`]).

**Retries are opt-in** ([`RetryPolicy`]). Notify has no idempotency key, so a send (`POST`) is
retried only on a 429 rate-limit response or when the connection failed before the request
was sent. It is never retried after a timeout, a broken connection or a 5xx, because the
message may already exist; see [`should_retry`]. [`TokenBucket`] spaces bulk sends to
Notify's 3,000 a minute.
"#
)]
#![cfg_attr(
    not(feature = "client"),
    doc = r#"
# The client

The HTTP client (`Client`, its retries and rate limiter) is behind the `client` feature; without it this crate
is the offline rules, the bulk CSV checks, the callbacks and the types, with no HTTP stack.
"#
)]
//!
//! # The rules
//!
//! [`rules`] reproduces alphagov/notifications-utils (placeholders, the SMS pipeline, phone
//! numbers, email and postal addresses, email markdown) and the checks notifications-api makes,
//! with the API's error messages. [`bulk`] validates a recipients CSV the way an upload does.
//! [`callbacks`] types Notify's callbacks and checks their bearer token in constant time.
//!
//! # Where the docs and the code disagree, this crate follows the code
//!
//! - Datetimes are `%Y-%m-%dT%H:%M:%S.%fZ` (the docs show a space-separated form); kept as strings.
//! - SMS counting defaults to the live behaviour of notifications-utils PR #1443 (unicode kept,
//!   emoji count 2); the ZWJ family emoji counts 11, as the PR's tests say.
//! - Address errors use the API's wording (`Address must be at least 3 lines`), which differs from
//!   the web interface's.
//! - Phone errors have both wordings: [`rules::phone::PhoneErrorCode::message`] (UI) and
//!   [`rules::phone::PhoneErrorCode::api_message`] (the v2 API's legacy messages).

#[cfg(feature = "client")]
mod auth;
pub mod bulk;
pub mod callbacks;
#[cfg(feature = "client")]
mod client;
mod error;
#[cfg(feature = "client")]
mod rate_limit;
pub mod rules;
pub mod types;
mod upload;

#[cfg(feature = "client")]
pub use auth::ApiKey;
#[cfg(feature = "client")]
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Failure,
    RetryPolicy, should_retry,
};
pub use error::{ApiError, ApiErrorItem, Error, classify};
#[cfg(feature = "client")]
pub use rate_limit::{NOTIFY_RATE_LIMIT_PER_MINUTE, TokenBucket};
pub use types::*;
pub use upload::{FileOptions, MAX_FILE_BYTES, prepare_upload};
