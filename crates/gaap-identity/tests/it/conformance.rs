//! The OpenID Foundation RP conformance cases that apply to a One Login relying party.
//!
//! Names follow rohe/oidctest (`test_tool/cp/test_rplib/rp/flows/*.json`, `rp-*`) with the current
//! openid-certification/conformance-suite name (`src/main/java/net/openid/conformance/openid/client/**`,
//! `oidcc-client-test-*`) in each doc comment. Not applicable to One Login (code flow only, no implicit or
//! hybrid): c_hash, refresh tokens, request_uri, webfinger, dynamic registration, form_post,
//! aggregated claims, signed/encrypted userinfo, session iframe, front-channel logout, mTLS.

use gaap_identity::rules::{Expectations, verify_id_token, verify_logout_token};
use gaap_identity::{
    AuthorizeRequest, CallbackOutcome, Error, JwkSet, Scope, TokenError, TokenKind, Vtr,
    end_session_url,
};
use gaap_jose::{Algorithm, Header, SigningKey};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::*;

fn expect() -> Expectations {
    Expectations::new(ISSUER, CLIENT_ID)
}

fn check(token: &str, keys: &JwkSet) -> Result<gaap_identity::IdTokenClaims, TokenError> {
    verify_id_token(token, keys, &expect(), NONCE, &Vtr::default(), NOW)
}

fn es() -> OpKey {
    OpKey::es256("b9162667-e025-4d93-8c5b-e538e6c792ac")
}

/// `oidcc-client-test-nonce-invalid`: an ID token whose nonce is not the one sent.
#[test]
fn rp_nonce_invalid() {
    let key = es();
    let token = key.sign(&with(id_claims(ISSUER), "nonce", json!("another-nonce")));
    assert_eq!(check(&token, &jwks(&[&key])), Err(TokenError::NonceMismatch));
    let token = key.sign(&without(id_claims(ISSUER), "nonce"));
    assert_eq!(check(&token, &jwks(&[&key])), Err(TokenError::MissingClaim("nonce")));
}

/// `oidcc-client-test-nonce-unless-code-flow`: One Login needs `nonce` (and `state`) on every request.
#[test]
fn rp_nonce_unless_code_flow_always_sends_nonce_and_state() {
    let a = AuthorizeRequest::new()
        .build("https://op.example/authorize", CLIENT_ID, "https://rp.example/cb")
        .unwrap();
    let b = AuthorizeRequest::new()
        .build("https://op.example/authorize", CLIENT_ID, "https://rp.example/cb")
        .unwrap();
    let query: std::collections::HashMap<_, _> = a.url.query_pairs().into_owned().collect();
    assert_eq!(query["nonce"], a.pending.nonce.expose_secret());
    assert_eq!(query["state"], a.pending.state.expose_secret());
    assert!(a.pending.nonce.expose_secret().len() >= 43, "256 bits of entropy, base64url");
    assert_ne!(a.pending.nonce.expose_secret(), b.pending.nonce.expose_secret());
    assert_ne!(a.pending.state.expose_secret(), b.pending.state.expose_secret());
}

/// `oidcc-client-test-invalid-iss` (rp-id_token-issuer-mismatch).
#[test]
fn rp_id_token_issuer_mismatch() {
    let key = es();
    let token = key.sign(&id_claims("https://oidc.account.gov.uk/"));
    assert!(matches!(check(&token, &jwks(&[&key])), Err(TokenError::WrongIssuer { .. })));
    // No trailing slash is a different issuer too: the comparison is exact.
    let token = key.sign(&id_claims("https://oidc.integration.account.gov.uk"));
    assert_eq!(check(&token, &jwks(&[&key])).unwrap_err().kind(), "wrong_issuer");
}

/// `oidcc-client-test-invalid-aud` (rp-id_token-aud).
#[test]
fn rp_id_token_aud_invalid() {
    let key = es();
    let token = key.sign(&with(id_claims(ISSUER), "aud", json!("another-client")));
    assert_eq!(check(&token, &jwks(&[&key])).unwrap_err().kind(), "wrong_audience");
    // Several audiences need azp = our client id.
    let token = key.sign(&with(id_claims(ISSUER), "aud", json!([CLIENT_ID, "another-client"])));
    assert_eq!(check(&token, &jwks(&[&key])).unwrap_err().kind(), "wrong_audience");
    let claims = with(
        with(id_claims(ISSUER), "aud", json!([CLIENT_ID, "another-client"])),
        "azp",
        json!(CLIENT_ID),
    );
    assert_eq!(check(&key.sign(&claims), &jwks(&[&key])).unwrap().aud.len(), 2);
}

