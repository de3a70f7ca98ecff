//! Email addresses: a validator never accepts what Notify's rules refuse. An accepted address has exactly one
//! `@`, a non-empty local part, no `..`, no whitespace, at most 320 characters and a dotted host; validating
//! the result again gives the same address.
#![no_main]

use gaap_notify::rules::email_address::{
    validate_and_format_email_address, validate_email_address,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(address) = validate_email_address(text) {
        assert_eq!(address.matches('@').count(), 1, "{text:?} accepted as {address:?}");
        let (local, host) = address.split_once('@').unwrap_or_default();
        assert!(!local.is_empty() && host.contains('.'), "{text:?} accepted as {address:?}");
        assert!(!address.contains(".."), "{text:?} accepted as {address:?}");
        assert!(!address.chars().any(char::is_whitespace), "{text:?} accepted as {address:?}");
        assert!(address.chars().count() <= 320, "{text:?} accepted as {address:?}");
        assert!(!host.starts_with('.') && !host.ends_with('.'), "{text:?} accepted as {address:?}");
        assert_eq!(
            validate_email_address(&address).as_deref(),
            Ok(address.as_str()),
            "not a fixed point"
        );
        let formatted = validate_and_format_email_address(text);
        assert_eq!(formatted.as_deref(), Ok(address.to_lowercase().as_str()));
    } else {
        assert!(validate_and_format_email_address(text).is_err());
    }
});
