//! gaap-pay: create-payment validation and webhook signature verification.
//! Run: `cargo bench -p gaap-benches --bench pay`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gaap_pay::SigningSecret;
use gaap_pay::rules::validate::{
    ValidationOptions, validate_create_payment, validate_create_payment_bytes,
};
use gaap_pay::webhook::{sign, verify_signature};

const VALID: &str = r#"{"amount":1250,"reference":"INV-2026-001","description":"Parking permit","return_url":"https://council.example.gov.uk/paid","language":"en","email":"payer@example.com","metadata":{"ledger_code":"AB100","fund_code":42,"paid_online":true},"prefilled_cardholder_details":{"cardholder_name":"J Bogs","billing_address":{"line1":"1 High Street","city":"London","postcode":"SW1A 1AA","country":"GB"}}}"#;

const WEBHOOK: &str = r#"{"webhook_message_id":"s0wjen129ejalk21nfjkdknf1jejklh","created_date":"2019-10-01T08:25:24.000Z","resource_id":"hu20sqlact5260q2nanm0q8u93","api_version":1,"resource_type":"payment","event_type":"card_payment_captured","resource":{"amount":5000,"description":"Pay your council tax","reference":"12345","language":"en","email":"sherlock.holmes@example.com","state":{"status":"success","finished":true},"payment_id":"hu20sqlact5260q2nanm0q8u93","payment_provider":"stripe","created_date":"2021-10-19T10:05:45.454Z","refund_summary":{"status":"available","amount_available":5000,"amount_submitted":0},"settlement_summary":{"capture_submit_time":"2021-10-19T10:06:45.454Z","captured_date":"2021-10-19"},"delayed_capture":false,"moto":false,"return_url":"https://your.service.gov.uk/completed"}}"#;

fn validation(c: &mut Criterion) {
    let options = ValidationOptions::default();
    let value: serde_json::Value = serde_json::from_str(VALID).unwrap();
    assert!(validate_create_payment(&value, &options).is_ok());
    c.bench_function("pay/validate_create_payment (parsed value)", |b| {
        b.iter(|| validate_create_payment(black_box(&value), &options));
    });
    c.bench_function("pay/validate_create_payment_bytes (parse + validate)", |b| {
        b.iter(|| validate_create_payment_bytes(black_box(VALID.as_bytes()), &options));
    });
}

fn webhook(c: &mut Criterion) {
    let secret = SigningSecret::new("webhook_test_3kb2lvpqnvm6s2qiuvhuvgbzyu");
    let signature = sign(&secret, WEBHOOK.as_bytes());
    assert!(verify_signature(&secret, WEBHOOK.as_bytes(), &signature).is_ok());
    c.bench_function("pay/verify_webhook_signature (1 KB body)", |b| {
        b.iter(|| verify_signature(&secret, black_box(WEBHOOK.as_bytes()), black_box(&signature)));
    });
}

criterion_group!(benches, validation, webhook);
criterion_main!(benches);
