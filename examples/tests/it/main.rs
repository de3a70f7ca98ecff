//! Tests of the examples: the council tax app over HTTP, every small example run to completion, and (with
//! the `browser` feature) the whole journey in headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, unreachable_pub)]

mod app;
mod attacks;
#[cfg(feature = "browser")]
mod browser;
mod examples;
#[cfg(feature = "postgres")]
mod replicas;
mod support;
