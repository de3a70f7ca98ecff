//! The one integration-test binary of gaap-notify.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub)]

mod rules_address;
mod rules_email;
mod rules_phone;
mod rules_sms;
