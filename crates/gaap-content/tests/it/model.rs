//! Round-trips publishing-api's `content_schemas/examples` (copied into tests/fixtures/examples, see NOTICE.md)
//! through the typed model, and checks that unknown keys are rejected as `additionalProperties: false` does.

use gaap_content::types::{Details, FrontendItem, PublisherItem, json_schemas};
use serde_json::Value;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/examples");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn every_example_round_trips_through_the_typed_model() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 16, "fixtures missing");
    let mut schemas_seen = std::collections::BTreeSet::new();
    for (name, bytes) in fixtures {
        let original: Value = serde_json::from_slice(&bytes).unwrap();
        let schema = name.split("__").next().unwrap().to_owned();
        let reserialised = if name.contains("__publisher_v2__") {
            let item = PublisherItem::from_json(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!matches!(item.details, Some(Details::Other(_))), "{name}: details not typed");
            serde_json::to_value(&item).unwrap()
        } else {
            let item = FrontendItem::from_json(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!matches!(item.details, Details::Other(_)), "{name}: details not typed");
            assert_eq!(item.schema_name.as_str(), schema, "{name}");
            serde_json::to_value(&item).unwrap()
        };
        assert_eq!(reserialised, original, "{name} did not round-trip");
        schemas_seen.insert(schema);
    }
    let expected = [
        "answer",
        "contact",
        "guide",
        "local_transaction",
        "organisation",
        "place",
        "step_by_step_nav",
        "transaction",
    ];
    assert_eq!(schemas_seen.iter().map(String::as_str).collect::<Vec<_>>(), expected);
}

fn with_extra_key(name: &str, pointer: &str) -> Vec<u8> {
    let (_, bytes) = fixtures().into_iter().find(|(n, _)| n == name).unwrap();
    let mut value: Value = serde_json::from_slice(&bytes).unwrap();
    value
        .pointer_mut(pointer)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert("surprise".into(), Value::Bool(true));
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn unknown_keys_are_rejected_at_every_level() {
    for (name, pointer) in [
        ("answer__publisher_v2__answer.json", ""),
        ("answer__publisher_v2__answer.json", "/details"),
        ("answer__publisher_v2__answer.json", "/details/body/0"),
        ("guide__publisher_v2__guide.json", "/routes/0"),
        ("transaction__publisher_v2__transaction.json", "/details"),
        (
            "step_by_step_nav__publisher_v2__step_by_step_nav.json",
            "/details/step_by_step_nav/steps/0",
        ),
    ] {
        let err = PublisherItem::from_json(&with_extra_key(name, pointer)).unwrap_err();
        assert!(err.to_string().contains("unknown field `surprise`"), "{name}{pointer}: {err}");
    }
    for (name, pointer) in [
        ("local_transaction__frontend__local_transaction_with_childminder_fields.json", "/details"),
        ("contact__frontend__contact.json", "/details/phone_numbers/0"),
        ("organisation__frontend__tribunal.json", "/details"),
        ("place__frontend__find-regional-passport-office.json", ""),
    ] {
        let err = FrontendItem::from_json(&with_extra_key(name, pointer)).unwrap_err();
        assert!(err.to_string().contains("unknown field `surprise`"), "{name}{pointer}: {err}");
    }
}

#[test]
fn local_transaction_requires_an_integer_lgsl_code() {
    let (_, bytes) = fixtures()
        .into_iter()
        .find(|(n, _)| {
            n == "local_transaction__frontend__local_transaction_with_childminder_fields.json"
        })
        .unwrap();
    let mut value: Value = serde_json::from_slice(&bytes).unwrap();
    value["details"]["lgsl_code"] = Value::String("461".into());
    assert!(FrontendItem::from_json(&serde_json::to_vec(&value).unwrap()).is_err());
    value["details"].as_object_mut().unwrap().remove("lgsl_code");
    let err = FrontendItem::from_json(&serde_json::to_vec(&value).unwrap()).unwrap_err();
    assert!(err.to_string().contains("lgsl_code"), "{err}");
}

#[test]
fn json_schemas_are_generated_and_closed() {
    let schemas = json_schemas();
    let publisher = serde_json::to_value(&schemas["publisher_item"]).unwrap();
    assert_eq!(publisher["additionalProperties"], Value::Bool(false), "{publisher}");
    assert!(
        publisher["required"].as_array().unwrap().contains(&Value::String("schema_name".into()))
    );
    let text = publisher.to_string();
    for def in ["LocalTransactionDetails", "StepByStepNavDetails", "GuideDetails", "Route"] {
        assert!(text.contains(def), "schema lacks {def}");
    }
    let frontend = serde_json::to_value(&schemas["frontend_item"]).unwrap();
    assert!(frontend["required"].as_array().unwrap().contains(&Value::String("updated_at".into())));
}
