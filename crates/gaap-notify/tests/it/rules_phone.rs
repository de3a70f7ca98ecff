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

// Found by the `notify_phone` fuzz target (fuzz/findings, now its seed corpus): the first parser
// took zeros written after a calling code for a national prefix and dropped them, twice over, so
// `31000646403110` was accepted as `310646403110`, which parses again as `31646403110`.
// libphonenumber strips the Netherlands' national prefix `0` once and keeps the other zeros in the
// significant number, which no Dutch pattern matches: Notify refuses the number.
#[test]
fn fuzz_finding_zeros_after_a_calling_code_are_kept_as_notify_keeps_them() {
    for number in ["31000646403110", "+31000646403110", "+3100646403110"] {
        assert_eq!(
            PhoneNumber::parse(number).map(|n| n.normalised()).map_err(|e| e.code),
            Err(PhoneErrorCode::InvalidNumber),
            "{number}"
        );
    }
    // One zero is the national prefix: stripped.
    assert_eq!(PhoneNumber::parse("+310646403110").unwrap().normalised(), "31646403110");
    // Italian numbers keep their leading zero (`italian_leading_zero`).
    assert_eq!(PhoneNumber::parse("+39 06 1234 5678").unwrap().normalised(), "390612345678");
}

// Found by the `notify_phone` fuzz target: `49544+14007478130` is accepted with 16 digits, more
// than E.164's 15. That is Notify's rule, not a defect: the `+` inside makes libphonenumber refuse
// the text, Notify's retry drops every `+`, and the 16 digits are too long for a UK number, so
// they are read as `+49 54414007478130`; German fixed-line numbers have up to 15 significant
// digits in libphonenumber's metadata (up to 17 in any country), so it is possible and valid.
#[test]
fn fuzz_finding_a_german_number_of_sixteen_digits_is_accepted_as_notify_accepts_it() {
    for number in ["49544+14007478130", "+4954414007478130"] {
        let parsed = PhoneNumber::parse(number).unwrap();
        assert_eq!(parsed.normalised(), "4954414007478130", "{number}");
        assert!(parsed.validate(INTERNATIONAL).is_ok(), "{number}");
    }
}

// Found by the `notify_phone` fuzz target: `+4477000` is accepted as a 7-digit number. Notify's
// rule too: `+44 77000` is possible (a local-only length) and `77000` passes Notify's TV-number
// check (`7700` then any digit). Without the plus, `4477000` is a possible 7-digit UK number that
// is neither valid nor a TV number, and libphonenumber does not take `44` for a calling code when
// `77000` is not a UK pattern: refused.
#[test]
fn fuzz_finding_a_short_tv_number_is_accepted_only_with_its_calling_code() {
    let tv = PhoneNumber::parse("+4477000").unwrap();
    assert_eq!(tv.normalised(), "4477000");
    assert!(tv.validate(UK_ONLY).is_ok() && !tv.is_international());
    assert_eq!(PhoneNumber::parse("4477000").unwrap_err().code, PhoneErrorCode::InvalidNumber);
}

// Found by the `notify_phone` fuzz target in CI: `00007700900` is accepted as `440007700900`, and
// that number with a plus is read as `44007700900`. Notify does the same (checked against
// notifications-utils): `00` followed by `0` is not an IDD, so the text is a national number whose
// prefix `0` is stripped once, keeping three zeros before the TV number `7700900`; with `+44` in
// front, libphonenumber strips the national prefix from `0007700900` again. Notify's
// normalisation is not idempotent here, so neither is this one; a second pass is stable.
#[test]
fn fuzz_finding_leading_zeros_before_a_tv_number_normalise_as_notify_normalises_them() {
    let first = PhoneNumber::parse("00007700900").unwrap();
    assert_eq!(first.normalised(), "440007700900");
    assert!(first.validate(UK_ONLY).is_ok());
    let second = PhoneNumber::parse(&format!("+{}", first.normalised())).unwrap();
    assert_eq!(second.normalised(), "44007700900");
    let third = PhoneNumber::parse(&format!("+{}", second.normalised())).unwrap();
    assert_eq!(third.normalised(), "44007700900");
    assert_eq!(PhoneNumber::parse("0007700900").unwrap().normalised(), "44007700900");
}

// Found by the long `notify_phone` run: `4300007700500` is accepted as `430007700500`, and each pass
// with a plus in front drops one more zero after `43`: `43007700500`, `4307700500`, then `437700500`,
// which is stable. notifications-utils gives the same five answers, every one valid, so the target
// asserts that passes converge (each drops zeros only) rather than that the second is stable.
#[test]
fn fuzz_finding_zeros_after_a_calling_code_go_one_a_pass_as_notify_drops_them() {
    let all = PhonePermissions { international: true, uk_landline: true };
    let mut number = PhoneNumber::parse("4300007700500").unwrap();
    let mut seen = Vec::new();
    for _ in 0..6 {
        assert!(number.validate(all).is_ok(), "{}", number.normalised());
        seen.push(number.normalised().clone());
        number = PhoneNumber::parse(&format!("+{}", number.normalised())).unwrap();
    }
    assert_eq!(
        seen,
        ["430007700500", "43007700500", "4307700500", "437700500", "437700500", "437700500"]
    );
}

