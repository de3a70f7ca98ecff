//! Integration tests for gaap-content.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod govspeak;
mod injection;
mod jsonld;
mod local;
mod model;
mod rules;
mod store;
