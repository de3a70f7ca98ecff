//! Core identity JWT: the PROVE rules, the simulator's CORE_IDENTITY_ERRORS (docs/configured-errors.md in
//! govuk-one-login/simulator), DID key resolution, typed outcomes.

use gaap_identity::rules::{CoreIdentityExpectations, verify_core_identity};
use gaap_identity::{
    DidDocument, Error, IdentityOutcome, LevelOfConfidence, NamePartKind, ReturnCode, TokenError,
    TokenKind, Vtr,
};
use gaap_jose::{Algorithm, Header, SigningKey};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::*;

const DID: &str = "did:web:identity.integration.account.gov.uk";

struct Identity {
    key: SigningKey,
    kid: String,
    did: String,
}

impl Identity {
    fn new(did: &str) -> Self {
        let kid = format!("{did}#c9f8da1c87525bb41653583c2d05274e85805ab7d0abc58376c7128129daa936");
        Self { key: SigningKey::generate_es256().unwrap(), kid, did: did.to_owned() }
    }

    fn document(&self) -> Value {
        // Shape of https://identity.integration.account.gov.uk/.well-known/did.json (PROVE).
        let mut jwk = serde_json::to_value(self.key.public_jwk().unwrap()).unwrap();
        jwk.as_object_mut().unwrap().remove("kid");
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
            "id": self.did,
            "assertionMethod": [{ "type": "JsonWebKey2020", "id": self.kid, "controller": self.did, "publicKeyJwk": jwk }]
        })
    }

    fn did_doc(&self) -> DidDocument {
        DidDocument::from_json(self.document().to_string().as_bytes()).unwrap()
    }

    fn sign(&self, claims: &Value) -> String {
        gaap_jose::sign_json(&Header::new(Algorithm::ES256).with_kid(&self.kid), claims, &self.key)
            .unwrap()
    }
}

fn expect() -> CoreIdentityExpectations {
    CoreIdentityExpectations::new(IDENTITY_ISSUER, CLIENT_ID)
}

fn check(id: &Identity, token: &str) -> Result<gaap_identity::CoreIdentity, TokenError> {
    verify_core_identity(token, &id.did_doc(), &expect(), SUB, &p2(), NOW)
}

#[test]
fn valid_core_identity_is_typed() {
    let id = Identity::new(DID);
    let identity = check(&id, &id.sign(&core_identity_claims())).unwrap();
    assert_eq!(identity.vot, LevelOfConfidence::P2);
    let name = identity.current_name().unwrap();
    assert_eq!(name.given_names(), "GEOFFREY");
    assert_eq!(name.family_name(), "HEARNSHAW");
    assert_eq!(name.parts[0].kind, NamePartKind::GivenName);
    assert_eq!(identity.birth_date(), Some(time::macros::date!(1955 - 04 - 19)));
    assert_eq!(identity.credential_types, ["VerifiableCredential", "IdentityCheckCredential"]);
}

#[test]
fn name_edge_cases_are_kept_verbatim() {
    // From govuk-one-login/onboarding-examples data/ name edge cases: hyphen, apostrophe, diacritics.
    let id = Identity::new(DID);
    let mut claims = core_identity_claims();
    claims["vc"]["credentialSubject"]["name"] = json!([{ "validFrom": "2020-01-01", "nameParts": [
        { "value": "Zoë", "type": "GivenName" }, { "value": "Mary-Anne", "type": "GivenName" },
        { "value": "O'Brien", "type": "FamilyName" }, { "value": "Dr", "type": "Title" }
    ]}]);
    let identity = check(&id, &id.sign(&claims)).unwrap();
    let name = identity.current_name().unwrap();
    assert_eq!(name.given_names(), "Zoë Mary-Anne");
    assert_eq!(name.family_name(), "O'Brien");
    assert_eq!(name.valid_from, Some(time::macros::date!(2020 - 01 - 01)));
    assert_eq!(name.parts[3].kind, NamePartKind::Unknown("Title".to_owned()));
}

#[test]
fn sim_core_identity_invalid_alg_header() {
    // The simulator swaps in {"alg":"HS256","kid":"<did>#60c01993-…"}: alg confusion and unknown kid at once.
    let id = Identity::new(DID);
    let token = with_header(
        &id.sign(&core_identity_claims()),
        &json!({"alg": "HS256", "kid": format!("{DID}#60c01993-94cd-4d32-a4da-2a44dba7e45b")}),
    );
    assert_eq!(check(&id, &token).unwrap_err().kind(), "unsupported_algorithm");
    // RS256 is refused as well: core identity is ES256 only.
    let rsa = SigningKey::from_pkcs8_pem(OP_RSA_KEY_PEM).unwrap();
    let token = gaap_jose::sign_json(
        &Header::new(Algorithm::RS256).with_kid(&id.kid),
        &core_identity_claims(),
        &rsa,
    )
    .unwrap();
    assert_eq!(check(&id, &token).unwrap_err().kind(), "unsupported_algorithm");
}

#[test]
fn sim_core_identity_invalid_signature() {
    let id = Identity::new(DID);
    let token = bad_signature(&id.sign(&core_identity_claims()));
    assert_eq!(check(&id, &token), Err(TokenError::BadSignature));
}

#[test]
fn sim_core_identity_invalid_iss() {
    let id = Identity::new(DID);
    // The OIDC issuer is not the identity issuer.
    let token = id.sign(&with(core_identity_claims(), "iss", json!(ISSUER)));
    assert_eq!(check(&id, &token).unwrap_err().kind(), "wrong_issuer");
}

#[test]
fn sim_core_identity_invalid_aud() {
    let id = Identity::new(DID);
    let token = id.sign(&with(core_identity_claims(), "aud", json!("another-client")));
    assert_eq!(check(&id, &token).unwrap_err().kind(), "wrong_audience");
}