/// `oidcc-client-test-missing-aud` (rp-id_token-aud).
#[test]
fn rp_id_token_aud_missing() {
    let key = es();
    let token = key.sign(&without(id_claims(ISSUER), "aud"));
    assert_eq!(check(&token, &jwks(&[&key])).unwrap_err().kind(), "wrong_audience");
}

/// `oidcc-client-test-missing-iat` (rp-id_token-iat).
#[test]
fn rp_id_token_iat_missing() {
    let key = es();
    let token = key.sign(&without(id_claims(ISSUER), "iat"));
    assert_eq!(check(&token, &jwks(&[&key])), Err(TokenError::MissingClaim("iat")));
}

/// `oidcc-client-test-missing-sub` (rp-id_token-sub).
#[test]
fn rp_id_token_sub_missing() {
    let key = es();
    let token = key.sign(&without(id_claims(ISSUER), "sub"));
    assert_eq!(check(&token, &jwks(&[&key])), Err(TokenError::MissingClaim("sub")));
}

/// `oidcc-client-test-invalid-sig-rs256` (rp-id_token-bad-sig-rs256), for an RS256-registered client.
#[test]
fn rp_id_token_bad_sig_rs256() {
    let key = OpKey::rs256("7334b718-3f29-44ef-8b65-e266a17daea5");
    let token = bad_signature(&key.sign(&id_claims(ISSUER)));
    let result = verify_id_token(
        &token,
        &jwks(&[&key]),
        &expect().with_alg(Algorithm::RS256),
        NONCE,
        &Vtr::default(),
        NOW,
    );
    assert_eq!(result, Err(TokenError::BadSignature));
    // A real signature by another RSA key fails the same way.
    let other = SigningKey::from_pkcs8_pem(RP_KEY_PEM).unwrap();
    let forged = gaap_jose::sign_json(
        &Header::new(Algorithm::RS256).with_kid(&key.kid),
        &id_claims(ISSUER),
        &other,
    )
    .unwrap();
    let result = verify_id_token(
        &forged,
        &jwks(&[&key]),
        &expect().with_alg(Algorithm::RS256),
        NONCE,
        &Vtr::default(),
        NOW,
    );
    assert_eq!(result, Err(TokenError::BadSignature));
}

/// `oidcc-client-test-invalid-sig-es256` (rp-id_token-bad-sig-es256); also the simulator's INVALID_SIGNATURE.
#[test]
fn rp_id_token_bad_sig_es256() {
    let key = es();
    let token = bad_signature(&key.sign(&id_claims(ISSUER)));
    assert_eq!(check(&token, &jwks(&[&key])), Err(TokenError::BadSignature));
    let impostor = OpKey::es256(&key.kid);
    assert_eq!(
        check(&impostor.sign(&id_claims(ISSUER)), &jwks(&[&key])),
        Err(TokenError::BadSignature)
    );
}

/// `oidcc-client-test-invalid-sig-hs256` (rp-id_token-bad-sig-hs256): an HMAC token, even one keyed with
/// the public key bytes (key confusion), is refused by the pinned algorithm before any key is used.
#[test]
fn rp_id_token_bad_sig_hs256() {
    let key = es();
    let secret = serde_json::to_vec(&key.jwk()).unwrap();
    let token = gaap_jose::sign_json(
        &Header::new(Algorithm::HS256).with_kid(&key.kid),
        &id_claims(ISSUER),
        &SigningKey::hmac(secret),
    )
    .unwrap();
    let err = check(&token, &jwks(&[&key])).unwrap_err();
    assert_eq!(err.kind(), "unsupported_algorithm");
}

