//! `gaap serve --config FILE` (the `gaap-server` binary, feature `cli`) with a `gateway` section: the first
//! stdout line gives `base_url`, and the gateway answers there; a bad gateway key stops it with a message.

#![cfg(feature = "cli")]

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use super::{Upstream, clock, gateway_json, sandbox};

const BIN: &str = env!("CARGO_BIN_EXE_gaap-server");

#[tokio::test]
async fn gaap_serve_runs_the_gateway_from_its_config_file() {
    let clock = clock();
    let dir = tempfile::tempdir().unwrap();
    let port = super::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let sandbox = sandbox(&clock, std::slice::from_ref(&url)).await;
    let upstream = Upstream::start().await;
    let mut gateway = gateway_json(&sandbox, dir.path(), &upstream.url, "sqlite:sessions.sqlite3");
    // Relative paths are read from the config file's folder.
    std::fs::rename(dir.path().join("rp.pem"), dir.path().join("key.pem")).unwrap();
    gateway["one_login"]["private_key_file"] = "key.pem".into();
    let config = serde_json::json!({"listen": format!("127.0.0.1:{port}"), "gateway": gateway});
    let file = dir.path().join("gaap.json");
    std::fs::write(&file, config.to_string()).unwrap();

    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let line: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(line["base_url"], url.as_str(), "{first}");

    // The process runs on the system clock; sign-in needs only the discovery and a redirect here.
    let mut browser = super::Browser::new(&url, &sandbox.credentials().one_login.issuer);
    let start = browser.get("/account").await;
    assert_eq!(start.status, 302, "{}", start.body);
    assert!(start.location().starts_with(&browser.issuer));
    assert!(dir.path().join("sessions.sqlite3").exists(), "the SQLite file sits beside the config");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_misspelt_gateway_key_stops_gaap_serve_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gaap.json");
    std::fs::write(
        &file,
        r#"{"gateway": {"upstream": "http://127.0.0.1:9", "one_login": {"issuer": "https://x/",
            "client_id": "c", "private_key_file": "k.pem"}, "idle_timeout": 5}}"#,
    )
    .unwrap();
    let out = Command::new(BIN).arg("--config").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("idle_timeout"), "{err}");
    assert!(out.stdout.is_empty());
}