#[test]
fn sim_core_identity_incorrect_sub() {
    let id = Identity::new(DID);
    let token = id.sign(&with(core_identity_claims(), "sub", json!("urn:fdc:gov.uk:2022:other")));
    assert_eq!(check(&id, &token).unwrap_err().kind(), "wrong_subject");
}

#[test]
fn sim_core_identity_token_expired() {
    let id = Identity::new(DID);
    let token = id.sign(&with(core_identity_claims(), "exp", json!(NOW - 86_400)));
    assert!(matches!(check(&id, &token), Err(TokenError::Expired { .. })));
}

#[test]
fn core_identity_vot_must_equal_requested_level() {
    let id = Identity::new(DID);
    let token = id.sign(&with(core_identity_claims(), "vot", json!("P1")));
    assert_eq!(check(&id, &token).unwrap_err().kind(), "vot_mismatch");
    // Asking with no identity level means no core identity can match.
    let token = id.sign(&core_identity_claims());
    let err = verify_core_identity(&token, &id.did_doc(), &expect(), SUB, &Vtr::default(), NOW)
        .unwrap_err();
    assert_eq!(err.kind(), "vot_mismatch");
}

#[test]
fn did_controller_must_be_the_document_id() {
    let id = Identity::new(DID);
    // A kid whose controller is another DID, even if the fragment matches, is not trusted.
    let forged_kid = id.kid.replace(DID, "did:web:evil.example");
    let token = gaap_jose::sign_json(
        &Header::new(Algorithm::ES256).with_kid(&forged_kid),
        &core_identity_claims(),
        &id.key,
    )
    .unwrap();
    assert_eq!(check(&id, &token).unwrap_err().kind(), "unknown_key");
    // An assertionMethod whose own controller differs is not trusted.
    let mut doc = id.document();
    doc["assertionMethod"][0]["controller"] = json!("did:web:evil.example");
    let doc = DidDocument::from_json(doc.to_string().as_bytes()).unwrap();
    let err =
        verify_core_identity(&id.sign(&core_identity_claims()), &doc, &expect(), SUB, &p2(), NOW)
            .unwrap_err();
    assert_eq!(err.kind(), "unknown_key");
    // No kid at all.
    let token =
        gaap_jose::sign_json(&Header::new(Algorithm::ES256), &core_identity_claims(), &id.key)
            .unwrap();
    assert_eq!(check(&id, &token).unwrap_err().kind(), "unknown_key");
}

#[test]
fn did_web_for_encodes_the_port() {
    let url = url::Url::parse("http://localhost:3000/.well-known/did.json").unwrap();
    assert_eq!(DidDocument::did_web_for(&url).unwrap(), "did:web:localhost%3A3000");
    let url = url::Url::parse("https://identity.integration.account.gov.uk/.well-known/did.json")
        .unwrap();
    assert_eq!(DidDocument::did_web_for(&url).unwrap(), DID);
}

async fn mount_did(op: &Op, id: &Identity) {
    Mock::given(method("GET"))
        .and(path("/.well-known/did.json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(id.document())
                .insert_header("cache-control", "max-age=3600, private"),
        )
        .expect(1)
        .mount(&op.server)
        .await;
}

fn userinfo(raw: Value) -> gaap_identity::UserInfo {
    gaap_identity::UserInfo::from_json(&raw).unwrap()
}

#[tokio::test]
async fn client_verifies_core_identity_through_the_did_url() {
    let op = Op::start().await;
    let id = Identity::new(&op.did());
    mount_did(&op, &id).await;
    let client = op.client();
    let mut claims = core_identity_claims();
    claims["iss"] = json!(op.issuer());
    let jwt = id.sign(&claims);
    let info = userinfo(json!({
        "sub": SUB,
        "https://vocab.account.gov.uk/v1/coreIdentityJWT": jwt,
        "https://vocab.account.gov.uk/v1/returnCode": [],
    }));
    let IdentityOutcome::Proven { identity, return_codes } =
        client.identity_outcome(&info, &p2()).await.unwrap()
    else {
        panic!("expected a proven identity")
    };
    assert_eq!(identity.sub, SUB);
    assert!(return_codes.is_empty());
    // Cached: a second check does not fetch the DID document again (expect(1) above).
    client.verify_core_identity(&jwt, SUB, &p2()).await.unwrap();
}

#[tokio::test]
async fn did_document_for_another_host_is_refused() {
    let op = Op::start().await;
    let id = Identity::new(DID); // claims identity.integration… while served from 127.0.0.1
    mount_did(&op, &id).await;
    let err = op
        .client()
        .verify_core_identity(&id.sign(&core_identity_claims()), SUB, &p2())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Metadata(_)), "{err:?}");
}

#[tokio::test]
async fn return_codes_are_a_typed_outcome() {
    let op = Op::start().await;
    let client = op.client();
    let info = userinfo(
        json!({"sub": SUB, "https://vocab.account.gov.uk/v1/returnCode": [{"code": "B"}, {"code": "C"}]}),
    );
    let outcome = client.identity_outcome(&info, &p2()).await.unwrap();
    assert_eq!(
        outcome,
        IdentityOutcome::ReturnCodes(vec![ReturnCode("B".to_owned()), ReturnCode("C".to_owned())])
    );
    let info = userinfo(json!({"sub": SUB}));
    assert_eq!(client.identity_outcome(&info, &p2()).await.unwrap(), IdentityOutcome::NotProven);
    let info = userinfo(json!({"sub": SUB, "https://vocab.account.gov.uk/v1/returnCode": "B"}));
    let err = client.identity_outcome(&info, &p2()).await.unwrap_err();
    assert!(matches!(err, Error::Token { token: TokenKind::UserInfo, .. }));
}
