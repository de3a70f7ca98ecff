//! `gaap notify …` end to end: the JSON keys and exit codes of issue 3's CLI contract.
#![cfg(feature = "notify")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn gaap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaap")).args(args).output().unwrap()
}

fn gaap_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaap"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn json_line(out: &Output) -> Value {
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON line expected: {stdout:?}");
    serde_json::from_str(stdout.trim_end()).unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, contents: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn sms_info() {
    let out = gaap(&[
        "notify",
        "sms-info",
        "--prefix",
        "Council",
        "--personalisation",
        r#"{"Name":"Ann"}"#,
        "Hello ((name)) , 🚀",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json_line(&out),
        json!({"characters": 22, "fragments": 1, "encoding": "ucs2", "too_long": false, "content": "Council: Hello Ann, 🚀", "missing": []})
    );
    let out = gaap(&["notify", "sms-info", "--legacy-gsm", "Hello 🚀 “x”"]);
    assert_eq!(
        json_line(&out),
        json!({"characters": 11, "fragments": 1, "encoding": "gsm", "too_long": false, "content": "Hello ? \"x\"", "missing": []})
    );
    let long = "a".repeat(919);
    let out = gaap(&["notify", "sms-info", &long]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_line(&out)["fragments"], 7);
    assert_eq!(json_line(&out)["too_long"], true);
    assert_eq!(
        gaap(&["notify", "sms-info", "--personalisation", "[1]", "x"]).status.code(),
        Some(2)
    );
}

#[test]
fn sms_info_refuses_a_missing_placeholder_as_render_does() {
    let out = gaap(&["notify", "sms-info", "Hello ((name)), ((day))"]);
    assert_eq!(out.status.code(), Some(1));
    let line = json_line(&out);
    assert_eq!(line["missing"], json!(["name", "day"]));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("Missing personalisation: name, day"), "{stderr}");
    let out =
        gaap(&["notify", "sms-info", "--personalisation", r#"{"name":"Ann"}"#, "Hello ((name))"]);
    assert_eq!((out.status.code(), json_line(&out)["missing"].clone()), (Some(0), json!([])));
}

#[test]
fn check_phone() {
    let out = gaap(&["notify", "check-phone", "+44 (0)7723 456 789"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json_line(&out),
        json!({"valid": true, "normalised": "447723456789", "international": false})
    );
    let out = gaap(&["notify", "check-phone", "0772345678910"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_line(&out), json!({"valid": false, "error": "Too many digits"}));
    let out = gaap(&["notify", "check-phone", "07890x32109"]);
    assert_eq!(
        json_line(&out),
        json!({"valid": false, "error": "Must not contain letters or symbols"})
    );
    let out = gaap(&["notify", "check-phone", "+1 202 555 0104"]);
    assert_eq!(
        json_line(&out),
        json!({"valid": false, "error": "Cannot send to international mobile numbers"})
    );
    let out = gaap(&["notify", "check-phone", "--allow-international", "+1 202 555 0104"]);
    assert_eq!(
        json_line(&out),
        json!({"valid": true, "normalised": "12025550104", "international": true})
    );
    let out = gaap(&["notify", "check-phone", "020 7946 0991"]);
    assert_eq!(json_line(&out), json!({"valid": false, "error": "Not a UK mobile number"}));
}

#[test]
fn check_email() {
    let out = gaap(&["notify", "check-email", "ann@example.com"]);
    assert_eq!((out.status.code(), json_line(&out)), (Some(0), json!({"valid": true})));
    let out = gaap(&["notify", "check-email", "two-dots..in-local@domain.com"]);
    assert_eq!(
        (out.status.code(), json_line(&out)),
        (Some(1), json!({"valid": false, "error": "Not a valid email address"}))
    );
}

#[test]
fn check_address() {
    let out = gaap(&["notify", "check-address", "Mr X", "1 Street", "sw1a1aa"]);
    assert_eq!(json_line(&out), json!({"valid": true, "international": false, "bfpo": false}));
    let out = gaap(&["notify", "check-address", "Mr X", "Barracks", "BFPO 123"]);
    assert_eq!(json_line(&out), json!({"valid": true, "international": false, "bfpo": true}));
    let out = gaap(&["notify", "check-address", "1 Rue", "Paris", "France"]);
    assert_eq!(json_line(&out), json!({"valid": true, "international": true, "bfpo": false}));
    let out = gaap(&["notify", "check-address", "A", "B"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_line(&out),
        json!({"valid": false, "error": "Address must be at least 3 lines", "international": false, "bfpo": false})
    );
    let out = gaap(&["notify", "check-address", "--uk-only", "1 Rue", "Paris", "France"]);
    assert_eq!(json_line(&out)["error"], "Must be a real UK postcode");
}

#[test]
fn render() {
    let out = gaap_stdin(
        &[
            "notify",
            "render",
            "--type",
            "email",
            "--subject",
            "About ((thing))",
            "--personalisation",
            r#"{"name":"Ann","thing":"tax"}"#,
            "-",
        ],
        "# Hi ((name))\n\n* a\n* b\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let line = json_line(&out);
    assert_eq!(line["subject"], "About tax");
    assert_eq!(line["missing"], json!([]));
    assert!(line["html"].as_str().unwrap().starts_with("<h2 "));
    assert!(line["body"].as_str().unwrap().contains("• a\n• b"));
    let out = gaap_stdin(&["notify", "render", "--type", "sms", "-"], "Hi ((name))");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_line(&out),
        json!({"body": "Hi ((name))", "subject": null, "missing": ["name"]})
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "letter.md", "Dear ((name))");
    let out = gaap(&[
        "notify",
        "render",
        "--type",
        "letter",
        "--subject",
        "Your bill",
        "--personalisation",
        r#"{"name":"Ann"}"#,
        &file,
    ]);
    assert_eq!(json_line(&out), json!({"body": "Dear Ann", "subject": "Your bill", "missing": []}));
}

#[test]
fn check_csv() {
    let dir = tempfile::tempdir().unwrap();
    let template = write(&dir, "t.txt", "Hi ((First Name))");
    let csv =
        write(&dir, "r.csv", "Phone Number,first_name\n07700900123,Ann\n123,Bo\n07700900125,\n");
    let out = gaap(&["notify", "check-csv", "--type", "sms", "--template", &template, &csv]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_line(&out),
        json!({"rows": 3, "valid": 1, "invalid": 2, "errors": [
            {"row": 3, "column": "Phone Number", "message": "Mobile number is too short"},
            {"row": 4, "column": "first_name", "message": "Missing"}
        ]})
    );
    let good = write(&dir, "g.csv", "phone number,first name\n07700900123,Ann\n");
    let out = gaap(&["notify", "check-csv", "--type", "sms", "--template", &template, &good]);
    assert_eq!(
        (out.status.code(), json_line(&out)),
        (Some(0), json!({"rows": 1, "valid": 1, "invalid": 0, "errors": []}))
    );
    let out = gaap(&[
        "notify",
        "check-csv",
        "--type",
        "sms",
        "--template",
        &template,
        "/nonexistent.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_csv_refuses_empty_and_ragged_files() {
    let dir = tempfile::tempdir().unwrap();
    let template = write(&dir, "t.txt", "Hi ((name))");
    let run = |name: &str, contents: &str| {
        let csv = write(&dir, name, contents);
        let out = gaap(&["notify", "check-csv", "--type", "sms", "--template", &template, &csv]);
        let stderr = String::from_utf8(out.stderr.clone()).unwrap();
        (out.status.code(), json_line(&out), stderr)
    };

    let (code, line, stderr) = run("empty.csv", "phone number,name\n");
    assert_eq!(code, Some(1));
    assert_eq!(line["rows"], 0);
    assert_eq!(
        line["errors"],
        json!([{"row": 2, "column": "", "message": "Your file is missing some rows. It needs at least one row of data."}])
    );
    assert!(stderr.contains("missing some rows"), "{stderr}");

    let (code, line, _) = run("extra.csv", "phone number,name\n07700900123,Ann,Smith\n");
    assert_eq!(code, Some(1));
    assert_eq!(line["invalid"], 1);
    let message = line["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("values in 3 columns") && message.contains("only 2 column headers"));

    let (code, line, stderr) =
        run("quote.csv", "phone number,name\n07700900123,\"Ann\n07700900124,Bo\n");
    assert_eq!(code, Some(1));
    assert_eq!(line["rows"], 1);
    assert_eq!(line["errors"][0]["row"], 2);
    assert!(line["errors"][0]["message"].as_str().unwrap().contains("never closed"));
    assert!(stderr.contains("row 2 is never closed"), "{stderr}");
}
