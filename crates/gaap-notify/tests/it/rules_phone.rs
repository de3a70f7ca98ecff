//! Phone vectors from alphagov/notifications-utils tests/recipient_validation/test_phone_number.py.

use gaap_notify::rules::phone::{
    PhoneErrorCode, PhoneNumber, PhonePermissions, validate_phone_number,
};

const UK_ONLY: PhonePermissions = PhonePermissions { international: false, uk_landline: false };
const INTERNATIONAL: PhonePermissions =
    PhonePermissions { international: true, uk_landline: false };

// `valid_uk_mobile_phone_numbers`, `test_valid_uk_phone_number_can_be_formatted_consistently`.
#[test]
fn valid_uk_mobiles() {
    for number in [
        "7723456789",
        "07723456789",
        "07723 456789",
        "07723-456-789",
        "00447723456789",
        "00 44 7723456789",
        "+447723456789",
        "+44 7723 456 789",
        "+44 (0)7723 456 789",
        "\u{200b}\t\t+44 (0)7723 456 789\u{feff} \r\n",
    ] {
        assert_eq!(
            validate_phone_number(number, UK_ONLY).as_deref(),
            Ok("447723456789"),
            "{number:?}"
        );
        let parsed = PhoneNumber::parse(number).unwrap();
        assert!(parsed.is_uk() && !parsed.is_international());
    }
}

// `valid_international_phone_numbers` and `test_valid_international_phone_number_can_be_formatted_consistently`.
#[test]
fn valid_international() {
    for number in [
        "+7 (8) (495) 123-45-67",
        "007 (8) (495) 123-45-67",
        "784951234567",
        "1-202-555-0104",
        "1‑202–555—010−4",
        "+12025550104",
        "0012025550104",
        "+0012025550104",
        "230 5 2512345",
        "+682 50 123",
        "+33122334455",
        "0033122334455",
        "+43 676 111 222 333 4",
    ] {
        let parsed = PhoneNumber::parse(number).unwrap_or_else(|e| panic!("{number}: {e}"));
        assert!(!parsed.is_uk(), "{number}");
        assert!(parsed.validate(INTERNATIONAL).is_ok(), "{number}");
        assert_eq!(
            parsed.validate(UK_ONLY).unwrap_err().code,
            PhoneErrorCode::NotAUkMobile,
            "{number}"
        );
    }
    for (number, normalised) in [
        ("77234567890", "77234567890"),
        ("1-202-555-0104", "12025550104"),
        ("+12025550104", "12025550104"),
        ("0012025550104", "12025550104"),
        ("+0012025550104", "12025550104"),
        ("23052512345", "23052512345"),
        ("74991231212", "74991231212"),
    ] {
        assert_eq!(PhoneNumber::parse(number).unwrap().normalised(), normalised);
    }
}

// `invalid_uk_mobile_phone_numbers` with the UI and legacy API messages (errors.py).
#[test]
fn invalid_uk_mobiles() {
    let cases = [
        (
            PhoneErrorCode::TooLong,
            &["772345678910", "0772345678910", "0044772345678910", "+44 (0)7723 456 789 10"][..],
        ),
        (
            PhoneErrorCode::InvalidNumber,
            &["0772345678", "004477234567", "00447723456", "+44 (0)7723 456 78"][..],
        ),
        (
            PhoneErrorCode::UnknownCharacter,
            &[
                "07890x32109",
                "07723 456789...",
                "07723 ☟☜⬇⬆☞☝",
                "07723☟☜⬇⬆☞☝",
                "07\";DROP TABLE;\"",
                "+44 07ab cde fgh",
                "ALPHANUM3R1C",
            ][..],
        ),
    ];
    for (code, numbers) in cases {
        for number in numbers {
            let err = validate_phone_number(number, UK_ONLY).unwrap_err();
            assert_eq!(err.code, code, "{number}");
            assert_eq!(err.to_string(), code.message());
        }
    }
    assert_eq!(PhoneErrorCode::TooLong.api_message(), "Too many digits");
    assert_eq!(
        PhoneErrorCode::UnknownCharacter.api_message(),
        "Must not contain letters or symbols"
    );
}

