//! Every rejection, each asserting its own error variant, and parser fuzzing.

use gaap_jose::{
    Algorithm, Error, Header, Jwk, JwkSet, KeyKind, MAX_TOKEN_LEN, Part, SigningKey, VerifyingKey,
    base64url, decode_header_unverified, sign, verify, verify_with_jwks,
};
use proptest::prelude::*;

use crate::*;

const SECRET: &[u8] = b"a shared secret of thirty-two bytes!";

fn hmac_key() -> VerifyingKey {
    VerifyingKey::hmac(SECRET.to_vec())
}

fn a2_key() -> VerifyingKey {
    Jwk::from_json(a2_jwk_json()).unwrap().verifying_key().unwrap()
}

fn hs256_token() -> String {
    sign(&Header::new(Algorithm::HS256), b"{}", &SigningKey::hmac(SECRET.to_vec())).unwrap()
}

#[test]
fn alg_none_is_rejected() {
    // The unsecured JWS of RFC 7515 A.5: header {"alg":"none"}, empty signature.
    let token = format!("eyJhbGciOiJub25lIn0.{RFC_PAYLOAD_B64}.");
    let err = verify(&token, &hmac_key(), &Algorithm::ALL).unwrap_err();
    assert!(matches!(err, Error::AlgNone), "{err:?}");
    assert_eq!(err.kind(), "alg_none");
}

