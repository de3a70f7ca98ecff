//! What the One Login gateway adds to a signed-in request: `wrk` against a small upstream directly, then
//! through the gateway with a session cookie, then through nginx `proxy_pass` for scale, on loopback. For 1
//! and 16 connections it prints p50 and p99 latency and requests a second of each, the latency the gateway
//! adds, its throughput as a share of direct, and CPU time per request of each process part (from
//! `/proc/self/task/*/stat` utime + stime over the whole run, divided by wrk's request count). CPU per
//! request holds still on a loaded machine where requests a second do not.
//!
//! ```sh
//! cargo bench -p gaap-server --bench gateway_overhead            # needs wrk (Debian package wrk)
//! GAAP_BENCH_SECONDS=20 cargo bench -p gaap-server --bench gateway_overhead
//! # against the docs' PHP site instead of the built-in minimal upstream:
//! PHP_CLI_SERVER_WORKERS=2 php -S 127.0.0.1:9000 docs/gateway/php-site/index.php &
//! GAAP_BENCH_UPSTREAM=http://127.0.0.1:9000 cargo bench -p gaap-server --bench gateway_overhead
//! # nginx is /usr/sbin/nginx unless GAAP_BENCH_NGINX names another binary ("off" leaves its row out)
//! ```
//!
//! The upstream, gaap-sandbox's One Login and the gateway (on SQLite sessions) run in this process, each on
//! its own tokio runtime with named threads, so their CPU time is counted apart; wrk and nginx run beside.
//!
//! Instruction counts (callgrind; no timing, so a shared machine does not matter): `GAAP_BENCH_PROFILE`
//! runs a fixed number of keep-alive requests with curl and exits.
//!
//! ```sh
//! B=$(ls target/release/deps/gateway_overhead-* | grep -v '\.d$')
//! GAAP_BENCH_PROFILE=serve $B &                        # a minimal upstream alone; prints its URL
//! GAAP_BENCH_UPSTREAM=http://127.0.0.1:PORT GAAP_BENCH_PROFILE=gateway:2000 \
//!   valgrind --tool=callgrind $B                         # the gateway's instructions for 2,000 requests
//! GAAP_BENCH_PROFILE=upstream:2000 valgrind --tool=callgrind $B   # the minimal upstream's
//! ```
//!
//! Run each with two request counts: the difference divided by the difference in requests is the cost of
//! one request, without start-up and sign-in (whose cost varies from run to run: use counts far apart, such
//! as 200 and 20,200). `TOKIO_WORKER_THREADS=1` keeps work stealing between threads out of the counts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, missing_docs)]

use std::collections::HashMap;
use std::process::Command;

use gaap_sandbox::{ClientConfig, Config as SandboxConfig, OneLoginConfig, Sandbox};
use gaap_server::{Config, Logger, Server};
use tokio::runtime::Runtime;

/// Thread-name prefixes of the runtimes, for CPU accounting.
const UPSTREAM: &str = "bench-upstream";
const GATEWAY: &str = "bench-gateway";
const OTHER: &str = "bench-other";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn runtime(name: &str) -> Runtime {
    tokio::runtime::Builder::new_multi_thread().thread_name(name).enable_all().build().unwrap()
}

/// One wrk run.
struct Run {
    p50: f64,
    p99: f64,
    rps: f64,
    requests: f64,
}

fn wrk(url: &str, connections: u32, seconds: u64, cookie: Option<&str>) -> Run {
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
    let field = |prefix: &str, nth: usize| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {text}"))
            .split_whitespace()
            .nth(nth)
            .unwrap()
            .to_owned()
    };
    // "  123456 requests in 10.00s, 12.34MB read"
    let requests = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no request count in {text}"));
    Run {
        p50: micros(&field("50%", 1)),
        p99: micros(&field("99%", 1)),
        rps: field("Requests/sec:", 1).parse().unwrap(),
        requests,
    }
}

/// utime + stime in clock ticks from a `/proc/…/stat` line (fields after the `(comm)`).
fn ticks(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat[open + 1..close].to_owned();
    let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    Some((comm, utime + stime))
}

