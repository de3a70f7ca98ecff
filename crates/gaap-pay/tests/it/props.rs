//! Property tests over the parsers and the signer: arbitrary input never panics and round trips hold.

use gaap_pay::rules::validate::{
    ValidationOptions, validate_create_payment, validate_create_payment_bytes,
};
use gaap_pay::webhook::{WebhookError, sign, verify_signature};
use gaap_pay::{Money, SigningSecret};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[ -~<>|💷]{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("amount".to_owned()),
                    Just("reference".to_owned()),
                    Just("description".to_owned()),
                    Just("return_url".to_owned()),
                    Just("metadata".to_owned()),
                    Just("language".to_owned()),
                    Just("authorisation_mode".to_owned()),
                    Just("agreement_id".to_owned()),
                    Just("prefilled_cardholder_details".to_owned()),
                    Just("billing_address".to_owned()),
                    "[a-zA-Z_]{0,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn validation_never_panics_and_answers_400_or_422(body in json_value()) {
        match validate_create_payment(&body, &ValidationOptions::default()) {
            Ok(()) => {}
            Err(e) => {
                prop_assert!(e.status == 400 || e.status == 422, "{}", e.status);
                prop_assert!(e.error.code.starts_with("P0"), "{}", e.error.code);
                prop_assert!(!e.error.description.is_empty());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = validate_create_payment_bytes(&bytes, &ValidationOptions::default());
    }

    #[test]
    fn signatures_round_trip_and_any_bit_flip_fails(
        secret in "[ -~]{1,40}",
        body in proptest::collection::vec(any::<u8>(), 1..300),
        index in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let secret = SigningSecret::new(secret);
        let signature = sign(&secret, &body);
        prop_assert_eq!(signature.len(), 64);
        prop_assert!(signature.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        prop_assert_eq!(verify_signature(&secret, &body, &signature), Ok(()));
        let mut flipped = body;
        let i = index.index(flipped.len());
        flipped[i] ^= 1 << bit;
        prop_assert_eq!(verify_signature(&secret, &flipped, &signature), Err(WebhookError::BadSignature));
    }

    #[test]
    fn money_display_matches_integer_arithmetic(pence in any::<i64>()) {
        let shown = Money::from_pence(pence).to_string();
        let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
        let expected = pence.unsigned_abs().to_string();
        prop_assert_eq!(digits.trim_start_matches('0'), expected.trim_start_matches('0'));
        prop_assert_eq!(shown.starts_with('-'), pence < 0);
        prop_assert_eq!(shown.split('.').nth(1).map(str::len), Some(2));
    }
}
