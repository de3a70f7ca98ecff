//! Client behaviour against wiremock: caching, https-only, redirects, errors, typed outcomes, redaction.

use std::time::Duration;

use gaap_identity::{
    AuthorizationCode, AuthorizeErrorCode, AuthorizeRequest, CallbackOutcome, ClaimsRequest,
    Client, ClientKey, Error, LevelOfConfidence, UiLocale, VocabClaim, Vtr,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::conformance::mount_token;
use crate::support::*;

#[test]
fn plain_http_issuer_is_refused_without_the_loopback_switch() {
    let err = Client::builder("http://127.0.0.1:3000/", CLIENT_ID).build().unwrap_err();
    assert!(matches!(err, Error::Config(m) if m.contains("only https")));
    // The switch allows loopback only.
    let err = Client::builder("http://oidc.example.gov.uk/", CLIENT_ID)
        .insecure_allow_http_loopback(true)
        .build();
    assert!(matches!(err, Err(Error::Config(_))));
    assert!(
        Client::builder("http://localhost:3000/", CLIENT_ID)
            .insecure_allow_http_loopback(true)
            .build()
            .is_ok()
    );
    assert!(Client::builder("https://oidc.integration.account.gov.uk/", CLIENT_ID).build().is_ok());
}

#[test]
fn leeway_over_sixty_seconds_is_refused() {
    let err =
        Client::builder(ISSUER, CLIENT_ID).leeway(Duration::from_secs(61)).build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    let err = Client::builder(ISSUER, CLIENT_ID)
        .assertion_lifetime(Duration::from_secs(301))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
}

#[tokio::test]
async fn discovered_http_endpoint_on_another_host_is_refused() {
    let op = Op::start().await;
    let mut meta = op.metadata();
    meta["token_endpoint"] = json!("http://oidc.example.gov.uk/token");
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(meta))
        .mount(&op.server)
        .await;
    assert!(matches!(op.client().metadata().await, Err(Error::Config(_))));
}

#[tokio::test]
async fn discovery_is_cached_by_max_age_and_kept_stale_in_an_outage() {
    let op = Op::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(op.metadata())
                .insert_header("cache-control", "max-age=600"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&op.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&op.server)
        .await;
    let client = op.client();
    client.metadata().await.unwrap();
    op.clock.advance(Duration::from_secs(599));
    client.metadata().await.unwrap(); // fresh: no request
    op.clock.advance(Duration::from_secs(2));
    let meta = client.metadata().await.unwrap(); // stale, refresh fails with 503, stale copy served
    assert_eq!(meta.issuer, op.issuer());
}

#[tokio::test]
async fn jwks_is_refetched_after_max_age() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 60, 2).await;
    let client = op.client();
    let token = op.key.sign(&with(id_claims(&op.issuer()), "exp", json!(NOW + 600)));
    client.verify_id_token(&token, NONCE, &Vtr::default()).await.unwrap();
    op.clock.advance(Duration::from_secs(30));
    client.verify_id_token(&token, NONCE, &Vtr::default()).await.unwrap();
    op.clock.advance(Duration::from_secs(31));
    client.verify_id_token(&token, NONCE, &Vtr::default()).await.unwrap();
}

#[tokio::test]
async fn unknown_kid_refetch_is_allowed_again_after_the_cooldown() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 3).await;
    let client = op.client();
    client.verify_id_token(&op.id_token(), NONCE, &Vtr::default()).await.unwrap();
    let stranger =
        OpKey::es256("unknown").sign(&with(id_claims(&op.issuer()), "exp", json!(NOW + 600)));
    assert!(client.verify_id_token(&stranger, NONCE, &Vtr::default()).await.is_err());
    op.clock.advance(Duration::from_secs(61));
    assert!(client.verify_id_token(&stranger, NONCE, &Vtr::default()).await.is_err());
}

#[tokio::test]
async fn token_call_never_follows_a_redirect() {
    let op = Op::start().await;
    op.mount_discovery().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/elsewhere", op.server.uri()).as_str()),
        )
        .mount(&op.server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&op.server)
        .await;
    let client = op.client();
    let request = client.authorize(&AuthorizeRequest::new()).await.unwrap();
    let err =
        client.exchange_code(&request.pending, AuthorizationCode::new("c")).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 302, .. }));
}

