//! Validation cases derived from `alphagov/pay-publicapi` tests (file named on each group) plus
//! `alphagov/pay-java-commons` `ExternalMetadataTest.java` and `alphagov/pay-connector`
//! `ChargesApiResourceCreateReturnUrlIT.java`. Each case is Pay's exact status, field, code and description.

use gaap_pay::rules::validate::{
    Invalid, ValidationOptions, validate_create_payment, validate_create_payment_bytes,
    validate_create_refund, validate_idempotency_key, validate_metadata,
};
use serde_json::{Value, json};

const URL: &str = "https://somewhere.gov.uk/rainbow/1";

fn body(extra: Value) -> Value {
    let mut base = json!({"amount": 9900, "reference": "Some reference", "description": "Some description",
                          "return_url": URL});
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    base
}

fn without(key: &str) -> Value {
    let mut b = body(json!({}));
    b.as_object_mut().unwrap().remove(key);
    b
}

#[track_caller]
fn expect(value: &Value, status: u16, field: Option<&str>, code: &str, description: &str) {
    let err = validate_create_payment(value, &ValidationOptions::default())
        .expect_err("should be refused");
    assert_eq!(
        (
            err.status,
            err.error.field.as_deref(),
            err.error.code.as_str(),
            err.error.description.as_str()
        ),
        (status, field, code, description),
        "body: {value}"
    );
}

#[track_caller]
fn expect_raw(raw: &str, status: u16, field: Option<&str>, code: &str, description: &str) {
    let err =
        validate_create_payment_bytes(raw.as_bytes(), &ValidationOptions::default()).unwrap_err();
    assert_eq!(
        (
            err.status,
            err.error.field.as_deref(),
            err.error.code.as_str(),
            err.error.description.as_str()
        ),
        (status, field, code, description),
        "raw: {raw}"
    );
}

#[test]
fn valid_bodies_pass() {
    // CreateCardPaymentRequestDeserializerTest: with return_url, language en/cy, delayed_capture, moto,
    // prefilled details with null line2 and empty country, internal source CARD_PAYMENT_LINK.
    let ok = [
        body(json!({})),
        body(json!({"language": "en"})),
        body(json!({"language": "cy"})),
        body(json!({"delayed_capture": true, "moto": false})),
        body(
            json!({"email": "j.bogs@example.org", "prefilled_cardholder_details": {"cardholder_name": "J Bogs",
            "billing_address": {"line1": "address line 1", "line2": null, "city": "address city",
            "postcode": "AB1 CD2", "country": "GB"}}}),
        ),
        body(
            json!({"email": null, "prefilled_cardholder_details": {"billing_address": {"country": ""}}}),
        ),
        body(json!({"internal": {"source": "CARD_PAYMENT_LINK"}})),
        body(json!({"amount": 10_000_000, "reference": "r".repeat(255)})),
        body(
            json!({"metadata": {"ledger_code": 123, "fund_code": "ABC", "is_paid": false, "price": 1.5}}),
        ),
        body(
            json!({"set_up_agreement": "abcdefghijklmnopqrstuvwxyz", "agreement_payment_type": "recurring"}),
        ),
        json!({"amount": 100, "reference": "r", "description": "d", "authorisation_mode": "agreement",
               "agreement_id": "abcdefghijklmnopqrstuvwxyz", "agreement_payment_type": "unscheduled"}),
        json!({"amount": 100, "reference": "r", "description": "d", "authorisation_mode": "moto_api"}),
    ];
    for b in ok {
        assert_eq!(validate_create_payment(&b, &ValidationOptions::default()), Ok(()), "{b}");
    }
}

