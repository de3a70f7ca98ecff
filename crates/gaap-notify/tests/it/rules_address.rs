//! Letter-address vectors from alphagov/notifications-utils
//! tests/recipient_validation/test_postal_address.py, and the error order of notifications-api
//! app/notifications/validators.py `validate_address` (tests/app/notifications/test_validators.py).

use gaap_notify::rules::postal_address::{
    AddressError, PostageZone, PostalAddress, canonical_country, format_postcode,
    is_real_uk_postcode,
};
use serde_json::json;

// `test_country`.
#[test]
fn country() {
    for (address, country) in [
        ("123 Example Street\nCity of Town\nSW1A 1AA", "United Kingdom"),
        ("123 Example Street\nCity of Town\nSW1A 1AA\nUnited Kingdom", "United Kingdom"),
        ("123 Example Street\nCity of Town\nWales", "United Kingdom"),
        ("123 Example Straße\nDeutschland", "Germany"),
        ("GBR", "United Kingdom"),
    ] {
        assert_eq!(PostalAddress::parse(address, false).country, country, "{address}");
    }
    assert_eq!(canonical_country("Holland"), Some("Netherlands"));
    assert_eq!(canonical_country("Yr Iseldiroedd"), Some("Netherlands"));
    assert_eq!(canonical_country("SW1A 1AA"), None);
}

// `test_normalised`.
#[test]
fn normalised() {
    for (address, lines) in [
        ("", vec![""]),
        (
            "\n        123 Example    St  .\n        City    of Town\n\n        S W1 A 1 AA\n        ",
            vec!["123 Example St.", "City of Town", "SW1A 1AA"],
        ),
        (
            "123 Example St. \t  ,    \n, , ,  ,   ,     ,        ,\nCity of Town, Region,\nSW1A 1AA,,\n",
            vec!["123 Example St.", "City of Town, Region", "SW1A 1AA"],
        ),
        (
            "\n          123  Example Straße\n        Deutschland\n\n\n        ",
            vec!["123 Example Straße", "Germany"],
        ),
        ("Senedd Cymru\nCardiff\nCF99 1SN\nCymru\nUK", vec!["Senedd Cymru", "Cardiff", "CF99 1SN"]),
    ] {
        assert_eq!(PostalAddress::parse(address, false).lines, lines, "{address:?}");
    }
}

// `test_postage`.
#[test]
fn postage() {
    for (address, zone) in [
        ("", PostageZone::UnitedKingdom),
        ("123 Example Street\nCity of Town\nSW1A 1AA", PostageZone::UnitedKingdom),
        ("123 Example Street\nCity of Town\nScotland", PostageZone::UnitedKingdom),
        ("123 Example Straße\nDeutschland", PostageZone::Europe),
        ("123 Rue Example\nCôte d'Ivoire", PostageZone::RestOfWorld),
        ("1 Rue\nSt Peter Port\nGuernsey", PostageZone::UnitedKingdom),
    ] {
        assert_eq!(PostalAddress::parse(address, true).zone, zone, "{address}");
    }
}

// `test_if_postcode_is_a_real_uk_postcode` and `test_format_postcode_for_printing`.
#[test]
fn postcodes() {
    for (postcode, real) in [
        ("SW1 3EF", true),
        ("SW13EF", true),
        ("SE1 63EF", true),
        ("N5 1AA", true),
        ("SO14 6WB", true),
        ("so14 6wb", true),
        ("so14\u{a0}6wb", true),
        ("N5", false),
        ("SO144 6WB", false),
        ("SO14 6WBA", false),
        ("NF1 1AA", false),
        ("", false),
        ("Bad postcode", false),
        ("BFPO1234", false),
        ("BFPO C/O 1234", false),
        ("BFPO 1234", false),
        ("BFPO1", false),
        ("BFPO", false),
        ("BFPO12345", false),
        ("BF1 3AA", true),
        ("BF13AA", true),
        (" BF2 0FR ", true),
        ("GIR0AA", false),
        ("GX111AA", false),
    ] {
        assert_eq!(is_real_uk_postcode(postcode), real, "{postcode:?}");
    }
    assert_eq!(format_postcode("sw1a1aa").as_deref(), Some("SW1A 1AA"));
}

// `test_bfpo_number_parsing` and `test_normalised_lines`.
#[test]
fn bfpo() {
    for (address, number) in [
        ("Mr X\nLondon\nSW1 1AA", None),
        ("Mr X\nBF1 1AA", None),
        ("Mr X\nBFPO 1", Some(1)),
        ("Mr X\nBFPO 5432", Some(5432)),
        ("Mr X\nBFPO C/O 1", Some(1)),
        ("Mr X\nBFPO1", Some(1)),
        ("Mr X\nBFPOC/O1", Some(1)),
        ("Mr X\nBFPO 5432\nBF1 1AA", Some(5432)),
        ("Mr X\nUnit 5\nBFPO\nBFPO 5432\nLondon\nBF1 1AA", Some(5432)),
    ] {
        assert_eq!(PostalAddress::parse(address, false).bfpo, number, "{address}");
    }
    for (address, lines) in [
        ("Mr X\nBFPO 1", vec!["Mr X", "BFPO 1"]),
        ("Mr X\nBFPO 1\nBF1 1AA", vec!["Mr X", "BF1 1AA", "BFPO 1"]),
        ("Mr X\nBFPO\nBFPO 1", vec!["Mr X", "BFPO 1"]),
        ("Mr X\nbfpo\nBF1 1AA\nbfpo1", vec!["Mr X", "BF1 1AA", "BFPO 1"]),
        ("Mr X\nbfpo\nbf11aa\nbfpo1", vec!["Mr X", "BF1 1AA", "BFPO 1"]),
    ] {
        assert_eq!(PostalAddress::parse(address, false).lines, lines, "{address}");
    }
}