/// `oidcc-client-test-idtoken-sig-rs256`: a valid RS256 ID token is accepted when RS256 is registered.
#[test]
fn rp_id_token_sig_rs256() {
    let key = OpKey::rs256("7334b718-3f29-44ef-8b65-e266a17daea5");
    let token = key.sign(&id_claims(ISSUER));
    let claims = verify_id_token(
        &token,
        &jwks(&[&key]),
        &expect().with_alg(Algorithm::RS256),
        NONCE,
        &Vtr::default(),
        NOW,
    )
    .unwrap();
    assert_eq!(claims.sub, SUB);
    // The same token is refused by a client pinned to ES256 (One Login's default).
    assert_eq!(check(&token, &jwks(&[&key])).unwrap_err().kind(), "unsupported_algorithm");
}

/// rp-id_token-sig-es256: a valid ES256 ID token is accepted, claims typed.
#[test]
fn rp_id_token_sig_es256() {
    let key = es();
    let claims = check(&key.sign(&id_claims(ISSUER)), &jwks(&[&key])).unwrap();
    assert_eq!(claims.sub, SUB);
    assert_eq!(claims.vot, "Cl.Cm");
    assert_eq!(claims.sid.as_deref(), Some("50a9041b5d57cb53632a0e9259864b71"));
    assert_eq!(claims.aud, vec![CLIENT_ID.to_owned()]);
}

/// `oidcc-client-test-idtoken-sig-none`: the suite allows either; a One Login RP must refuse.
#[test]
fn rp_id_token_sig_none() {
    let key = es();
    let payload = gaap_jose::base64url::encode(id_claims(ISSUER).to_string());
    for header in
        [json!({"alg": "none"}), json!({"alg": "None", "kid": key.kid}), json!({"alg": "NONE"})]
    {
        let token = format!("{}.{payload}.", gaap_jose::base64url::encode(header.to_string()));
        assert_eq!(
            check(&token, &jwks(&[&key])).unwrap_err().kind(),
            "unsupported_algorithm",
            "{header}"
        );
    }
}

/// `oidcc-client-test-kid-absent-single-jwks`: no `kid` and one key: accepted.
#[test]
fn rp_id_token_kid_absent_single_jwks() {
    let key = es();
    let token = key.sign_without_kid(&id_claims(ISSUER));
    assert_eq!(check(&token, &jwks(&[&key])).unwrap().sub, SUB);
}

/// `oidcc-client-test-kid-absent-multiple-jwks`: no `kid` and several fitting keys: refused (no guessing).
#[test]
fn rp_id_token_kid_absent_multiple_jwks() {
    let key = es();
    let other = OpKey::es256("305e00b4-rotated");
    let token = key.sign_without_kid(&id_claims(ISSUER));
    assert_eq!(check(&token, &jwks(&[&key, &other])), Err(TokenError::UnknownKey { kid: None }));
}

/// rp-id_token-kid: a `kid` not in the JWKS is refused (no fallback to other keys).
#[test]
fn rp_id_token_unknown_kid() {
    let key = es();
    let token = OpKey::es256("60c01993-94cd-4d32-a4da-2a44dba7e45b").sign(&id_claims(ISSUER));
    assert_eq!(check(&token, &jwks(&[&key])).unwrap_err().kind(), "unknown_key");
}

/// `oidcc-client-test` (rp-response_type-code): authorize → token → userinfo completes.
#[tokio::test]
async fn rp_response_type_code() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let request = client.authorize(&AuthorizeRequest::new().scope(Scope::Email)).await.unwrap();
    assert!(
        request
            .url
            .as_str()
            .starts_with(&format!("{}/authorize?response_type=code&", op.server.uri()))
    );
    let mut claims = id_claims(&op.issuer());
    claims["nonce"] = json!(request.pending.nonce.expose_secret());
    mount_token(&op, &op.key.sign(&claims)).await;
    mount_userinfo(&op, json!({"sub": SUB, "email": "test@example.com", "email_verified": true}))
        .await;

    let query =
        format!("code=SplxlOBeZQQYbYS6WxSbIA&state={}", request.pending.state.expose_secret());
    let CallbackOutcome::Code(code) = request.pending.callback(&query).unwrap() else {
        panic!("expected a code")
    };
    let tokens = client.exchange_code(&request.pending, code).await.unwrap();
    assert_eq!(tokens.claims.sub, SUB);
    let info = client.userinfo(&tokens).await.unwrap();
    assert_eq!(info.email.as_deref(), Some("test@example.com"));
}

pub async fn mount_token(op: &Op, id_token: &str) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "SlAV32hkKG",
            "token_type": "Bearer",
            "expires_in": 180,
            "id_token": id_token,
        })))
        .mount(&op.server)
        .await;
}

