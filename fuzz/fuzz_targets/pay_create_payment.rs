//! Pay create-payment and create-refund bodies: fuzzed JSON is validated without a panic, and a body the
//! validator accepts obeys Pay's rules (an object with an integer amount in range, a reference and a
//! description of 1 to 255 characters, `language` en or cy): a validator never accepts what Pay refuses.
#![no_main]

use gaap_pay::MAX_AMOUNT;
use gaap_pay::rules::validate::{
    ValidationOptions, validate_create_payment_bytes, validate_create_refund,
    validate_idempotency_key,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else { return };
    let mut options = ValidationOptions::default();
    options.live = flags & 1 != 0;
    options.zero_amount_allowed = flags & 2 != 0;
    options.stripe = flags & 4 != 0;
    options.connector_checks = flags & 8 == 0;
    match validate_create_payment_bytes(body, &options) {
        Ok(value) => {
            let object =
                value.as_object().unwrap_or_else(|| panic!("accepted a non-object: {value}"));
            let amount = object.get("amount").and_then(Value::as_i64);
            assert!(amount.is_some_and(|a| (0..=MAX_AMOUNT).contains(&a)), "accepted {value}");
            for field in ["reference", "description"] {
                let text = object.get(field).and_then(Value::as_str).unwrap_or_default();
                assert!((1..=255).contains(&text.chars().count()), "accepted {field} in {value}");
            }
            if let Some(language) = object.get("language") {
                assert!(language == "en" || language == "cy", "accepted {value}");
            }
            if options.live
                && options.connector_checks
                && let Some(url) = object.get("return_url").and_then(Value::as_str)
            {
                assert!(url.starts_with("https://"), "a live account accepted {value}");
            }
        }
        Err(invalid) => assert!(invalid.status == 400 || invalid.status == 422, "{invalid:?}"),
    }
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        let _ = validate_create_refund(&value);
    }
    if let Ok(key) = std::str::from_utf8(body) {
        let _ = validate_idempotency_key(key);
    }
});
