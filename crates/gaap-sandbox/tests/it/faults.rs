use gaap_sandbox::{Config, FaultConfig};
use serde_json::{Value, json};

use crate::common::{clock, http, start};

#[tokio::test]
async fn a_header_injects_429_in_the_services_own_envelope() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let r = http()
        .get(format!("{}/v2/templates", h.credentials().notify.base_url))
        .header("Sandbox-Fault", "429=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["error"], "RateLimitError");
    let r = http()
        .get(format!("{}/v1/payments", h.credentials().pay.base_url))
        .header("Sandbox-Fault", "429=1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"code": "P0900", "description": "Too many requests"})
    );
    let r = http()
        .get(format!("{}/v1/payments", h.credentials().pay.base_url))
        .header("Sandbox-Fault", "boom=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn reset_drops_the_connection() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let err = http()
        .get(format!("{}/.well-known/jwks.json", h.credentials().one_login.issuer))
        .header("Sandbox-Fault", "reset=1")
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status(), "{err}");
}

#[tokio::test]
async fn configured_5xx_applies_to_every_request() {
    let clock = clock();
    let config = Config {
        faults: FaultConfig { error_rate: 1.0, ..FaultConfig::default() },
        ..Config::default()
    };
    let h = start(config, &clock).await;
    let r = http()
        .get(format!("{}.well-known/openid-configuration", h.credentials().one_login.issuer))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["sandbox-fault-injected"], "true");
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "server_error");
}
