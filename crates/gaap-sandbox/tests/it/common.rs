use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gaap_http::ManualClock;
use gaap_sandbox::{Config, Sandbox, SandboxHandle};

pub fn clock() -> ManualClock {
    ManualClock::new(time::macros::datetime!(2026-11-22 10:00 UTC))
}

pub async fn start(config: Config, clock: &ManualClock) -> SandboxHandle {
    Sandbox::start(config.with_clock(Arc::new(clock.clone())).without_background()).await.unwrap()
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A Notify bearer token for `api_key` at `iat` (what the official clients build).
pub fn notify_jwt(api_key: &str, iat: i64) -> String {
    let service_id = &api_key[api_key.len() - 73..api_key.len() - 37];
    let secret = &api_key[api_key.len() - 36..];
    let input = format!(
        "{}.{}",
        b64(r#"{"typ":"JWT","alg":"HS256"}"#),
        b64(serde_json::json!({"iss": service_id, "iat": iat}).to_string())
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    format!("{input}.{}", b64(ring::hmac::sign(&key, input.as_bytes()).as_ref()))
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// GET a URL and read its JSON body.
pub async fn get_json(url: &str) -> serde_json::Value {
    http().get(url).send().await.unwrap().json().await.unwrap()
}
