//! gaap-notify: SMS render and count, a 100,000-row recipients CSV, and phone validation.
//! Run: `cargo bench -p gaap-benches --bench notify`. Targets (issue 3): at least 1M SMS/s,
//! the 100k-row CSV in under 1 s, at least 200k phone numbers/s, on one core.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gaap_notify::bulk::{BulkOptions, validate_csv};
use gaap_notify::rules::phone::{PhonePermissions, validate_phone_number};
use gaap_notify::rules::sms::{SmsOptions, render_sms};
use gaap_notify::rules::template::{TemplateContent, TemplateType};
use serde_json::{Map, Value};

/// 160 characters with two placeholders.
const TEMPLATE: &str = "Dear ((name)), your council tax reference ((ref)) is due for payment. Pay online at \
www.example.gov.uk/pay or call 0300 123 4567. Thank you, the Council.";

const BATCH: usize = 10_000;

fn personalisation(i: usize) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("name".into(), Value::String(format!("Resident {i}")));
    map.insert("ref".into(), Value::String(format!("CT{i:08}")));
    map
}

fn phone(i: usize) -> String {
    // A mix of UK mobiles in several spellings and some international numbers.
    match i % 4 {
        0 => format!("07700 9{:05}", i % 100_000),
        1 => format!("+44 7723 {:06}", i % 1_000_000),
        2 => format!("0044 (0)7911 {:06}", i % 1_000_000),
        _ => format!("+1 202 555 {:04}", i % 10_000),
    }
}

fn sms(c: &mut Criterion) {
    let values: Vec<Map<String, Value>> = (0..BATCH).map(personalisation).collect();
    let options = SmsOptions { prefix: Some("Council".into()), ..SmsOptions::default() };
    assert!(TEMPLATE.chars().count() >= 150);
    let mut group = c.benchmark_group("notify/sms");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("render_and_count_10k", |b| {
        b.iter(|| {
            let mut fragments = 0;
            for v in &values {
                fragments += render_sms(black_box(TEMPLATE), v, &options).fragments;
            }
            fragments
        })
    });
    group.finish();
}

fn phones(c: &mut Criterion) {
    let numbers: Vec<String> = (0..BATCH).map(phone).collect();
    let mut group = c.benchmark_group("notify/phone");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("validate_10k", |b| {
        b.iter(|| {
            numbers
                .iter()
                .filter(|n| validate_phone_number(black_box(n), PhonePermissions::ALL).is_ok())
                .count()
        })
    });
    group.finish();
}

fn csv(c: &mut Criterion) {
    let mut file = String::from("phone number,name,ref\n");
    for i in 0..100_000 {
        file.push_str(&format!("{},Resident {i},CT{i:08}\n", phone(i)));
    }
    let template =
        TemplateContent { kind: TemplateType::Sms, subject: None, body: TEMPLATE.into() };
    let options = BulkOptions { phone: PhonePermissions::ALL, ..BulkOptions::default() };
    let mut group = c.benchmark_group("notify/csv");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("validate_100k_rows", |b| {
        b.iter(|| {
            validate_csv(black_box(file.as_bytes()), &template, &options, |_| {}).unwrap().valid
        })
    });
    group.finish();
}

criterion_group!(benches, sms, phones, csv);
criterion_main!(benches);
