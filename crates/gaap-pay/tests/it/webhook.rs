//! Webhook signatures. The vector is from `alphagov/pay-webhooks`
//! `src/test/java/uk/gov/pay/webhooks/message/WebhookMessageSignatureGeneratorTest.java`.

use gaap_pay::SigningSecret;
use gaap_pay::webhook::{
    Deduplicator, EventType, WebhookError, sign, verify_and_parse, verify_signature,
};

const PAY_BODY: &str = "We captured a £10 payment! 💷";
const PAY_SECRET: &str = "This is my secret key! 🔑";
const PAY_SIGNATURE: &str = "a678c8326237dc08acabed4ec3948ee82f94c4b35cdc44b68f26fa8ef595efff";

#[test]
fn pays_own_vector_verifies() {
    let secret = SigningSecret::new(PAY_SECRET);
    assert_eq!(sign(&secret, PAY_BODY.as_bytes()), PAY_SIGNATURE);
    assert_eq!(verify_signature(&secret, PAY_BODY.as_bytes(), PAY_SIGNATURE), Ok(()));
}

#[test]
fn any_single_byte_flip_is_rejected() {
    let secret = SigningSecret::new(PAY_SECRET);
    let body = PAY_BODY.as_bytes();
    for i in 0..body.len() {
        let mut flipped = body.to_vec();
        flipped[i] ^= 0x01;
        assert_eq!(
            verify_signature(&secret, &flipped, PAY_SIGNATURE),
            Err(WebhookError::BadSignature),
            "byte {i}"
        );
    }
    let mut sig = PAY_SIGNATURE.to_owned().into_bytes();
    sig[0] = b'b';
    let sig = String::from_utf8(sig).unwrap();
    assert_eq!(verify_signature(&secret, body, &sig), Err(WebhookError::BadSignature));
    assert_eq!(
        verify_signature(&SigningSecret::new("other"), body, PAY_SIGNATURE),
        Err(WebhookError::BadSignature)
    );
    for bad in [
        "",
        "zz",
        &PAY_SIGNATURE[..62],
        &format!("{PAY_SIGNATURE}00"),
        &PAY_SIGNATURE.replace('a', "g"),
    ] {
        assert_eq!(
            verify_signature(&secret, body, bad),
            Err(WebhookError::MalformedSignature),
            "{bad}"
        );
    }
}

const MESSAGE: &str = r#"{"webhook_message_id":"s0wjen129ejalk21nfjkdknf1jejklh","created_date":"2019-10-01T08:25:24.000Z","resource_id":"hu20sqlact5260q2nanm0q8u93","api_version":1,"resource_type":"payment","event_type":"card_payment_captured","resource":{"amount":5000,"description":"Pay your council tax","reference":"12345","language":"en","email":"sherlock.holmes@example.com","state":{"status":"success","finished":true},"payment_id":"hu20sqlact5260q2nanm0q8u93","payment_provider":"stripe","created_date":"2021-10-19T10:05:45.454Z","refund_summary":{"status":"available","amount_available":5000,"amount_submitted":0},"settlement_summary":{"capture_submit_time":"2021-10-19T10:06:45.454Z","captured_date":"2021-10-19"},"delayed_capture":false,"moto":false,"return_url":"https://your.service.gov.uk/completed","authorisation_mode":"web"}}"#;

#[test]
fn envelope_parses_and_round_trips_through_the_signer() {
    let secret = SigningSecret::new("webhook_test_abc");
    let signature = sign(&secret, MESSAGE.as_bytes());
    let message = verify_and_parse(&secret, MESSAGE.as_bytes(), &signature).unwrap();
    assert_eq!(message.event_type, EventType::CardPaymentCaptured);
    assert_eq!(message.resource.amount.to_string(), "£50.00");
    assert!(message.is_payment());
    let (body, sig) = message.to_signed(&secret).unwrap();
    assert_eq!(verify_and_parse(&secret, &body, &sig).unwrap(), message);
    // The resource keeps Pay's millisecond timestamps.
    assert!(
        String::from_utf8(body).unwrap().contains("\"created_date\":\"2019-10-01T08:25:24.000Z\"")
    );
}

#[test]
fn unknown_event_types_and_ledger_statuses_are_kept() {
    let body = MESSAGE.replace("card_payment_captured", "card_payment_disputed").replace(
        r#""status":"success","finished":true"#,
        r#""status":"declined","finished":true,"code":"P0010""#,
    );
    let secret = SigningSecret::new("s");
    let m = verify_and_parse(&secret, body.as_bytes(), &sign(&secret, body.as_bytes())).unwrap();
    assert_eq!(m.event_type, EventType::Unknown("card_payment_disputed".to_owned()));
    assert_eq!(m.resource.model_state().map(|s| s.code()), Some(Some("P0010")));
}

#[test]
fn a_valid_signature_over_a_non_message_is_a_decode_error() {
    let secret = SigningSecret::new(PAY_SECRET);
    let err = verify_and_parse(&secret, PAY_BODY.as_bytes(), PAY_SIGNATURE).unwrap_err();
    assert!(matches!(err, WebhookError::Decode(_)));
}

#[test]
fn dedupe_by_webhook_message_id() {
    let d = Deduplicator::new(2);
    assert!(d.first_delivery("a"));
    assert!(!d.first_delivery("a"));
    assert!(d.first_delivery("b"));
    assert!(d.first_delivery("c")); // evicts "a"
    assert!(d.first_delivery("a"));
    d.forget("c");
    assert!(d.first_delivery("c"));
}