pub async fn mount_userinfo(op: &Op, body: Value) {
    Mock::given(method("GET"))
        .and(path("/userinfo"))
        .and(header("authorization", "Bearer SlAV32hkKG"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&op.server)
        .await;
}

async fn tokens_for(op: &Op) -> gaap_identity::Tokens {
    let client = op.client();
    let request = client.authorize(&AuthorizeRequest::new()).await.unwrap();
    let mut claims = id_claims(&op.issuer());
    claims["nonce"] = json!(request.pending.nonce.expose_secret());
    mount_token(op, &op.key.sign(&claims)).await;
    client
        .exchange_code(&request.pending, gaap_identity::AuthorizationCode::new("code"))
        .await
        .unwrap()
}

/// `oidcc-client-test-userinfo-invalid-sub` (rp-userinfo-bad-sub-claim).
#[tokio::test]
async fn rp_userinfo_bad_sub_claim() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let tokens = tokens_for(&op).await;
    mount_userinfo(&op, json!({"sub": "urn:fdc:gov.uk:2022:someone-else"})).await;
    let err = op.client().userinfo(&tokens).await.unwrap_err();
    assert!(matches!(
        err,
        Error::Token { token: TokenKind::UserInfo, source: TokenError::WrongSubject { .. } }
    ));
}

/// `oidcc-client-test-userinfo-bearer-header`: the access token goes in the header, never the query.
#[tokio::test]
async fn rp_userinfo_bearer_header() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let tokens = tokens_for(&op).await;
    mount_userinfo(&op, json!({"sub": SUB})).await;
    op.client().userinfo(&tokens).await.unwrap();
    let requests = op.server.received_requests().await.unwrap();
    let userinfo = requests.iter().find(|r| r.url.path() == "/userinfo").unwrap();
    assert_eq!(userinfo.headers.get("authorization").unwrap(), "Bearer SlAV32hkKG");
    assert!(userinfo.url.query().is_none());
    assert!(userinfo.headers.get("user-agent").is_some_and(|ua| !ua.is_empty()));
}

/// `oidcc-client-test-scope-userinfo-claims`: claims asked by scope come back from userinfo, typed.
#[tokio::test]
async fn rp_scope_userinfo_claims() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let request = op
        .client()
        .authorize(&AuthorizeRequest::new().scope(Scope::Email).scope(Scope::Phone))
        .await
        .unwrap();
    let query: std::collections::HashMap<_, _> = request.url.query_pairs().into_owned().collect();
    assert_eq!(query["scope"], "openid email phone");
    let tokens = tokens_for(&op).await;
    mount_userinfo(
        &op,
        json!({"sub": SUB, "email": "test@example.com", "email_verified": true,
               "phone_number": "+447123456789", "phone_number_verified": true}),
    )
    .await;
    let info = op.client().userinfo(&tokens).await.unwrap();
    assert_eq!(info.phone_number.as_deref(), Some("+447123456789"));
    assert_eq!(info.email_verified, Some(true));
}

/// `oidcc-client-test-discovery-openid-config` and `-jwks-uri-keys`: endpoints and keys come from discovery.
#[tokio::test]
async fn rp_discovery_openid_config_and_jwks_uri_keys() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let meta = client.metadata().await.unwrap();
    assert_eq!(meta.token_endpoint, format!("{}/token", op.server.uri()));
    let claims = client.verify_id_token(&op.id_token(), NONCE, &Vtr::default()).await.unwrap();
    assert_eq!(claims.sub, SUB);
}

/// `oidcc-client-test-discovery-issuer-mismatch`: the discovered issuer must equal the configured one.
#[tokio::test]
async fn rp_discovery_issuer_mismatch() {
    let op = Op::start().await;
    let mut meta = op.metadata();
    meta["issuer"] = json!("https://oidc.account.gov.uk/");
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(meta))
        .mount(&op.server)
        .await;
    assert!(matches!(op.client().metadata().await, Err(Error::Metadata(_))));
}