// notifications-api tests: `test_validate_address` and `test_validate_address_international_bfpo_error`.
#[test]
fn api_validation_order_and_messages() {
    let cases = [
        ("Prince Harry\nToronto", false, Err(AddressError::NotEnoughLines)),
        ("a\nb\nc\nd\ne\nf\ng\nSW1A 1AA", false, Err(AddressError::TooManyLines)),
        ("Test User\nAbroad\nBFPO 1234\nUSA", true, Err(AddressError::BfpoWithCountry)),
        ("A\nB\nNot a postcode", false, Err(AddressError::NotAUkPostcode)),
        ("A\nB\nNot a postcode", true, Err(AddressError::NotPostcodeOrCountry)),
        ("A\nB\nCanada", false, Err(AddressError::NotAUkPostcode)),
        ("A\n=B\nSW1A 1AA", false, Err(AddressError::InvalidCharacters)),
        ("A\n~B\nSW1A 1AA", false, Err(AddressError::InvalidCharacters)),
        ("NFA\nB\nSW1A 1AA", false, Err(AddressError::NoFixedAbode)),
        ("A\nNo Fixed Abode\nSW1A 1AA", false, Err(AddressError::NoFixedAbode)),
        ("A\n!!\nSW1A 1AA", false, Err(AddressError::NoAlphanumericInFirstTwoLines)),
        ("Prince Harry\nToronto\nCANADA", true, Ok(Some("rest-of-world"))),
        ("Prince Harry\nToronto\nGERMANY", true, Ok(Some("europe"))),
        ("Prince Harry\nToronto\nSW1 1AA", true, Ok(None)),
        ("Mr X\nBarracks\nBFPO 123", false, Ok(None)),
    ];
    for (raw, international, expected) in cases {
        let address = PostalAddress::parse(raw, international);
        let got = address.validate().map(|()| address.international_postage().map(|p| p.as_str()));
        assert_eq!(got, expected, "{raw:?}");
    }
    assert_eq!(
        AddressError::InvalidCharacters.to_string(),
        "Address lines must not start with any of the following characters: @ ( ) = [ ] ” \\ / , < >"
    );
}

// `test_from_personalisation` (postcode as the last line, or address_line_7 when present).
#[test]
fn from_personalisation() {
    let values = json!({"address_line_1": "123 Example Street", "address_line_3": "City of Town", "address_line_4": "", "postcode": "SW1A1AA", "ignore me": "ignore me"});
    let address = PostalAddress::from_personalisation(values.as_object().unwrap(), false);
    assert_eq!(address.lines, ["123 Example Street", "City of Town", "SW1A 1AA"]);
    let with_seven = json!({"Address Line 1": "A", "address_line_2": "B", "address_line_7": "SW1A 1AA", "postcode": "ignored"});
    let address = PostalAddress::from_personalisation(with_seven.as_object().unwrap(), false);
    assert_eq!(address.lines, ["A", "B", "SW1A 1AA"]);
    assert!(address.validate().is_ok());
}

// Found while checking the `notify_postal_address` fuzz findings against notifications-utils'
// `PostalAddress`: `trailing_uk_countries` passes over a line that is not a country (its
// `CountryNotFoundError` is suppressed inside the loop) and stops only at another country, so every
// UK nation or Crown dependency from the end counts, and that many lines are cut from the end.
#[test]
fn trailing_uk_countries_pass_over_lines_that_are_not_countries() {
    let address =
        PostalAddress::parse("Isle of Man\n\u{0}\u{0}\nUnited Kingdom\n  \nGuernsey", false);
    assert_eq!(address.lines, ["Isle of Man"]);
    let address = PostalAddress::parse(
        "United Kingdom\na\n  The Street  .\n10 Downing Street\nJE\nBFPO 1234\nBFPO 1234\nBFPO",
        false,
    );
    assert_eq!(address.lines, ["United Kingdom", "a", "The Street.", "BFPO 1234"]);
    // Another country stops the count: only `Wales` is cut.
    let address = PostalAddress::parse("1 Rue de Rivoli\nFrance\nflat 2\nWales", false);
    assert_eq!(address.lines, ["1 Rue de Rivoli", "France", "flat 2"]);
    assert_eq!(address.country, "United Kingdom");
}

// The `notify_postal_address` fuzz findings, which are Notify's own behaviour (notifications-utils
// gives the same lines): a line naming a country that is left last on a UK address is read as the
// country when the printed address is parsed again, and a lone Crown dependency leaves no lines.
#[test]
fn fuzz_findings_where_notify_normalisation_is_not_idempotent() {
    let address = PostalAddress::parse("246\r\u{0}\u{0}\u{0}\n.CA\nJE", true);
    assert_eq!(address.lines, ["246", "\u{0}\u{0}\u{0}", ".CA"]);
    assert_eq!(address.country, "United Kingdom");
    let again = PostalAddress::parse(&address.lines.join("\n"), true);
    assert_eq!(again.lines, ["246", "\u{0}\u{0}\u{0}", "Canada"]);
    assert_eq!(again.country, "Canada");

    let lone = PostalAddress::parse("GG", false);
    assert!(lone.lines.is_empty());
    assert_eq!(PostalAddress::parse("", false).lines, [""]);
    assert_eq!(lone.validate(), Err(AddressError::NotEnoughLines));
}
