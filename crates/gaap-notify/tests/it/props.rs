//! Property tests: the parsers never panic and the counts stay consistent.

use gaap_notify::rules::email_address::validate_email_address;
use gaap_notify::rules::phone::PhoneNumber;
use gaap_notify::rules::placeholders::{placeholder_names, scan};
use gaap_notify::rules::postal_address::PostalAddress;
use gaap_notify::rules::sms::{SmsEncoding, SmsOptions, render_sms, utf16_len};
use proptest::prelude::*;
use serde_json::Map;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn phone_parse_never_panics(s in "[0-9 +()\\-\u{200b}a-z]{0,24}") {
        let _ = PhoneNumber::parse(&s);
    }

    #[test]
    fn email_never_panics(s in "\\PC{0,40}") {
        let _ = validate_email_address(&s);
    }

    #[test]
    fn address_never_panics(lines in proptest::collection::vec("\\PC{0,20}", 0..9)) {
        let address = PostalAddress::parse(&lines.join("\n"), true);
        let _ = address.validate();
    }

    #[test]
    fn sms_count_is_the_utf16_length_of_what_is_sent(s in "\\PC{0,300}", legacy in any::<bool>()) {
        let encoding = if legacy { SmsEncoding::LegacyGsmDowngrade } else { SmsEncoding::UnicodePreserving };
        let sms = render_sms(&s, &Map::new(), &SmsOptions { prefix: None, encoding });
        prop_assert_eq!(sms.characters, utf16_len(&sms.content));
        prop_assert!(sms.fragments >= 1);
        prop_assert_eq!(sms.too_long, sms.characters > 918);
    }

    #[test]
    fn placeholders_are_well_formed(s in "[a-z() ?]{0,60}") {
        for p in scan(&s) {
            prop_assert_eq!(&s[p.start..p.end], format!("(({}))", p.body));
            prop_assert!(!p.body.is_empty() && !p.body.contains(['(', ')']));
        }
        let names = placeholder_names([s.as_str()]);
        prop_assert!(names.len() <= scan(&s).count());
    }
}
