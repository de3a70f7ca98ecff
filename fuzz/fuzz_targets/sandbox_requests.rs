//! The sandbox's request parsing over HTTP: Notify's send and preview bodies, Pay's create-payment, refund and
//! agreement bodies and search queries, One Login's authorize query and token and sign-in forms. The sandbox
//! runs in-process on loopback with valid credentials, so bodies reach the validators; every input must get
//! an answer below 500.
//!
//! Input: one selector byte, then the body (or the query string, for the GET endpoints).
#![no_main]

#[path = "common/http.rs"]
mod http;

use std::net::SocketAddr;
use std::sync::LazyLock;

use gaap_sandbox::{
    Config, Credentials, NotifyConfig, PayConfig, Sandbox, SandboxHandle, default_template_ids,
};
use libfuzzer_sys::fuzz_target;

struct Target {
    notify: SocketAddr,
    pay: SocketAddr,
    one_login: SocketAddr,
    credentials: Credentials,
    /// Kept for the life of the process (so nothing the sandbox holds reads as a leak).
    _handle: SandboxHandle,
}

fn addr_of(base_url: &str) -> SocketAddr {
    let host = base_url.trim_start_matches("http://");
    let host = host.split('/').next().unwrap_or(host);
    host.parse().unwrap_or_else(|e| panic!("{base_url}: {e}"))
}

static SANDBOX: LazyLock<Target> = LazyLock::new(|| {
    http::runtime().block_on(async {
        let mut config = Config::default().without_background();
        // No rate or daily limit stops the fuzzer from reaching the validators.
        config.notify = NotifyConfig { rate_limit_per_minute: u32::MAX, ..config.notify };
        config.notify.daily_limits.email = u64::MAX;
        config.notify.daily_limits.sms = u64::MAX;
        config.notify.daily_limits.international_sms = u64::MAX;
        config.notify.daily_limits.letter = u64::MAX;
        config.pay = PayConfig {
            post_rate_limit_per_second: u32::MAX,
            get_rate_limit_per_second: u32::MAX,
            ..config.pay
        };
        let handle = Sandbox::start(config).await.unwrap_or_else(|e| panic!("sandbox: {e}"));
        let credentials = handle.credentials().clone();
        let target = Target {
            notify: addr_of(&credentials.notify.base_url),
            pay: addr_of(&credentials.pay.base_url),
            one_login: addr_of(&credentials.one_login.issuer),
            credentials,
            _handle: handle,
        };
        target
    })
});

fn notify_token(t: &Target) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let key = gaap_notify::ApiKey::parse(t.credentials.notify.api_key.expose())
        .unwrap_or_else(|e| panic!("notify key: {e}"));
    format!("Bearer {}", key.token(now).unwrap_or_else(|e| panic!("token: {e}")))
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let t = &*SANDBOX;
    let json = ("Content-Type", "application/json");
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let pay_auth = format!("Bearer {}", t.credentials.pay.api_key.expose());
    let pay_auth = ("Authorization", pay_auth.as_str());
    match which % 12 {
        0..=4 => {
            let auth = notify_token(t);
            let auth = ("Authorization", auth.as_str());
            let path = match which % 12 {
                0 => "/v2/notifications/sms".to_owned(),
                1 => "/v2/notifications/email".to_owned(),
                2 => "/v2/notifications/letter".to_owned(),
                3 => format!("/v2/template/{}/preview", default_template_ids::EMAIL),
                _ => "/_sandbox/received-text-messages".to_owned(),
            };
            http::send(t.notify, "POST", &path, &[auth, json], rest);
        }
        5 => {
            let auth = notify_token(t);
            let target = format!("/v2/notifications?{}", http::encode_query(rest));
            http::send(t.notify, "GET", &target, &[("Authorization", auth.as_str())], b"");
        }
        6 => {
            http::send(t.pay, "POST", "/v1/payments", &[pay_auth, json], rest);
        }
        7 => {
            http::send(t.pay, "POST", "/v1/agreements", &[pay_auth, json], rest);
        }
        8 => {
            let target = format!("/v1/payments?{}", http::encode_query(rest));
            http::send(t.pay, "GET", &target, &[pay_auth], b"");
        }
        9 => {
            let target = format!("/authorize?{}", http::encode_query(rest));
            http::send(t.one_login, "GET", &target, &[], b"");
        }
        10 => {
            http::send(t.one_login, "POST", "/token", &[form], rest);
        }
        _ => {
            http::send(t.one_login, "POST", "/authorize/sign-in", &[form], rest);
        }
    }
});
