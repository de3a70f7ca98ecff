//! Operations over HTTP on loopback: `/healthz`, `/readyz`, `/metrics` (checked against the Prometheus text
//! format), CORS, hot reload (explicit, polled, broken replacements, requests during a reload).
//!
//! Time is a `ManualClock`; nothing here sleeps to make something happen. Where the server acts on its own
//! (the poller), the test waits for the log line that says it did, with a deadline.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use gaap_address::{IndexBuilder, synth};
use gaap_http::ManualClock;
use gaap_server::{Config, Logger, Server, ServerHandle};
use serde_json::{Value, json};
use tokio::sync::watch;

/// The manual clock's start, in Unix seconds.
const T0: i64 = 1_800_000_000;
/// How long a test waits for something the server does on its own before failing.
const DEADLINE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

/// A saved index of `addresses` synthetic addresses at `path`, its modification time set to `mtime` (Unix
/// seconds), so the age in `/metrics` is exact and the poller sees each replacement as a change. Written to
/// a temporary name, then renamed over `path`, as an index is rolled in production.
pub(crate) fn write_index(path: &Path, addresses: usize, seed: u64, mtime: i64) -> usize {
    write_addresses(path, synthetic(addresses, seed), mtime)
}

fn synthetic(addresses: usize, seed: u64) -> Vec<gaap_address::Address> {
    synth::generate(&synth::seed_postcodes_for(addresses, seed), addresses, seed)
}

fn write_addresses(path: &Path, addresses: Vec<gaap_address::Address>, mtime: i64) -> usize {
    let mut builder = IndexBuilder::new();
    for a in addresses {
        builder.add_address(a);
    }
    let index = builder.build();
    let tmp = path.with_extension("writing");
    index.save(&tmp).expect("index saves");
    set_mtime(&tmp, mtime);
    std::fs::rename(&tmp, path).expect("rename over the served file");
    index.len()
}

/// Puts `bytes` at `path` by writing a temporary file and renaming it.
fn replace_with(path: &Path, bytes: &[u8], mtime: i64) {
    let tmp = path.with_extension("writing");
    std::fs::write(&tmp, bytes).expect("write");
    set_mtime(&tmp, mtime);
    std::fs::rename(&tmp, path).expect("rename");
}

fn set_mtime(path: &Path, unix: i64) {
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).expect("positive"));
    std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open")
        .set_modified(at)
        .expect("set mtime");
}

/// Log lines, parsed, as the server writes them; waiters are woken on each line.
#[derive(Clone)]
struct LogTap {
    lines: Arc<Mutex<Vec<Value>>>,
    partial: Arc<Mutex<Vec<u8>>>,
    count: watch::Sender<usize>,
}

impl LogTap {
    fn new() -> Self {
        Self { lines: Arc::default(), partial: Arc::default(), count: watch::Sender::new(0) }
    }

    fn logger(&self) -> Logger {
        Logger::to(self.clone())
    }

    fn matching(&self, msg: &str) -> Vec<Value> {
        self.lines.lock().expect("lock").iter().filter(|l| l["msg"] == msg).cloned().collect()
    }

    /// Waits until at least `n` lines say `msg`.
    async fn wait_for(&self, msg: &str, n: usize) -> Vec<Value> {
        let mut rx = self.count.subscribe();
        let waited =
            tokio::time::timeout(DEADLINE, rx.wait_for(|_| self.matching(msg).len() >= n)).await;
        let all = self.lines.lock().expect("lock").clone();
        assert!(
            matches!(waited, Ok(Ok(_))),
            "no {n} log lines {msg:?} within {DEADLINE:?}; the log:\n{}",
            all.iter().map(Value::to_string).collect::<Vec<_>>().join("\n")
        );
        self.matching(msg)
    }
}

impl Write for LogTap {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut partial = self.partial.lock().expect("lock");
        partial.extend_from_slice(buf);
        while let Some(end) = partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = partial.drain(..=end).collect();
            let value: Value =
                serde_json::from_slice(&line).expect("every log line is one JSON object");
            assert!(value.is_object(), "log line {value}");
            for key in ["ts", "level", "msg"] {
                assert!(value[key].is_string(), "log line without {key}: {value}");
            }
            self.lines.lock().expect("lock").push(value);
            self.count.send_modify(|c| *c += 1);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts a server for `config` on 127.0.0.1 and a free port, on `clock`, logging into `log`.
async fn serve(mut config: Value, clock: &ManualClock, log: &LogTap) -> ServerHandle {
    config["listen"] = json!("127.0.0.1:0");
    let config = Config::from_json(&config.to_string()).expect("config parses");
    Server::new(config)
        .clock(Arc::new(clock.clone()))
        .logger(log.logger())
        .start()
        .await
        .expect("server starts")
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().expect("client")
}

async fn get(url: &str) -> reqwest::Response {
    client().get(url).send().await.expect("request")
}

async fn readyz(h: &ServerHandle) -> (u16, Value) {
    let r = get(&format!("{}/readyz", h.base_url())).await;
    let status = r.status().as_u16();
    (status, r.json().await.expect("readyz is JSON"))
}

async fn addresses_served(h: &ServerHandle) -> u64 {
    let (status, body) = readyz(h).await;
    assert_eq!(status, 200, "{body}");
    body["addresses"].as_u64().expect("addresses")
}

// ---------------------------------------------------------------------------------------------------------
// The Prometheus text format, parsed strictly enough to catch a malformed exposition
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Exposition {
    /// TYPE by metric family.
    types: HashMap<String, String>,
    /// (name, labels) → value.
    samples: BTreeMap<(String, BTreeMap<String, String>), f64>,
}

impl Exposition {
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let labels = labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.samples.get(&(name.to_owned(), labels)).copied()
    }

