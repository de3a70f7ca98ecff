//! Pure functions reproducing platform rules: PAF formatting and grid conversion.

pub mod geo;
pub mod paf;
pub(crate) mod premise;
