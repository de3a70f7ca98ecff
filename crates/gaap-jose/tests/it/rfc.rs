//! RFC 7515 Appendix A vectors, signing round trips and key loading.

use gaap_jose::{
    Algorithm, Header, Jwk, JwkKey, JwkSet, SigningKey, VerifyingKey, base64url, sign, sign_json,
    verify, verify_with_jwks,
};
use serde_json::json;

use crate::*;

#[test]
fn rfc7515_a1_hs256_verifies() {
    let key = VerifyingKey::hmac(base64url::decode(A1_KEY).unwrap());
    let verified = verify(A1_TOKEN, &key, &[Algorithm::HS256]).unwrap();
    assert_eq!(verified.header.alg, Algorithm::HS256);
    assert_eq!(verified.header.typ.as_deref(), Some("JWT"));
    assert_eq!(verified.payload, rfc_payload());
    let claims: serde_json::Value = verified.claims().unwrap();
    assert_eq!(
        claims,
        json!({"iss": "joe", "exp": 1_300_819_380, "http://example.com/is_root": true})
    );
}

#[test]
fn rfc7515_a2_rs256_verifies() {
    let jwk = Jwk::from_json(a2_jwk_json()).unwrap();
    let verified = verify(A2_TOKEN, &jwk.verifying_key().unwrap(), &[Algorithm::RS256]).unwrap();
    assert_eq!(verified.header, Header::new(Algorithm::RS256));
    assert_eq!(verified.payload, rfc_payload());
}

#[test]
fn rfc7515_a2_rs256_signing_reproduces_the_rfc_token() {
    // RSASSA-PKCS1-v1_5 is deterministic, and our header serialises as `{"alg":"RS256"}` like the RFC's.
    let key = SigningKey::from_pkcs8_pem(A2_PKCS8_PEM).unwrap();
    let token = sign(&Header::new(Algorithm::RS256), &rfc_payload(), &key).unwrap();
    assert_eq!(token, A2_TOKEN);
}

#[test]
fn rfc7515_a3_es256_verifies() {
    let jwk = Jwk::from_json(a3_jwk_json()).unwrap();
    let verified = verify(A3_TOKEN, &jwk.verifying_key().unwrap(), &[Algorithm::ES256]).unwrap();
    assert_eq!(verified.header, Header::new(Algorithm::ES256));
    assert_eq!(verified.payload, rfc_payload());
}

