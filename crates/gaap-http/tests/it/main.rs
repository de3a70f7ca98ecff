//! Integration tests for gaap-http's client core: one binary, against wiremock on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::needless_pass_by_value,
    missing_docs,
    unreachable_pub
)]

mod core;