/// `oidcc-client-test-signing-key-rotation` (rp-key-rotation-op-sign-key): an unknown `kid` causes one
/// JWKS refetch, which finds the new key.
#[tokio::test]
async fn rp_key_rotation_op_sign_key() {
    let op = Op::start().await;
    op.mount_discovery().await;
    let client = op.client();
    // Warm the cache with the old key only.
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(jwks_json(&[&op.key]))
                .insert_header("cache-control", "max-age=3600"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&op.server)
        .await;
    client.verify_id_token(&op.id_token(), NONCE, &Vtr::default()).await.unwrap();
    // The OP rotates: the new key is published and used.
    let new_key = OpKey::es256("305e00b4-0b3a-4b7c-9d0e-rotated");
    op.mount_jwks(&[&op.key, &new_key], 3600, 1).await;
    let token = new_key.sign(&id_claims(&op.issuer()));
    assert_eq!(client.verify_id_token(&token, NONCE, &Vtr::default()).await.unwrap().sub, SUB);
}

/// `oidcc-client-test-signing-key-rotation-just-before-signing` (rp-key-rotation-op-sign-key-native): the
/// refetch on an unknown `kid` is rate-limited: a second unknown `kid` within the cooldown fetches nothing.
#[tokio::test]
async fn rp_key_rotation_just_before_signing_refetch_is_rate_limited() {
    let op = Op::start().await;
    op.mount_discovery().await;
    // One initial fetch plus exactly one refetch; the third unknown kid must not fetch again.
    op.mount_jwks(&[&op.key], 3600, 2).await;
    let client = op.client();
    client.verify_id_token(&op.id_token(), NONCE, &Vtr::default()).await.unwrap();
    let stranger = OpKey::es256("unknown-1");
    let err = client
        .verify_id_token(&stranger.sign(&id_claims(&op.issuer())), NONCE, &Vtr::default())
        .await;
    assert_eq!(err.unwrap_err().token_error().unwrap().kind(), "unknown_key");
    let err = client
        .verify_id_token(
            &OpKey::es256("unknown-2").sign(&id_claims(&op.issuer())),
            NONCE,
            &Vtr::default(),
        )
        .await;
    assert_eq!(err.unwrap_err().token_error().unwrap().kind(), "unknown_key");
    // After the cooldown another refetch is allowed (wiremock counts: see the next test for > 2).
}

/// (old) rp-token_endpoint-private_key_jwt: the token request authenticates with a signed assertion.
#[tokio::test]
async fn rp_token_endpoint_private_key_jwt() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let request = client.authorize(&AuthorizeRequest::new().pkce(true)).await.unwrap();
    let mut claims = id_claims(&op.issuer());
    claims["nonce"] = json!(request.pending.nonce.expose_secret());
    mount_token(&op, &op.key.sign(&claims)).await;
    client
        .exchange_code(&request.pending, gaap_identity::AuthorizationCode::new("abc"))
        .await
        .unwrap();

    let requests = op.server.received_requests().await.unwrap();
    let token_call = requests.iter().find(|r| r.url.path() == "/token").unwrap();
    assert_eq!(
        token_call.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&token_call.body).into_owned().collect();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "abc");
    assert_eq!(form["redirect_uri"], "http://localhost:8080/oidc/authorization-code/callback");
    assert_eq!(
        form["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert_eq!(
        form["code_verifier"],
        request.pending.pkce_verifier.as_ref().unwrap().expose_secret()
    );
    assert!(!form.contains_key("client_secret"));

    let rp_key = gaap_identity::ClientKey::from_pem(RP_KEY_PEM).unwrap().with_kid("rp-key-1");
    let rp_jwks = JwkSet::new(vec![rp_key.public_jwk().unwrap()]);
    let verified =
        gaap_jose::verify_with_jwks(&form["client_assertion"], &rp_jwks, &[Algorithm::RS256])
            .unwrap();
    assert_eq!(verified.header.kid.as_deref(), Some("rp-key-1"));
    let assertion: Value = verified.claims().unwrap();
    let token_endpoint = format!("{}/token", op.server.uri());
    assert_eq!(assertion["iss"], CLIENT_ID);
    assert_eq!(assertion["sub"], CLIENT_ID);
    assert_eq!(assertion["aud"], token_endpoint);
    assert_eq!(assertion["iat"], NOW);
    assert!(assertion["exp"].as_i64().unwrap() <= NOW + 300);
    assert!(assertion["exp"].as_i64().unwrap() > NOW);
    let first_jti = assertion["jti"].as_str().unwrap().to_owned();
    let again: Value = gaap_jose::verify_with_jwks(
        client.client_assertion(&token_endpoint).unwrap().expose_secret(),
        &rp_jwks,
        &[Algorithm::RS256],
    )
    .unwrap()
    .claims()
    .unwrap();
    assert_ne!(again["jti"].as_str().unwrap(), first_jti, "jti must be unique");
}

