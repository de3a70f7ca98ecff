//! Core identity credentials: fuzzed claims, signed ES256 with the DID document's key so they reach the claim
//! checks, verify or are refused without a panic; an accepted credential has the subject, issuer and audience
//! it was checked for. The raw input as a token, and as a vtr, is refused or read without a panic.
#![no_main]

use std::sync::LazyLock;

use gaap_identity::rules::{CoreIdentityExpectations, verify_core_identity};
use gaap_identity::{DidDocument, Vtr};
use gaap_jose::{Algorithm, Header, SigningKey};
use libfuzzer_sys::fuzz_target;

const DID: &str = "did:web:identity.integration.account.gov.uk";
const KID: &str = "did:web:identity.integration.account.gov.uk#fuzz";
const ISSUER: &str = "https://identity.integration.account.gov.uk/";
const CLIENT_ID: &str = "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw";
const SUB: &str = "urn:fdc:gov.uk:2022:fuzz";
const NOW: i64 = 1_795_600_000;

struct Fixture {
    key: SigningKey,
    did: DidDocument,
    vtr: Vtr,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let key = SigningKey::generate_es256().unwrap_or_else(|e| panic!("key: {e}"));
    let mut jwk = serde_json::to_value(key.public_jwk().unwrap_or_else(|| panic!("no public key")))
        .unwrap_or_else(|e| panic!("jwk: {e}"));
    if let Some(o) = jwk.as_object_mut() {
        o.remove("kid");
    }
    let doc = serde_json::json!({
        "id": DID,
        "assertionMethod": [{"type": "JsonWebKey2020", "id": KID, "controller": DID, "publicKeyJwk": jwk}]
    });
    let did =
        DidDocument::from_json(doc.to_string().as_bytes()).unwrap_or_else(|e| panic!("did: {e}"));
    let vtr: Vtr = "Cl.Cm.P2".parse().unwrap_or_else(|e| panic!("vtr: {e:?}"));
    Fixture { key, did, vtr }
});

fuzz_target!(|data: &[u8]| {
    let f = &*FIXTURE;
    let expect = CoreIdentityExpectations::new(ISSUER, CLIENT_ID);
    let header = Header::new(Algorithm::ES256).with_kid(KID);
    if let Ok(token) = gaap_jose::sign(&header, data, &f.key)
        && let Ok(identity) = verify_core_identity(&token, &f.did, &expect, SUB, &f.vtr, NOW)
    {
        let claims: serde_json::Value = serde_json::from_slice(data).unwrap_or_default();
        assert_eq!(claims["sub"], SUB, "accepted a credential for another subject");
        let _ = (identity.current_name(), identity.birth_date());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        assert!(
            verify_core_identity(text, &f.did, &expect, SUB, &f.vtr, NOW).is_err(),
            "accepted a forged token"
        );
        if let Ok(vtr) = text.parse::<Vtr>() {
            let param = vtr.to_param();
            let again = Vtr::from_param(&param)
                .unwrap_or_else(|e| panic!("{text:?} printed as {param:?} refused: {e:?}"));
            assert_eq!(again, vtr, "{text:?} printed as {param:?}");
        }
        let _ = Vtr::from_param(text);
    }
});
