//! The deployment of docs/deploy/address-service.md, on loopback: three `gaap-server` processes serving one
//! index file, behind nginx configured from docs/deploy/nginx-address.conf (less TLS). Under load, one replica
//! is killed (SIGKILL) and another stopped (SIGTERM); every request must still be answered 200. A SIGHUP makes
//! a running process load a replaced index file.
//!
//! nginx is Debian's (`.ci/install-system` installs it); the tests fail, not skip, without it. Every child
//! process is ended when the test ends, however it ends.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

use crate::ops::{client, write_index};

const BIN: &str = env!("CARGO_BIN_EXE_gaap-server");
const NGINX: &str = "/usr/sbin/nginx";
const KEY: &str = "council-site";
/// How long starting, stopping or reloading a process may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(30);

fn template(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/deploy").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn nginx_present() {
    assert!(
        Path::new(NGINX).is_file(),
        "{NGINX} is missing: the replicas test runs nginx in front of gaap-server. Install it with \
         `.ci/install-system` (Debian's nginx package)."
    );
}

// ---------------------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------------------

/// A child process that is ended when dropped: SIGTERM first for nginx (so its master takes its workers
/// down), SIGKILL after a deadline or at once for the rest.
struct Proc {
    name: String,
    child: Child,
    term_first: bool,
}