/// `oidcc-client-test-rp-init-logout`: end-session with `id_token_hint`, redirect and `state`.
#[test]
fn rp_init_logout() {
    let hint = gaap_identity::IdToken::new("eyJhbGciOiJFUzI1NiJ9.e30.sig");
    let url = end_session_url(
        "https://oidc.integration.account.gov.uk/logout",
        &hint,
        Some("http://localhost:8080/signed-out"),
        Some("LS"),
    )
    .unwrap();
    assert_eq!(
        url.as_str(),
        "https://oidc.integration.account.gov.uk/logout?id_token_hint=eyJhbGciOiJFUzI1NiJ9.e30.sig&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fsigned-out&state=LS"
    );
}

/// `oidcc-client-test-rp-init-logout-no-state`: without `state` none is sent.
#[test]
fn rp_init_logout_no_state() {
    let hint = gaap_identity::IdToken::new("h");
    let url = end_session_url("https://oidc.integration.account.gov.uk/logout", &hint, None, None)
        .unwrap();
    assert_eq!(url.query(), Some("id_token_hint=h"));
}

/// `oidcc-client-test-rp-init-logout-other-state`: a foreign `state` coming back is not ours.
#[test]
fn rp_init_logout_other_state() {
    let request = AuthorizeRequest::new()
        .build("https://op.example/authorize", CLIENT_ID, "https://rp.example/cb")
        .unwrap();
    assert!(!request.pending.state.matches("some-other-state"));
    assert!(request.pending.state.matches(request.pending.state.expose_secret()));
    assert!(matches!(
        request.pending.callback("code=x&state=some-other-state"),
        Err(Error::State(_))
    ));
    assert!(matches!(request.pending.callback("code=x"), Err(Error::State(_))));
}

fn logout_claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": SUB,
        "aud": CLIENT_ID,
        "iat": NOW,
        "exp": NOW + 120,
        "jti": "7a1b6b4e-8f5f-4a43-9f1b-6e1e0d3c7a11",
        "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
    })
}

fn check_logout(
    token: &str,
    keys: &JwkSet,
) -> Result<gaap_identity::LogoutTokenClaims, TokenError> {
    verify_logout_token(token, keys, &expect(), NOW)
}

/// `oidcc-client-test-rp-backchannel-rpinitlogout`: a valid logout token is accepted.
#[test]
fn rp_backchannel_rpinitlogout() {
    let key = es();
    let claims = check_logout(&key.sign(&logout_claims()), &jwks(&[&key])).unwrap();
    assert_eq!(claims.sub, SUB);
    assert_eq!(claims.jti, "7a1b6b4e-8f5f-4a43-9f1b-6e1e0d3c7a11");
}

/// `…-backchannel-rpinitlogout-alg-none`.
#[test]
fn rp_backchannel_rpinitlogout_alg_none() {
    let key = es();
    let token = format!(
        "{}.{}.",
        gaap_jose::base64url::encode(json!({"alg": "none"}).to_string()),
        gaap_jose::base64url::encode(logout_claims().to_string())
    );
    assert_eq!(check_logout(&token, &jwks(&[&key])).unwrap_err().kind(), "unsupported_algorithm");
}

/// `…-backchannel-rpinitlogout-wrong-alg`: RS256 where ES256 is pinned.
#[test]
fn rp_backchannel_rpinitlogout_wrong_alg() {
    let es = es();
    let rs = OpKey::rs256("7334b718-3f29-44ef-8b65-e266a17daea5");
    let token = rs.sign(&logout_claims());
    assert_eq!(
        check_logout(&token, &jwks(&[&es, &rs])).unwrap_err().kind(),
        "unsupported_algorithm"
    );
}

/// `…-backchannel-rpinitlogout-wrong-aud`.
#[test]
fn rp_backchannel_rpinitlogout_wrong_aud() {
    let key = es();
    let token = key.sign(&with(logout_claims(), "aud", json!("another-client")));
    assert_eq!(check_logout(&token, &jwks(&[&key])).unwrap_err().kind(), "wrong_audience");
}

