//! Retries through gaap-http's client core: the idempotent GETs by the policy, the code exchange never; waits
//! through a recording sleeper, so nothing sleeps.

use std::sync::Arc;

use gaap_http::RecordingSleeper;
use gaap_identity::{AuthorizationCode, AuthorizeRequest, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::*;

async fn mount_503_once(op: &Op, verb: &str, at: &str) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&op.server)
        .await;
}

fn retrying(op: &Op, attempts: u32) -> (gaap_identity::Client, RecordingSleeper) {
    let sleeper = RecordingSleeper::new();
    let client = op
        .builder()
        .retry_policy(RetryPolicy::immediate(attempts))
        .sleeper(Arc::new(sleeper.clone()))
        .build()
        .unwrap();
    (client, sleeper)
}

#[tokio::test]
async fn discovery_jwks_and_userinfo_are_retried_by_the_policy() {
    let op = Op::start().await;
    mount_503_once(&op, "GET", "/.well-known/openid-configuration").await;
    op.mount_discovery().await;
    mount_503_once(&op, "GET", "/.well-known/jwks.json").await;
    op.mount_jwks(&[&op.key], 300, 1).await;
    let (client, sleeper) = retrying(&op, 3);
    let request = client.authorize(&AuthorizeRequest::new()).await.unwrap();
    let mut claims = id_claims(&op.issuer());
    claims["nonce"] = json!(request.pending.nonce.expose_secret());
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "SlAV32hkKG", "token_type": "Bearer", "id_token": op.key.sign(&claims),
        })))
        .expect(1)
        .mount(&op.server)
        .await;
    let tokens = client.exchange_code(&request.pending, AuthorizationCode::new("c")).await.unwrap();
    mount_503_once(&op, "GET", "/userinfo").await;
    Mock::given(method("GET"))
        .and(path("/userinfo"))
        .and(header("authorization", "Bearer SlAV32hkKG"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sub": SUB})))
        .expect(1)
        .mount(&op.server)
        .await;
    assert_eq!(client.userinfo(&tokens).await.unwrap().sub, SUB);
    assert_eq!(sleeper.waits().len(), 3, "one wait each for discovery, JWKS and userinfo");
}

#[tokio::test]
async fn the_code_exchange_is_never_resent() {
    let op = Op::start().await;
    op.mount_discovery().await;
    // A resent exchange would meet no mock (404) and a recorded wait.
    mount_503_once(&op, "POST", "/token").await;
    let (client, sleeper) = retrying(&op, 5);
    let request = client.authorize(&AuthorizeRequest::new()).await.unwrap();
    let err =
        client.exchange_code(&request.pending, AuthorizationCode::new("c")).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn without_a_policy_nothing_is_retried() {
    let op = Op::start().await;
    // A second fetch would meet no mock and answer 404.
    mount_503_once(&op, "GET", "/.well-known/openid-configuration").await;
    let err = op.client().metadata().await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
}