#[test]
fn amount() {
    // PaymentsResourceAmountValidationIT.java
    expect(
        &body(json!({"amount": -123})),
        422,
        Some("amount"),
        "P0102",
        "Invalid attribute value: amount. Must be greater than or equal to 1",
    );
    expect(
        &body(json!({"amount": 10_000_001})),
        422,
        Some("amount"),
        "P0102",
        "Invalid attribute value: amount. Must be less than or equal to 10000000",
    );
    expect(
        &body(json!({"amount": null})),
        400,
        Some("amount"),
        "P0101",
        "Missing mandatory attribute: amount",
    );
    expect(&without("amount"), 400, Some("amount"), "P0101", "Missing mandatory attribute: amount");
    for bad in [
        json!("hola world!"),
        json!({"whatever": 1}),
        json!("    "),
        json!(27.55),
        json!(""),
        json!(3e9),
    ] {
        expect(
            &body(json!({"amount": bad})),
            400,
            Some("amount"),
            "P0102",
            "Invalid attribute value: amount. Must be a valid numeric format",
        );
    }
    // Fail fast: amount is checked before anything else.
    expect(
        &json!({"reference": "whatever", "return_url": "whatever"}),
        400,
        Some("amount"),
        "P0101",
        "Missing mandatory attribute: amount",
    );
    for raw in [
        r#"{"amount": 0x1000, "reference": "r", "description": "d"}"#,
        r#"{"amount": 0B101, "reference": "r", "description": "d"}"#,
        r#"{"amount": 017, "reference": "r", "description": "d"}"#,
        r#"{"amount": %00, "reference": "r", "description": "d"}"#,
        r#"{"amount": 100, "reference": , "description": "d"}"#,
    ] {
        expect_raw(raw, 400, None, "P0197", "Unable to parse JSON");
    }
    // CreateChargeExceptionMapper.java: zero reaches the connector unless the account allows it.
    expect(
        &body(json!({"amount": 0})),
        422,
        Some("amount"),
        "P0102",
        "Invalid attribute value: amount. Must be greater than or equal to 1. Refer to https://docs.payments.service.gov.uk/making_payments/#amount",
    );
    let zero_ok = ValidationOptions::default().zero_amount_allowed(true);
    assert_eq!(validate_create_payment(&body(json!({"amount": 0})), &zero_ok), Ok(()));
    let stripe = ValidationOptions::default().stripe(true);
    let err = validate_create_payment(&body(json!({"amount": 29})), &stripe).unwrap_err();
    assert_eq!(
        err.error.description,
        "Invalid attribute value: amount. Must be greater than or equal to 30. Refer to https://docs.payments.service.gov.uk/making_payments/#amount"
    );
}

#[test]
fn reference_and_description() {
    // PaymentsResourceReferenceValidationIT.java and PaymentsResourceDescriptionValidationIT.java
    for field in ["reference", "description"] {
        let format = format!("Invalid attribute value: {field}. Must be a valid string format");
        let missing = format!("Missing mandatory attribute: {field}");
        expect(&body(json!({field: 1234})), 400, Some(field), "P0102", &format);
        expect(&body(json!({field: {"whatever": 1}})), 400, Some(field), "P0102", &format);
        expect(&body(json!({field: ""})), 400, Some(field), "P0101", &missing);
        expect(&body(json!({field: "    "})), 400, Some(field), "P0101", &missing);
        expect(&body(json!({field: null})), 400, Some(field), "P0101", &missing);
        expect(&without(field), 400, Some(field), "P0101", &missing);
        expect(
            &body(json!({field: "a".repeat(256)})),
            422,
            Some(field),
            "P0102",
            &format!(
                "Invalid attribute value: {field}. Must be less than or equal to 255 characters length"
            ),
        );
        // RequestJsonParserTest.java: NAXSI-forbidden characters.
        for c in ['<', '>', '|'] {
            expect(
                &body(json!({field: format!("Reference with {c} character")})),
                400,
                Some(field),
                "P0102",
                &format,
            );
        }
    }
    // Lengths count UTF-16 units, as Java does: 128 emoji are 256 units.
    expect(
        &body(json!({"reference": "💷".repeat(128)})),
        422,
        Some("reference"),
        "P0102",
        "Invalid attribute value: reference. Must be less than or equal to 255 characters length",
    );
}

#[test]
fn language_email_booleans() {
    // PaymentsResourceLanguageValidationIT.java
    let lang = "Invalid attribute value: language. Must be \"en\" or \"cy\"";
    expect(&body(json!({"language": "fr"})), 422, Some("language"), "P0102", lang);
    for bad in [json!(" "), json!(""), json!(1337), json!(null), json!({"whatever": 1})] {
        expect(&body(json!({"language": bad})), 400, Some("language"), "P0102", lang);
    }
    // PaymentsResourceEmailValidationIT.java
    let long_email = format!("{}@email.invalid", "aVeryLongEmail".repeat(20));
    expect(
        &body(json!({"email": long_email})),
        422,
        Some("email"),
        "P0102",
        "Invalid attribute value: email. Must be less than or equal to 254 characters length",
    );
    // RequestJsonParserTest.java
    expect(
        &body(json!({"email": 5})),
        400,
        Some("email"),
        "P0102",
        "Invalid attribute value: email. Field must be a string",
    );
    // CreateCardPaymentRequestDeserializerTest.java: delayed_capture and moto must be booleans.
    for field in ["delayed_capture", "moto"] {
        for bad in [json!("true"), json!(null), json!(0)] {
            expect(
                &body(json!({field: bad})),
                400,
                Some(field),
                "P0102",
                &format!("Invalid attribute value: {field}. Must be true or false"),
            );
        }
    }
}