/// `…-backchannel-rpinitlogout-wrong-iss`.
#[test]
fn rp_backchannel_rpinitlogout_wrong_iss() {
    let key = es();
    let token = key.sign(&with(logout_claims(), "iss", json!("https://evil.example/")));
    assert_eq!(check_logout(&token, &jwks(&[&key])).unwrap_err().kind(), "wrong_issuer");
}

/// `…-backchannel-rpinitlogout-no-event`.
#[test]
fn rp_backchannel_rpinitlogout_no_event() {
    let key = es();
    let token = key.sign(&without(logout_claims(), "events"));
    assert_eq!(check_logout(&token, &jwks(&[&key])), Err(TokenError::MissingClaim("events")));
}

/// `…-backchannel-rpinitlogout-wrong-event`.
#[test]
fn rp_backchannel_rpinitlogout_wrong_event() {
    let key = es();
    for events in [
        json!({"http://schemas.openid.net/event/frontchannel-logout": {}}),
        json!({"http://schemas.openid.net/event/backchannel-logout": "yes"}),
        json!({"http://schemas.openid.net/event/backchannel-logout": {}, "urn:other": {}}),
        json!(["http://schemas.openid.net/event/backchannel-logout"]),
    ] {
        let token = key.sign(&with(logout_claims(), "events", events.clone()));
        assert_eq!(check_logout(&token, &jwks(&[&key])), Err(TokenError::InvalidEvent), "{events}");
    }
}

/// `…-backchannel-rpinitlogout-with-nonce`: a logout token must not carry a nonce.
#[test]
fn rp_backchannel_rpinitlogout_with_nonce() {
    let key = es();
    let token = key.sign(&with(logout_claims(), "nonce", json!(NONCE)));
    assert_eq!(check_logout(&token, &jwks(&[&key])), Err(TokenError::NoncePresent));
}

// The simulator's ID_TOKEN_ERRORS (govuk-one-login/simulator docs/configured-errors.md), each a distinct kind.

/// INVALID_ALG_HEADER: `{"alg":"HS256","kid":"60c01993-…"}`, alg confusion and an unknown kid together.
#[test]
fn sim_id_token_invalid_alg_header() {
    let key = es();
    let token = with_header(
        &key.sign(&id_claims(ISSUER)),
        &json!({"alg": "HS256", "kid": "60c01993-94cd-4d32-a4da-2a44dba7e45b"}),
    );
    assert_eq!(check(&token, &jwks(&[&key])).unwrap_err().kind(), "unsupported_algorithm");
}

/// TOKEN_EXPIRED: `exp` = now − 1 day; the leeway covers only small skew.
#[test]
fn sim_id_token_token_expired() {
    let key = es();
    let token = key.sign(&with(id_claims(ISSUER), "exp", json!(NOW - 86_400)));
    assert_eq!(
        check(&token, &jwks(&[&key])),
        Err(TokenError::Expired { exp: NOW - 86_400, now: NOW })
    );
    let edge = key.sign(&with(id_claims(ISSUER), "exp", json!(NOW - 29)));
    assert!(check(&edge, &jwks(&[&key])).is_ok(), "within the 30 s leeway");
    let past = key.sign(&with(id_claims(ISSUER), "exp", json!(NOW - 30)));
    assert_eq!(check(&past, &jwks(&[&key])).unwrap_err().kind(), "expired");
}

/// TOKEN_NOT_VALID_YET: `iat` = now + 1 day. openid-client and jsonwebtoken accept this; One Login says reject.
#[test]
fn sim_id_token_token_not_valid_yet() {
    let key = es();
    let token = key.sign(&with(id_claims(ISSUER), "iat", json!(NOW + 86_400)));
    assert_eq!(
        check(&token, &jwks(&[&key])),
        Err(TokenError::IssuedInFuture { iat: NOW + 86_400, now: NOW })
    );
    let edge = key.sign(&with(id_claims(ISSUER), "iat", json!(NOW + 30)));
    assert!(check(&edge, &jwks(&[&key])).is_ok(), "within the 30 s leeway");
    let beyond = key.sign(&with(id_claims(ISSUER), "iat", json!(NOW + 31)));
    assert_eq!(check(&beyond, &jwks(&[&key])).unwrap_err().kind(), "issued_in_future");
    // With no leeway even one second ahead is refused.
    let strict = expect().with_leeway(std::time::Duration::ZERO);
    let ahead = key.sign(&with(id_claims(ISSUER), "iat", json!(NOW + 1)));
    assert_eq!(
        verify_id_token(&ahead, &jwks(&[&key]), &strict, NONCE, &Vtr::default(), NOW)
            .unwrap_err()
            .kind(),
        "issued_in_future"
    );
}

