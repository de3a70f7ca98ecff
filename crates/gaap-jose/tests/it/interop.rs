//! Two-way interop with Python jwcrypto (feature `interop`; needs `GAAP_PYTHON`, a python3 with jwcrypto).
//! Fails, never skips, when the tool is missing.

use std::io::Write as _;
use std::process::{Command, Stdio};

use gaap_jose::{
    Algorithm, Header, JwkSet, SigningKey, VerifyingKey, base64url, sign_json, verify,
    verify_with_jwks,
};
use serde_json::{Value, json};

use crate::A2_PKCS8_PEM;

const DRIVER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/interop.py");

fn python(mode: &str, stdin: Option<&str>) -> Value {
    let python = std::env::var("GAAP_PYTHON").expect(
        "GAAP_PYTHON must name a python3 with jwcrypto installed (see interop/requirements.txt)",
    );
    let mut child = Command::new(&python)
        .args([DRIVER, mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run GAAP_PYTHON={python}: {e}"));
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "interop.py {mode} failed (is jwcrypto installed in {python}?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn jwcrypto_tokens_verify_with_gaap_jose() {
    let produced = python("sign", None);
    let jwks: JwkSet = serde_json::from_value(produced["jwks"].clone()).unwrap();
    let hmac = VerifyingKey::hmac(base64url::decode(produced["hmac_k"].as_str().unwrap()).unwrap());
    let expected: Value = serde_json::from_str(produced["payload"].as_str().unwrap()).unwrap();
    let tokens = produced["tokens"].as_object().unwrap();
    assert_eq!(tokens.len(), Algorithm::ALL.len());
    for alg in Algorithm::ALL {
        let token = tokens[alg.as_str()].as_str().unwrap();
        let verified = match alg {
            Algorithm::HS256 => verify(token, &hmac, &[alg]),
            _ => verify_with_jwks(token, &jwks, &[alg]),
        }
        .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(verified.header.alg, alg);
        assert_eq!(verified.claims::<Value>().unwrap(), expected, "{alg}");
        // And each is refused under any other single algorithm.
        let other = if alg == Algorithm::ES256 { Algorithm::RS256 } else { Algorithm::ES256 };
        assert!(verify_with_jwks(token, &jwks, &[other]).is_err());
    }
}

#[test]
fn gaap_jose_tokens_verify_with_jwcrypto() {
    let rsa = SigningKey::from_pkcs8_pem(A2_PKCS8_PEM).unwrap().with_kid("rs-rsa");
    let ec = SigningKey::generate_es256().unwrap().with_kid("rs-ec");
    let secret = b"interop secret of at least 32 bytes....".to_vec();
    let hmac = SigningKey::hmac(secret.clone());
    let claims = json!({"iss": "gaap-jose", "aud": ["a", "b"], "n": 1});
    let mut tokens = serde_json::Map::new();
    for alg in Algorithm::ALL {
        let key = match alg {
            Algorithm::HS256 => &hmac,
            Algorithm::ES256 => &ec,
            _ => &rsa,
        };
        let mut header = Header::new(alg).with_typ("JWT");
        if let Some(kid) = key.kid() {
            header = header.with_kid(kid);
        }
        tokens.insert(alg.as_str().to_owned(), json!(sign_json(&header, &claims, key).unwrap()));
    }
    let jwks = JwkSet::new(vec![rsa.public_jwk().unwrap(), ec.public_jwk().unwrap()]);
    let request = json!({"jwks": jwks, "hmac_k": base64url::encode(&secret), "tokens": tokens});
    let results = python("verify", Some(&request.to_string()));
    for alg in Algorithm::ALL {
        let result = &results[alg.as_str()];
        assert_eq!(result["ok"], json!(true), "{alg}: {result}");
        let payload: Value = serde_json::from_str(result["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload, claims, "{alg}");
        assert_eq!(result["header"]["alg"], json!(alg.as_str()));
    }
}
