//! Black-box HTTP tests of gaap-server on loopback.

mod support;

#[cfg(feature = "gateway")]
mod gateway;
