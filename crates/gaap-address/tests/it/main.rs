//! Integration tests for gaap-address (one binary).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

mod geo;
mod index;
mod loaders;
#[cfg(feature = "ons-postcodes")]
mod ons;
#[cfg(feature = "os-places")]
mod os_places;
mod paf;
mod postcode;
mod source;

pub fn data(path: &str) -> String {
    let full = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}
