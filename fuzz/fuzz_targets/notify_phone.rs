//! Phone numbers: parsing fuzzed text must not panic. A number Notify accepts must normalise to digits only,
//! as many as Notify's rules allow (a calling code of 1 to 3 digits and a significant number of 2 to 17, as
//! libphonenumber parses them), and its normalised form (with `+`) must parse back to the same number and get
//! the same verdict for the same permissions: a validator never accepts what the platform's rules refuse.
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
        // Notify's rule, not E.164's 15 digits: it accepts `49544+14007478130` as the 16 digits
        // `4954414007478130` and the TV number `+4477000` as 7 (fuzz/findings/README.md).
        assert!((3..=20).contains(&normalised.len()), "{text:?} accepted as {normalised:?}");
        let again = PhoneNumber::parse(&format!("+{normalised}")).unwrap_or_else(|e| {
            panic!("{text:?} normalised to {normalised:?}, which does not parse: {e:?}")
        });
        if again.normalised() == normalised {
            assert_eq!(
                again.validate(permissions),
                number.validate(permissions),
                "{text:?} and {normalised:?} get different verdicts"
            );
        } else {
            // Notify's own normalisation is not idempotent where zeros follow `+44`
            // (`00007700900` -> `440007700900` -> `44007700900`, fuzz/findings/README.md); one more
            // pass must be stable.
            let twice = again.normalised();
            let third = PhoneNumber::parse(&format!("+{twice}")).unwrap_or_else(|e| {
                panic!("{text:?} normalised twice to {twice:?}, which does not parse: {e:?}")
            });
            assert_eq!(third.normalised(), twice, "{text:?} normalised to {normalised:?}");
        }
    }
    if let Ok(normalised) = validate_phone_number(text, permissions) {
        let again =
            validate_phone_number(&format!("+{normalised}"), permissions).unwrap_or_else(|e| {
                panic!("{text:?} validated as {normalised:?}, then refused: {e:?}")
            });
        if again != normalised {
            // Not idempotent where Notify is not (above); one more pass must be stable.
            assert_eq!(
                validate_phone_number(&format!("+{again}"), permissions).as_deref(),
                Ok(again.as_str()),
                "{text:?} validated as {normalised:?}"
            );
        }
    }
    let _ = check_for_api(text, permissions);
});