#[tokio::test]
async fn token_error_body_is_typed() {
    // Body from govuk-one-login/simulator validate-private-key-jwt.ts for an expired assertion.
    let op = Op::start().await;
    op.mount_discovery().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_grant", "error_description": "private_key_jwt has expired"}),
        ))
        .expect(1)
        .mount(&op.server)
        .await;
    let client = op.client();
    let request = client.authorize(&AuthorizeRequest::new()).await.unwrap();
    let err =
        client.exchange_code(&request.pending, AuthorizationCode::new("c")).await.unwrap_err();
    let Error::Api { status, error, error_description, .. } = err else { panic!("{err:?}") };
    assert_eq!((status, error.as_deref()), (400, Some("invalid_grant")));
    assert_eq!(error_description.as_deref(), Some("private_key_jwt has expired"));
}

#[tokio::test]
async fn userinfo_401_carries_the_www_authenticate_error() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let request = client.authorize(&AuthorizeRequest::new()).await.unwrap();
    let mut claims = id_claims(&op.issuer());
    claims["nonce"] = json!(request.pending.nonce.expose_secret());
    mount_token(&op, &op.key.sign(&claims)).await;
    let tokens = client.exchange_code(&request.pending, AuthorizationCode::new("c")).await.unwrap();
    Mock::given(method("GET"))
        .and(path("/userinfo"))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "www-authenticate",
            r#"Bearer error="invalid_token", error_description="Invalid access token""#,
        ))
        .mount(&op.server)
        .await;
    let err = client.userinfo(&tokens).await.unwrap_err();
    let Error::Api { status, error, error_description, .. } = err else { panic!("{err:?}") };
    assert_eq!((status, error.as_deref()), (401, Some("invalid_token")));
    assert_eq!(error_description.as_deref(), Some("Invalid access token"));
}

#[tokio::test]
async fn id_token_vot_must_equal_the_requested_credential_level() {
    // Simulator INCORRECT_VOT swaps Cl <-> Cl.Cm (docs/configured-errors.md).
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let request = client
        .authorize(&AuthorizeRequest::new().vtr(Vtr::identity(LevelOfConfidence::P2)))
        .await
        .unwrap();
    let mut claims = with(id_claims(&op.issuer()), "vot", json!("Cl"));
    claims["nonce"] = json!(request.pending.nonce.expose_secret());
    mount_token(&op, &op.key.sign(&claims)).await;
    let err =
        client.exchange_code(&request.pending, AuthorizationCode::new("c")).await.unwrap_err();
    assert_eq!(err.token_error().unwrap().kind(), "vot_mismatch");
}

#[test]
fn authorize_url_carries_every_one_login_parameter() {
    let request = AuthorizeRequest::new()
        .vtr(Vtr::identity(LevelOfConfidence::P2))
        .claims(
            ClaimsRequest::new()
                .with(VocabClaim::CoreIdentityJwt)
                .with(VocabClaim::Address)
                .with(VocabClaim::ReturnCode),
        )
        .ui_locale(UiLocale::Cy)
        .pkce(true)
        .build(
            "https://oidc.integration.account.gov.uk/authorize",
            CLIENT_ID,
            "https://rp.example/cb",
        )
        .unwrap();
    let q: std::collections::HashMap<_, _> = request.url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["scope"], "openid");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["redirect_uri"], "https://rp.example/cb");
    assert_eq!(q["vtr"], r#"["Cl.Cm.P2"]"#);
    assert_eq!(q["ui_locales"], "cy");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"], request.pending.pkce_verifier.as_ref().unwrap().challenge());
    let claims: serde_json::Value = serde_json::from_str(&q["claims"]).unwrap();
    assert_eq!(
        claims,
        json!({"userinfo": {
            "https://vocab.account.gov.uk/v1/coreIdentityJWT": null,
            "https://vocab.account.gov.uk/v1/address": null,
            "https://vocab.account.gov.uk/v1/returnCode": null,
        }})
    );
}