    fn gauge(&self, name: &str) -> f64 {
        assert_eq!(self.types.get(name).map(String::as_str), Some("gauge"), "{name} is a gauge");
        self.value(name, &[]).unwrap_or_else(|| panic!("no {name}"))
    }
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `{a="x",b="y\"z"}` → labels, or an error naming what is wrong.
fn parse_labels(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").ok_or_else(|| format!("no =\" in {rest:?}"))?;
        if !is_label_name(name) {
            return Err(format!("bad label name {name:?}"));
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    other => return Err(format!("bad escape {other:?} in {text:?}")),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => return Err(format!("unterminated label value in {text:?}")),
            }
        };
        if labels.insert(name.to_owned(), value).is_some() {
            return Err(format!("label {name} twice in {text:?}"));
        }
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    Ok(labels)
}

fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => s.parse().map_err(|e| format!("value {s:?}: {e}")),
    }
}

/// The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` belong to the histogram.
fn family<'a>(name: &'a str, types: &HashMap<String, String>) -> &'a str {
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix)
            && types.get(base).is_some_and(|t| t == "histogram")
        {
            return base;
        }
    }
    name
}

/// Puts `name` in `map`, or `Err` when it was there.
fn first(map: &mut HashMap<String, String>, name: &str, value: &str) -> Result<(), ()> {
    match map.insert(name.to_owned(), value.to_owned()) {
        None => Ok(()),
        Some(_) => Err(()),
    }
}

/// Parses and checks the text exposition format 0.0.4: every family has HELP and TYPE before its samples,
/// every other line is `name{labels} value`, no series twice, and each histogram's buckets are cumulative,
/// in increasing `le` order, and end at `+Inf` equal to `_count`.
fn parse_exposition(text: &str) -> Result<Exposition, String> {
    let mut e = Exposition::default();
    let mut help: HashMap<String, String> = HashMap::new();
    if !text.ends_with('\n') {
        return Err("the exposition must end with a newline".into());
    }
    for (n, line) in text.lines().enumerate() {
        let at = |m: String| format!("line {}: {m}: {line:?}", n + 1);
        if line.is_empty() {
            return Err(at("empty line".into()));
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.trim_start().splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("HELP"), Some(name), Some(doc)) if is_metric_name(name) => {
                    first(&mut help, name, doc).map_err(|()| at("HELP twice".into()))?;
                }
                (Some("TYPE"), Some(name), Some(kind)) if is_metric_name(name) => {
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                        return Err(at(format!("unknown type {kind}")));
                    }
                    if e.types.insert(name.to_owned(), kind.to_owned()).is_some() {
                        return Err(at("TYPE twice".into()));
                    }
                }
                (Some("HELP" | "TYPE"), ..) => return Err(at("malformed HELP or TYPE".into())),
                _ => {}
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').ok_or_else(|| at("no value".into()))?;
        let value = parse_value(value).map_err(at)?;
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let inner = rest.strip_suffix('}').ok_or_else(|| at("no closing }".into()))?;
                (name, parse_labels(inner).map_err(at)?)
            }
            None => (series, BTreeMap::new()),
        };
        if !is_metric_name(name) {
            return Err(at(format!("bad metric name {name:?}")));
        }
        let fam = family(name, &e.types);
        if !e.types.contains_key(fam) || !help.contains_key(fam) {
            return Err(at(format!("{fam} has no HELP and TYPE before its samples")));
        }
        if e.samples.insert((name.to_owned(), labels), value).is_some() {
            return Err(at("the same series twice".into()));
        }
    }
    check_histograms(&e)?;
    Ok(e)
}

