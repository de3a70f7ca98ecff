//! Validation rules with publishing-api's error codes (`app/validators/*.rb`, `app/models/path_reservation.rb`,
//! `app/errors/command_error.rb`) and content-publisher's title/summary limits.

use gaap_content::rules::{ValidationError, is_absolute_path, is_canonical_uuid, validate_json};
use serde_json::{Value, json};

fn item() -> Value {
    json!({
        "content_id": "a2c4477b-90fa-4838-a989-ca6004462c04",
        "base_path": "/council-tax",
        "title": "Council Tax",
        "description": "Pay it.",
        "schema_name": "answer",
        "document_type": "answer",
        "publishing_app": "publisher",
        "rendering_app": "frontend",
        "routes": [{"path": "/council-tax", "type": "exact"}, {"path": "/council-tax.json", "type": "exact"}],
        "details": {"body": [{"content_type": "text/govspeak", "content": "Hello"}]}
    })
}

fn codes(value: &Value) -> Vec<&'static str> {
    match validate_json(&serde_json::to_vec(value).unwrap()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(|e: &ValidationError| e.error_code).collect(),
    }
}

#[test]
fn a_good_item_is_valid() {
    assert_eq!(codes(&item()), Vec::<&str>::new());
}

#[test]
fn content_id_must_be_a_canonical_uuid() {
    // UuidValidator: lowercase, hyphenated, version 1-5, variant 8/9/a/b.
    assert!(is_canonical_uuid("a2c4477b-90fa-4838-a989-ca6004462c04"));
    assert!(!is_canonical_uuid("A2C4477B-90FA-4838-A989-CA6004462C04"));
    assert!(!is_canonical_uuid("a2c4477b-90fa-6838-a989-ca6004462c04"));
    assert!(!is_canonical_uuid("a2c4477b-90fa-4838-c989-ca6004462c04"));
    assert!(!is_canonical_uuid("a2c4477b90fa4838a989ca6004462c04"));
    let mut v = item();
    v["content_id"] = json!("not-a-uuid");
    assert_eq!(codes(&v), ["uuid_invalid"]);
}

#[test]
fn base_path_rules() {
    assert!(is_absolute_path("/"));
    assert!(is_absolute_path("/council-tax/bands"));
    for bad in ["council-tax", "/a//b", "/a/", "/a?x=1", "/a#b", "/a b", "/%zz"] {
        assert!(!is_absolute_path(bad), "{bad}");
    }
    let mut v = item();
    v["base_path"] = json!("/council tax");
    assert!(codes(&v).contains(&"absolute_path_invalid"));
    let long = format!("/{}", "a".repeat(512));
    let mut v = item();
    v["base_path"] = json!(long);
    v["routes"] = json!([{"path": long, "type": "exact"}]);
    assert_eq!(codes(&v), ["base_path_too_long"]);
    let ok = format!("/{}", "a".repeat(511));
    let mut v = item();
    v["base_path"] = json!(ok);
    v["routes"] = json!([{"path": ok, "type": "exact"}]);
    assert_eq!(codes(&v), Vec::<&str>::new());
}

#[test]
fn routes_must_include_and_sit_under_base_path() {
    let mut v = item();
    v["routes"] = json!([{"path": "/council-tax.json", "type": "exact"}]);
    assert_eq!(codes(&v), ["routes_must_include_base_path"]);
    let mut v = item();
    v["routes"] = json!([{"path": "/council-tax", "type": "prefix"}, {"path": "/elsewhere", "type": "exact"}]);
    assert_eq!(codes(&v), ["route_not_below_base_path"]);
    let mut v = item();
    v["routes"] = json!([{"path": "/council-tax", "type": "exact"}, {"path": "/council-tax", "type": "prefix"}]);
    assert_eq!(codes(&v), ["route_paths_not_unique"]);
    let mut v = item();
    v["routes"] = json!([{"path": "/council-tax", "type": "fuzzy"}]);
    assert_eq!(codes(&v), ["schema_validation_failed"]);
}

fn redirect_item(destination: &str, segments_mode: Option<&str>) -> Value {
    let mut redirect = json!({"path": "/old", "type": "exact", "destination": destination});
    if let Some(mode) = segments_mode {
        redirect["segments_mode"] = json!(mode);
    }
    json!({
        "base_path": "/old", "schema_name": "redirect", "document_type": "redirect",
        "publishing_app": "publisher", "redirects": [redirect]
    })
}