#[test]
fn pkce_challenge_matches_rfc7636_appendix_b() {
    let verifier = gaap_identity::PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(verifier.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

#[test]
fn callback_errors_are_typed_outcomes() {
    let request = AuthorizeRequest::new()
        .build("https://op.example/authorize", CLIENT_ID, "https://rp.example/cb")
        .unwrap();
    let state = request.pending.state.expose_secret().to_owned();
    let outcome = request
        .pending
        .callback(&format!("error=access_denied&error_description=Access+denied&state={state}"))
        .unwrap();
    assert!(
        matches!(outcome, CallbackOutcome::AccessDenied { description: Some(d) } if d == "Access denied")
    );
    let outcome =
        request.pending.callback(&format!("?error=temporarily_unavailable&state={state}")).unwrap();
    assert!(matches!(
        outcome,
        CallbackOutcome::Error { error: AuthorizeErrorCode::TemporarilyUnavailable, .. }
    ));
    let outcome = request.pending.callback(&format!("error=brand_new&state={state}")).unwrap();
    assert!(
        matches!(outcome, CallbackOutcome::Error { error: AuthorizeErrorCode::Unknown(e), .. } if e == "brand_new")
    );
}

#[test]
fn secrets_are_redacted_in_debug() {
    let key = ClientKey::from_pem(RP_KEY_PEM).unwrap().with_kid("rp-key-1");
    let shown = format!("{key:?}");
    assert!(shown.contains("rp-key-1") && shown.contains("redacted"));
    assert!(!shown.contains("MII"));
    let request = AuthorizeRequest::new()
        .pkce(true)
        .build("https://op.example/a", CLIENT_ID, "https://rp.example/cb")
        .unwrap();
    let shown = format!("{:?}", request.pending);
    assert!(!shown.contains(request.pending.state.expose_secret()));
    assert!(!shown.contains(request.pending.nonce.expose_secret()));
    assert!(!shown.contains(request.pending.pkce_verifier.as_ref().unwrap().expose_secret()));
    let token = gaap_identity::AccessToken::new("SlAV32hkKG");
    assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
    assert!(!format!("{:?}", gaap_identity::IdToken::new("eyJ.secret.x")).contains("secret"));
    assert_eq!(
        format!("{:?}", gaap_identity::ClientAssertion::new("eyJ.a.b")),
        "ClientAssertion([redacted])"
    );
}

#[test]
fn client_key_refuses_ec_and_es256() {
    let ec = gaap_jose::SigningKey::generate_es256().unwrap();
    drop(ec);
    let key = ClientKey::from_pem(RP_KEY_PEM).unwrap();
    assert!(key.clone().with_algorithm(gaap_jose::Algorithm::ES256).is_err());
    assert_eq!(
        key.with_algorithm(gaap_jose::Algorithm::PS256).unwrap().algorithm(),
        gaap_jose::Algorithm::PS256
    );
    assert!(
        ClientKey::from_pem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----")
            .is_err()
    );
}

#[tokio::test]
async fn ps256_client_assertion_verifies() {
    let op = Op::start().await;
    let client = Client::builder(op.issuer(), CLIENT_ID)
        .signing_key(
            ClientKey::from_pem(RP_KEY_PEM)
                .unwrap()
                .with_algorithm(gaap_jose::Algorithm::PS256)
                .unwrap(),
        )
        .insecure_allow_http_loopback(true)
        .clock(std::sync::Arc::new(op.clock))
        .build()
        .unwrap();
    let assertion =
        client.client_assertion("https://oidc.integration.account.gov.uk/token").unwrap();
    let public = ClientKey::from_pem(RP_KEY_PEM)
        .unwrap()
        .with_algorithm(gaap_jose::Algorithm::PS256)
        .unwrap();
    let jwks = gaap_jose::JwkSet::new(vec![public.public_jwk().unwrap()]);
    let verified = gaap_jose::verify_with_jwks(
        assertion.expose_secret(),
        &jwks,
        &[gaap_jose::Algorithm::PS256],
    )
    .unwrap();
    let claims: serde_json::Value = verified.claims().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 300);
}

#[tokio::test]
async fn an_absurd_max_age_neither_panics_nor_pins_keys_forever() {
    let op = Op::start().await;
    op.mount_discovery().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(jwks_json(&[&op.key]))
                .insert_header("cache-control", "max-age=18446744073709551615"),
        )
        .expect(2)
        .mount(&op.server)
        .await;
    let client = op.client();
    let token = op.key.sign(&with(id_claims(&op.issuer()), "exp", json!(NOW + 90_000)));
    client.verify_id_token(&token, NONCE, &Vtr::default()).await.unwrap();
    // Capped at a day: the next check after a day fetches again.
    op.clock.advance(Duration::from_secs(86_401));
    let token = op.key.sign(&with(
        with(id_claims(&op.issuer()), "iat", json!(NOW + 86_401)),
        "exp",
        json!(NOW + 90_000),
    ));
    client.verify_id_token(&token, NONCE, &Vtr::default()).await.unwrap();
}