// Found by the long `notify_phone` run: `57050770002600` is accepted as the Colombian `570770002600`
// (`+57`, then the national prefix `0` and the carrier code `5` are stripped), and it counts as a UK
// number because Notify's TV-number rule reads `770002600` whatever the calling code. With a plus in
// front, `0` and `7` are stripped once more, and the number is refused. `570500770077000` takes one more
// pass: `5700770077000`, then `570770077000`, which is refused. notifications-utils (with phonenumbers
// 9.0.33) gives the same answers, so the target lets a pass refuse only a number that came from such a one.
#[test]
fn fuzz_finding_a_foreign_number_read_as_a_tv_number_is_refused_with_a_plus_as_notify_refuses_it() {
    let number = PhoneNumber::parse("57050770002600").unwrap();
    assert_eq!(number.normalised(), "570770002600");
    assert!(!number.is_uk() && !number.is_international());
    let all = PhonePermissions { international: true, uk_landline: true };
    assert!(number.validate(all).is_ok());
    assert_eq!(number.validate(UK_ONLY).unwrap_err().code, PhoneErrorCode::NotAUkMobile);
    for again in ["+570770002600", "570770002600"] {
        assert_eq!(
            PhoneNumber::parse(again).unwrap_err().code,
            PhoneErrorCode::InvalidNumber,
            "{again}"
        );
    }
    let first = PhoneNumber::parse("570500770077000").unwrap();
    assert_eq!(first.normalised(), "5700770077000");
    let second = PhoneNumber::parse(&format!("+{}", first.normalised())).unwrap();
    assert_eq!(second.normalised(), "570770077000");
    assert!(!second.is_uk() && !second.is_international());
    assert_eq!(
        PhoneNumber::parse(&format!("+{}", second.normalised())).unwrap_err().code,
        PhoneErrorCode::InvalidNumber
    );
}

// Whitespace inside a number that libphonenumber does not take for punctuation fails the first
// parse; Notify's retry turns a tab into a space and refuses a newline.
#[test]
fn whitespace_inside_a_number_is_read_as_notify_reads_it() {
    assert_eq!(validate_phone_number("07723\t456789", UK_ONLY).as_deref(), Ok("447723456789"));
    assert_eq!(
        validate_phone_number("07723\n456789", UK_ONLY).unwrap_err().code,
        PhoneErrorCode::UnknownCharacter
    );
    // Only Python's ASCII `string.whitespace` and Notify's obscure spaces are allowed.
    assert_eq!(
        validate_phone_number("07723\u{2003}456789", UK_ONLY).unwrap_err().code,
        PhoneErrorCode::UnknownCharacter
    );
}

// What notifications-utils' `PhoneNumber(number)` gives (run with phonenumbers 9.0.33, the
// metadata the `phonenumber` crate pins) for numbers the first parser got wrong: the normalised
// number, or the error code.
#[test]
fn numbers_the_first_parser_got_wrong() {
    let cases: &[(&str, Result<&str, PhoneErrorCode>)] = &[
        ("+685221231", Err(PhoneErrorCode::InvalidNumber)),
        ("+35408091234", Err(PhoneErrorCode::TooLong)),
        ("+107584305678", Err(PhoneErrorCode::TooLong)),
        ("+86091436186565", Err(PhoneErrorCode::InvalidNumber)),
        ("+6890440123", Err(PhoneErrorCode::InvalidNumber)),
        ("+490070012345678", Err(PhoneErrorCode::InvalidNumber)),
        ("+2670071126456", Err(PhoneErrorCode::InvalidNumber)),
        ("+385123456781", Err(PhoneErrorCode::InvalidNumber)),
        ("+228090113345", Err(PhoneErrorCode::TooLong)),
        ("+3300612335678", Err(PhoneErrorCode::TooLong)),
        ("+35100212345678", Err(PhoneErrorCode::TooLong)),
        ("+105002345678", Err(PhoneErrorCode::TooLong)),
        ("+5060022123456", Err(PhoneErrorCode::InvalidNumber)),
        ("4477005", Err(PhoneErrorCode::InvalidNumber)),
        ("+39067320663", Ok("39067320663")),
        ("00390212345698", Ok("390212345698")),
        ("+31157(065554", Ok("31157065554")),
        ("+49210874257782(6", Ok("492108742577826")),
        ("+49346045808)7", Ok("493460458087")),
        ("39085192902", Ok("39085192902")),
        ("+241 01 44 12 34", Ok("24101441234")),
        ("+39073694980", Ok("39073694980")),
        ("+528712101(497", Ok("528712101497")),
        ("+390954550", Ok("390954550")),
        ("+44(0)", Err(PhoneErrorCode::TooShort)),
        ("+37610712345", Err(PhoneErrorCode::InvalidNumber)),
        ("+44", Err(PhoneErrorCode::TooShort)),
        ("+8826552944(0465485", Err(PhoneErrorCode::TooLong)),
        ("+88292512887109310", Err(PhoneErrorCode::TooLong)),
        ("+390354459068", Ok("390354459068")),
        ("00241263114\t4", Ok("442412631144")),
        ("+390332681675", Ok("390332681675")),
        ("+3903123456789", Ok("3903123456789")),
    ];
    for (number, expected) in cases {
        let got = PhoneNumber::parse(number).map(|n| n.normalised()).map_err(|e| e.code);
        assert_eq!(got.as_deref().map_err(|e| *e), *expected, "{number:?}");
    }
}
