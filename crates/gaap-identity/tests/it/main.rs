//! gaap-identity integration tests: the OpenID RP conformance cases (named after the conformance suite's
//! `oidcc-client-test-*` and rohe/oidctest `rp-*` cases), One Login's simulator error knobs, the client
//! against wiremock, and property tests for the parsers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value,
    missing_docs,
    unreachable_pub
)]

mod client;
mod conformance;
mod core_identity;
#[cfg(feature = "interop")]
mod interop;
mod logout;
mod properties;
mod retry;
mod support;
