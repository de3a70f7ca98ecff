//! gaap-server: OS Places `/postcode` and `/uprn` over loopback HTTP, against a bare axum handler that returns
//! a fixed body of the same size (the ceiling: what the HTTP stack alone costs on this machine).
//!
//! Run: `cargo bench -p gaap-benches --bench server`.
//! - Criterion times one request's round trip on a kept-alive connection.
//! - With `GAAP_BENCH_WRK=1` and `wrk` on PATH, `wrk -t2 --latency` then runs against each
//!   (rotating through 5,000 postcodes or UPRNs) after a warm-up, at 64, 32, 16 and 8 connections; the best
//!   is the peak. An open-loop run at 80% of each measured peak reports
//!   p50/p99 from each request's scheduled start (so a stall is not hidden by fewer requests being sent).
//! - `GAAP_BENCH_CACHE_MB=0` turns the server's answer cache off (default 64 MB), to measure rendering.
//! - `GAAP_BENCH_INDEX=PATH` serves a saved index (the national one); the default is 150,000 synthetic
//!   addresses on the embedded Westminster postcodes (council scale).
//!
//! Targets (issue 14): at least 50% of the ceiling's requests per second, and p99 <= 5 ms at 80% of peak.
//! OS Places itself allows 600 requests a minute per project (10 a second).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::print_stdout
)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use gaap_address::{IndexBuilder, synth};
use gaap_server::{Config, Logger, Server, ServerHandle};

// The allocator `gaap serve` ships with; the ceiling in this process uses it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const COUNCIL: usize = 150_000;

struct Target {
    name: &'static str,
    base: String,
    paths: Vec<String>,
}

fn index_file(dir: &std::path::Path) -> PathBuf {
    if let Some(path) = std::env::var_os("GAAP_BENCH_INDEX").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let seeds = synth::seed_postcodes_for(COUNCIL, 14);
    let mut b = IndexBuilder::new();
    synth::generate_with(&seeds, COUNCIL, 14, |a| b.add_address(a));
    let path = dir.join("council.idx");
    b.build().save(&path).unwrap();
    path
}

async fn start(index: PathBuf) -> ServerHandle {
    let mut config = Config::from_json(r#"{"listen": "127.0.0.1:0"}"#).unwrap();
    config.address.index = Some(index);
    if let Some(mb) = std::env::var("GAAP_BENCH_CACHE_MB").ok().and_then(|v| v.parse().ok()) {
        config.address.cache_mb = mb;
    }
    eprintln!("server: answer cache {} MB", config.address.cache_mb);
    let h = Server::new(config).logger(Logger::off()).start().await.unwrap();
    let t = Instant::now();
    h.ready().await.unwrap();
    eprintln!("server: index ready in {:.2} s", t.elapsed().as_secs_f64());
    h
}

/// The ceiling: axum returning a fixed body, on the same runtime.
async fn ceiling(body: bytes_body::Body) -> String {
    let app = axum::Router::new().route(
        "/fixed",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body.0.as_ref().clone()) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

mod bytes_body {
    use std::sync::Arc;
    #[derive(Clone)]
    pub(crate) struct Body(pub(crate) Arc<Vec<u8>>);
}

fn criterion_runs(c: &mut Criterion, rt: &tokio::runtime::Runtime, targets: &[Target]) {
    let client = reqwest::Client::new();
    let mut group = c.benchmark_group("server");
    group.measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    for t in targets {
        let mut i = 0usize;
        group.bench_function(t.name, |b| {
            b.iter(|| {
                i = (i + 1) % t.paths.len();
                let url = format!("{}{}", t.base, t.paths[i]);
                rt.block_on(async { client.get(url).send().await.unwrap().bytes().await.unwrap() })
            });
        });
    }
    group.finish();
}

/// wrk with `connections` kept-alive connections for `secs`: requests/s and the p99 it printed.
fn wrk(t: &Target, dir: &std::path::Path, connections: u32, secs: u32) -> Option<(f64, String)> {
    let script = dir.join(format!("{}.lua", t.name));
    let list: Vec<String> = t.paths.iter().map(|p| format!("{p:?}")).collect();
    std::fs::write(
        &script,
        format!(
            "local paths = {{{}}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n",
            list.join(",")
        ),
    )
    .unwrap();
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{secs}s"), "--latency", "-s"])
        .arg(&script)
        .arg(&t.base)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    println!("--- wrk {} -c{connections} ---\n{text}", t.name);
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
    };
    let rps = field("Requests/sec:")?.parse().ok()?;
    Some((rps, field("99%").unwrap_or("?").to_owned()))
}

/// One GET on a kept-alive HTTP/1.1 connection, read to the end of its body: a load generator as lean as
/// wrk's, so the generator is not what is measured.
async fn get(
    conn: &mut tokio::io::BufStream<tokio::net::TcpStream>,
    host: &str,
    path: &str,
    buf: &mut Vec<u8>,
) -> std::io::Result<bool> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    conn.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes()).await?;
    conn.flush().await?;
    let mut status_ok = false;
    let mut length = 0usize;
    let mut first = true;
    loop {
        buf.clear();
        if conn.read_until(b'\n', buf).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = String::from_utf8_lossy(buf);
        let line = line.trim_end();
        if first {
            status_ok = line.split_whitespace().nth(1).is_some_and(|c| c.starts_with('2'));
            first = false;
        } else if line.is_empty() {
            break;
        } else if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    buf.resize(length, 0);
    conn.read_exact(buf).await?;
    Ok(status_ok)
}

