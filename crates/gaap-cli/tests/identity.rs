//! `gaap identity verify-*` end to end: the exact JSON shape and `<kind>` strings of the CLI contract.
#![cfg(feature = "identity")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use gaap_jose::{Algorithm, Header, SigningKey};
use serde_json::{Value, json};

const ISSUER: &str = "https://oidc.integration.account.gov.uk/";
const IDENTITY_ISSUER: &str = "https://identity.integration.account.gov.uk/";
const DID: &str = "did:web:identity.integration.account.gov.uk";
const CLIENT_ID: &str = "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw";
const SUB: &str = "urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw=";
const NOW: i64 = 1_795_600_000;
const KID: &str = "b9162667-e025-4d93-8c5b-e538e6c792ac";

fn gaap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaap")).args(args).output().unwrap()
}

fn json_line(out: &Output) -> Value {
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON line expected: {stdout:?}");
    serde_json::from_str(stdout.trim_end()).unwrap()
}

struct Fixture {
    dir: tempfile::TempDir,
    key: SigningKey,
    jwks: String,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::generate_es256().unwrap().with_kid(KID);
        let jwks = json!({ "keys": [key.public_jwk().unwrap()] }).to_string();
        let path = dir.path().join("jwks.json");
        std::fs::write(&path, jwks).unwrap();
        Self { jwks: path.to_str().unwrap().to_owned(), key, dir }
    }

    fn sign(&self, claims: &Value) -> String {
        gaap_jose::sign_json(
            &Header::new(Algorithm::ES256).with_kid(KID).with_typ("JWT"),
            claims,
            &self.key,
        )
        .unwrap()
    }

    fn did(&self) -> String {
        let mut jwk = serde_json::to_value(self.key.public_jwk().unwrap()).unwrap();
        jwk.as_object_mut().unwrap().remove("kid");
        let doc = json!({
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": DID,
            "assertionMethod": [{ "type": "JsonWebKey2020", "id": format!("{DID}#{KID}"), "controller": DID, "publicKeyJwk": jwk }]
        });
        let path = self.dir.path().join("did.json");
        std::fs::write(&path, doc.to_string()).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn id_token_args<'a>(&'a self, token: &'a str, now: &'a str) -> Vec<&'a str> {
        vec![
            "identity",
            "verify-id-token",
            "--jwks",
            &self.jwks,
            "--issuer",
            ISSUER,
            "--client-id",
            CLIENT_ID,
            "--nonce",
            "n-0S6",
            "--now",
            now,
            token,
        ]
    }
}

fn id_claims() -> Value {
    json!({
        "sub": SUB, "aud": CLIENT_ID, "iss": ISSUER, "vot": "Cl.Cm", "exp": NOW + 120, "iat": NOW,
        "nonce": "n-0S6", "sid": "50a9041b5d57cb53632a0e9259864b71",
    })
}

fn set(mut claims: Value, key: &str, value: Value) -> Value {
    claims.as_object_mut().unwrap().insert(key.to_owned(), value);
    claims
}

fn unset(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

#[test]
fn verify_id_token_valid_prints_claims() {
    let f = Fixture::new();
    let token = f.sign(&id_claims());
    let now = NOW.to_string();
    let out = gaap(&f.id_token_args(&token, &now));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json_line(&out), json!({ "valid": true, "claims": id_claims() }));
}

