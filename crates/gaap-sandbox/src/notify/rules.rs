//! The Notify rules the sandbox applies to a send, all delegated to gaap-notify's `rules` so the sandbox and
//! the client can never disagree: placeholders, the SMS pipeline and counting, email rendering, and the phone,
//! email and postal-address checks.

use gaap_notify::rules::email::{RenderedEmail, render_email};
use gaap_notify::rules::email_address::validate_and_format_email_address;
use gaap_notify::rules::phone::{PhonePermissions, check_for_api, validate_phone_number};
use gaap_notify::rules::placeholders::{self, FillOptions};
use gaap_notify::rules::postal_address::PostalAddress;
use gaap_notify::rules::sms::{SmsMessage, SmsOptions, render_sms};
use serde_json::{Map, Value};

/// Placeholder names of the given template fields, de-duplicated insensitively, first-seen order.
pub(crate) fn placeholder_names(fields: &[&str]) -> Vec<String> {
    placeholders::placeholder_names(fields.iter().copied())
}

/// Names with no value, in first-seen order.
pub(crate) fn missing(names: &[String], values: &Map<String, Value>) -> Vec<String> {
    placeholders::missing(names, values)
}

/// Fills placeholders in a plain field (lists as `a, b and c`).
pub(crate) fn fill(content: &str, values: &Map<String, Value>) -> String {
    placeholders::fill(content, values, FillOptions::default())
}

/// Fills placeholders in an email or letter body (lists as markdown bullets).
pub(crate) fn fill_body(content: &str, values: &Map<String, Value>) -> String {
    placeholders::fill(content, values, FillOptions { markdown_lists: true, escape_html: false })
}

/// A text message through Notify's pipeline (no service-name prefix, the default encoding policy).
pub(crate) fn sms(template: &str, values: &Map<String, Value>) -> SmsMessage {
    render_sms(template, values, &SmsOptions::default())
}

/// An email rendered as Notify renders it.
pub(crate) fn email(subject: &str, body: &str, values: &Map<String, Value>) -> RenderedEmail {
    render_email(subject, body, values)
}

/// The schema-stage phone check (both permissions on, as the API's format checker runs it): the normalised
/// number and whether it is international, or the legacy v2 API message.
pub(crate) fn validate_phone(number: &str) -> Result<(String, bool), &'static str> {
    check_for_api(number, PhonePermissions::ALL).map(|n| (n.normalised(), n.is_international()))
}

/// The service-permission stage: sandbox services may text internationally but not UK landlines.
pub(crate) fn service_phone(number: &str) -> Result<(), &'static str> {
    let permissions = PhonePermissions { international: true, uk_landline: false };
    validate_phone_number(number, permissions).map(|_| ()).map_err(|e| e.code.api_message())
}

/// Validated and lower-cased, or `Not a valid email address`.
pub(crate) fn validate_email(address: &str) -> Result<String, &'static str> {
    validate_and_format_email_address(address).map_err(|_| "Not a valid email address")
}

/// A letter's address as Notify prints it, or Notify's message (UK-only service).
pub(crate) fn validate_address(
    personalisation: &Map<String, Value>,
) -> Result<Vec<String>, String> {
    let address = PostalAddress::from_personalisation(personalisation, false);
    address.validate().map_err(|e| e.to_string())?;
    Ok(address.lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(v: &Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn delegates_keep_notifys_wording() {
        assert_eq!(validate_phone("07700 900123").unwrap().0, "447700900123");
        assert_eq!(validate_phone("077234"), Err("Not enough digits"));
        assert_eq!(service_phone("02079460000"), Err("Not a UK mobile number"));
        assert_eq!(validate_email(" A@Example.gov.uk ").unwrap(), "a@example.gov.uk");
        let short =
            map(&serde_json::json!({"address_line_1": "1 High St", "postcode": "SW1A 1AA"}));
        assert_eq!(validate_address(&short).unwrap_err(), "Address must be at least 3 lines");
        let names = placeholder_names(&["((a)) ((B))", "((b)) ((c))"]);
        assert_eq!(missing(&names, &map(&serde_json::json!({"a": 1}))), ["B", "c"]);
        assert_eq!(sms("((x))", &map(&serde_json::json!({"x": "a".repeat(161)}))).fragments, 2);
    }
}