fn check_histograms(e: &Exposition) -> Result<(), String> {
    for (name, _) in e.types.iter().filter(|(_, t)| *t == "histogram") {
        let bucket = format!("{name}_bucket");
        // Buckets grouped by their labels other than `le`.
        let mut series: BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> = BTreeMap::new();
        for ((n, labels), v) in &e.samples {
            if *n != bucket {
                continue;
            }
            let mut rest = labels.clone();
            let le = rest.remove("le").ok_or_else(|| format!("{bucket} without le"))?;
            series.entry(rest).or_default().push((parse_value(&le)?, *v));
        }
        if series.is_empty() {
            return Err(format!("histogram {name} has no buckets"));
        }
        for (labels, mut buckets) in series {
            // Parsed into a map, so put them back in `le` order; the text order is checked by the caller.
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            if buckets.windows(2).any(|w| w[1].1 < w[0].1) {
                return Err(format!("{name}{labels:?}: buckets are not cumulative: {buckets:?}"));
            }
            let last = buckets.last().ok_or("no buckets")?;
            if last.0 != f64::INFINITY {
                return Err(format!("{name}{labels:?}: the last bucket is not +Inf"));
            }
            let count = e
                .samples
                .get(&(format!("{name}_count"), labels.clone()))
                .ok_or_else(|| format!("{name}{labels:?}: no _count"))?;
            if *count != last.1 {
                return Err(format!("{name}{labels:?}: +Inf bucket {} != _count {count}", last.1));
            }
            if !e.samples.contains_key(&(format!("{name}_sum"), labels.clone())) {
                return Err(format!("{name}{labels:?}: no _sum"));
            }
        }
    }
    Ok(())
}

/// Within each histogram series, the bucket lines come in increasing `le` order in the text.
fn check_bucket_order(text: &str) -> Result<(), String> {
    let mut last: HashMap<String, f64> = HashMap::new();
    for line in text.lines().filter(|l| l.contains("_bucket{")) {
        let (series, _) = line.rsplit_once(' ').ok_or("no value")?;
        let (head, le) = series.rsplit_once("le=\"").ok_or("no le")?;
        let le = parse_value(le.trim_end_matches("\"}")).map_err(|e| format!("{line}: {e}"))?;
        if let Some(prev) = last.insert(head.to_owned(), le)
            && prev >= le
        {
            return Err(format!("{line}: le out of order after {prev}"));
        }
    }
    Ok(())
}

#[test]
fn the_exposition_parser_refuses_what_prometheus_would() {
    let good = "# HELP x_total X.\n# TYPE x_total counter\nx_total{a=\"1\"} 3\n\
                # HELP h H.\n# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 2\n\
                h_sum 0.3\nh_count 2\n";
    parse_exposition(good).expect("good");
    for bad in [
        "x_total 3\n",                               // no HELP/TYPE
        "# HELP x X.\n# TYPE x gauge\nx{a=\"1} 3\n", // unterminated label
        "# HELP x X.\n# TYPE x gauge\nx three\n",    // bad value
        "# HELP x X.\n# TYPE x gauge\nx 1\nx 2\n",   // the same series twice
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"0.1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_sum 1\nh_count 1\n",
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
        "# HELP x X.\n# TYPE x gauge\nx 1", // no final newline
    ] {
        assert!(parse_exposition(bad).is_err(), "accepted {bad:?}");
    }
    assert!(check_bucket_order("h_bucket{le=\"1\"} 1\nh_bucket{le=\"0.5\"} 1\n").is_err());
}

// ---------------------------------------------------------------------------------------------------------
// Health and readiness
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn healthz_answers_200_with_security_headers() {
    let log = LogTap::new();
    let h = serve(json!({}), &ManualClock::at_unix(T0), &log).await;
    let r = get(&format!("{}/healthz", h.base_url())).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.json::<Value>().await.expect("json"), json!({"status": "ok"}));
    h.shutdown().await;
}

/// Unblocks a loader stuck opening a FIFO if the test fails before it does so itself, so the runtime (which
/// waits for its blocking threads when dropped) can end.
struct Door {
    path: PathBuf,
    opened: AtomicBool,
}

impl Door {
    /// Opens the FIFO for writing (the loader's open then returns) and writes `bytes` into it. The loader
    /// may stop reading early, so a broken pipe is expected and ignored.
    fn open_with(&self, bytes: Vec<u8>) -> std::thread::JoinHandle<()> {
        self.opened.store(true, Ordering::SeqCst);
        let path = self.path.clone();
        std::thread::spawn(move || {
            let mut fifo = std::fs::File::options().write(true).open(&path).expect("open the FIFO");
            let _ = fifo.write_all(&bytes);
        })
    }
}

impl Drop for Door {
    fn drop(&mut self) {
        if !self.opened.load(Ordering::SeqCst) {
            let path = self.path.clone();
            std::thread::spawn(move || {
                let _ = std::fs::File::options().write(true).open(path);
            });
        }
    }
}

