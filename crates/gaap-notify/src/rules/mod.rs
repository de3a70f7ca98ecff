//! Notify's own rules as pure functions (no I/O), reproducing alphagov/notifications-utils and the
//! checks notifications-api makes before accepting a message. `gaap-sandbox` and the `gaap notify`
//! CLI call these; they are the stable entry points:
//!
//! - [`placeholders`]: `((name))`, `((name??text))`, insensitive names, list values, missing
//!   personalisation;
//! - [`sms::render_sms`]: the SMS pipeline, character and fragment counts, the 918 cap;
//! - [`phone::validate_phone_number`] / [`phone::PhoneNumber`]: phone numbers;
//! - [`email_address::validate_email_address`]: email addresses;
//! - [`postal_address::PostalAddress`]: letter addresses, BFPO, postage;
//! - [`email::render_email`]: email markdown to HTML and plain text, subjects, the size cap;
//! - [`template`]: a whole template (any channel) checked against personalisation, with the API's
//!   error messages.

pub mod email;
pub mod email_address;
pub mod phone;
pub mod placeholders;
pub mod postal_address;
pub mod sms;
pub mod template;
pub mod text;
