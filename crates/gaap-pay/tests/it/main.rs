//! Integration tests for gaap-pay: one binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::needless_pass_by_value,
    missing_docs,
    unreachable_pub
)]

mod client;
mod props;
mod state;
mod validate;
mod webhook;