/// The loader is held in its `open` of the index path by making the path a FIFO with no writer yet: the
/// "loading" state lasts exactly until the test opens the other end, with no timing involved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_503_while_the_index_loads_then_200() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    let status = std::process::Command::new("mkfifo").arg(&served).status().expect("mkfifo runs");
    assert!(status.success(), "mkfifo failed");
    // A second name for the FIFO, so it can still be opened once the real index is renamed over `served`.
    let door = Door { path: dir.path().join("door"), opened: AtomicBool::new(false) };
    std::fs::hard_link(&served, &door.path).expect("hard link the FIFO");

    let log = LogTap::new();
    let config = json!({"address": {"index": served, "reload_poll_ms": 0}});
    let h = serve(config, &ManualClock::at_unix(T0), &log).await;
    for _ in 0..3 {
        let (status, body) = readyz(&h).await;
        assert_eq!((status, &body), (503, &json!({"status": "loading"})));
    }
    let metrics = get(&format!("{}/metrics", h.base_url())).await.text().await.expect("text");
    let e = parse_exposition(&metrics).expect("valid exposition while loading");
    assert_eq!(e.gauge("gaap_address_index_ready"), 0.0);
    assert_eq!(e.gauge("gaap_address_index_addresses"), 0.0);

    // The real index replaces the FIFO's name, and its bytes go into the FIFO: whether the loader reads the
    // whole file from what it opened or reads the head and opens the path again, it gets this index.
    let staged = dir.path().join("staged.idx");
    let n = write_index(&staged, 40, 1, T0 - 60);
    let bytes = std::fs::read(&staged).expect("read");
    std::fs::rename(&staged, &served).expect("rename");
    let writer = door.open_with(bytes);
    h.ready().await.expect("the index loads");
    let (status, body) = readyz(&h).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["addresses"], n);
    tokio::task::spawn_blocking(move || writer.join()).await.expect("join").expect("writer");
    h.shutdown().await;
}

#[tokio::test]
async fn readyz_answers_503_when_the_index_cannot_load_until_a_reload_finds_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    let log = LogTap::new();
    let h = serve(
        json!({"address": {"index": served, "reload_poll_ms": 0}}),
        &ManualClock::at_unix(T0),
        &log,
    )
    .await;
    assert!(h.ready().await.is_err(), "a missing file does not load");
    let (status, body) = readyz(&h).await;
    assert_eq!((status, body), (503, json!({"status": "failed"})));
    log.wait_for("index load failed", 1).await;
    let n = write_index(&served, 30, 2, T0);
    h.reload().await.expect("the file is there now");
    assert_eq!(addresses_served(&h).await, n as u64);
    h.shutdown().await;
}

// ---------------------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn metrics_are_valid_prometheus_text_with_requests_latency_and_the_index_size_and_age() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    // Written an hour before the clock's now.
    let n = write_index(&served, 60, 3, T0 - 3600);
    let clock = ManualClock::at_unix(T0);
    let log = LogTap::new();
    let h = serve(json!({"address": {"index": served, "reload_poll_ms": 0}}), &clock, &log).await;
    h.ready().await.expect("ready");
    let base = h.base_url();
    for _ in 0..3 {
        assert_eq!(get(&format!("{base}/healthz")).await.status(), 200);
    }
    assert_eq!(get(&format!("{base}/readyz")).await.status(), 200);
    assert_eq!(get(&format!("{base}/no/such/page")).await.status(), 404);

    let r = get(&format!("{base}/metrics")).await;
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().expect("ascii").to_owned();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let text = r.text().await.expect("text");
    let e = parse_exposition(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    check_bucket_order(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));

    let requests = |route: &str, status: &str| {
        e.value("gaap_http_requests_total", &[("route", route), ("status", status)])
    };
    assert_eq!(e.types["gaap_http_requests_total"], "counter");
    assert_eq!(requests("/healthz", "200"), Some(3.0), "{text}");
    assert_eq!(requests("/readyz", "200"), Some(1.0), "{text}");
    // Paths that match no route share one label, so made-up URLs cannot grow the series.
    assert!(!text.contains("/no/such/page"), "{text}");
    let unmatched: f64 = e
        .samples
        .iter()
        .filter(|((n, l), _)| n == "gaap_http_requests_total" && l["status"] == "404")
        .map(|(_, v)| v)
        .sum();
    assert_eq!(unmatched, 1.0, "{text}");

    assert_eq!(e.types["gaap_http_request_duration_seconds"], "histogram");
    let count = e.value("gaap_http_request_duration_seconds_count", &[("route", "/healthz")]);
    assert_eq!(count, Some(3.0), "{text}");

    assert_eq!(e.gauge("gaap_address_index_ready"), 1.0);
    assert_eq!(e.gauge("gaap_address_index_addresses"), n as f64);
    assert!(e.gauge("gaap_address_index_postcodes") >= 1.0);
    assert_eq!(e.gauge("gaap_address_index_age_seconds"), 3600.0);
    assert_eq!(e.gauge("gaap_address_index_loaded_timestamp_seconds"), T0 as f64);

    // The age follows the clock; the load time does not.
    clock.advance(Duration::from_secs(60));
    let text = get(&format!("{base}/metrics")).await.text().await.expect("text");
    let e = parse_exposition(&text).expect("valid");
    assert_eq!(e.gauge("gaap_address_index_age_seconds"), 3660.0);
    assert_eq!(e.gauge("gaap_address_index_loaded_timestamp_seconds"), T0 as f64);
    // The first scrape is counted in the second.
    assert_eq!(
        e.value("gaap_http_requests_total", &[("route", "/metrics"), ("status", "200")]),
        Some(1.0)
    );
    h.shutdown().await;
}

