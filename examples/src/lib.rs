//! Code shared by the runnable examples in this folder. Run an example from the workspace root with
//! `cargo run --example NAME`; `examples/README.md` lists them.