/// INCORRECT_VOT: `Cl` ↔ `Cl.Cm` swapped; and `vtr=Cl.Cm.P2` expects `vot=Cl.Cm` (never a P level).
#[test]
fn sim_id_token_incorrect_vot() {
    let key = es();
    let token = key.sign(&with(id_claims(ISSUER), "vot", json!("Cl")));
    assert!(matches!(check(&token, &jwks(&[&key])), Err(TokenError::VotMismatch { .. })));
    let token = key.sign(&id_claims(ISSUER));
    assert!(verify_id_token(&token, &jwks(&[&key]), &expect(), NONCE, &p2(), NOW).is_ok());
    let token = key.sign(&with(id_claims(ISSUER), "vot", json!("Cl.Cm.P2")));
    assert_eq!(
        verify_id_token(&token, &jwks(&[&key]), &expect(), NONCE, &p2(), NOW).unwrap_err().kind(),
        "vot_mismatch"
    );
    let token = key.sign(&without(id_claims(ISSUER), "vot"));
    assert_eq!(check(&token, &jwks(&[&key])), Err(TokenError::MissingClaim("vot")));
}

/// A JWK pinned to another `alg` (RFC 8725 §3.1) does not verify.
#[test]
fn jwk_alg_must_match_header_alg() {
    let key = es();
    let mut jwk = key.jwk();
    jwk["alg"] = json!("RS256");
    let keys =
        gaap_identity::rules::parse_jwks(json!({ "keys": [jwk] }).to_string().as_bytes()).unwrap();
    assert_eq!(check(&key.sign(&id_claims(ISSUER)), &keys).unwrap_err().kind(), "unknown_key");
}

/// `oidcc-client-test-invalid-athash`: optional for the code flow, but checked when sent (fail closed).
#[tokio::test]
async fn rp_id_token_invalid_athash() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let request = client.authorize(&AuthorizeRequest::new()).await.unwrap();
    let mut claims = with(id_claims(&op.issuer()), "at_hash", json!("lRMIT6bpaCFl2GaUBjuQ0w"));
    claims["nonce"] = json!(request.pending.nonce.expose_secret());
    mount_token(&op, &op.key.sign(&claims)).await;
    let err = client
        .exchange_code(&request.pending, gaap_identity::AuthorizationCode::new("c"))
        .await
        .unwrap_err();
    assert_eq!(err.token_error(), Some(&TokenError::AtHashMismatch));
}

/// `oidcc-client-test-missing-athash`: allowed in the code flow.
#[tokio::test]
async fn rp_id_token_missing_athash() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let request = client.authorize(&AuthorizeRequest::new()).await.unwrap();
    let mut claims = without(id_claims(&op.issuer()), "at_hash");
    claims["nonce"] = json!(request.pending.nonce.expose_secret());
    mount_token(&op, &op.key.sign(&claims)).await;
    let tokens = client
        .exchange_code(&request.pending, gaap_identity::AuthorizationCode::new("c"))
        .await
        .unwrap();
    assert!(!tokens.claims.raw.contains_key("at_hash"));
}

/// The at_hash of RFC-style access token "SlAV32hkKG" (the id_claims fixture) is accepted, other tokens not.
#[test]
fn at_hash_is_the_left_half_of_sha256() {
    let key = es();
    let claims = check(&key.sign(&id_claims(ISSUER)), &jwks(&[&key])).unwrap();
    assert!(gaap_identity::rules::check_at_hash(&claims, "SlAV32hkKG", Algorithm::ES256).is_ok());
    assert_eq!(
        gaap_identity::rules::check_at_hash(&claims, "another-token", Algorithm::ES256),
        Err(TokenError::AtHashMismatch)
    );
}