// ---------------------------------------------------------------------------------------------------------
// CORS
// ---------------------------------------------------------------------------------------------------------

const SITE: &str = "https://www.example.gov.uk";

/// How many times the response says `Vary: Origin`.
fn vary_origin(r: &reqwest::Response) -> usize {
    r.headers()
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().expect("ascii").split(','))
        .filter(|p| p.trim().eq_ignore_ascii_case("origin"))
        .count()
}

#[tokio::test]
async fn cors_answers_configured_origins_on_the_apis_only() {
    let log = LogTap::new();
    let h =
        serve(json!({"address": {"cors_origins": [SITE]}}), &ManualClock::at_unix(T0), &log).await;
    h.ready().await.expect("ready");
    let base = h.base_url();
    let c = client();
    for path in [
        "/search/places/v1/postcode?postcode=SW1A%201AA",
        "/api/local-authority?postcode=SW1A1AA",
        "/v1/locations?postcode=SW1A1AA",
    ] {
        let r = c.get(format!("{base}{path}")).header("Origin", SITE).send().await.expect("get");
        assert_eq!(
            r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
            Some(SITE.as_bytes()),
            "{path}"
        );
        assert_eq!(vary_origin(&r), 1, "{path}");
        assert_eq!(r.headers()["access-control-expose-headers"], "Retry-After", "{path}");

        let r = c
            .request(reqwest::Method::OPTIONS, format!("{base}{path}"))
            .header("Origin", SITE)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "key")
            .send()
            .await
            .expect("preflight");
        assert_eq!(r.status(), 204, "{path}");
        assert_eq!(r.headers()["access-control-allow-origin"], SITE);
        let methods = r.headers()["access-control-allow-methods"].to_str().expect("ascii");
        assert!(methods.contains("GET"), "{methods}");
        let allowed = r.headers()["access-control-allow-headers"]
            .to_str()
            .expect("ascii")
            .to_ascii_lowercase();
        assert!(allowed.split(',').any(|h| h.trim() == "key"), "{allowed}");

        // Another site's pages get no CORS headers, and their preflight is refused. The answer still
        // varies by Origin, so a cache does not hand it to the allowed site.
        let foreign = "https://evil.example.com";
        let r = c.get(format!("{base}{path}")).header("Origin", foreign).send().await.expect("get");
        assert!(r.headers().get("access-control-allow-origin").is_none(), "{path}");
        assert_eq!(vary_origin(&r), 1, "{path}");
        let r = c
            .request(reqwest::Method::OPTIONS, format!("{base}{path}"))
            .header("Origin", foreign)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .expect("preflight");
        assert_eq!(r.status(), 403, "{path}");
        assert!(r.headers().get("access-control-allow-origin").is_none());
    }
    // The operations endpoints are not for browsers.
    let r = c.get(format!("{base}/metrics")).header("Origin", SITE).send().await.expect("get");
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(vary_origin(&r), 0);
    h.shutdown().await;
}

#[tokio::test]
async fn without_cors_origins_no_origin_is_allowed() {
    let log = LogTap::new();
    let h = serve(json!({}), &ManualClock::at_unix(T0), &log).await;
    let r = client()
        .get(format!("{}/search/places/v1/postcode?postcode=SW1A1AA", h.base_url()))
        .header("Origin", SITE)
        .send()
        .await
        .expect("get");
    assert!(r.headers().get("access-control-allow-origin").is_none());
    h.shutdown().await;
}

