//! What the One Login gateway adds to a signed-in request: `wrk` against a small upstream directly, then
//! through the gateway with a session cookie, on loopback. Prints p50 and p99 latency and requests a second
//! for both, and the differences.
//!
//! ```sh
//! cargo bench -p gaap-server --bench gateway_overhead            # needs wrk (Debian package wrk)
//! GAAP_BENCH_SECONDS=20 cargo bench -p gaap-server --bench gateway_overhead
//! # against the docs' PHP site instead of the built-in minimal upstream:
//! PHP_CLI_SERVER_WORKERS=2 php -S 127.0.0.1:9000 docs/gateway/php-site/index.php &
//! GAAP_BENCH_UPSTREAM=http://127.0.0.1:9000 cargo bench -p gaap-server --bench gateway_overhead
//! # with nginx proxy_pass to the same upstream for scale:
//! GAAP_BENCH_NGINX=/usr/sbin/nginx cargo bench -p gaap-server --bench gateway_overhead
//! ```
//!
//! Everything runs in this process (the upstream, gaap-sandbox's One Login and the gateway, on SQLite
//! sessions) except wrk; on a shared machine the figures move with the other load.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, missing_docs)]

use std::process::Command;

use gaap_sandbox::{ClientConfig, Config as SandboxConfig, OneLoginConfig, Sandbox};
use gaap_server::{Config, Logger, Server};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One wrk run: (p50 µs, p99 µs, requests/s).
fn wrk(url: &str, connections: u32, seconds: u64, cookie: Option<&str>) -> (f64, f64, f64) {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency"]);
    if let Some(c) = cookie {
        cmd.args(["-H", &format!("Cookie: {c}")]);
    }
    let out = cmd.arg(url).output().expect("cannot run wrk: install the Debian package wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && !text.contains("Non-2xx"), "wrk failed or saw errors:\n{text}");
    let micros = |v: &str| -> f64 {
        let (n, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
        let n: f64 = n.parse().unwrap();
        match unit {
            "us" => n,
            "ms" => n * 1e3,
            "s" => n * 1e6,
            other => panic!("unit {other}"),
        }
    };
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {text}"))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned()
    };
    let rps: f64 = line("Requests/sec:").parse().unwrap();
    (micros(&line("50%")), micros(&line("99%")), rps)
}

fn main() {
    let seconds: u64 =
        std::env::var("GAAP_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (upstream, gateway, cookie, _keep) = runtime.block_on(setup());

    // For scale: nginx proxy_pass to the same upstream, when GAAP_BENCH_NGINX names the binary.
    let nginx = std::env::var("GAAP_BENCH_NGINX").ok().map(|bin| Nginx::start(&bin, &upstream));

    println!("gateway overhead, {seconds} s per run, wrk -t1 on loopback");
    for connections in [1, 16] {
        if let Some(nginx) = &nginx {
            let r = wrk(&format!("{}/page", nginx.url), connections, seconds, None);
            println!(
                "c={connections:<3} nginx   p50 {:>8.1} µs  p99 {:>8.1} µs  {:>9.0} req/s  (reference proxy)",
                r.0, r.1, r.2
            );
        }
        let direct = wrk(&format!("{upstream}/page"), connections, seconds, None);
        let through = wrk(&format!("{gateway}/page"), connections, seconds, Some(&cookie));
        let public = wrk(&format!("{gateway}/public/page"), connections, seconds, None);
        println!(
            "c={connections:<3} direct  p50 {:>8.1} µs  p99 {:>8.1} µs  {:>9.0} req/s",
            direct.0, direct.1, direct.2
        );
        println!(
            "c={connections:<3} gateway p50 {:>8.1} µs  p99 {:>8.1} µs  {:>9.0} req/s",
            through.0, through.1, through.2
        );
        println!(
            "c={connections:<3} public  p50 {:>8.1} µs  p99 {:>8.1} µs  {:>9.0} req/s  (proxy only, no session)",
            public.0, public.1, public.2
        );
        println!(
            "c={connections:<3} added   p50 {:>8.1} µs  p99 {:>8.1} µs  throughput {:.0}% of direct",
            through.0 - direct.0,
            through.1 - direct.1,
            100.0 * through.2 / direct.2
        );
    }
}

/// The upstream, the sandbox and a gateway with a signed-in session: (upstream URL, gateway URL, cookie).
async fn setup() -> (String, String, String, Box<dyn std::any::Any>) {
    let upstream = match std::env::var("GAAP_BENCH_UPSTREAM") {
        Ok(url) => url,
        Err(_) => {
            let app = axum::Router::new()
                .fallback(|| async { "<!DOCTYPE html><p>Hello from the upstream</p>" });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let upstream = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await });
            upstream
        }
    };

    let port = free_port();
    let gateway = format!("http://127.0.0.1:{port}");
    let client = ClientConfig {
        redirect_uris: vec![format!("{gateway}/_gaap/callback")],
        ..ClientConfig::default()
    };
    let sandbox = Sandbox::start(SandboxConfig {
        one_login: OneLoginConfig {
            clients: vec![client],
            auto_sign_in: true,
            ..OneLoginConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let creds = sandbox.credentials().one_login.clone();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("rp.pem");
    std::fs::write(&key, creds.private_key_pem.expose()).unwrap();
    let config = serde_json::json!({
        "listen": format!("127.0.0.1:{port}"),
        "gateway": {
            "upstream": upstream,
            "one_login": {"issuer": creds.issuer, "client_id": creds.client_id,
                          "private_key_file": key, "allow_http_loopback": true},
            "sessions": format!("sqlite:{}", dir.path().join("s.sqlite3").display()),
            "routes": [{"path": "/public", "sign_in": false}],
        }
    });
    let server = Server::new(Config::from_json(&config.to_string()).unwrap())
        .logger(Logger::off())
        .start()
        .await
        .unwrap();

    // Sign in: the sandbox signs in its first user at once.
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let start =
        http.get(format!("{gateway}/page")).header("accept", "text/html").send().await.unwrap();
    let signin =
        start.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let authorize = start.headers()["location"].to_str().unwrap().to_owned();
    let back = http.get(authorize).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let done = http.get(callback).header("cookie", &signin).send().await.unwrap();
    assert_eq!(done.status().as_u16(), 303);
    let cookie =
        done.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let check = http.get(format!("{gateway}/page")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(check.status().as_u16(), 200);
    (upstream, gateway, cookie, Box::new((sandbox, server, dir)))
}

/// nginx as a reference reverse proxy, until dropped.
struct Nginx {
    url: String,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, so the master stops its workers (SIGKILL would leave them running).
        let stopped = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Nginx {
    fn start(bin: &str, upstream: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let d = dir.path().display();
        let backend = upstream.trim_start_matches("http://");
        let conf = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ access_log off; client_body_temp_path {d}/b; proxy_temp_path {d}/p;\n\
             fastcgi_temp_path {d}/f; uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;\n\
             upstream up {{ server {backend}; keepalive 32; }}\n\
             server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://up;\n\
             proxy_http_version 1.1; proxy_set_header Connection \"\"; }} }} }}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new(bin)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .spawn()
            .expect("nginx starts");
        for _ in 0..500 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        Self { url: format!("http://127.0.0.1:{port}"), child, _dir: dir }
    }
}
