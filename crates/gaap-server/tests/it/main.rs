//! Black-box HTTP tests of gaap-server on loopback.

#[cfg(feature = "browser")]
mod finder;
mod fuzzed;
mod interop;
mod locations;
mod ops;
mod places;
#[cfg(feature = "cli")]
mod replicas;
mod support;

#[cfg(feature = "gateway")]
mod gateway;
