//! GOV.UK Notify client with Notify's own rules available offline.

pub mod rules;
