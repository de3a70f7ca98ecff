//! Pure functions reproducing Pay's rules: request validation, the payment state machine and refund
//! availability. No I/O; the sandbox reuses them.

pub mod refund;
pub mod state;
pub mod validate;