/// CPU ticks so far of this process's threads, by runtime, and of nginx's workers.
#[derive(Default, Clone)]
struct Cpu(HashMap<&'static str, u64>);

impl Cpu {
    fn now(nginx_master: Option<u32>) -> Self {
        let mut by = HashMap::new();
        for entry in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
            let Some((comm, t)) = ticks(&stat) else { continue };
            let part = [UPSTREAM, GATEWAY, OTHER]
                .into_iter()
                .find(|p| comm.starts_with(&p[..p.len().min(15)]))
                .unwrap_or("main");
            *by.entry(part).or_default() += t;
        }
        if let Some(master) = nginx_master {
            for entry in std::fs::read_dir("/proc").unwrap().flatten() {
                let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
                let Some(close) = stat.rfind(')') else { continue };
                let ppid = stat[close + 1..].split_whitespace().nth(1).and_then(|p| p.parse().ok());
                if ppid == Some(master)
                    && let Some((_, t)) = ticks(&stat)
                {
                    *by.entry("nginx").or_default() += t;
                }
            }
        }
        Self(by)
    }

    /// µs of CPU per request for `part` between `self` (before) and `after`.
    fn per_request(&self, after: &Self, part: &str, requests: f64, tick_us: f64) -> f64 {
        let before = self.0.get(part).copied().unwrap_or(0);
        let after = after.0.get(part).copied().unwrap_or(0);
        after.saturating_sub(before) as f64 * tick_us / requests
    }
}

fn clock_tick_micros() -> f64 {
    let hz = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    1e6 / hz
}

