//! Integration tests: each starts an in-process sandbox on loopback with a `ManualClock` and no background
//! ticker, so time moves only when a test says so and nothing sleeps.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::field_reassign_with_default,
    missing_docs,
    unreachable_pub
)]

mod common;
mod e2e_identity;
mod e2e_notify;
mod e2e_pay;
mod faults;
#[cfg(feature = "interop")]
mod interop;
mod notify;
mod notify_fidelity;
mod one_login;
mod one_login_fidelity;
mod one_login_runtime_config;
mod one_login_secret;
mod pages;
mod pay;
mod pay_moto_disputes;