impl Proc {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} {} ({}) failed", self.pid(), self.name);
    }

    /// Waits for the process to exit, polling with a deadline.
    async fn exited(&mut self, within: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        if self.term_first {
            let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if matches!(self.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `gaap-server` child.
struct Replica {
    proc: Proc,
    base_url: String,
    stderr: PathBuf,
}

impl Replica {
    /// Starts `gaap-server --config CONFIG --listen 127.0.0.1:0` and reads its first stdout line.
    async fn start(dir: &Path, n: usize, config: &Path) -> Self {
        let stdout = dir.join(format!("replica-{n}.out"));
        let stderr = dir.join(format!("replica-{n}.log"));
        let child = Command::new(BIN)
            .arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).expect("stdout file"))
            .stderr(File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("start gaap-server");
        let mut proc = Proc { name: format!("replica {n}"), child, term_first: false };
        let start = Instant::now();
        let line = loop {
            let text = std::fs::read_to_string(&stdout).unwrap_or_default();
            if let Some((line, _)) = text.split_once('\n') {
                break line.to_owned();
            }
            if let Some(status) = proc.child.try_wait().expect("try_wait") {
                let log = std::fs::read_to_string(&stderr).unwrap_or_default();
                panic!("replica {n} exited ({status}) before listening:\n{log}");
            }
            assert!(
                start.elapsed() < DEADLINE,
                "replica {n} printed no startup line in {DEADLINE:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(line.starts_with("{\"base_url\":\"http://127.0.0.1:"), "{line}");
        let startup: Value = serde_json::from_str(&line).expect("the startup line is JSON");
        let base_url = startup["base_url"].as_str().expect("base_url").to_owned();
        Self { proc, base_url, stderr }
    }

    fn port(&self) -> u16 {
        self.base_url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port")
    }

    fn log(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.stderr)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("log line {l:?}: {e}")))
            .collect()
    }

    /// Waits until `/readyz` says the index in service has `addresses` addresses.
    async fn serving(&self, addresses: usize) {
        let c = client();
        let start = Instant::now();
        loop {
            if let Ok(r) = c.get(format!("{}/readyz", self.base_url)).send().await
                && r.status() == 200
                && let Ok(body) = r.json::<Value>().await
                && body["addresses"].as_u64() == Some(addresses as u64)
            {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{} does not serve {addresses} addresses after {DEADLINE:?}; its log:\n{:#?}",
                self.proc.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn loaded_timestamp(&self) -> f64 {
        let text = client()
            .get(format!("{}/metrics", self.base_url))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        text.lines()
            .find_map(|l| l.strip_prefix("gaap_address_index_loaded_timestamp_seconds "))
            .and_then(|v| v.parse().ok())
            .expect("gaap_address_index_loaded_timestamp_seconds")
    }
}

/// The server config the replicas share, as /etc/gaap/server.json in the deployment doc: the index path is
/// relative to the config file.
fn write_config(dir: &Path) -> PathBuf {
    let path = dir.join("server.json");
    let config = serde_json::json!({
        "public_url": "https://addresses.example.gov.uk",
        "address": {
            "index": "address.idx",
            "keys": [{"key": KEY}],
            "reload_poll_ms": 0
        }
    });
    std::fs::write(&path, config.to_string()).expect("write config");
    path
}

/// Paths to ask for, through nginx: postcode and UPRN lookups of addresses in the index.
fn lookups(index: &Path, n: usize) -> Vec<String> {
    let index = gaap_address::Index::open(index).expect("open index");
    let step = (index.len() / n).max(1);
    let mut out = Vec::new();
    for a in (0..index.len()).step_by(step).filter_map(|i| index.get(i)) {
        if let Some(p) = a.postcode {
            let p = p.to_string().replace(' ', "%20");
            out.push(format!("/search/places/v1/postcode?postcode={p}&key={KEY}"));
        }
        out.push(format!("/search/places/v1/uprn?uprn={}&key={KEY}", a.uprn));
    }
    assert!(out.len() >= n, "the index gives {} lookups", out.len());
    out
}

// ---------------------------------------------------------------------------------------------------------
// nginx, from the deployment template
// ---------------------------------------------------------------------------------------------------------

/// The `{ … }` block that starts at `open` (the index of its `{`): its end, just past the `}`.
fn block_end(text: &str, open: usize) -> usize {
    let mut depth = 0usize;
    let mut in_quote = false;
    for (i, c) in text[open..].char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            '{' if !in_quote => depth += 1,
            '}' if !in_quote => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces in the nginx template");
}

/// docs/deploy/nginx-address.conf made runnable on loopback without TLS: the replicas' ports in place of
/// 8081-8083, `listen` on `port`, the port-80 redirect and the `ssl_` lines gone, logs in `dir`. Everything
/// else (the upstream, the proxy and retry settings, the headers) is the template's own.
fn nginx_site(port: u16, replicas: &[u16], dir: &Path) -> String {
    let mut text = template("nginx-address.conf");
    // Comments out of the way, so a brace or a quote in one cannot confuse the block search.
    text = text
        .lines()
        .map(|l| if l.trim_start().starts_with('#') { "" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    for (i, replica) in replicas.iter().enumerate() {
        let from = format!("127.0.0.1:{}", 8081 + i);
        assert!(text.contains(&from), "the template has no replica at {from}");
        text = text.replace(&from, &format!("127.0.0.1:{replica}"));
    }
    // The port-80 server, which only redirects to https.
    let mut at = 0;
    while let Some(found) = text[at..].find("server {") {
        let start = at + found;
        let open = start + "server ".len();
        let end = block_end(&text, open);
        if text[start..end].contains("listen 80;") {
            text.replace_range(start..end, "");
            at = start;
        } else {
            at = end;
        }
    }
    let mut listened = false;
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("listen ") {
            if !listened {
                let _ = writeln!(out, "    listen 127.0.0.1:{port};");
                listened = true;
            }
        } else if t.starts_with("ssl_") {
        } else if t.starts_with("access_log ") {
            let _ = writeln!(out, "    access_log {}/access.log upstreams;", dir.display());
        } else {
            out.push_str(&line.replace("/var/log/nginx/", &format!("{}/", dir.display())));
            out.push('\n');
        }
    }
    assert!(listened, "the template's TLS server has no listen line");
    out
}

/// nginx running in the foreground as a child, with its pid file, logs and temporary files in `dir`.
async fn start_nginx(dir: &Path, replicas: &[u16]) -> (Proc, u16) {
    nginx_present();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let d = dir.display();
    let site = nginx_site(port, replicas, dir);
    let conf = format!(
        "pid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nworker_processes 2;\n\
         events {{ worker_connections 512; }}\n\
         http {{\n\
         client_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\nfastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
         log_format upstreams '$status $request_uri $upstream_addr $upstream_status';\n\
         {site}\n}}\n"
    );
    let conf_path = dir.join("nginx.conf");
    std::fs::write(&conf_path, &conf).expect("write nginx.conf");
    let args = |cmd: &mut Command| {
        cmd.arg("-p")
            .arg(format!("{d}/"))
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf_path);
    };
    let mut test = Command::new(NGINX);
    args(&mut test);
    let checked = test.arg("-t").output().expect("nginx -t runs");
    assert!(
        checked.status.success(),
        "nginx -t refuses the config made from docs/deploy/nginx-address.conf:\n{}\n{conf}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let mut cmd = Command::new(NGINX);
    args(&mut cmd);
    let child = cmd
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(dir.join("nginx.stderr")).expect("stderr file"))
        .spawn()
        .expect("start nginx");
    let mut proc = Proc { name: "nginx".into(), child, term_first: true };
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = proc.child.try_wait().expect("try_wait") {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            panic!("nginx exited ({status}):\n{log}");
        }
        assert!(start.elapsed() < DEADLINE, "nginx is not listening on {port} after {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (proc, port)
}

// ---------------------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------------------

#[test]
fn the_nginx_template_keeps_its_retry_settings() {
    let site = nginx_site(1, &[2, 3, 4], Path::new("/tmp/x"));
    for want in [
        "upstream gaap_address",
        "server 127.0.0.1:2 ",
        "server 127.0.0.1:4 ",
        "keepalive ",
        "proxy_next_upstream error timeout http_502 http_503",
        "proxy_next_upstream_tries 3;",
        "proxy_connect_timeout 1s;",
        "proxy_http_version 1.1;",
        "listen 127.0.0.1:1;",
    ] {
        assert!(site.contains(want), "no {want:?} in\n{site}");
    }
    assert!(
        !site.contains("ssl_") && !site.contains("listen 80") && !site.contains("8081"),
        "{site}"
    );
    let unit = template("gaap-server@.service");
    for want in [
        "ExecStart=/usr/local/bin/gaap serve --config /etc/gaap/server.json --listen 127.0.0.1:%i",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
    ] {
        assert!(unit.lines().any(|l| l == want), "the unit has no line {want:?}");
    }
}

/// A SIGHUP to a running `gaap-server` loads the replaced index file; the log says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_index_of_a_running_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("address.idx");
    let first = write_index(&index, 120, 21, 1_800_000_000);
    let config = write_config(dir.path());
    let replica = Replica::start(dir.path(), 0, &config).await;
    replica.serving(first).await;
    let before = replica.loaded_timestamp().await;

    let second = write_index(&index, 180, 22, 1_800_000_100);
    replica.proc.signal("HUP");
    replica.serving(second).await;
    let log = replica.log();
    assert!(
        log.iter().any(|l| l["msg"] == "reloading the index" && l["why"] == "SIGHUP"),
        "{log:#?}"
    );
    assert_eq!(log.iter().filter(|l| l["msg"] == "index loaded").count(), 2, "{log:#?}");
    assert!(replica.loaded_timestamp().await >= before);

    // A broken file: the process keeps serving the index it has.
    let good = std::fs::read(&index).expect("read");
    std::fs::write(dir.path().join("broken"), &good[..good.len() / 3]).expect("write");
    std::fs::rename(dir.path().join("broken"), &index).expect("rename");
    replica.proc.signal("HUP");
    let start = Instant::now();
    while !replica.log().iter().any(|l| l["level"] == "error") {
        assert!(start.elapsed() < DEADLINE, "no error logged for a broken index");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    replica.serving(second).await;
}

/// Three replicas behind nginx; four clients make a fixed number of requests each, through nginx. A third
/// of the way through one replica is killed, two thirds through another is told to stop. No request may fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_in_front_of_three_replicas_loses_no_request_when_two_go_away() {
    const CLIENTS: usize = 4;
    const PER_CLIENT: usize = 500;
    const TOTAL: usize = CLIENTS * PER_CLIENT;
    nginx_present();
    let dir = tempfile::tempdir().expect("tempdir");
    // nginx's workers run as an unprivileged user when the test runs as root: they must reach the folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let index = dir.path().join("address.idx");
    let addresses = write_index(&index, 2_000, 23, 1_800_000_000);
    let lookups = Arc::new(lookups(&index, 50));
    let config = write_config(dir.path());
    let mut replicas = Vec::new();
    for n in 0..3 {
        replicas.push(Replica::start(dir.path(), n, &config).await);
    }
    for r in &replicas {
        r.serving(addresses).await;
    }
    let ports: Vec<u16> = replicas.iter().map(Replica::port).collect();
    let (nginx, port) = start_nginx(dir.path(), &ports).await;
    let front = format!("http://127.0.0.1:{port}");

    // Through nginx: an answer from a replica, and the template's refusal of /metrics.
    let c = client();
    for path in &lookups[..2] {
        let r = c.get(format!("{front}{path}")).send().await.expect("through nginx");
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.json::<Value>().await.expect("json")["header"].is_object());
    }
    assert_eq!(c.get(format!("{front}/metrics")).send().await.expect("metrics").status(), 403);

    let (progress, watch_progress) = watch::channel(0usize);
    let progress = Arc::new(progress);
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let (progress, lookups, front) = (progress.clone(), lookups.clone(), front.clone());
        clients.push(tokio::spawn(async move {
            let c = client();
            let mut failures = Vec::new();
            let mut ok = 0usize;
            for i in 0..PER_CLIENT {
                let url = format!("{front}{}", lookups[(n * PER_CLIENT + i) % lookups.len()]);
                match c.get(&url).send().await {
                    Ok(r) if r.status() == 200 => match r.json::<Value>().await {
                        Ok(body)
                            if body["header"]["totalresults"].as_u64().is_some_and(|n| n > 0) =>
                        {
                            ok += 1
                        }
                        Ok(body) => failures.push(format!("{url}: {body}")),
                        Err(e) => failures.push(format!("{url}: {e}")),
                    },
                    Ok(r) => failures.push(format!("{url}: {}", r.status())),
                    Err(e) => failures.push(format!("{url}: {e}")),
                }
                progress.send_modify(|p| *p += 1);
            }
            (ok, failures)
        }));
    }

    let at = |n: usize| {
        let mut rx = watch_progress.clone();
        async move {
            tokio::time::timeout(Duration::from_secs(120), rx.wait_for(|p| *p >= n))
                .await
                .expect("the load makes progress")
                .expect("progress");
        }
    };
    at(TOTAL / 3).await;
    let mut killed = replicas.remove(0);
    killed.proc.child.kill().expect("SIGKILL replica 0");
    let killed_status = killed.proc.exited(DEADLINE).await.expect("replica 0 dies");
    let at_kill = *watch_progress.borrow();

    at(2 * TOTAL / 3).await;
    let mut stopped = replicas.remove(0);
    stopped.proc.signal("TERM");
    let at_term = *watch_progress.borrow();

    let mut ok = 0;
    let mut failures = Vec::new();
    for c in clients {
        let (n, f) = tokio::time::timeout(Duration::from_secs(120), c)
            .await
            .expect("the load ends in time")
            .expect("client task");
        ok += n;
        failures.extend(f);
    }
    let stopped_status =
        stopped.proc.exited(DEADLINE).await.expect("replica 1 stops after SIGTERM");
    let stop_log = stopped.log();

    drop(nginx);
    let access = std::fs::read_to_string(dir.path().join("access.log")).unwrap_or_default();
    let retried = access.lines().filter(|l| l.contains(", ")).count();
    println!(
        "replicas behind nginx: {TOTAL} requests from {CLIENTS} clients, {ok} answered 200, {} failed; \
         replica 0 killed (SIGKILL) after {at_kill}, replica 1 stopped (SIGTERM) after {at_term}; \
         {retried} requests were tried on more than one replica",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} requests failed: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
    assert_eq!(ok, TOTAL);
    assert!(!killed_status.success(), "SIGKILL ends the process: {killed_status}");
    assert!(
        stopped_status.success(),
        "SIGTERM is a graceful stop, exit 0: {stopped_status}; {stop_log:#?}"
    );
    assert!(stop_log.iter().any(|l| l["msg"] == "shutting down"), "{stop_log:#?}");
    // nginx's log line for each request through it, the probe and /metrics included.
    assert_eq!(
        access.lines().filter(|l| l.starts_with("200 /search/places/v1/")).count(),
        TOTAL + 2
    );
}