/// Open loop at `rate` requests/s for `secs` over `CONNECTIONS` kept-alive connections, as wrk2 does: each
/// connection sends its share of the requests at their scheduled times, and latency is measured from the
/// scheduled time, so a stall counts against every request it delays.
async fn open_loop(t: &Target, rate: f64, secs: u64) -> (f64, Duration, Duration, usize) {
    const CONNECTIONS: usize = 64;
    let total = (rate * secs as f64) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now() + Duration::from_millis(100);
    let host = t.base.trim_start_matches("http://").to_owned();
    let paths = Arc::new(t.paths.clone());
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for c in 0..CONNECTIONS {
        let (host, paths) = (host.clone(), paths.clone());
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(&host).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let mut conn = tokio::io::BufStream::new(stream);
            let mut buf = Vec::with_capacity(16 * 1024);
            let mut lat = Vec::with_capacity(total / CONNECTIONS + 1);
            let mut failed = 0usize;
            for i in (c..total).step_by(CONNECTIONS) {
                let due = start + interval * i as u32;
                tokio::time::sleep_until(due.into()).await;
                let ok =
                    get(&mut conn, &host, &paths[i % paths.len()], &mut buf).await.unwrap_or(false);
                lat.push(due.elapsed());
                failed += usize::from(!ok);
            }
            (lat, failed)
        }));
    }
    let mut lat = Vec::with_capacity(total);
    let mut failed = 0;
    for task in tasks {
        let (l, f) = task.await.unwrap();
        lat.extend(l);
        failed += f;
    }
    let achieved = total as f64 / start.elapsed().as_secs_f64();
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    (achieved, pct(0.50), pct(0.99), failed)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let index_path = index_file(dir.path());
    let server_rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (handle, ceiling_url, postcodes, uprns) = server_rt.block_on(async {
        let h = start(index_path.clone()).await;
        let index = gaap_address::Index::open(&index_path).unwrap();
        let step = (index.postcode_count() / 5000).max(1);
        let postcodes: Vec<String> = index
            .postcodes()
            .iter()
            .step_by(step)
            .filter(|r| !index.by_postcode(&r.postcode).is_empty())
            .take(5000)
            .map(|r| {
                format!(
                    "/search/places/v1/postcode?postcode={}&key=bench",
                    r.postcode.as_str().replace(' ', "")
                )
            })
            .collect();
        let step = (index.len() / 5000).max(1);
        let uprns: Vec<String> = (0..index.len())
            .step_by(step)
            .take(5000)
            .filter_map(|i| index.get(i))
            .map(|a| format!("/search/places/v1/uprn?uprn={}&key=bench", a.uprn))
            .collect();
        // The ceiling returns a body the size of a typical /postcode answer.
        let sample = reqwest::get(format!("{}{}", h.base_url(), postcodes[0]))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        eprintln!("server: a /postcode body is {} bytes", sample.len());
        let url = ceiling(bytes_body::Body(Arc::new(sample.to_vec()))).await;
        (h, url, postcodes, uprns)
    });
    let targets = vec![
        Target { name: "postcode", base: handle.base_url().to_owned(), paths: postcodes },
        Target { name: "uprn", base: handle.base_url().to_owned(), paths: uprns },
        Target { name: "ceiling", base: ceiling_url, paths: vec!["/fixed".to_owned()] },
    ];
    let client_rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // The open-loop load runs on a thread of its own beside the server's two workers, as wrk's would.
    let load_rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut c = Criterion::default().configure_from_args();
    criterion_runs(&mut c, &client_rt, &targets);
    c.final_summary();

    if std::env::var_os("GAAP_BENCH_WRK").is_some() {
        for t in &targets {
            // Warm up (and fill the answer cache, when it is on) before measuring.
            if wrk(t, dir.path(), 16, 3).is_none() {
                eprintln!("wrk is not on PATH (apt-get install wrk)");
                break;
            }
            let mut peak = 0.0f64;
            for c in [64, 32, 16, 8] {
                let Some((rps, p99)) = wrk(t, dir.path(), c, 8) else { break };
                println!("{}: wrk -c{c}: {rps:.0} req/s, p99 {p99}", t.name);
                peak = peak.max(rps);
            }
            // Open loop at 80% of the peak, latency from each request's scheduled time.
            let rate = peak * 0.8;
            let (achieved, p50, p99, failed) = load_rt.block_on(open_loop(t, rate, 5));
            println!(
                "{}: peak {peak:.0} req/s; open loop at 80% ({rate:.0} req/s offered, {achieved:.0} achieved): p50 {p50:?}, p99 {p99:?}, {failed} failed",
                t.name
            );
        }
    }
    server_rt.block_on(handle.shutdown());
}
