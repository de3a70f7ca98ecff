//! The one integration-test binary of gaap-notify.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub)]

mod bulk;
mod callbacks;
mod client;
mod props;
mod rate_limit;
mod rules_address;
mod rules_email;
mod rules_phone;
mod rules_sms;
