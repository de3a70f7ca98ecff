//! Black-box HTTP tests of gaap-server on loopback.

mod support;
mod locations;
