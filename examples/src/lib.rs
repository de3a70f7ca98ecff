//! Code shared by the runnable examples in this folder. Run an example from the workspace root with
//! `cargo run --example NAME`; `examples/README.md` lists them.
//!
//! The main one is the council tax service in [`council_tax`]: `cargo run --example council-tax`.

pub mod council_tax;
pub mod govuk;
pub mod store;
