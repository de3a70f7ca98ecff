//! The one error type of the crate, split by where the failure happened.

use std::net::SocketAddr;

/// Why the server could not start, load or reload.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid.
    #[error("invalid server config: {0}")]
    Config(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The address index could not be loaded.
    #[error("cannot load the address index: {0}")]
    Index(String),
}