/// A minimal upstream: "hello" for every path.
async fn hello_upstream() -> String {
    let app =
        axum::Router::new().fallback(|| async { "<!DOCTYPE html><p>Hello from the upstream</p>" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// `n` requests, one after another on one keep-alive connection, by curl.
fn curl(url: &str, n: u32, cookie: Option<&str>) {
    let mut cmd = Command::new("curl");
    cmd.args(["-sf", "-o", "/dev/null"]);
    if let Some(c) = cookie {
        cmd.args(["-H", &format!("Cookie: {c}")]);
    }
    let status = cmd.arg(format!("{url}?[1-{n}]")).status().expect("cannot run curl");
    assert!(status.success(), "curl failed");
}

fn profile(mode: &str) {
    let other = runtime(OTHER);
    if mode == "serve" {
        let url = other.block_on(hello_upstream());
        println!("{url}");
        other.block_on(std::future::pending::<()>());
        return;
    }
    let (target, n) = mode.split_once(':').expect("GAAP_BENCH_PROFILE=serve|upstream:N|gateway:N");
    let n: u32 = n.parse().expect("a request count");
    match target {
        "upstream" => {
            let url = other.block_on(hello_upstream());
            curl(&format!("{url}/page"), n, None);
        }
        "gateway" | "public" => {
            let upstream = std::env::var("GAAP_BENCH_UPSTREAM").expect(
                "GAAP_BENCH_UPSTREAM: profile the gateway against an upstream in another process",
            );
            let gateway_rt = runtime(GATEWAY);
            let (gateway, cookie, _keep) = setup(&gateway_rt, &other, &upstream);
            if target == "gateway" {
                curl(&format!("{gateway}/page"), n, Some(&cookie));
            } else {
                curl(&format!("{gateway}/public/page"), n, None);
            }
        }
        other => panic!("unknown GAAP_BENCH_PROFILE target {other}"),
    }
}

fn main() {
    if let Ok(mode) = std::env::var("GAAP_BENCH_PROFILE") {
        profile(&mode);
        return;
    }
    let seconds: u64 =
        std::env::var("GAAP_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(8);
    let tick_us = clock_tick_micros();
    let upstream_rt = runtime(UPSTREAM);
    let gateway_rt = runtime(GATEWAY);
    let other = runtime(OTHER);
    let (upstream, own_upstream) = match std::env::var("GAAP_BENCH_UPSTREAM") {
        Ok(url) => (url, false),
        Err(_) => (upstream_rt.block_on(hello_upstream()), true),
    };
    let (gateway, cookie, _keep) = setup(&gateway_rt, &other, &upstream);

    let nginx_bin = std::env::var("GAAP_BENCH_NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
    let nginx = if nginx_bin == "off" {
        None
    } else if std::path::Path::new(&nginx_bin).exists() {
        Some(Nginx::start(&nginx_bin, &upstream))
    } else {
        println!("(no nginx at {nginx_bin}: its reference row is left out)");
        None
    };
    let master = nginx.as_ref().map(|n| n.child.id());

    println!(
        "gateway overhead: {seconds} s per run, wrk -t1 on loopback, {upstream} as the upstream"
    );
    println!(
        "CPU µs/request: utime+stime of each part over the run / wrk's requests (tick {tick_us} µs)"
    );
    let cpu_note = |before: &Cpu, after: &Cpu, run: &Run, parts: &[&str]| -> String {
        parts
            .iter()
            .map(|p| {
                let name = if *p == UPSTREAM {
                    "upstream"
                } else if *p == GATEWAY {
                    "gateway"
                } else {
                    p
                };
                format!("{name} {:.1}", before.per_request(after, p, run.requests, tick_us))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let up_parts: &[&str] = if own_upstream { &[UPSTREAM] } else { &[] };
    for connections in [1, 16] {
        let measure = |url: &str, cookie: Option<&str>| {
            let before = Cpu::now(master);
            let run = wrk(url, connections, seconds, cookie);
            (run, before, Cpu::now(master))
        };
        let row = |label: &str, run: &Run, cpu: String, note: &str| {
            println!(
                "c={connections:<3} {label:<8} p50 {:>8.1} µs  p99 {:>8.1} µs  {:>9.0} req/s  CPU µs/req: {cpu}{note}",
                run.p50, run.p99, run.rps
            );
        };
        let (direct, b, a) = measure(&format!("{upstream}/page"), None);
        row("direct", &direct, cpu_note(&b, &a, &direct, up_parts), "");
        let (through, b, a) = measure(&format!("{gateway}/page"), Some(&cookie));
        let gw_cpu = b.per_request(&a, GATEWAY, through.requests, tick_us);
        let mut parts = vec![GATEWAY];
        parts.extend_from_slice(up_parts);
        row("gateway", &through, cpu_note(&b, &a, &through, &parts), "  (signed in)");
        let (public, b, a) = measure(&format!("{gateway}/public/page"), None);
        row("public", &public, cpu_note(&b, &a, &public, &parts), "  (proxy only, no session)");
        let nginx_run = nginx.as_ref().map(|n| {
            let (run, b, a) = measure(&format!("{}/page", n.url), None);
            let mut parts = vec!["nginx"];
            parts.extend_from_slice(up_parts);
            row("nginx", &run, cpu_note(&b, &a, &run, &parts), "  (reference proxy_pass)");
            run
        });
        println!(
            "c={connections:<3} added    p50 {:>8.1} µs  p99 {:>8.1} µs  gateway throughput {:.0}% of direct{}",
            through.p50 - direct.p50,
            through.p99 - direct.p99,
            100.0 * through.rps / direct.rps,
            nginx_run
                .map_or(String::new(), |n| format!(" (nginx {:.0}%)", 100.0 * n.rps / direct.rps)),
        );
        println!("c={connections:<3} gateway CPU {gw_cpu:.1} µs per signed-in request");
    }
}

/// The sandbox (on `other`) and a gateway (on `gateway_rt`) in front of `upstream`, with a signed-in
/// session: (gateway URL, cookie, what must live as long as they are used).
fn setup(
    gateway_rt: &Runtime,
    other: &Runtime,
    upstream: &str,
) -> (String, String, Box<dyn std::any::Any>) {
    let port = free_port();
    let gateway = format!("http://127.0.0.1:{port}");
    let client = ClientConfig {
        redirect_uris: vec![format!("{gateway}/_gaap/callback")],
        ..ClientConfig::default()
    };
    let sandbox = other
        .block_on(Sandbox::start(SandboxConfig {
            one_login: OneLoginConfig {
                clients: vec![client],
                auto_sign_in: true,
                ..OneLoginConfig::default()
            },
            ..SandboxConfig::default()
        }))
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
    let server = gateway_rt
        .block_on(
            Server::new(Config::from_json(&config.to_string()).unwrap())
                .logger(Logger::off())
                .start(),
        )
        .unwrap();
    let cookie = other.block_on(sign_in(&gateway));
    (gateway, cookie, Box::new((sandbox, server, dir)))
}

/// Signs in (the sandbox signs its first user in at once) and returns the session cookie.
async fn sign_in(gateway: &str) -> String {
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
    cookie
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
