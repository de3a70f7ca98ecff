//! The `gaap content` contract: validate, render, jsonld, and the workflow on a SQLite file, where a refused
//! command exits 1 with publishing-api's message.
#![cfg(feature = "content")]
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

const ID: &str = "a2c4477b-90fa-4838-a989-ca6004462c04";

fn gaap(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaap"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        // The command may exit (usage error) before reading its input.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn item(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

fn answer() -> Value {
    json!({
        "content_id": ID, "base_path": "/council-tax", "title": "Council Tax",
        "schema_name": "answer", "document_type": "answer",
        "publishing_app": "publisher", "rendering_app": "frontend",
        "routes": [{"path": "/council-tax", "type": "exact"}],
        "details": {"body": [{"content_type": "text/govspeak", "content": "Intro\n\n## How to pay\n\n^Pay by 1 April^"}]}
    })
}

#[test]
fn validate_prints_valid_or_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = item(dir.path(), "good.json", &answer());
    let out = gaap(&["content", "validate", &good], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out), [json!({"valid": true})]);

    let mut bad = answer();
    bad["routes"] = json!([{"path": "/elsewhere", "type": "exact"}]);
    let bad = item(dir.path(), "bad.json", &bad);
    let out = gaap(&["content", "validate", &bad], None);
    assert_eq!(out.status.code(), Some(1));
    let line = &lines(&out)[0];
    assert_eq!(line["valid"], false);
    let codes: Vec<&str> = line["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["error_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["routes_must_include_base_path", "route_not_below_base_path"]);
    assert!(line["errors"][0]["message"].as_str().unwrap().contains("must include the base path"));
}

