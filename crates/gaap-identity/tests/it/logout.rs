//! Back-channel logout through the client: JWKS from discovery and `jti` replay protection
//! (SESS: "jti not seen in the last 3 min").

use std::time::Duration;

use gaap_identity::{JtiStore, MemoryJtiStore, TokenError};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::support::*;

fn logout_claims(issuer: &str, jti: &str) -> Value {
    json!({
        "iss": issuer, "sub": SUB, "aud": CLIENT_ID, "iat": NOW, "exp": NOW + 120, "jti": jti,
        "sid": "50a9041b5d57cb53632a0e9259864b71",
        "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
    })
}

#[tokio::test]
async fn rp_backchannel_logout_replayed_jti_is_rejected() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let token = op.key.sign(&logout_claims(&op.issuer(), "jti-1"));
    let claims = client.verify_logout_token(&token).await.unwrap();
    assert_eq!(claims.sid.as_deref(), Some("50a9041b5d57cb53632a0e9259864b71"));
    let err = client.verify_logout_token(&token).await.unwrap_err();
    assert_eq!(err.token_error(), Some(&TokenError::Replayed { jti: "jti-1".to_owned() }));
    // A clone shares the store.
    assert!(client.clone().verify_logout_token(&token).await.is_err());
    // Another jti is fine.
    client.verify_logout_token(&op.key.sign(&logout_claims(&op.issuer(), "jti-2"))).await.unwrap();
}

#[tokio::test]
async fn expired_logout_token_is_rejected() {
    let op = Op::start().await;
    op.mount_discovery().await;
    op.mount_jwks(&[&op.key], 3600, 1).await;
    let client = op.client();
    let token = op.key.sign(&logout_claims(&op.issuer(), "jti-3"));
    op.clock.advance(Duration::from_secs(120 + 31));
    assert_eq!(
        client.verify_logout_token(&token).await.unwrap_err().token_error().unwrap().kind(),
        "expired"
    );
}

#[test]
fn memory_store_forgets_after_the_window() {
    let store = MemoryJtiStore::new();
    let now = OffsetDateTime::from_unix_timestamp(NOW).unwrap();
    let until = now + Duration::from_secs(180);
    assert!(store.first_use("a", until, now));
    assert!(!store.first_use("a", until, now + Duration::from_secs(179)));
    assert!(store.first_use("a", until + Duration::from_secs(180), now + Duration::from_secs(181)));
}