// ---------------------------------------------------------------------------------------------------------
// Hot reload
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn reload_swaps_in_a_replaced_file_and_keeps_the_old_index_when_the_new_one_is_broken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    let first = write_index(&served, 40, 4, T0 - 100);
    let log = LogTap::new();
    let clock = ManualClock::at_unix(T0);
    let h = serve(json!({"address": {"index": served, "reload_poll_ms": 0}}), &clock, &log).await;
    h.ready().await.expect("ready");
    assert_eq!(addresses_served(&h).await, first as u64);

    let second = write_index(&served, 70, 5, T0 - 50);
    assert_ne!(first, second);
    clock.advance(Duration::from_secs(10));
    h.reload().await.expect("reload");
    assert_eq!(addresses_served(&h).await, second as u64);
    let text = get(&format!("{}/metrics", h.base_url())).await.text().await.expect("text");
    let e = parse_exposition(&text).expect("valid");
    assert_eq!(e.gauge("gaap_address_index_loaded_timestamp_seconds"), (T0 + 10) as f64);
    assert_eq!(e.gauge("gaap_address_index_age_seconds"), 60.0);

    // A truncated index and a file of another kind: the reload fails and the index in service stays.
    let good = std::fs::read(&served).expect("read");
    for broken in [&good[..good.len() / 2], b"this is not an address index\n".as_slice()] {
        replace_with(&served, broken, T0 - 10);
        let err = h.reload().await.expect_err("a broken file does not load");
        assert!(err.to_string().contains("council.idx"), "{err}");
        assert_eq!(addresses_served(&h).await, second as u64);
    }
    h.shutdown().await;
}

#[tokio::test]
async fn the_poller_loads_a_changed_file_and_logs_a_broken_one_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    let first = write_index(&served, 40, 6, T0 - 300);
    let log = LogTap::new();
    let h = serve(
        json!({"address": {"index": served, "reload_poll_ms": 50}}),
        &ManualClock::at_unix(T0),
        &log,
    )
    .await;
    h.ready().await.expect("ready");
    log.wait_for("index loaded", 1).await;
    assert_eq!(addresses_served(&h).await, first as u64);

    let second = write_index(&served, 90, 7, T0 - 200);
    let reloads = log.wait_for("reloading the index", 1).await;
    assert_eq!(reloads[0]["why"], "the file changed");
    log.wait_for("index loaded", 2).await;
    assert_eq!(addresses_served(&h).await, second as u64);

    let good = std::fs::read(&served).expect("read");
    replace_with(&served, &good[..good.len() / 2], T0 - 100);
    let errors = log.wait_for("reload failed; the previous index stays in service", 1).await;
    assert_eq!(errors[0]["level"], "error");
    assert!(
        errors[0]["error"].as_str().is_some_and(|e| e.contains("council.idx")),
        "{}",
        errors[0]
    );
    assert_eq!(addresses_served(&h).await, second as u64);

    // The same broken file is not tried again at every poll; a fixed one is picked up.
    let third = write_index(&served, 25, 8, T0 - 50);
    log.wait_for("index loaded", 3).await;
    assert_eq!(addresses_served(&h).await, third as u64);
    assert_eq!(log.matching("reload failed; the previous index stays in service").len(), 1);
    assert_eq!(log.matching("reloading the index").len(), 3);
    h.shutdown().await;
}

