//! Publish a GOV.UK-style content item: validate it with publishing-api's rules, save a draft, publish
//! it, find it by path as the content store does, and render its govspeak body.
//!
//! Runs on an in-memory SQLite store (`SqliteStorage::open(path)` keeps it in a file).
//! `cargo run --example content-publish`
#![allow(clippy::print_stdout)]

use gaap_content::govspeak::{Mode, render};
use gaap_content::store::{ContentStore, PublishOptions, Publisher, SqliteStorage};
use gaap_content::validate_json;

const CONTENT_ID: &str = "a2c4477b-90fa-4838-a989-ca6004462c04";

const ITEM: &str = r#"{
  "content_id": "a2c4477b-90fa-4838-a989-ca6004462c04",
  "base_path": "/pay-council-tax", "title": "Pay your Council Tax",
  "description": "Pay your Council Tax online by debit or credit card",
  "schema_name": "answer", "document_type": "answer", "locale": "en",
  "publishing_app": "publisher", "rendering_app": "frontend",
  "routes": [{"path": "/pay-council-tax", "type": "prefix"}],
  "details": {"body": [{"content_type": "text/govspeak",
    "content": "You can pay online.\n\n^Your bill shows your reference number.^\n\n$CTA\nPay by 1 April.\n$CTA"}]}
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // publishing-api's rules, offline: a route outside the base path is refused with its error code.
    let broken =
        ITEM.replace(r#""path": "/pay-council-tax", "type""#, r#""path": "/elsewhere", "type""#);
    for error in validate_json(broken.as_bytes()).err().unwrap_or_default() {
        println!("refused: {} ({})", error.error_code, error.message);
    }
    let item = validate_json(ITEM.as_bytes()).map_err(|errors| format!("{errors:?}"))?;

    let publisher = Publisher::new(SqliteStorage::in_memory()?);
    let draft = publisher.put_content(CONTENT_ID, &item)?;
    println!(
        "draft saved: lock_version {}, state {}",
        draft.lock_version,
        draft.edition.state.as_str()
    );
    let options =
        PublishOptions { update_type: Some("major".to_owned()), ..PublishOptions::default() };
    let live = publisher.publish(CONTENT_ID, &options)?;
    println!(
        "published: version {}, state {}",
        live.edition.user_facing_version,
        live.edition.state.as_str()
    );

    // The live content store answers the base path, and a prefix route under it with 303 to the base path.
    let router = publisher.router(ContentStore::Live)?;
    for path in ["/pay-council-tax", "/pay-council-tax/online", "/not-here"] {
        match router.resolve(path) {
            Some(found) => {
                println!("{path} -> {} {}", found.status, found.location.unwrap_or(found.base_path))
            }
            None => println!("{path} -> 404"),
        }
    }

    let bodies = item.details.as_ref().map(|details| details.bodies()).unwrap_or_default();
    for govspeak in bodies.iter().filter_map(|body| body.govspeak()) {
        println!("\n{}", render(govspeak, Mode::Frontend));
    }
    Ok(())
}