// `invalid_international_numbers`, `invalid_uk_landlines` and `valid_uk_landlines`
// (`test_phone_number_rejects_invalid_international_values`).
#[test]
fn invalid_with_international_permission() {
    for (number, code) in [
        ("80100000000", PhoneErrorCode::TooLong),
        ("1234567", PhoneErrorCode::InvalidNumber),
        ("+682 1234", PhoneErrorCode::InvalidNumber),
        ("+12345 12345 12345 6", PhoneErrorCode::TooLong),
        ("0400 123 4567", PhoneErrorCode::InvalidNumber),
        ("0600 123 4567", PhoneErrorCode::InvalidNumber),
        ("0300 46 46", PhoneErrorCode::InvalidNumber),
        ("0800 11 12", PhoneErrorCode::InvalidNumber),
        ("0845 46 31", PhoneErrorCode::InvalidNumber),
        ("0845 46 46", PhoneErrorCode::InvalidNumber),
        ("0900 123 4567", PhoneErrorCode::InvalidNumber),
        ("0033877123456", PhoneErrorCode::InvalidNumber),
    ] {
        let got = validate_phone_number(number, INTERNATIONAL).map_err(|e| e.code);
        assert_eq!(got, Err(code), "{number}");
    }
    for number in [
        "0117 496 0860",
        "0044 117 496 0860",
        "44 117 496 0860",
        "+44 117 496 0860",
        "016064 1234",
        "020 7946 0991",
        "030 1234 5678",
        "0550 123 4567",
    ] {
        let got = validate_phone_number(number, INTERNATIONAL).map_err(|e| e.code);
        assert_eq!(got, Err(PhoneErrorCode::NotAUkMobile), "{number}");
        assert!(validate_phone_number(number, PhonePermissions::ALL).is_ok(), "{number}");
    }
}

// `international_phone_info_fixtures` and `tv_numbers_phone_info_fixtures`.
#[test]
fn international_info() {
    for (number, international, crown, prefix, rate) in [
        ("07723456789", false, false, "44", 1.0),
        ("07797800123", true, true, "44", 2.0),
        ("20-12-1234-1234", true, false, "20", 7.0),
        ("00201212341234", true, false, "20", 7.0),
        ("16644913789", true, false, "1664", 6.0),
        ("77234567890", true, false, "7", 10.0),
        ("1-202-555-0104", true, false, "1", 1.0),
        ("+23052512345", true, false, "230", 4.0),
        ("07700900010", false, false, "44", 1.0),
        ("447700900020", false, false, "44", 1.0),
        ("+447700900030", false, false, "44", 1.0),
    ] {
        let info = PhoneNumber::parse(number).unwrap_or_else(|e| panic!("{number}: {e}")).info();
        assert_eq!(
            (
                info.international,
                info.crown_dependency,
                info.country_prefix.as_str(),
                info.rate_multiplier
            ),
            (international, crown, prefix, rate),
            "{number}"
        );
    }
}

// `test_thoroughly_normalise_number` cases ("probably UK numbers").
#[test]
fn thorough_normalisation() {
    for (number, normalised) in [
        ("+07044123456", "447044123456"),
        ("0+44(0)7779123456", "447779123456"),
        ("0+447988123456", "447988123456"),
        ("00447911123456", "447911123456"),
        ("04407379123456", "447379123456"),
        ("0447300123456", "447300123456"),
        ("000007392123456", "447392123456"),
        ("0007465123456", "447465123456"),
    ] {
        assert_eq!(
            PhoneNumber::parse(number).map(|n| n.normalised()).as_deref(),
            Ok(normalised),
            "{number}"
        );
    }
}

// `test_instantiating_phonenumber_raises_if_unparseable_characters`.
#[test]
fn unknown_characters() {
    for number in ["abcd", "079OO900123"] {
        assert_eq!(PhoneNumber::parse(number).unwrap_err().code, PhoneErrorCode::UnknownCharacter);
    }
    assert_eq!(PhoneNumber::parse("").unwrap_err().code, PhoneErrorCode::TooShort);
}
