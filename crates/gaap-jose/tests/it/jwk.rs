//! JWK and JWK Set parsing, serialising, lookup and RFC 7638 thumbprints.

use gaap_jose::{Algorithm, Error, Jwk, JwkKey, JwkSet, KeyKind, Part, base64url};
use serde_json::json;

use crate::*;

/// RFC 7638 §3.1: the example RSA key and its thumbprint.
const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

#[test]
fn rfc7638_thumbprint_example() {
    let jwk = Jwk::from_json(format!(
        r#"{{"kty":"RSA","n":"{RFC7638_N}","e":"AQAB","alg":"RS256","kid":"2011-04-29"}}"#
    ))
    .unwrap();
    assert_eq!(jwk.thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

#[test]
fn ec_thumbprint_covers_exactly_the_required_members() {
    let bare = Jwk::from_json(a3_jwk_json()).unwrap();
    let decorated = bare.clone().with_kid("x").with_use("sig").with_alg(Algorithm::ES256);
    assert_eq!(bare.thumbprint(), decorated.thumbprint());
    // Computed independently over the RFC 7638 §3.2 canonical form for EC keys.
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{A3_X}","y":"{A3_Y}"}}"#);
    let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
    assert_eq!(bare.thumbprint(), base64url::encode(digest.as_ref()));
}

#[test]
fn jwk_set_round_trips_and_keeps_unknown_members() {
    let doc = json!({"keys": [
        {"kty": "RSA", "n": A2_N, "e": "AQAB", "kid": "rsa-1", "alg": "RS256", "use": "sig", "x5t": "abc"},
        {"kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y, "kid": "ec-1", "key_ops": ["verify"]},
    ]});
    let jwks: JwkSet = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(jwks.keys.len(), 2);
    assert_eq!(jwks.keys[0].key.kind(), KeyKind::Rsa);
    assert_eq!(jwks.keys[0].alg.as_deref(), Some("RS256"));
    assert_eq!(jwks.keys[0].key_use.as_deref(), Some("sig"));
    assert_eq!(jwks.keys[1].other["key_ops"], json!(["verify"]));
    assert_eq!(serde_json::to_value(&jwks).unwrap(), doc);
    assert_eq!(jwks.find("ec-1").unwrap().key.kind(), KeyKind::EcP256);
    assert!(jwks.find("missing").is_none());
}

#[test]
fn select_picks_by_kid_and_algorithm() {
    let rsa = Jwk::from_json(a2_jwk_json()).unwrap().with_kid("shared");
    let ec = Jwk::from_json(a3_jwk_json()).unwrap().with_kid("shared");
    let jwks = JwkSet::new(vec![rsa, ec]);
    assert_eq!(jwks.select(Some("shared"), Algorithm::ES256).unwrap().key.kind(), KeyKind::EcP256);
    assert_eq!(jwks.select(Some("shared"), Algorithm::PS256).unwrap().key.kind(), KeyKind::Rsa);
    // Without a kid, a single fitting key is chosen.
    assert_eq!(jwks.select(None, Algorithm::RS512).unwrap().key.kind(), KeyKind::Rsa);
    let err = jwks.select(Some("other"), Algorithm::ES256).unwrap_err();
    assert!(matches!(err, Error::UnknownKey { kid: Some(_) }), "{err:?}");
    let err = jwks.select(Some("shared"), Algorithm::HS256).unwrap_err();
    assert!(matches!(err, Error::KeyMismatch { alg: Algorithm::HS256, .. }), "{err:?}");

    let two_ec = JwkSet::new(vec![
        Jwk::from_json(a3_jwk_json()).unwrap().with_kid("a"),
        Jwk::from_json(a3_jwk_json()).unwrap().with_kid("b"),
    ]);
    let err = two_ec.select(None, Algorithm::ES256).unwrap_err();
    assert!(matches!(err, Error::UnknownKey { kid: None }), "{err:?}");
    let err = JwkSet::default().select(None, Algorithm::ES256).unwrap_err();
    assert!(matches!(err, Error::UnknownKey { kid: None }), "{err:?}");
}

#[test]
fn unsupported_or_private_jwks_are_refused() {
    let cases = [
        json!({"kty": "oct", "k": "AAAA"}),
        json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}),
        json!({"kty": "EC", "crv": "P-384", "x": A3_X, "y": A3_Y}),
        json!({"kty": "EC", "x": A3_X, "y": A3_Y}),
        json!({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": A3_Y}),
        json!({"kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y, "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}),
        json!({"kty": "RSA", "n": A2_N}),
        json!({"kty": "RSA", "n": A2_N, "e": "AQAB", "d": "AAAA"}),
        json!({"kty": "RSA", "n": "a+b/", "e": "AQAB"}),
        json!({"n": A2_N, "e": "AQAB"}),
    ];
    for case in cases {
        let err = Jwk::from_json(case.to_string()).unwrap_err();
        assert!(matches!(err, Error::Json { part: Part::Jwk, .. }), "{case}: {err:?}");
    }
    let err = JwkSet::from_json(r#"{"keys":[{"kty":"oct","k":"AAAA"}]}"#).unwrap_err();
    assert!(matches!(err, Error::Json { part: Part::Jwk, .. }), "{err:?}");
}

#[test]
fn lenient_jwk_set_skips_unsupported_keys_and_says_why() {
    let doc = json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y, "kid": "ec-1"},
        {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"},
    ]});
    let (jwks, skipped) = JwkSet::from_json_lenient(doc.to_string()).unwrap();
    assert_eq!(jwks.keys.len(), 1);
    assert_eq!(jwks.keys[0].kid.as_deref(), Some("ec-1"));
    assert_eq!(skipped.len(), 2);
    assert!(skipped[0].to_string().contains("OKP"), "{}", skipped[0]);
    assert!(skipped[1].to_string().contains("P-521"), "{}", skipped[1]);
    let err = JwkSet::from_json_lenient(r#"{"keys": {}}"#).unwrap_err();
    assert!(matches!(err, Error::Json { part: Part::Jwk, .. }), "{err:?}");
}

#[test]
fn jwk_key_material_is_decoded() {
    let jwk = Jwk::from_json(a3_jwk_json()).unwrap();
    let JwkKey::EcP256 { x, y } = jwk.key else { panic!("expected EC") };
    assert_eq!(base64url::encode(x), A3_X);
    assert_eq!(base64url::encode(y), A3_Y);
}
