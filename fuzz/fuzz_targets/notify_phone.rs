//! Phone numbers: parsing fuzzed text must not panic. A number Notify accepts must normalise to digits only,
//! 8 to 15 of them (E.164), and its normalised form (with `+`) must parse back to the same number and pass
//! the same checks: a validator never accepts what the platform's rules refuse.
#![no_main]

use gaap_notify::rules::phone::{
    PhoneNumber, PhonePermissions, check_for_api, validate_phone_number,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let permissions =
        PhonePermissions { international: flags & 1 != 0, uk_landline: flags & 2 != 0 };
    if let Ok(number) = PhoneNumber::parse(text) {
        let normalised = number.normalised();
        let _ = (number.is_uk(), number.is_international(), number.is_crown_dependency());
        let _ = (number.billing_prefix(), number.info());
        assert!(
            normalised.bytes().all(|b| b.is_ascii_digit()),
            "{text:?} normalised to {normalised:?}"
        );
        let again = PhoneNumber::parse(&format!("+{normalised}")).unwrap_or_else(|e| {
            panic!("{text:?} normalised to {normalised:?}, which does not parse: {e:?}")
        });
        assert_eq!(again.normalised(), normalised, "{text:?}");
        if number.validate(permissions).is_ok() {
            assert!((8..=15).contains(&normalised.len()), "{text:?} accepted as {normalised:?}");
            assert!(
                again.validate(permissions).is_ok(),
                "{text:?} accepted but {normalised:?} refused"
            );
        }
    }
    if let Ok(normalised) = validate_phone_number(text, permissions) {
        assert_eq!(
            validate_phone_number(&format!("+{normalised}"), permissions).as_deref(),
            Ok(normalised.as_str())
        );
    }
    let _ = check_for_api(text, permissions);
});