#[test]
fn return_url() {
    // RequestJsonParserTest.java: not a string.
    expect(
        &body(json!({"return_url": 1})),
        400,
        Some("return_url"),
        "P0102",
        "Invalid attribute value: return_url. Must be a valid URL format",
    );
    expect(
        &body(json!({"return_url": "a".repeat(2001)})),
        422,
        Some("return_url"),
        "P0102",
        "Invalid attribute value: return_url. Must be less than or equal to 2000 characters length",
    );
    // pay-connector ChargesApiResourceCreateReturnUrlIT.java, as publicapi's CreateChargeExceptionMapper maps it.
    expect(&without("return_url"), 400, None, "P0101", "Missing mandatory attribute: return_url");
    expect(
        &body(json!({"return_url": ""})),
        400,
        None,
        "P0101",
        "Missing mandatory attribute: return_url",
    );
    expect(
        &body(json!({"return_url": "not.a.valid.url"})),
        422,
        None,
        "P0102",
        "Invalid attribute value: return_url. Must be a valid URL format",
    );
    expect(
        &body(json!({"authorisation_mode": "moto_api"})),
        400,
        None,
        "P0104",
        "Unexpected attribute: return_url",
    );
    // CreatePaymentWithHttpReturnUrlIT.java
    let err = validate_create_payment(
        &body(json!({"return_url": "http://example.gov.uk"})),
        &ValidationOptions::live(),
    )
    .unwrap_err();
    assert_eq!(
        (
            err.status,
            err.error.field.as_deref(),
            err.error.code.as_str(),
            err.error.description.as_str()
        ),
        (
            422,
            Some("return_url"),
            "P0920",
            "Invalid attribute value: return_url. Must begin with https:// for a live gateway account"
        )
    );
    // publicapi alone does not require return_url (CreateCardPaymentRequestDeserializerTest.java).
    assert_eq!(
        validate_create_payment(&without("return_url"), &ValidationOptions::publicapi_only()),
        Ok(())
    );
}

#[test]
fn metadata() {
    // PaymentsResourceMetadataValidationFailuresIT.java
    let m = |v: Value| body(json!({"metadata": v}));
    let p = "Invalid attribute value: metadata. ";
    expect(
        &m(json!({"foo": ["cake", "chocolate"], "bar": {"a": "b"}})),
        422,
        Some("metadata"),
        "P0102",
        &format!("{p}Values must be of type String, Boolean or Number"),
    );
    expect(
        &m(json!({"": "boo"})),
        422,
        Some("metadata"),
        "P0102",
        &format!("{p}Keys must be between 1 and 30 characters long"),
    );
    expect(
        &m(json!({"k".repeat(31): "boo"})),
        422,
        Some("metadata"),
        "P0102",
        &format!("{p}Keys must be between 1 and 30 characters long"),
    );
    expect(
        &m(json!({"key": null})),
        422,
        Some("metadata"),
        "P0102",
        &format!("{p}Must not have null values"),
    );
    expect(
        &m(json!({"key": "v".repeat(101)})),
        422,
        Some("metadata"),
        "P0102",
        &format!("{p}Values must be no greater than 100 characters long"),
    );
    let sixteen: serde_json::Map<String, Value> =
        (1..=16).map(|i| (format!("key {i}"), json!(format!("value {i}")))).collect();
    expect(
        &m(Value::Object(sixteen)),
        422,
        Some("metadata"),
        "P0102",
        &format!("{p}Cannot have more than 15 key-value pairs"),
    );
    let fifteen: serde_json::Map<String, Value> =
        (1..=15).map(|i| (format!("key {i}"), json!(i))).collect();
    assert_eq!(
        validate_create_payment(&m(Value::Object(fifteen)), &ValidationOptions::default()),
        Ok(())
    );
    expect(
        &m(json!("something")),
        422,
        Some("metadata"),
        "P0102",
        &format!("{p}Must be an object of JSON key-value pairs"),
    );
    expect(&m(json!(null)), 422, Some("metadata"), "P0102", &format!("{p}Value must not be null"));
    // ExternalMetadataTest.java: keys differing only by case.
    expect(
        &m(json!({"key": "a", "KEY": "b"})),
        422,
        Some("metadata"),
        "P0102",
        &format!("{p}Must have case insensitive unique keys"),
    );
    // testMultipleValidationErrors: every violation is reported, joined with ". ".
    let err = validate_metadata(&json!({"key": "v".repeat(101), "k".repeat(31): "fuh",
                                       "keyForBadValue": ["cake", "chocolate"]}))
    .unwrap_err();
    let reasons: Vec<&str> = err.error.description.trim_start_matches(p).split(". ").collect();
    for want in [
        "Values must be no greater than 100 characters long",
        "Keys must be between 1 and 30 characters long",
        "Values must be of type String, Boolean or Number",
    ] {
        assert!(reasons.contains(&want), "{reasons:?} lacks {want}");
    }
}