#[test]
fn render_prints_html_in_either_mode() {
    let out = gaap(&["content", "render", "-"], Some("^Pay by 1 April^"));
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.contains(
            r#"<div role="note" aria-label="Information" class="application-notice info-notice">"#
        ),
        "{html}"
    );
    let out = gaap(&["content", "render", "--mode", "frontend", "-"], Some("## Pay\n\nText"));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.contains(r#"<h2 id="pay" class="govuk-heading-l">Pay</h2>"#)
            && html.contains(r#"<p class="govuk-body">Text</p>"#),
        "{html}"
    );
    let out = gaap(&["content", "render", "--mode", "fancy", "-"], Some("x"));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn render_refuses_a_json_file_that_is_not_a_content_item() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"title": "Council Tax", "details": "#).unwrap();
    let out = gaap(&["content", "render", bad.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing is rendered");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("bad.json is not valid JSON: EOF while parsing"), "{stderr}");
    assert!(stderr.contains("line 1 column"), "{stderr}");

    let shape = dir.path().join("other.JSON");
    std::fs::write(&shape, r#"{"title": "Council Tax"}"#).unwrap();
    let out = gaap(&["content", "render", shape.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("other.JSON is not a publisher content item: missing field"),
        "{stderr}"
    );

    // The same text under another name is govspeak, and a content item still renders its bodies.
    let text = dir.path().join("bad.txt");
    std::fs::write(&text, r#"{"title": "Council Tax", "details": "#).unwrap();
    assert_eq!(gaap(&["content", "render", text.to_str().unwrap()], None).status.code(), Some(0));
    let good = item(dir.path(), "answer.json", &answer());
    let out = gaap(&["content", "render", &good], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("How to pay"));
}

#[test]
fn jsonld_prints_an_object() {
    let dir = tempfile::tempdir().unwrap();
    let path = item(dir.path(), "answer.json", &answer());
    let out = gaap(&["content", "jsonld", &path], None);
    assert_eq!(out.status.code(), Some(0));
    let ld = &lines(&out)[0];
    assert_eq!(ld["@type"], "FAQPage");
    assert_eq!(ld["mainEntity"][1]["name"], "How to pay");

    let mut transaction = answer();
    transaction["schema_name"] = json!("transaction");
    transaction["document_type"] = json!("transaction");
    transaction["details"] =
        json!({"transaction_start_link": "https://www.westminster.gov.uk/pay"});
    let path = item(dir.path(), "transaction.json", &transaction);
    let out = gaap(
        &[
            "content",
            "jsonld",
            "--provider",
            "Westminster City Council=https://www.westminster.gov.uk/",
            &path,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let ld = &lines(&out)[0];
    assert_eq!(ld["@type"], "GovernmentService");
    assert_eq!(
        ld["provider"],
        json!([{"@type": "GovernmentOrganization", "name": "Westminster City Council", "url": "https://www.westminster.gov.uk/"}])
    );
}

#[test]
fn workflow_on_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("content.db").to_string_lossy().into_owned();
    let file = item(dir.path(), "answer.json", &answer());

    let out = gaap(&["content", "put", "--db", &db, &file], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(lines(&out)[0]["state"], "draft");

    let out = gaap(&["content", "publish", "--db", &db, "--update-type", "major", ID], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out)[0]["state"], "published");

    // Publishing again is refused with publishing-api's message.
    let out = gaap(&["content", "publish", "--db", &db, "--update-type", "major", ID], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines(&out)[0],
        json!({"error": {"code": 409, "message": "Cannot publish an already published edition"}})
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Cannot publish an already published edition")
    );

    let out = gaap(&["content", "put", "--db", &db, &file], None);
    assert_eq!(lines(&out)[0]["user_facing_version"], 2);
    let out = gaap(&["content", "unpublish", "--db", &db, "--type", "gone", ID], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out)[0]["error"]["message"], "Cannot unpublish with a draft present");
    assert_eq!(lines(&out)[0]["error"]["error_code"], "cannot_unpublish_with_draft");

    let out = gaap(&["content", "discard", "--db", &db, ID], None);
    assert_eq!(out.status.code(), Some(0));
    let out = gaap(&["content", "discard", "--db", &db, ID], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines(&out)[0]["error"]["message"],
        "There is not a draft edition of this document to discard"
    );

    let out = gaap(&["content", "unpublish", "--db", &db, "--type", "withdrawal", ID], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out)[0]["error"]["error_code"], "explanation_missing_for_withdrawal");
    let out = gaap(
        &[
            "content",
            "unpublish",
            "--db",
            &db,
            "--type",
            "withdrawal",
            "--explanation",
            "Replaced",
            ID,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out)[0]["state"], "unpublished");
    let out = gaap(
        &[
            "content",
            "unpublish",
            "--db",
            &db,
            "--type",
            "redirect",
            "--alternative-path",
            "/new",
            ID,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let out = gaap(&["content", "unpublish", "--db", &db, "--type", "explode", ID], None);
    assert_eq!(lines(&out)[0]["error"]["message"], "explode is not a valid unpublishing type");

    let out = gaap(&["content", "show", "--db", &db, ID], None);
    assert_eq!(out.status.code(), Some(0));
    let states: Vec<String> =
        lines(&out).iter().map(|e| e["state"].as_str().unwrap().to_owned()).collect();
    assert_eq!(states, ["unpublished"]);

    let out = gaap(
        &[
            "content",
            "publish",
            "--db",
            &db,
            "--update-type",
            "major",
            "b3d5588c-01ab-4949-8a9a-db7115573d15",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines(&out)[0]["error"]["message"],
        "Item with content_id b3d5588c-01ab-4949-8a9a-db7115573d15 and locale en does not exist"
    );
}

#[test]
fn stale_previous_version_exits_1_with_the_409_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("content.db").to_string_lossy().into_owned();
    let file = item(dir.path(), "answer.json", &answer());
    gaap(&["content", "put", "--db", &db, &file], None);
    gaap(&["content", "put", "--db", &db, &file], None);
    let out = gaap(
        &[
            "content",
            "publish",
            "--db",
            &db,
            "--update-type",
            "minor",
            "--previous-version",
            "1",
            ID,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines(&out)[0]["error"]["message"],
        "A lock-version conflict occurred. The `previous_version` you've sent (1) is not the same as the current lock version of the edition (2)."
    );
}
