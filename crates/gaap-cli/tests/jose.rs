//! `gaap jose verify` end to end, on the RFC 7515 Appendix A.3 example (ES256).
#![cfg(feature = "jose")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use serde_json::{Value, json};

/// RFC 7515 A.3: the EC P-256 public key as a JWK.
const A3_JWK: &str = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
/// RFC 7515 A.3: the complete token.
const A3_TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

fn gaap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaap")).args(args).output().unwrap()
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

/// Changes one byte of the decoded signature, keeping the segment valid base64url.
fn tamper_signature(token: &str) -> String {
    use gaap_jose::base64url;
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = base64url::decode(signature).unwrap();
    bytes[10] ^= 0x80;
    format!("{signing_input}.{}", base64url::encode(bytes))
}

#[test]
fn verifies_rfc7515_a3_against_its_jwk() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = write(&dir, "a3.jwk.json", A3_JWK);
    let out = gaap(&["jose", "verify", "--jwks", &jwk, "--alg", "ES256", A3_TOKEN]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        json_line(&out),
        json!({
            "valid": true,
            "header": {"alg": "ES256"},
            "claims": {"iss": "joe", "exp": 1_300_819_380, "http://example.com/is_root": true},
        })
    );
}

#[test]
fn rejects_rfc7515_a3_with_one_signature_byte_changed() {
    let dir = tempfile::tempdir().unwrap();
    let jwks = write(&dir, "jwks.json", &format!(r#"{{"keys":[{A3_JWK}]}}"#));
    let tampered = tamper_signature(A3_TOKEN);
    assert_ne!(tampered, A3_TOKEN);
    let out = gaap(&["jose", "verify", "--jwks", &jwks, "--alg", "ES256", &tampered]);
    assert_eq!(out.status.code(), Some(1));
    let line = json_line(&out);
    assert_eq!(line["valid"], json!(false));
    assert_eq!(line["error"], json!("bad_signature"));
    assert_eq!(line["message"], json!("signature does not verify"));
}

#[test]
fn an_algorithm_outside_the_allow_list_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = write(&dir, "a3.jwk.json", A3_JWK);
    let out =
        gaap(&["jose", "verify", "--jwks", &jwk, "--alg", "RS256", "--alg", "PS256", A3_TOKEN]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_line(&out)["error"], json!("algorithm_not_allowed"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let jwk = write(&dir, "a3.jwk.json", A3_JWK);
    let missing = dir.path().join("missing.json");
    let out =
        gaap(&["jose", "verify", "--jwks", missing.to_str().unwrap(), "--alg", "ES256", A3_TOKEN]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());

    let out = gaap(&["jose", "verify", "--jwks", &jwk, "--alg", "none", A3_TOKEN]);
    assert_eq!(out.status.code(), Some(2));

    let garbage = write(&dir, "garbage.json", r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#);
    let out = gaap(&["jose", "verify", "--jwks", &garbage, "--alg", "ES256", A3_TOKEN]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported JWK kty"));
}