#[test]
fn prefilled_cardholder_details() {
    // CreatePaymentWithPrefilledCardholderDetailsValidationIT.java
    let long = "a".repeat(256);
    expect(
        &body(json!({"prefilled_cardholder_details": {"cardholder_name": long}})),
        422,
        Some("cardholder_name"),
        "P0102",
        "Invalid attribute value: cardholder_name. Must be less than or equal to 255 characters length",
    );
    for (field, max) in [("line1", 255), ("line2", 255), ("city", 255), ("postcode", 25)] {
        expect(
            &body(json!({"prefilled_cardholder_details": {"billing_address": {field: long}}})),
            422,
            Some(field),
            "P0102",
            &format!(
                "Invalid attribute value: {field}. Must be less than or equal to {max} characters length"
            ),
        );
    }
    // CreateCardPaymentRequestDeserializerTest.java / RequestJsonParserTest.java
    expect(
        &body(json!({"prefilled_cardholder_details": {"billing_address": {"line1": 172}}})),
        400,
        Some("line1"),
        "P0102",
        "Invalid attribute value: line1. Field must be a string",
    );
    expect(
        &body(json!({"prefilled_cardholder_details": {"cardholder_name": true}})),
        400,
        Some("cardholder_name"),
        "P0102",
        "Invalid attribute value: cardholder_name. Field must be a string",
    );
}

#[test]
fn agreements_and_modes() {
    // RequestJsonParserTest.java
    let modes =
        "Invalid attribute value: authorisation_mode. Must be one of web, moto_api, agreement";
    expect(
        &body(json!({"authorisation_mode": "foo"})),
        422,
        Some("authorisation_mode"),
        "P0102",
        modes,
    );
    expect(
        &body(json!({"authorisation_mode": "external"})),
        422,
        Some("authorisation_mode"),
        "P0102",
        modes,
    );
    expect(
        &body(json!({"authorisation_mode": 7})),
        400,
        Some("authorisation_mode"),
        "P0102",
        modes,
    );
    let agreement = |extra: Value| {
        let mut b = json!({"amount": 1000, "reference": "Some reference", "description": "Some description",
                           "authorisation_mode": "agreement"});
        for (k, v) in extra.as_object().unwrap() {
            b.as_object_mut().unwrap().insert(k.clone(), v.clone());
        }
        b
    };
    expect(
        &agreement(json!({"agreement_id": 1234})),
        400,
        Some("agreement_id"),
        "P0102",
        "Invalid attribute value: agreement_id. Must be a valid string format",
    );
    expect(
        &body(json!({"agreement_id": "abcdefghijklmnopqrstuvwxyz"})),
        400,
        None,
        "P0104",
        "Unexpected attribute: agreement_id",
    );
    expect(
        &body(json!({"authorisation_mode": "web", "agreement_id": "abcdefghijklmnopqrstuvwxyz"})),
        400,
        None,
        "P0104",
        "Unexpected attribute: agreement_id",
    );
    expect(
        &body(json!({"agreement_id": "x", "agreement_payment_type": "instalment"})),
        400,
        None,
        "P0104",
        "Unexpected attribute: agreement_id",
    );
    expect(
        &body(
            json!({"set_up_agreement": "abcdefghijklmnopqrstuvwxyz", "agreement_payment_type": "Invalid reason"}),
        ),
        422,
        Some("agreement_payment_type"),
        "P0102",
        "Invalid attribute value: agreement_payment_type. Must be one of instalment, recurring, unscheduled",
    );
    expect(
        &body(json!({"agreement_payment_type": "instalment"})),
        400,
        None,
        "P0104",
        "Unexpected attribute: agreement_payment_type",
    );
    // CreateCardPaymentRequest.java @Size(min=26, max=26)
    expect(
        &body(json!({"set_up_agreement": "short"})),
        422,
        Some("set_up_agreement"),
        "P0102",
        "Invalid attribute value: set_up_agreement. Field [set_up_agreement] length must be 26",
    );
    expect(
        &agreement(json!({"agreement_id": "short"})),
        422,
        Some("agreement_id"),
        "P0102",
        "Invalid attribute value: agreement_id. Field [agreement_id] length must be 26",
    );
    // Agreement mode forbids return_url, email and prefilled details (pay-connector ChargesApiResource).
    let id = "abcdefghijklmnopqrstuvwxyz";
    expect(
        &agreement(json!({"agreement_id": id, "return_url": URL})),
        400,
        None,
        "P0104",
        "Unexpected attribute: return_url",
    );
    expect(
        &json!({"amount": 100, "reference": "r", "description": "d", "authorisation_mode": "moto_api",
                "set_up_agreement": id}),
        400,
        None,
        "P0104",
        "Unexpected attribute: set_up_agreement",
    );
    expect(
        &agreement(json!({"agreement_id": id, "email": "a@b.c"})),
        400,
        None,
        "P0104",
        "Unexpected attribute: email",
    );
    // RequestJsonParserTest.java: internal source.
    let src = "Invalid attribute value: source. Accepted values are only CARD_PAYMENT_LINK, CARD_AGENT_INITIATED_MOTO";
    expect(&body(json!({"internal": {"source": 1}})), 400, Some("source"), "P0102", src);
    expect(&body(json!({"internal": {"source": "CARD_API"}})), 400, Some("source"), "P0102", src);
    expect(&body(json!({"internal": {"source": "NOPE"}})), 422, Some("source"), "P0102", src);
}

