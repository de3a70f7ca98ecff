//! JSON-LD shapes from govuk_publishing_components' machine-readable presenters
//! (`government_service_schema.rb`, `faq_page_schema.rb`, `article_schema.rb`).

use gaap_content::jsonld::{Organisation, Page, json_ld, json_ld_for_file};
use gaap_content::types::{FrontendItem, PublisherItem};
use serde_json::json;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/examples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn transaction_is_a_government_service_with_organisation_providers() {
    let item =
        FrontendItem::from_json(&fixture("transaction__frontend__apply-marine-licence.json"))
            .unwrap();
    let ld = json_ld(&Page::from_frontend(&item, "https://www.gov.uk"), "https://www.gov.uk");
    assert_eq!(ld["@type"], "GovernmentService");
    assert_eq!(ld["name"], json!(item.title));
    assert_eq!(ld["url"], json!(format!("https://www.gov.uk{}", item.base_path)));
    let providers = ld["provider"].as_array().unwrap();
    let orgs = &item.links["organisations"];
    assert_eq!(providers.len(), orgs.len());
    assert_eq!(providers[0]["@type"], "GovernmentOrganization");
    assert_eq!(providers[0]["name"], json!(orgs[0].title));
}

#[test]
fn publisher_transaction_takes_supplied_providers() {
    let item =
        PublisherItem::from_json(&fixture("transaction__publisher_v2__transaction.json")).unwrap();
    let council = Organisation {
        name: "Westminster City Council".into(),
        url: "https://www.westminster.gov.uk/".into(),
    };
    let ld = json_ld(&Page::from_publisher(&item, vec![council]), "https://www.gov.uk");
    assert_eq!(ld["@type"], "GovernmentService");
    assert_eq!(
        ld["provider"],
        json!([{"@type": "GovernmentOrganization", "name": "Westminster City Council", "url": "https://www.westminster.gov.uk/"}])
    );
}

#[test]
fn answer_is_an_faq_page_split_on_h2() {
    let item = PublisherItem::from_json(
        &serde_json::to_vec(&json!({
            "base_path": "/bins", "title": "Bin collections", "schema_name": "answer", "document_type": "answer",
            "publishing_app": "publisher", "rendering_app": "frontend",
            "routes": [{"path": "/bins", "type": "exact"}],
            "details": {"body": [{"content_type": "text/govspeak", "content": "Intro text.\n\n## When are bins collected?\n\nEvery Tuesday.\n\nBefore 7am.\n\n## Can I get a new bin?\n\nYes, [order one](/order)."}]}
        }))
        .unwrap(),
    )
    .unwrap();
    let ld = json_ld(&Page::from_publisher(&item, Vec::new()), "https://www.gov.uk");
    assert_eq!(ld["@type"], "FAQPage");
    let q = ld["mainEntity"].as_array().unwrap();
    assert_eq!(q.len(), 3);
    assert_eq!(q[0]["name"], "Bin collections");
    assert_eq!(q[0]["url"], "https://www.gov.uk/bins");
    assert_eq!(q[0]["acceptedAnswer"]["text"], "<p>Intro text.</p>");
    assert_eq!(q[1]["name"], "When are bins collected?");
    assert_eq!(q[1]["url"], "https://www.gov.uk/bins#when-are-bins-collected");
    assert_eq!(q[1]["acceptedAnswer"]["text"], "<p>Every Tuesday.</p><p>Before 7am.</p>");
    assert_eq!(q[2]["acceptedAnswer"]["@type"], "Answer");
    assert_eq!(q[2]["acceptedAnswer"]["text"], "<p>Yes, <a href=\"/order\">order one</a>.</p>");
}

#[test]
fn other_schemas_are_articles() {
    let ld = json_ld_for_file(&fixture("guide__publisher_v2__guide.json"), "https://www.gov.uk")
        .unwrap();
    assert_eq!(ld["@type"], "Article");
    assert_eq!(ld["mainEntityOfPage"]["@type"], "WebPage");
    assert!(ld["articleBody"].as_str().unwrap().contains("<p>"));
    let ld =
        json_ld_for_file(&fixture("answer__frontend__answer.json"), "https://www.gov.uk").unwrap();
    assert_eq!(ld["@type"], "FAQPage");
}
