//! The published documents: OpenID discovery, the JWKS, the DID document and the trust mark.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gaap_identity::{Credential, LevelOfConfidence, ProviderMetadata, Scope, UiLocale, VocabClaim};
use gaap_jose::Jwk;
use serde::Serialize;

use super::wire::{GRANT_AUTHORIZATION_CODE, PKCE_S256, RESPONSE_TYPE_CODE, SCOPE_OPENID};
use super::{OneLoginState, signing_keys};

pub(super) fn cached_json(value: &impl Serialize, cache: &'static str) -> Response {
    let mut r = axum::Json(value).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// Owned wire strings.
fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    items.into_iter().map(str::to_owned).collect()
}

/// The discovery document: what the sandbox's One Login supports.
fn metadata(s: &OneLoginState) -> ProviderMetadata {
    let vocab = [
        VocabClaim::CoreIdentityJwt,
        VocabClaim::Address,
        VocabClaim::Passport,
        VocabClaim::DrivingPermit,
        VocabClaim::ReturnCode,
    ];
    let user_claims = [
        "sub",
        "email",
        "email_verified",
        "phone_number",
        "phone_number_verified",
        "wallet_subject_id",
    ];
    ProviderMetadata {
        issuer: s.issuer(),
        authorization_endpoint: s.url("authorize"),
        token_endpoint: s.url("token"),
        userinfo_endpoint: Some(s.url("userinfo")),
        jwks_uri: s.url(".well-known/jwks.json"),
        end_session_endpoint: Some(s.url("logout")),
        scopes_supported: strings([
            SCOPE_OPENID,
            Scope::Email.as_str(),
            Scope::Phone.as_str(),
            "offline_access",
        ]),
        response_types_supported: strings([RESPONSE_TYPE_CODE]),
        grant_types_supported: strings([GRANT_AUTHORIZATION_CODE]),
        token_endpoint_auth_methods_supported: strings(["private_key_jwt", "client_secret_post"]),
        token_endpoint_auth_signing_alg_values_supported: strings(
            crate::jwt::CLIENT_ASSERTION_ALGS.iter().map(|a| a.as_str()),
        ),
        id_token_signing_alg_values_supported: strings(signing_keys::algorithm_names()),
        ui_locales_supported: strings([UiLocale::En.as_str(), UiLocale::Cy.as_str()]),
        subject_types_supported: strings(["public", "pairwise"]),
        claims_supported: strings(user_claims.into_iter().chain(vocab.map(VocabClaim::url))),
        claims_parameter_supported: Some(true),
        request_parameter_supported: Some(true),
        request_uri_parameter_supported: Some(false),
        code_challenge_methods_supported: strings([PKCE_S256]),
        backchannel_logout_supported: Some(true),
        backchannel_logout_session_supported: Some(false),
        trustmarks: Some(s.url("trustmark")),
        service_documentation: Some("https://docs.sign-in.service.gov.uk/".to_owned()),
    }
}

pub(super) async fn discovery(State(s): State<Arc<OneLoginState>>) -> Response {
    cached_json(&metadata(&s), "max-age=86400")
}

pub(super) async fn jwks(State(s): State<Arc<OneLoginState>>) -> Response {
    cached_json(&s.id_token_keys.jwks(), "max-age=86400")
}

/// The DID document publishing the core identity key.
#[derive(Serialize)]
struct DidDocument {
    #[serde(rename = "@context")]
    context: [&'static str; 2],
    id: String,
    #[serde(rename = "assertionMethod")]
    assertion_method: [AssertionMethod; 1],
}

/// One `assertionMethod`: a JWK with no `kid` or `use` (the method's `id` names it).
#[derive(Serialize)]
struct AssertionMethod {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    controller: String,
    #[serde(rename = "publicKeyJwk")]
    public_key_jwk: Option<Jwk>,
}

pub(super) async fn did_document(State(s): State<Arc<OneLoginState>>) -> Response {
    let jwk = s.identity_key.public_jwk().map(|mut jwk| {
        jwk.kid = None;
        jwk.key_use = None;
        jwk
    });
    let did = s.did();
    let method = AssertionMethod {
        kind: "JsonWebKey",
        id: s.identity_kid(),
        controller: did.clone(),
        public_key_jwk: jwk,
    };
    let document = DidDocument {
        context: ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        id: did,
        assertion_method: [method],
    };
    cached_json(&document, "max-age=3600, private")
}

/// The trust mark: the credential and identity levels the provider issues.
#[derive(Serialize)]
struct Trustmark {
    idp: String,
    trustmark_provider: String,
    #[serde(rename = "C")]
    credentials: Vec<&'static str>,
    #[serde(rename = "P")]
    levels: Vec<&'static str>,
}

pub(super) async fn trustmark(State(s): State<Arc<OneLoginState>>) -> Response {
    axum::Json(Trustmark {
        idp: s.issuer(),
        trustmark_provider: s.issuer(),
        credentials: [Credential::Cl, Credential::ClCm].map(Credential::as_str).to_vec(),
        levels: [LevelOfConfidence::P0, LevelOfConfidence::P1, LevelOfConfidence::P2]
            .map(LevelOfConfidence::as_str)
            .to_vec(),
    })
    .into_response()
}