#[test]
fn non_object_bodies_report_the_missing_amount() {
    expect(&json!([1, 2]), 400, Some("amount"), "P0101", "Missing mandatory attribute: amount");
    expect_raw("", 400, None, "P0197", "Unable to parse JSON");
}

#[test]
fn idempotency_key_header() {
    // pay-publicapi PaymentsResource.java @Length/@Pattern on Idempotency-Key.
    assert_eq!(validate_idempotency_key("a-valid-key-123"), Ok(()));
    let err: Invalid = validate_idempotency_key("").unwrap_err();
    assert_eq!(
        (
            err.status,
            err.error.header.as_deref(),
            err.error.code.as_str(),
            err.error.description.as_str()
        ),
        (
            422,
            Some("Idempotency-Key"),
            "P0102",
            "Header [Idempotency-Key] can have a size between 1 and 255"
        )
    );
    let err = validate_idempotency_key(&"a".repeat(256)).unwrap_err();
    assert_eq!(err.error.description, "Header [Idempotency-Key] can have a size between 1 and 255");
    let err = validate_idempotency_key("not_allowed!").unwrap_err();
    assert_eq!(
        err.error.description,
        "Header [Idempotency-Key] can only contain alphanumeric characters and hyphens"
    );
    assert!(gaap_pay::IdempotencyKey::new("has space").is_err());
    assert!(validate_idempotency_key(gaap_pay::IdempotencyKey::generate().as_str()).is_ok());
}

#[test]
fn refund_body() {
    // PaymentsRefundsResourceAmountValidationIT.java
    let check = |v: Value| validate_create_refund(&v).unwrap_err();
    let e = check(json!({"amount": -123}));
    assert_eq!(
        (e.status, e.error.code.as_str(), e.error.description.as_str()),
        (422, "P0602", "Invalid attribute value: amount. Must be greater than or equal to 1")
    );
    let e = check(json!({"amount": 10_000_001}));
    assert_eq!(
        (e.status, e.error.code.as_str(), e.error.description.as_str()),
        (422, "P0602", "Invalid attribute value: amount. Must be less than or equal to 10000000")
    );
    let e = check(json!({"amount": null}));
    assert_eq!(
        (e.status, e.error.code.as_str(), e.error.description.as_str()),
        (400, "P0601", "Missing mandatory attribute: amount")
    );
    for bad in [json!("hola world!"), json!({"a": 1}), json!("    ")] {
        let e = check(json!({"amount": bad}));
        assert_eq!(
            (
                e.status,
                e.error.field.as_deref(),
                e.error.code.as_str(),
                e.error.description.as_str()
            ),
            (
                400,
                Some("amount"),
                "P0602",
                "Invalid attribute value: amount. Must be a valid numeric format"
            )
        );
    }
    assert_eq!(
        validate_create_refund(&json!({"amount": 100, "refund_amount_available": 500})),
        Ok(())
    );
}