/// Several clients keep looking addresses up while the index is replaced and reloaded again and again: every
/// lookup is answered 200 with the address, from one index or the other (the smaller is the first part of the
/// larger). Each reload waits for every client to have been answered since the last one, so requests and
/// reloads interleave.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_reloads_all_succeed() {
    const CLIENTS: usize = 6;
    const AT_LEAST: usize = 50;
    const AT_MOST: usize = 5_000;
    const RELOADS: usize = 8;
    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    let all = synthetic(5_000, 9);
    let some = all[..4_000].to_vec();
    let (a, b) = (dir.path().join("a.idx"), dir.path().join("b.idx"));
    let sizes = [write_addresses(&a, some, T0 - 20), write_addresses(&b, all, T0 - 10)];
    assert_ne!(sizes[0], sizes[1]);
    std::fs::copy(&a, &served).expect("copy");
    let index = gaap_address::Index::open(&a).expect("open");
    let lookups: Arc<Vec<String>> = Arc::new(
        (0..index.len())
            .step_by(97)
            .filter_map(|i| index.get(i))
            .flat_map(|a| {
                let uprn = format!("/search/places/v1/uprn?uprn={}", a.uprn);
                let postcode = a.postcode.map(|p| {
                    format!(
                        "/search/places/v1/postcode?postcode={}",
                        p.to_string().replace(' ', "%20")
                    )
                });
                [Some(uprn), postcode]
            })
            .flatten()
            .collect(),
    );
    let log = LogTap::new();
    let h = serve(
        json!({"address": {"index": served, "reload_poll_ms": 0}}),
        &ManualClock::at_unix(T0),
        &log,
    )
    .await;
    h.ready().await.expect("ready");
    let base = h.base_url().to_owned();
    let done = Arc::new(AtomicBool::new(false));
    let reloading = Arc::new(AtomicBool::new(false));
    let during = Arc::new(AtomicUsize::new(0));
    let (progress, watch_progress) = watch::channel(0usize);
    let progress = Arc::new(progress);
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (base, lookups, done, reloading, during, progress) = (
            base.clone(),
            lookups.clone(),
            done.clone(),
            reloading.clone(),
            during.clone(),
            progress.clone(),
        );
        clients.push(tokio::spawn(async move {
            let c = client();
            let mut failures = Vec::new();
            for i in 0..AT_MOST {
                if i >= AT_LEAST && done.load(Ordering::SeqCst) {
                    break;
                }
                let url = format!("{base}{}", lookups[i % lookups.len()]);
                match c.get(&url).send().await {
                    Ok(r) if r.status() == 200 => {
                        let body: Value = r.json().await.expect("json");
                        let found = body["header"]["totalresults"].as_u64().unwrap_or(0);
                        if found == 0 {
                            failures.push(format!("{url}: {body}"));
                        }
                    }
                    Ok(r) => failures.push(format!("{}", r.status())),
                    Err(e) => failures.push(e.to_string()),
                }
                if reloading.load(Ordering::SeqCst) {
                    during.fetch_add(1, Ordering::SeqCst);
                }
                progress.send_modify(|p| *p += 1);
            }
            failures
        }));
    }
    let mut rx = watch_progress.clone();
    for i in 0..RELOADS {
        let seen = *rx.borrow_and_update();
        tokio::time::timeout(DEADLINE, rx.wait_for(|p| *p >= seen + CLIENTS))
            .await
            .expect("the clients make progress")
            .expect("progress");
        let from = if i % 2 == 0 { &b } else { &a };
        let staged = dir.path().join("staged.idx");
        std::fs::copy(from, &staged).expect("copy");
        std::fs::rename(&staged, &served).expect("rename");
        reloading.store(true, Ordering::SeqCst);
        h.reload().await.expect("reload");
        reloading.store(false, Ordering::SeqCst);
    }
    done.store(true, Ordering::SeqCst);
    let mut failures = Vec::new();
    for c in clients {
        failures.extend(c.await.expect("client task"));
    }
    let total = *watch_progress.borrow();
    println!(
        "{total} requests from {CLIENTS} clients across {RELOADS} reloads, {} answered while a reload ran, \
         {} failed",
        during.load(Ordering::SeqCst),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:?}");
    assert!(total >= CLIENTS * AT_LEAST);
    assert_eq!(log.matching("index loaded").len(), RELOADS + 1);
    // Even reloads loaded b, odd ones a.
    let last = if (RELOADS - 1).is_multiple_of(2) { sizes[1] } else { sizes[0] };
    assert_eq!(addresses_served(&h).await, last as u64);
    h.shutdown().await;
}

// ---------------------------------------------------------------------------------------------------------
// Keys and rate limits
// ---------------------------------------------------------------------------------------------------------

/// An address of the index at `path`: its postcode (URL-encoded), UPRN and grid position.
fn sample(path: &Path) -> (String, u64, (f64, f64)) {
    let index = gaap_address::Index::open(path).expect("open");
    let a = (0..index.len())
        .filter_map(|i| index.get(i))
        .find(|a| a.postcode.is_some() && a.coordinates.is_some())
        .expect("an address with a postcode and a position");
    let postcode = a.postcode.expect("postcode").to_string().replace(' ', "%20");
    let c = a.coordinates.expect("coordinates");
    (postcode, a.uprn.get(), (c.easting, c.northing))
}

/// OS's error envelope: `{"error": {"statuscode": N, "message": "…"}}`.
async fn os_error(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["statuscode"], status, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body
}

