//! gaap-sandbox: Notify sends per second on loopback and their latency.
//! Run: `cargo bench --bench sandbox`.
//!
//! Two measurements: a criterion bench of one `POST /v2/notifications/sms` round trip (one client, keep-alive),
//! then a load phase: 8 concurrent clients (GAAP_BENCH_CLIENTS) on one keep-alive pool send for 5 s against an in-process sandbox
//! (rate and daily limits off, test key), printing sends/s and p50/p99/max latency. Client and server share the
//! machine's cores, so the figure is a floor for the server alone.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use criterion::Criterion;
use gaap_sandbox::{
    Config, DailyLimits, KeyType, NotifyConfig, Sandbox, SandboxHandle, default_template_ids,
};

fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The bearer token the official clients build: HS256, iss = service id, iat = now.
fn jwt(api_key: &str) -> String {
    let (sid, secret) =
        (&api_key[api_key.len() - 73..api_key.len() - 37], &api_key[api_key.len() - 36..]);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let input = format!(
        "{}.{}",
        b64(r#"{"typ":"JWT","alg":"HS256"}"#),
        b64(format!(r#"{{"iss":"{sid}","iat":{now}}}"#))
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    format!("{input}.{}", b64(ring::hmac::sign(&key, input.as_bytes()).as_ref()))
}

async fn sandbox() -> SandboxHandle {
    let notify = NotifyConfig {
        rate_limit_per_minute: 0,
        daily_limits: DailyLimits {
            email: u64::MAX,
            sms: u64::MAX,
            international_sms: u64::MAX,
            letter: u64::MAX,
        },
        ..NotifyConfig::default()
    };
    Sandbox::start(Config { notify, ..Config::default() }.without_background()).await.unwrap()
}

const BODY: &str = r#"{"phone_number":"07700900123","template_id":"f33517ff-2a88-4f6e-b855-c550268ce08a","personalisation":{"code":"123456"}}"#;

async fn send(http: &reqwest::Client, url: &str, token: &str) {
    let r = http
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let _ = r.bytes().await.unwrap();
}

fn round_trip(c: &mut Criterion) {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let h = rt.block_on(sandbox());
    let url = format!("{}/v2/notifications/sms", h.credentials().notify.base_url);
    let key = h.notify_api_key(KeyType::Test);
    let http = reqwest::Client::new();
    assert_eq!(default_template_ids::SMS.to_string(), "f33517ff-2a88-4f6e-b855-c550268ce08a");
    c.bench_function("sandbox/notify send_sms round trip", |b| {
        b.iter(|| rt.block_on(send(&http, &url, &jwt(&key))));
    });
    rt.block_on(h.shutdown());
}

fn load() {
    // GAAP_BENCH_CLIENTS overrides the number of concurrent clients.
    let clients: usize =
        std::env::var("GAAP_BENCH_CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(8);
    const RUN: Duration = Duration::from_secs(5);
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let h = sandbox().await;
        let url = Arc::new(format!("{}/v2/notifications/sms", h.credentials().notify.base_url));
        let key = h.notify_api_key(KeyType::Test);
        let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
        // Warm up the connection pool.
        let token = jwt(&key);
        for _ in 0..clients {
            send(&http, &url, &token).await;
        }
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (http, url, key) = (http.clone(), url.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(8192);
                let (mut token, mut minted) = (jwt(&key), Instant::now());
                while start.elapsed() < RUN {
                    if minted.elapsed() > Duration::from_secs(5) {
                        (token, minted) = (jwt(&key), Instant::now());
                    }
                    let t = Instant::now();
                    send(&http, &url, &token).await;
                    latencies.push(t.elapsed());
                }
                latencies
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let elapsed = start.elapsed().as_secs_f64();
        all.sort_unstable();
        let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
        println!(
            "sandbox/notify load: {clients} clients, {} sends in {elapsed:.2} s = {:.0} sends/s; p50 {:?}, p99 {:?}, max {:?}",
            all.len(),
            all.len() as f64 / elapsed,
            pct(0.50),
            pct(0.99),
            all[all.len() - 1]
        );
        h.shutdown().await;
    });
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    round_trip(&mut c);
    c.final_summary();
    load();
}