#[test]
fn redirect_rules() {
    assert_eq!(codes(&redirect_item("/new", None)), Vec::<&str>::new());
    assert_eq!(codes(&redirect_item("https://www.nhs.uk/conditions", None)), Vec::<&str>::new());
    assert_eq!(codes(&redirect_item("/old", None)), ["redirect_path_equals_destination"]);
    assert_eq!(codes(&redirect_item("/new/", None)), ["redirect_destination_invalid"]);
    assert_eq!(
        codes(&redirect_item("https://example.com/x", None)),
        ["redirect_external_disallowed_domain"]
    );
    assert_eq!(codes(&redirect_item("http://www.nhs.uk/x", None)), ["redirect_external_not_https"]);
    assert_eq!(
        codes(&redirect_item("https://www.gov.uk/x", None)),
        ["redirect_external_govuk_should_be_internal"]
    );
    assert_eq!(
        codes(&redirect_item("/new?x=1", Some("preserve"))),
        ["redirect_query_not_allowed_with_preserve"]
    );
    assert_eq!(
        codes(&redirect_item("/new#frag", Some("preserve"))),
        ["redirect_fragment_not_allowed_with_preserve"]
    );
    assert_eq!(codes(&redirect_item("/new?x=1", Some("ignore"))), Vec::<&str>::new());
    let mut v = redirect_item("/new", None);
    v["redirects"][0]["path"] = json!("/other");
    assert_eq!(codes(&v), ["redirects_must_include_base_path", "route_not_below_base_path"]);
}

#[test]
fn title_and_description_limits() {
    let mut v = item();
    v["title"] = json!("x".repeat(301));
    assert_eq!(codes(&v), ["validation_failed"]);
    let mut v = item();
    v["title"] = json!("x".repeat(300));
    assert_eq!(codes(&v), Vec::<&str>::new());
    let mut v = item();
    v["title"] = json!("  ");
    assert_eq!(codes(&v), ["validation_failed"]);
    let mut v = item();
    v["description"] = json!("y".repeat(601));
    assert_eq!(codes(&v), ["validation_failed"]);
    let mut v = item();
    v["description"] = json!("two\nlines");
    assert_eq!(codes(&v), ["validation_failed"]);
    let mut v = item();
    v["description"] = Value::Null;
    assert_eq!(codes(&v), Vec::<&str>::new());
}

#[test]
fn missing_required_fields_and_publishing_app() {
    let mut v = item();
    v.as_object_mut().unwrap().remove("publishing_app");
    assert_eq!(codes(&v), ["publishing_app_missing"]);
    let mut v = item();
    v.as_object_mut().unwrap().remove("title");
    assert_eq!(codes(&v), ["schema_validation_failed"]);
    assert_eq!(codes(&json!("not an object")), ["schema_validation_failed"]);
}

#[test]
fn publishing_api_examples_are_valid() {
    use gaap_content::rules::{AnyItem, validate_any_json};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let validated = validate_any_json(&bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let publisher = matches!(validated, AnyItem::Publisher(_));
        assert_eq!(publisher, name.contains("__publisher_v2__"), "{name}");
        checked += 1;
    }
    assert!(checked >= 16);
}

mod properties {
    use gaap_content::rules::{is_absolute_path, is_canonical_uuid, validate_json};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_v4_uuids_are_canonical_and_uppercase_ones_are_not(bytes in any::<[u8; 16]>()) {
            let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
            let text = id.hyphenated().to_string();
            prop_assert!(is_canonical_uuid(&text));
            if text.chars().any(|c| c.is_ascii_alphabetic()) {
                prop_assert!(!is_canonical_uuid(&text.to_ascii_uppercase()));
            }
            prop_assert!(!is_canonical_uuid(&id.simple().to_string()));
        }

        #[test]
        fn slug_paths_are_absolute(segments in proptest::collection::vec("[a-z0-9][a-z0-9-]{0,20}", 1..6)) {
            let path = format!("/{}", segments.join("/"));
            prop_assert!(is_absolute_path(&path));
            let trailing = format!("{path}/");
            let double = format!("{path}//x");
            let query = format!("{path}?a=1");
            prop_assert!(!is_absolute_path(&trailing));
            prop_assert!(!is_absolute_path(&double));
            prop_assert!(!is_absolute_path(&query));
        }

        #[test]
        fn validation_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = validate_json(&bytes);
        }
    }
}