#[test]
fn alg_none_in_other_case_is_rejected_as_none() {
    let token = format!("{}.{RFC_PAYLOAD_B64}.", base64url::encode(r#"{"alg":"NoNe"}"#));
    let err = verify(&token, &hmac_key(), &Algorithm::ALL).unwrap_err();
    assert!(matches!(err, Error::AlgNone), "{err:?}");
}

#[test]
fn algorithm_outside_the_allow_list_is_rejected() {
    let err = verify(A2_TOKEN, &a2_key(), &[Algorithm::PS256, Algorithm::ES256]).unwrap_err();
    assert!(matches!(&err, Error::AlgorithmNotAllowed { alg } if alg == "RS256"), "{err:?}");
}

#[test]
fn empty_allow_list_accepts_nothing() {
    let err = verify(A2_TOKEN, &a2_key(), &[]).unwrap_err();
    assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err:?}");
}

#[test]
fn unknown_algorithm_is_not_allowed() {
    let token = hs256_with_raw_header(r#"{"alg":"HS1024"}"#, b"{}", SECRET);
    let err = verify(&token, &hmac_key(), &Algorithm::ALL).unwrap_err();
    assert!(matches!(&err, Error::AlgorithmNotAllowed { alg } if alg == "HS1024"), "{err:?}");
}

#[test]
fn rsa_public_key_used_as_hmac_secret_is_key_confusion() {
    // The classic attack: sign HS256 with the verifier's RSA public key bytes as the HMAC secret.
    let forged = hs256_with_raw_header(r#"{"alg":"HS256"}"#, b"{}", A2_N.as_bytes());
    let err = verify(&forged, &a2_key(), &[Algorithm::RS256, Algorithm::HS256]).unwrap_err();
    assert!(
        matches!(err, Error::KeyMismatch { alg: Algorithm::HS256, key: KeyKind::Rsa }),
        "{err:?}"
    );

    let jwks = JwkSet::from_json(format!(r#"{{"keys":[{}]}}"#, a2_jwk_json())).unwrap();
    let err = verify_with_jwks(&forged, &jwks, &[Algorithm::RS256, Algorithm::HS256]).unwrap_err();
    // Without a kid, the set has keys but none that fits HS256.
    assert!(
        matches!(err, Error::KeyMismatch { alg: Algorithm::HS256, key: KeyKind::Rsa }),
        "{err:?}"
    );

    let with_kid = hs256_with_raw_header(r#"{"alg":"HS256","kid":"rsa"}"#, b"{}", A2_N.as_bytes());
    let jwks = JwkSet::new(vec![Jwk::from_json(a2_jwk_json()).unwrap().with_kid("rsa")]);
    let err =
        verify_with_jwks(&with_kid, &jwks, &[Algorithm::RS256, Algorithm::HS256]).unwrap_err();
    assert!(
        matches!(err, Error::KeyMismatch { alg: Algorithm::HS256, key: KeyKind::Rsa }),
        "{err:?}"
    );
}

#[test]
fn ec_key_cannot_verify_rsa_algorithms() {
    let ec = Jwk::from_json(a3_jwk_json()).unwrap().verifying_key().unwrap();
    let err = verify(A2_TOKEN, &ec, &[Algorithm::RS256]).unwrap_err();
    assert!(
        matches!(err, Error::KeyMismatch { alg: Algorithm::RS256, key: KeyKind::EcP256 }),
        "{err:?}"
    );
}

#[test]
fn signing_with_the_wrong_key_type_is_key_mismatch() {
    let rsa = SigningKey::from_pkcs8_pem(A2_PKCS8_PEM).unwrap();
    let err = sign(&Header::new(Algorithm::HS256), b"{}", &rsa).unwrap_err();
    assert!(
        matches!(err, Error::KeyMismatch { alg: Algorithm::HS256, key: KeyKind::Rsa }),
        "{err:?}"
    );
}

#[test]
fn jwk_alg_pin_and_enc_use_are_honoured() {
    let pinned = Jwk::from_json(a2_jwk_json()).unwrap().with_alg(Algorithm::PS256);
    let err = verify(A2_TOKEN, &pinned.verifying_key().unwrap(), &[Algorithm::RS256]).unwrap_err();
    assert!(matches!(err, Error::KeyMismatch { alg: Algorithm::RS256, .. }), "{err:?}");

    let enc = Jwk::from_json(a2_jwk_json()).unwrap().with_use("enc");
    let err = verify(A2_TOKEN, &enc.verifying_key().unwrap(), &[Algorithm::RS256]).unwrap_err();
    assert!(matches!(err, Error::KeyMismatch { alg: Algorithm::RS256, .. }), "{err:?}");
}

#[test]
fn crit_header_is_rejected() {
    let token =
        hs256_with_raw_header(r#"{"alg":"HS256","crit":["exp"],"exp":1363284000}"#, b"{}", SECRET);
    let err = verify(&token, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
    assert!(matches!(err, Error::CritHeader), "{err:?}");
}

#[test]
fn malformed_base64url_is_rejected_per_segment() {
    let token = hs256_token();
    let (h, rest) = token.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let cases = [
        (format!("{h}=.{p}.{s}"), Part::Header),
        (format!("{}.{p}.{s}", h.replace('e', "+")), Part::Header),
        (format!("{h}.{p}*.{s}"), Part::Payload),
        (format!("{h}.{p}.{s}=="), Part::Signature),
        (format!("{h}.{p}.{s}\n"), Part::Signature),
    ];
    for (bad, part) in cases {
        let err = verify(&bad, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
        assert!(matches!(err, Error::Base64 { part: p } if p == part), "{bad}: {err:?}");
    }
}

#[test]
fn non_canonical_base64url_is_rejected() {
    // The A.3 signature ends in `Q` (low bits zero); `R` decodes to the same bytes with stray bits set.
    let tampered = format!("{}R", A3_TOKEN.strip_suffix('Q').unwrap());
    let key = Jwk::from_json(a3_jwk_json()).unwrap().verifying_key().unwrap();
    let err = verify(&tampered, &key, &[Algorithm::ES256]).unwrap_err();
    assert!(matches!(err, Error::Base64 { part: Part::Signature }), "{err:?}");
}

#[test]
fn malformed_json_and_segments_are_rejected() {
    let not_json = format!("{}.e30.c2ln", base64url::encode("not json"));
    let err = verify(&not_json, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
    assert!(matches!(err, Error::Json { part: Part::Header, .. }), "{err:?}");

    let array = format!("{}.e30.c2ln", base64url::encode(r#"["HS256"]"#));
    let err = verify(&array, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
    assert!(matches!(err, Error::Json { part: Part::Header, .. }), "{err:?}");

    let no_alg = hs256_with_raw_header(r#"{"typ":"JWT"}"#, b"{}", SECRET);
    let err = verify(&no_alg, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
    assert!(matches!(err, Error::Json { part: Part::Header, .. }), "{err:?}");

    let duplicate = hs256_with_raw_header(r#"{"alg":"none","alg":"HS256"}"#, b"{}", SECRET);
    let err = verify(&duplicate, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
    assert!(matches!(err, Error::Json { part: Part::Header, .. }), "{err:?}");
    assert!(err.to_string().contains("duplicate member \"alg\""), "{err}");

    let json_trailer = hs256_with_raw_header(r#"{"alg":"HS256"} x"#, b"{}", SECRET);
    let err = verify(&json_trailer, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
    assert!(matches!(err, Error::Json { part: Part::Header, .. }), "{err:?}");

    for shape in ["", "abc", "abc.def", ".e30.c2ln"] {
        let err = verify(shape, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{shape:?}: {err:?}");
    }

    let not_json_claims =
        sign(&Header::new(Algorithm::HS256), b"plain text", &SigningKey::hmac(SECRET.to_vec()))
            .unwrap();
    let verified = verify(&not_json_claims, &hmac_key(), &[Algorithm::HS256]).unwrap();
    let err = verified.claims::<serde_json::Value>().unwrap_err();
    assert!(matches!(err, Error::Json { part: Part::Payload, .. }), "{err:?}");
}

#[test]
fn trailing_data_is_rejected() {
    for trailer in [".", ".more", ".a.b"] {
        let token = format!("{}{trailer}", hs256_token());
        let err = verify(&token, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
        assert!(matches!(err, Error::TrailingData), "{trailer:?}: {err:?}");
    }
}

#[test]
fn oversized_input_is_rejected_before_parsing() {
    let payload = vec![b'a'; MAX_TOKEN_LEN];
    let token =
        sign(&Header::new(Algorithm::HS256), &payload, &SigningKey::hmac(SECRET.to_vec())).unwrap();
    let err = verify(&token, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { len, limit: MAX_TOKEN_LEN } if len == token.len()),
        "{err:?}"
    );

    let junk = "x".repeat(MAX_TOKEN_LEN + 1);
    let err = decode_header_unverified(&junk).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
}

#[test]
fn a_token_at_the_limit_is_accepted() {
    let key = SigningKey::hmac(SECRET.to_vec());
    let overhead = sign(&Header::new(Algorithm::HS256), b"", &key).unwrap().len();
    // Base64url grows 3 bytes to 4 characters.
    let payload = vec![b'a'; (MAX_TOKEN_LEN - overhead) / 4 * 3];
    let token = sign(&Header::new(Algorithm::HS256), &payload, &key).unwrap();
    assert!(token.len() <= MAX_TOKEN_LEN);
    assert_eq!(verify(&token, &hmac_key(), &[Algorithm::HS256]).unwrap().payload, payload);
}

#[test]
fn bad_signature_is_rejected_for_each_key_type() {
    let err = verify(
        &tamper_signature(A1_TOKEN),
        &VerifyingKey::hmac(base64url::decode(A1_KEY).unwrap()),
        &[Algorithm::HS256],
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err:?}");

    let err = verify(&tamper_signature(A2_TOKEN), &a2_key(), &[Algorithm::RS256]).unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err:?}");

    let ec = Jwk::from_json(a3_jwk_json()).unwrap().verifying_key().unwrap();
    let err = verify(&tamper_signature(A3_TOKEN), &ec, &[Algorithm::ES256]).unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err:?}");

    // A wrong HMAC secret, a truncated signature and a changed payload.
    let err = verify(A1_TOKEN, &hmac_key(), &[Algorithm::HS256]).unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err:?}");
    let (signing_input, signature) = A3_TOKEN.rsplit_once('.').unwrap();
    let short = base64url::decode(signature).unwrap()[..63].to_vec();
    let truncated = format!("{signing_input}.{}", base64url::encode(short));
    let err = verify(&truncated, &ec, &[Algorithm::ES256]).unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err:?}");
    let swapped = A3_TOKEN.replace(RFC_PAYLOAD_B64, "e30");
    let err = verify(&swapped, &ec, &[Algorithm::ES256]).unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err:?}");
}

#[test]
fn a2_token_under_pss_is_a_bad_signature() {
    // Same key, same bytes, other padding: must not verify.
    let jwk = Jwk::from_json(a2_jwk_json()).unwrap();
    let header_swapped =
        A2_TOKEN.replacen("eyJhbGciOiJSUzI1NiJ9", &base64url::encode(r#"{"alg":"PS256"}"#), 1);
    let err =
        verify(&header_swapped, &jwk.verifying_key().unwrap(), &[Algorithm::PS256]).unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err:?}");
}

#[test]
fn unknown_kid_is_rejected() {
    let key = SigningKey::from_pkcs8_pem(A3_PKCS8_PEM).unwrap();
    let token = sign(&Header::new(Algorithm::ES256).with_kid("rotated-away"), b"{}", &key).unwrap();
    let jwks = JwkSet::new(vec![key.with_kid("current").public_jwk().unwrap()]);
    let err = verify_with_jwks(&token, &jwks, &[Algorithm::ES256]).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownKey { kid: Some(kid) } if kid == "rotated-away"),
        "{err:?}"
    );
}

#[test]
fn invalid_key_material_is_rejected() {
    // A 1024-bit modulus: parses as a JWK, refused as a verifying key.
    let small = format!(r#"{{"kty":"RSA","n":"{}","e":"AQAB"}}"#, base64url::encode([0xc5; 128]));
    let err = Jwk::from_json(small).unwrap().verifying_key().unwrap_err();
    assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");

    let even_e = format!(r#"{{"kty":"RSA","n":"{A2_N}","e":"AQAA"}}"#);
    let err = Jwk::from_json(even_e).unwrap().verifying_key().unwrap_err();
    assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");

    for pem in [
        "not a pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n",
    ] {
        let err = SigningKey::from_pkcs8_pem(pem).unwrap_err();
        assert!(matches!(err, Error::InvalidKey { .. }), "{pem:?}: {err:?}");
    }
    let err = SigningKey::from_pkcs8_der(b"\x30\x03\x02\x01\x00").unwrap_err();
    assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");
}

#[test]
fn decode_header_unverified_reads_kid_only() {
    let token = sign(
        &Header::new(Algorithm::HS256).with_kid("k-9"),
        b"{}",
        &SigningKey::hmac(SECRET.to_vec()),
    )
    .unwrap();
    assert_eq!(
        decode_header_unverified(&tamper_signature(&token)).unwrap().kid.as_deref(),
        Some("k-9")
    );
    let none = format!("eyJhbGciOiJub25lIn0.{RFC_PAYLOAD_B64}.");
    assert!(matches!(decode_header_unverified(&none).unwrap_err(), Error::AlgNone));
}

#[test]
fn error_kinds_are_distinct() {
    let kinds = [
        Error::TooLarge { len: 1, limit: 0 }.kind(),
        Error::Malformed { reason: "x" }.kind(),
        Error::TrailingData.kind(),
        Error::Base64 { part: Part::Header }.kind(),
        Error::AlgNone.kind(),
        Error::AlgorithmNotAllowed { alg: String::new() }.kind(),
        Error::CritHeader.kind(),
        Error::KeyMismatch { alg: Algorithm::HS256, key: KeyKind::Rsa }.kind(),
        Error::BadSignature.kind(),
        Error::UnknownKey { kid: None }.kind(),
        Error::InvalidKey { reason: String::new() }.kind(),
        Error::Signing.kind(),
    ];
    let unique: std::collections::HashSet<_> = kinds.iter().collect();
    assert_eq!(unique.len(), kinds.len());
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(token in ".{0,300}") {
        let _ = decode_header_unverified(&token);
        let _ = verify(&token, &hmac_key(), &Algorithm::ALL);
        let _ = verify(&token, &a2_key(), &Algorithm::ALL);
    }

    #[test]
    fn token_shaped_strings_never_panic(
        header in "[A-Za-z0-9_=+/-]{0,60}",
        payload in "[A-Za-z0-9_-]{0,60}",
        signature in "[A-Za-z0-9_.-]{0,90}",
    ) {
        let token = format!("{header}.{payload}.{signature}");
        let _ = verify(&token, &hmac_key(), &Algorithm::ALL);
        let jwks = JwkSet::from_json(format!(r#"{{"keys":[{}]}}"#, a3_jwk_json())).unwrap();
        let _ = verify_with_jwks(&token, &jwks, &Algorithm::ALL);
    }

    #[test]
    fn arbitrary_json_headers_never_panic(header in "\\{(\"[a-z]{1,4}\":(\"[A-Za-z0-9]{0,6}\"|[0-9]{1,3}|null|\\[\\]),?){0,4}\\}") {
        let token = hs256_with_raw_header(&header, b"{}", SECRET);
        let _ = verify(&token, &hmac_key(), &Algorithm::ALL);
    }

    #[test]
    fn arbitrary_jwk_json_never_panics(doc in ".{0,200}") {
        if let Ok(jwk) = Jwk::from_json(&doc) {
            let _ = jwk.verifying_key();
            let _ = jwk.thumbprint();
        }
        let _ = JwkSet::from_json(&doc);
    }
}
