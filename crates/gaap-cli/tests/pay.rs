//! `gaap pay …` end to end: the JSON keys and exit codes of issue 4's CLI contract.
#![cfg(feature = "pay")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn gaap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaap")).args(args).output().unwrap()
}

fn gaap_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaap"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// `gaap` with the webhook signing secret in its environment, as the CLI takes it.
fn gaap_with_secret(secret: &str, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaap"))
        .args(args)
        .env("GAAP_PAY_WEBHOOK_SECRET", secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may refuse its arguments before reading its input.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

fn json_line(out: &Output) -> Value {
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON line expected: {stdout:?}");
    serde_json::from_str(stdout.trim_end()).unwrap()
}

// The vector from alphagov/pay-webhooks WebhookMessageSignatureGeneratorTest.java.
const BODY: &str = "We captured a £10 payment! 💷";
const SECRET: &str = "This is my secret key! 🔑";
const SIGNATURE: &str = "a678c8326237dc08acabed4ec3948ee82f94c4b35cdc44b68f26fa8ef595efff";

#[test]
fn verify_webhook_with_pays_vector() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    std::fs::write(&file, BODY).unwrap();
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let out = gaap(&[
        "pay",
        "verify-webhook",
        "--secret-file",
        secret_file.to_str().unwrap(),
        "--signature",
        SIGNATURE,
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_line(&out), json!({"valid": true, "event_type": null, "resource_id": null}));

    let mut flipped = BODY.as_bytes().to_vec();
    flipped[0] ^= 1;
    let out = gaap_with_secret(
        SECRET,
        &["pay", "verify-webhook", "--signature", SIGNATURE, "-"],
        &flipped,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_line(&out)["valid"], json!(false));
}

#[test]
fn verify_webhook_never_takes_the_secret_from_argv() {
    let out = gaap_stdin(
        &["pay", "verify-webhook", "--secret", SECRET, "--signature", SIGNATURE],
        BODY.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--secret is refused")
            && stderr.contains("GAAP_PAY_WEBHOOK_SECRET")
            && stderr.contains("--secret-file"),
        "{stderr}"
    );
    assert!(!stderr.contains(SECRET), "the refusal does not echo the secret: {stderr}");

    let out = gaap_stdin(&["pay", "verify-webhook", "--signature", SIGNATURE], BODY.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("no webhook signing secret: set GAAP_PAY_WEBHOOK_SECRET"), "{stderr}");

    let out = gaap_with_secret(" \n", &["pay", "verify-webhook", "--signature", SIGNATURE], b"x");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("secret is empty"));

    let out = gaap_with_secret(
        SECRET,
        &["pay", "verify-webhook", "--secret-file", "/nonexistent", "--signature", SIGNATURE],
        b"x",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("both set"));

    let help = gaap(&["pay", "verify-webhook", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("GAAP_PAY_WEBHOOK_SECRET") && help.contains("--secret-file"), "{help}");
    assert!(!help.contains("--secret <"), "--secret is not offered: {help}");
}

#[test]
fn verify_webhook_reports_event_type_and_resource_id() {
    let body = r#"{"webhook_message_id":"m1","created_date":"2026-11-22T10:00:00.000Z","resource_id":"p1","api_version":1,"resource_type":"payment","event_type":"card_payment_captured","resource":{}}"#;
    let sig =
        gaap_pay::webhook::sign(&gaap_pay::SigningSecret::new("webhook_test_x"), body.as_bytes());
    let out = gaap_with_secret(
        "webhook_test_x",
        &["pay", "verify-webhook", "--signature", &sig],
        body.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json_line(&out),
        json!({"valid": true, "event_type": "card_payment_captured", "resource_id": "p1"})
    );
    let out =
        gaap_with_secret("wrong", &["pay", "verify-webhook", "--signature", &sig], body.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_line(&out), json!({"valid": false, "event_type": null, "resource_id": null}));
    let out =
        gaap_with_secret("s", &["pay", "verify-webhook", "--signature", "nothex"], body.as_bytes());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn validate_valid_and_invalid_bodies() {
    let ok = r#"{"amount": 1000, "reference": "r", "description": "d", "return_url": "https://example.gov.uk/x"}"#;
    let out = gaap_stdin(&["pay", "validate"], ok.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_line(&out), json!({"valid": true}));

    // PaymentsResourceAmountValidationIT.java
    let float = r#"{"amount": 27.55, "reference": "r", "description": "d", "return_url": "https://example.gov.uk/x"}"#;
    let out = gaap_stdin(&["pay", "validate", "-"], float.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_line(&out),
        json!({"valid": false, "status": 400, "field": "amount", "code": "P0102",
               "description": "Invalid attribute value: amount. Must be a valid numeric format"})
    );

    let long = format!(
        r#"{{"amount": 1, "reference": "{}", "description": "d", "return_url": "https://e.gov.uk"}}"#,
        "x".repeat(256)
    );
    let out = gaap_stdin(&["pay", "validate"], long.as_bytes());
    assert_eq!(
        json_line(&out),
        json!({"valid": false, "status": 422, "field": "reference", "code": "P0102",
               "description": "Invalid attribute value: reference. Must be less than or equal to 255 characters length"})
    );

    let out = gaap_stdin(&["pay", "validate"], b"{not json");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_line(&out),
        json!({"valid": false, "status": 400, "field": null, "code": "P0197", "description": "Unable to parse JSON"})
    );

    let http = r#"{"amount": 1000, "reference": "r", "description": "d", "return_url": "http://example.gov.uk/x"}"#;
    let out = gaap_stdin(&["pay", "validate", "--live"], http.as_bytes());
    assert_eq!(json_line(&out)["code"], json!("P0920"));
    let out = gaap_stdin(&["pay", "validate"], http.as_bytes());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn missing_file_is_exit_2() {
    let out = gaap(&["pay", "validate", "/nonexistent/body.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
