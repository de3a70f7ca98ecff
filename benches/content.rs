//! gaap-content: govspeak rendering throughput (MB/s), validation (items/s) and publishing on SQLite
//! (items/s, one PUT + one major publish each, on a WAL file). Run: `cargo bench --bench content`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gaap_content::govspeak::{Mode, render};
use gaap_content::rules::validate_json;
use gaap_content::store::{PublishOptions, Publisher, SqliteStorage};
use gaap_content::types::PublisherItem;

/// A council page exercising every extension the renderer knows.
fn govspeak_page() -> String {
    let section = r#"## Pay your Council Tax

You can pay your [Council Tax](/council-tax) online, by phone or at a [Post Office](https://www.postoffice.co.uk).

^You must pay by 1 April.^

% Late payments can lead to a court summons. %

$CTA
Apply for a **discount** if you live alone.
$CTA

$C
Council Tax team
Phone: 020 7641 1000
$C

$A
Westminster City Hall
64 Victoria Street
London SW1E 6QP
$A

s1. Find your account number.
s2. Choose how to pay.
s3. Keep your receipt.


{button start}[Start now](https://www.westminster.gov.uk/pay){/button}

| Band | Value | Charge |
|------|-------|--------|
| A | up to £40,000 | £600 |
| B | £40,001 to £52,000 | £700 |

:england:The HTML rules in England apply.[^1]:england:

* one item with HMRC
* another item

[^1]: Valuation Office Agency bands.

*[HMRC]: HM Revenue and Customs
*[HTML]: HyperText Markup Language

"#;
    section.repeat(8)
}

fn govspeak(c: &mut Criterion) {
    let page = govspeak_page();
    let mut group = c.benchmark_group("content/govspeak");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("compat", |b| b.iter(|| render(black_box(&page), Mode::Compat)));
    group.bench_function("frontend", |b| b.iter(|| render(black_box(&page), Mode::Frontend)));
    group.finish();
}

const ITEM: &str = r#"{
  "content_id": "a2c4477b-90fa-4838-a989-ca6004462c04",
  "base_path": "/pay-council-tax",
  "title": "Pay your Council Tax",
  "description": "Pay your Council Tax online, by phone or by Direct Debit.",
  "schema_name": "local_transaction",
  "document_type": "local_transaction",
  "publishing_app": "publisher",
  "rendering_app": "frontend",
  "locale": "en",
  "routes": [{"path": "/pay-council-tax", "type": "prefix"}, {"path": "/pay-council-tax.json", "type": "exact"}],
  "redirects": [{"path": "/pay-council-tax/old", "type": "exact", "destination": "/pay-council-tax"}],
  "update_type": "major",
  "details": {
    "lgsl_code": 57, "lgil_code": 4, "service_tiers": ["district", "unitary"],
    "introduction": [{"content_type": "text/govspeak", "content": "Pay your bill."}]
  }
}"#;

fn validation(c: &mut Criterion) {
    let mut group = c.benchmark_group("content/validate");
    group.throughput(Throughput::Elements(1));
    group.bench_function("local_transaction", |b| {
        b.iter(|| validate_json(black_box(ITEM.as_bytes())).unwrap())
    });
    group.finish();
}

fn publishing(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let publisher = Publisher::new(SqliteStorage::open(dir.path().join("bench.db")).unwrap());
    let base: serde_json::Value = serde_json::from_str(ITEM).unwrap();
    let major = PublishOptions { update_type: Some("major".into()), ..PublishOptions::default() };
    let mut n: u64 = 0;
    let mut group = c.benchmark_group("content/sqlite");
    group.throughput(Throughput::Elements(1));
    group.bench_function("put_and_publish", |b| {
        b.iter_batched(
            || {
                n += 1;
                let id = format!("a2c4477b-90fa-4838-a989-{n:012x}");
                let path = format!("/pay-council-tax-{n}");
                let mut v = base.clone();
                v["content_id"] = id.clone().into();
                v["base_path"] = path.clone().into();
                v["routes"] = serde_json::json!([{"path": path, "type": "exact"}]);
                v.as_object_mut().unwrap().remove("redirects");
                (id, PublisherItem::from_json(&serde_json::to_vec(&v).unwrap()).unwrap())
            },
            |(id, item)| {
                publisher.put_content(&id, &item).unwrap();
                publisher.publish(&id, &major).unwrap();
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, govspeak, validation, publishing);
criterion_main!(benches);