#[test]
fn verify_id_token_every_kind() {
    let f = Fixture::new();
    let now = NOW.to_string();
    let other = SigningKey::generate_es256().unwrap();
    let wrong_kid = gaap_jose::sign_json(
        &Header::new(Algorithm::ES256).with_kid("unknown"),
        &id_claims(),
        &other,
    )
    .unwrap();
    let forged =
        gaap_jose::sign_json(&Header::new(Algorithm::ES256).with_kid(KID), &id_claims(), &other)
            .unwrap();
    let hs = gaap_jose::sign_json(
        &Header::new(Algorithm::HS256).with_kid(KID),
        &id_claims(),
        &SigningKey::hmac(b"k".to_vec()),
    )
    .unwrap();
    let cases: Vec<(String, &str)> = vec![
        ("not-a-token".to_owned(), "malformed"),
        (hs, "unsupported_algorithm"),
        (wrong_kid, "unknown_key"),
        (forged, "bad_signature"),
        (f.sign(&set(id_claims(), "iss", json!("https://evil.example/"))), "wrong_issuer"),
        (f.sign(&set(id_claims(), "aud", json!("someone-else"))), "wrong_audience"),
        (f.sign(&set(id_claims(), "exp", json!(NOW - 86_400))), "expired"),
        (f.sign(&set(id_claims(), "iat", json!(NOW + 86_400))), "issued_in_future"),
        (f.sign(&unset(id_claims(), "iat")), "missing_claim"),
        (f.sign(&set(id_claims(), "nonce", json!("other"))), "nonce_mismatch"),
        (f.sign(&set(id_claims(), "vot", json!("Cl"))), "vot_mismatch"),
    ];
    for (token, kind) in cases {
        let out = gaap(&f.id_token_args(&token, &now));
        assert_eq!(out.status.code(), Some(1), "{kind}: {}", String::from_utf8_lossy(&out.stderr));
        let line = json_line(&out);
        assert_eq!(line["valid"], json!(false));
        assert_eq!(line["error"], json!(kind), "{line}");
        assert!(line["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(line.as_object().unwrap().len(), 3, "exactly valid, error, message: {line}");
    }
}

#[test]
fn verify_id_token_vtr_and_leeway_options() {
    let f = Fixture::new();
    let token = f.sign(&id_claims());
    let now = NOW.to_string();
    let mut args = f.id_token_args(&token, &now);
    args.splice(4..4, ["--vtr", r#"["Cl.Cm.P2"]"#]);
    assert_eq!(gaap(&args).status.code(), Some(0));
    let later = (NOW + 120 + 10).to_string();
    let mut args = f.id_token_args(&token, &later);
    args.splice(4..4, ["--leeway", "0"]);
    assert_eq!(json_line(&gaap(&args))["error"], json!("expired"));
    let mut args = f.id_token_args(&token, &later);
    args.splice(4..4, ["--leeway", "20"]);
    assert_eq!(gaap(&args).status.code(), Some(0));
    let mut args = f.id_token_args(&token, &now);
    args.splice(4..4, ["--leeway", "600"]);
    assert_eq!(gaap(&args).status.code(), Some(2), "a leeway over 60 s is a usage error");
    let mut args = f.id_token_args(&token, &now);
    args.splice(4..4, ["--vtr", r#"["Cl.P2"]"#]);
    assert_eq!(gaap(&args).status.code(), Some(2), "an invalid vtr is a usage error");
}

#[test]
fn verify_id_token_reads_the_token_from_stdin() {
    use std::io::Write as _;
    let f = Fixture::new();
    let token = f.sign(&id_claims());
    let now = NOW.to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaap"))
        .args(f.id_token_args("-", &now))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{token}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(json_line(&out)["valid"], json!(true));
}

fn core_claims() -> Value {
    json!({
        "sub": SUB, "iss": IDENTITY_ISSUER, "aud": CLIENT_ID, "nbf": NOW - 10, "iat": NOW - 10, "exp": NOW + 1800,
        "vot": "P2",
        "vc": { "type": ["VerifiableCredential", "IdentityCheckCredential"], "credentialSubject": {
            "name": [{ "nameParts": [{ "value": "GEOFFREY", "type": "GivenName" }, { "value": "HEARNSHAW", "type": "FamilyName" }] }],
            "birthDate": [{ "value": "1955-04-19" }] } }
    })
}

fn core_args<'a>(did: &'a str, token: &'a str, now: &'a str) -> Vec<&'a str> {
    vec![
        "identity",
        "verify-core-identity",
        "--did",
        did,
        "--issuer",
        IDENTITY_ISSUER,
        "--client-id",
        CLIENT_ID,
        "--sub",
        SUB,
        "--now",
        now,
        token,
    ]
}

fn sign_core(f: &Fixture, claims: &Value) -> String {
    gaap_jose::sign_json(
        &Header::new(Algorithm::ES256).with_kid(format!("{DID}#{KID}")),
        claims,
        &f.key,
    )
    .unwrap()
}

#[test]
fn verify_core_identity_valid_and_each_failure() {
    let f = Fixture::new();
    let did = f.did();
    let now = NOW.to_string();
    let out = gaap(&core_args(&did, &sign_core(&f, &core_claims()), &now));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json_line(&out), json!({ "valid": true, "claims": core_claims() }));

    let cases = [
        (set(core_claims(), "iss", json!(ISSUER)), "wrong_issuer"),
        (set(core_claims(), "aud", json!("x")), "wrong_audience"),
        (set(core_claims(), "exp", json!(NOW - 86_400)), "expired"),
        (set(core_claims(), "vot", json!("P1")), "vot_mismatch"),
        (set(core_claims(), "sub", json!("urn:fdc:gov.uk:2022:other")), "wrong_subject"),
    ];
    for (claims, kind) in cases {
        let line = json_line(&gaap(&core_args(&did, &sign_core(&f, &claims), &now)));
        assert_eq!(
            (line["valid"].clone(), line["error"].clone()),
            (json!(false), json!(kind)),
            "{line}"
        );
    }
    // The ID-token key id without the DID controller is not in the DID document.
    let line = json_line(&gaap(&core_args(&did, &f.sign(&core_claims()), &now)));
    assert_eq!(line["error"], json!("unknown_key"));
}

fn logout_claims() -> Value {
    json!({
        "iss": ISSUER, "sub": SUB, "aud": CLIENT_ID, "iat": NOW, "exp": NOW + 120, "jti": "4f1f8b2e",
        "events": { "http://schemas.openid.net/event/backchannel-logout": {} }
    })
}

#[test]
fn verify_logout_token_valid_and_failures() {
    let f = Fixture::new();
    let now = NOW.to_string();
    let args = |token: &str| {
        gaap(&[
            "identity",
            "verify-logout-token",
            "--jwks",
            &f.jwks,
            "--issuer",
            ISSUER,
            "--client-id",
            CLIENT_ID,
            "--now",
            &now,
            token,
        ])
    };
    let out = args(&f.sign(&logout_claims()));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json_line(&out), json!({ "valid": true, "claims": logout_claims() }));
    let with_nonce = f.sign(&set(logout_claims(), "nonce", json!("n")));
    assert_eq!(json_line(&args(&with_nonce))["error"], json!("nonce_present"));
    let no_events = f.sign(&unset(logout_claims(), "events"));
    assert_eq!(json_line(&args(&no_events))["error"], json!("missing_claim"));
    let wrong_aud = f.sign(&set(logout_claims(), "aud", json!("x")));
    let out = args(&wrong_aud);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_line(&out)["error"], json!("wrong_audience"));
}

#[test]
fn missing_jwks_file_is_a_usage_error() {
    let out = gaap(&[
        "identity",
        "verify-id-token",
        "--jwks",
        "/nonexistent/jwks.json",
        "--issuer",
        ISSUER,
        "--client-id",
        CLIENT_ID,
        "--nonce",
        "n",
        "x.y.z",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