#[tokio::test]
async fn each_key_has_its_own_limit_on_the_clock_and_unknown_keys_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    write_index(&served, 50, 11, T0);
    let (postcode, uprn, _) = sample(&served);
    let clock = ManualClock::at_unix(T0);
    let log = LogTap::new();
    let config = json!({"address": {
        "index": served,
        "keys": [{"key": "council-site", "per_minute": 3}, {"key": "intranet"}],
    }});
    let h = serve(config, &clock, &log).await;
    h.ready().await.expect("ready");
    let base = h.base_url();
    let c = client();
    let lookup = |key: &str| {
        c.get(format!("{base}/search/places/v1/postcode?postcode={postcode}&key={key}")).send()
    };

    for _ in 0..3 {
        assert_eq!(lookup("council-site").await.expect("get").status(), 200);
    }
    // 3 a minute: the fourth waits 20 s for a token.
    let r = lookup("council-site").await.expect("get");
    assert_eq!(r.headers()["retry-after"], "20");
    os_error(r, 429).await;
    // Another key is not held back, and has no limit.
    for _ in 0..20 {
        assert_eq!(lookup("intranet").await.expect("get").status(), 200);
    }
    // The key can be a header instead of a parameter; the same allowance.
    let r = c
        .get(format!("{base}/search/places/v1/uprn?uprn={uprn}"))
        .header("key", "council-site")
        .send()
        .await
        .expect("get");
    os_error(r, 429).await;

    // Time moves on the clock, not on the wall: 19 s is not enough, 20 s is, for one request.
    clock.advance(Duration::from_secs(19));
    os_error(lookup("council-site").await.expect("get"), 429).await;
    clock.advance(Duration::from_secs(1));
    assert_eq!(lookup("council-site").await.expect("get").status(), 200);
    os_error(lookup("council-site").await.expect("get"), 429).await;
    // A full minute refills the bucket.
    clock.advance(Duration::from_secs(60));
    for _ in 0..3 {
        assert_eq!(lookup("council-site").await.expect("get").status(), 200);
    }

    // With keys configured, a made-up key and no key at all are 401 in OS's envelope.
    os_error(lookup("made-up").await.expect("get"), 401).await;
    let r = c
        .get(format!("{base}/search/places/v1/postcode?postcode={postcode}"))
        .send()
        .await
        .expect("get");
    os_error(r, 401).await;

    let text = get(&format!("{base}/metrics")).await.text().await.expect("text");
    let e = parse_exposition(&text).expect("valid");
    let route = "/search/places/v1/postcode";
    assert_eq!(
        e.value("gaap_http_requests_total", &[("route", route), ("status", "429")]),
        Some(3.0)
    );
    assert_eq!(
        e.value("gaap_http_requests_total", &[("route", route), ("status", "401")]),
        Some(2.0)
    );
    assert_eq!(
        e.value("gaap_http_requests_total", &[("route", route), ("status", "200")]),
        Some(3.0 + 20.0 + 1.0 + 3.0)
    );
    // No key value is ever written to the log or the metrics.
    assert!(!text.contains("council-site"));
    let lines = log.lines.lock().expect("lock").clone();
    assert!(lines.iter().all(|l| !l.to_string().contains("council-site")), "{lines:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn without_keys_each_key_value_gets_the_default_allowance() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    write_index(&served, 30, 12, T0);
    let (postcode, _, _) = sample(&served);
    let clock = ManualClock::at_unix(T0);
    let log = LogTap::new();
    let h = serve(json!({"address": {"index": served, "per_minute": 2}}), &clock, &log).await;
    h.ready().await.expect("ready");
    let url = |key: &str| {
        format!("{}/search/places/v1/postcode?postcode={postcode}&key={key}", h.base_url())
    };
    for key in ["one", "two"] {
        for _ in 0..2 {
            assert_eq!(get(&url(key)).await.status(), 200, "{key}");
        }
        let r = get(&url(key)).await;
        assert_eq!(r.headers()["retry-after"], "30");
        os_error(r, 429).await;
    }
    clock.advance(Duration::from_secs(30));
    assert_eq!(get(&url("one")).await.status(), 200);
    h.shutdown().await;
}

// ---------------------------------------------------------------------------------------------------------
// Graceful shutdown
// ---------------------------------------------------------------------------------------------------------

/// A polygon search is in flight when `shutdown` is called: its headers are in, its handler is reading the
/// body (the server has said `100 Continue`), and the body is sent only once the server has stopped
/// accepting connections. The search is still answered 200, and `shutdown` returns after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_when_shutdown_begins_is_answered() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let dir = tempfile::tempdir().expect("tempdir");
    let served = dir.path().join("council.idx");
    write_index(&served, 50, 13, T0);
    let (_, _, (x, y)) = sample(&served);
    let log = LogTap::new();
    let h = serve(json!({"address": {"index": served}}), &ManualClock::at_unix(T0), &log).await;
    h.ready().await.expect("ready");
    let addr = h.addr();

    let square = [
        [x - 50.0, y - 50.0],
        [x + 50.0, y - 50.0],
        [x + 50.0, y + 50.0],
        [x - 50.0, y + 50.0],
        [x - 50.0, y - 50.0],
    ];
    let body = json!({"type": "Polygon", "coordinates": [square]}).to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /search/places/v1/polygon?key=k HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.expect("send the head");
    let mut interim = [0u8; 25];
    tokio::time::timeout(DEADLINE, s.read_exact(&mut interim))
        .await
        .expect("100 Continue in time")
        .expect("read");
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");

    let shutdown = tokio::spawn(h.shutdown());
    // Shutdown has begun once the listener is gone.
    let start = std::time::Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(start.elapsed() < DEADLINE, "the server still accepts connections after shutdown");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!shutdown.is_finished(), "shutdown returned with a request in flight");

    s.write_all(body.as_bytes()).await.expect("send the body");
    let mut response = Vec::new();
    tokio::time::timeout(DEADLINE, s.read_to_end(&mut response))
        .await
        .expect("the answer in time")
        .expect("read");
    let response = String::from_utf8(response).expect("utf-8");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let (_, json) = response.split_once("\r\n\r\n").expect("a body");
    let json: Value = serde_json::from_str(json).expect("json");
    assert!(json["header"]["totalresults"].as_u64().is_some_and(|n| n >= 1), "{json}");
    tokio::time::timeout(DEADLINE, shutdown).await.expect("shutdown returns").expect("join");
}
