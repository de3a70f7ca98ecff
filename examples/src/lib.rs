//! Code shared by the runnable examples in this folder. Run an example from the workspace root with
//! `cargo run --example NAME`; `examples/README.md` lists them.
//!
//! The main one is the council tax service in [`council_tax`]: `cargo run --example council-tax`. It can
//! also be started from code, which is what its tests do:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use gaap_examples::council_tax;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! // Starts the gaap sandbox in-process (One Login, Pay, Notify) and the app, wired to each other.
//! let running = council_tax::run_with_sandbox(listener, None).await?;
//! println!("open {}; receipts appear at {}", running.url, running.outbox_url);
//! running.task.await??;
//! # Ok(()) }
//! ```

pub mod council_tax;
pub mod govuk;
pub mod store;