#[test]
fn rfc7515_a3_verifies_through_a_jwk_set_without_kid() {
    let jwks = JwkSet::from_json(format!(r#"{{"keys":[{}]}}"#, a3_jwk_json())).unwrap();
    let verified = verify_with_jwks(A3_TOKEN, &jwks, &[Algorithm::ES256]).unwrap();
    assert_eq!(verified.payload, rfc_payload());
}

#[test]
fn public_jwk_of_loaded_keys_matches_the_rfc() {
    let rsa = SigningKey::from_pkcs8_pem(A2_PKCS8_PEM).unwrap().public_jwk().unwrap();
    assert_eq!(rsa, Jwk::from_json(a2_jwk_json()).unwrap());
    let ec = SigningKey::from_pkcs8_pem(A3_PKCS8_PEM).unwrap().with_kid("a3").public_jwk().unwrap();
    assert_eq!(ec, Jwk::from_json(a3_jwk_json()).unwrap().with_kid("a3"));
    assert!(SigningKey::hmac(b"secret".to_vec()).public_jwk().is_none());
}

#[test]
fn loads_pkcs8_der_and_pkcs1_pem() {
    let der = SigningKey::from_pkcs8_der(A3_PKCS8_DER).unwrap();
    assert_eq!(der.public_jwk().unwrap(), Jwk::from_json(a3_jwk_json()).unwrap());
    let pkcs1 = SigningKey::from_pkcs8_pem(A2_PKCS1_PEM).unwrap();
    let token = sign(&Header::new(Algorithm::RS256), &rfc_payload(), &pkcs1).unwrap();
    assert_eq!(token, A2_TOKEN);
}

#[test]
fn every_algorithm_round_trips() {
    let rsa = SigningKey::from_pkcs8_pem(A2_PKCS8_PEM).unwrap();
    let ec = SigningKey::generate_es256().unwrap();
    let hmac = SigningKey::hmac(b"a shared secret of thirty-two bytes!".to_vec());
    let claims = json!({"sub": "user-1", "n": 42});
    for alg in Algorithm::ALL {
        let key = match alg {
            Algorithm::HS256 => &hmac,
            Algorithm::ES256 => &ec,
            _ => &rsa,
        };
        let header = Header::new(alg).with_kid("k1").with_typ("JWT");
        let token = sign_json(&header, &claims, key).unwrap();
        let verified = verify(&token, &key.verifying_key(), &[alg]).unwrap();
        assert_eq!(verified.header, header, "{alg}");
        assert_eq!(verified.claims::<serde_json::Value>().unwrap(), claims, "{alg}");
    }
}

#[test]
fn generated_es256_key_round_trips_through_pem_and_jwk_set() {
    let key = SigningKey::generate_es256().unwrap().with_kid("gen");
    let reloaded = SigningKey::from_pkcs8_pem(&key.to_pkcs8_pem().unwrap()).unwrap();
    assert_eq!(reloaded.public_jwk().unwrap().key, key.public_jwk().unwrap().key);
    let token =
        sign_json(&Header::new(Algorithm::ES256).with_kid("gen"), &json!({"a": 1}), &reloaded)
            .unwrap();
    let jwks = JwkSet::new(vec![key.public_jwk().unwrap()]);
    let verified = verify_with_jwks(&token, &jwks, &[Algorithm::ES256]).unwrap();
    assert_eq!(verified.header.kid.as_deref(), Some("gen"));
}

#[test]
fn header_keeps_unknown_members() {
    let mut header = Header::new(Algorithm::HS256).with_cty("JWT");
    header.other.insert("x-gaap".to_owned(), json!([1, 2]));
    let key = SigningKey::hmac(b"k".to_vec());
    let token = sign(&header, b"payload", &key).unwrap();
    assert_eq!(gaap_jose::decode_header_unverified(&token).unwrap(), header);
    assert_eq!(
        verify(&token, &key.verifying_key(), &[Algorithm::HS256]).unwrap().payload,
        b"payload"
    );
}

#[test]
fn algorithm_names_parse_display_and_serialise() {
    for alg in Algorithm::ALL {
        assert_eq!(alg.as_str().parse::<Algorithm>().unwrap(), alg);
        assert_eq!(alg.to_string(), alg.as_str());
        assert_eq!(serde_json::to_value(alg).unwrap(), json!(alg.as_str()));
        assert_eq!(serde_json::from_value::<Algorithm>(json!(alg.as_str())).unwrap(), alg);
    }
    assert!("none".parse::<Algorithm>().is_err());
    assert!("hs256".parse::<Algorithm>().is_err());
}

#[test]
fn secrets_are_redacted_in_debug() {
    let secret = "correct-horse-battery-staple";
    let signing = format!("{:?}", SigningKey::hmac(secret.as_bytes().to_vec()));
    let verifying = format!("{:?}", VerifyingKey::hmac(secret.as_bytes().to_vec()));
    let ec = SigningKey::from_pkcs8_pem(A3_PKCS8_PEM).unwrap();
    let ec_debug = format!("{ec:?}");
    for text in [&signing, &verifying, &ec_debug] {
        assert!(text.contains("redacted"), "{text}");
        assert!(!text.contains(secret), "{text}");
    }
    // The A.3 private scalar `d`, in any encoding, must not appear.
    assert!(!ec_debug.contains("jpsQnnGQ"));
    assert!(!ec_debug.contains("142"));
}

#[test]
fn public_jwk_serialises_with_rfc_member_names() {
    let jwk = Jwk::new(JwkKey::EcP256 {
        x: base64url::decode(A3_X).unwrap().try_into().unwrap(),
        y: base64url::decode(A3_Y).unwrap().try_into().unwrap(),
    })
    .with_kid("k")
    .with_alg(Algorithm::ES256)
    .with_use("sig");
    assert_eq!(
        serde_json::to_value(&jwk).unwrap(),
        json!({"kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y, "kid": "k", "alg": "ES256", "use": "sig"})
    );
}
