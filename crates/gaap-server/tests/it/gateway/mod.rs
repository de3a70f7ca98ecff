//! The One Login gateway against gaap-sandbox's One Login, with an in-process echo server as the upstream.
//!
//! The browser is a reqwest client that follows redirects by hand and keeps its own cookie jar, so every
//! hop (and every `Set-Cookie`) can be looked at. Time is a `ManualClock` shared by the sandbox and the
//! gateway.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod attacks;
mod cli;
mod docs;
mod errors;
mod php;
mod proxying;
mod replicas;
mod sessions;
mod sign_in;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use gaap_http::ManualClock;
use gaap_sandbox::{
    ClientConfig, Config as SandboxConfig, OneLoginConfig, Sandbox, SandboxHandle, UserConfig,
};
use gaap_server::{Config, Logger, Server, ServerHandle};
use serde_json::{Value, json};

/// The sandbox's default user.
pub(crate) const SUB: &str = "urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw=";
/// The sandbox's second user, with no identity.
pub(crate) const SECOND_SUB: &str = "urn:fdc:gov.uk:2022:second-user";

pub(crate) fn clock() -> ManualClock {
    ManualClock::new(time::macros::datetime!(2026-11-22 10:00 UTC))
}

/// A free loopback port (bound, then released for the gateway to bind).
pub(crate) fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Log lines collected in memory.
#[derive(Clone, Default)]
pub(crate) struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// What the echo upstream saw of one request.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) headers: HeaderMap,
}

/// The upstream: echoes each request as JSON, with a few special paths.
pub(crate) struct Upstream {
    pub(crate) url: String,
    pub(crate) seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Upstream {
    pub(crate) async fn start() -> Self {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |request: Request| {
            let log = log.clone();
            async move { echo(request, &log).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, seen, task }
    }

    pub(crate) fn last(&self) -> Seen {
        self.seen.lock().unwrap().last().cloned().expect("the upstream saw a request")
    }

    pub(crate) fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

async fn echo(request: Request, log: &Mutex<Vec<Seen>>) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    if path == "/slow" {
        // Never answers: the gateway's timeout must fire.
        std::future::pending::<()>().await;
    }
    let body = axum::body::to_bytes(body, 64 << 20).await.unwrap_or_default();
    log.lock().unwrap().push(Seen { headers: parts.headers.clone() });
    match path.as_str() {
        "/redirect" => Response::builder()
            .status(StatusCode::FOUND)
            .header("location", "http://elsewhere.example/landing?from=upstream")
            .header("set-cookie", "up=1; Path=/; HttpOnly")
            .header("set-cookie", "other=2; Path=/app")
            .body(Body::empty())
            .unwrap(),
        "/big" => {
            // A streamed (chunked) answer of 4 MiB in 64 KiB pieces.
            let chunks = Body::from_stream(futures::stream::iter(
                (0..64u8).map(|i| Ok::<_, std::io::Error>(Bytes::from(vec![i; 65536]))),
            ));
            Response::builder()
                .header("content-type", "application/octet-stream")
                .body(chunks)
                .unwrap()
        }
        _ => {
            let mut headers = BTreeMap::<String, Vec<String>>::new();
            for (k, v) in &parts.headers {
                headers
                    .entry(k.as_str().to_owned())
                    .or_default()
                    .push(String::from_utf8_lossy(v.as_bytes()).into_owned());
            }
            axum::Json(json!({
                "method": parts.method.as_str(),
                "uri": parts.uri.to_string(),
                "headers": headers,
                "body_len": body.len(),
            }))
            .into_response()
        }
    }
}

/// The sandbox, registered for a gateway at `gateway_url`.
pub(crate) async fn sandbox(clock: &ManualClock, gateway_urls: &[String]) -> SandboxHandle {
    let client = ClientConfig {
        redirect_uris: gateway_urls.iter().map(|g| format!("{g}/_gaap/callback")).collect(),
        post_logout_redirect_uris: gateway_urls
            .iter()
            .map(|g| format!("{g}/_gaap/signed-out"))
            .collect(),
        back_channel_logout_uri: gateway_urls
            .first()
            .map(|g| format!("{g}/_gaap/back-channel-logout")),
        pkce_enforced: true,
        ..ClientConfig::default()
    };
    // User 0 is the simulator's default (up to P2); user 1 has proven no identity (P0).
    let second = UserConfig {
        sub: SECOND_SUB.to_owned(),
        email: "second@example.com".to_owned(),
        max_loc: "P0".to_owned(),
        ..UserConfig::default()
    };
    let config = SandboxConfig {
        one_login: OneLoginConfig {
            clients: vec![client],
            users: vec![UserConfig::default(), second],
            ..OneLoginConfig::default()
        },
        ..SandboxConfig::default()
    };
    Sandbox::start(config.with_clock(Arc::new(clock.clone())).without_background()).await.unwrap()
}

/// The `gateway` config JSON for the sandbox and an upstream.
pub(crate) fn gateway_json(
    sandbox: &SandboxHandle,
    dir: &std::path::Path,
    upstream: &str,
    sessions: &str,
) -> Value {
    let creds = &sandbox.credentials().one_login;
    let key = dir.join("rp.pem");
    std::fs::write(&key, creds.private_key_pem.expose()).unwrap();
    json!({
        "upstream": upstream,
        "one_login": {
            "issuer": creds.issuer,
            "client_id": creds.client_id,
            "private_key_file": key,
            "allow_http_loopback": true,
            "identity": {"issuer": creds.issuer, "did_url": format!("{}.well-known/did.json", creds.issuer)},
        },
        "routes": [
            {"path": "/public", "sign_in": false},
            {"path": "/", "vtr": "Cl.Cm"},
            {"path": "/apply", "vtr": "Cl.Cm.P2", "identity": true},
            {"path": "/low", "vtr": "Cl"},
        ],
        "sessions": sessions,
        "upstream_timeout_ms": 300,
        "idle_timeout_seconds": 1800,
        "absolute_timeout_seconds": 28800,
        "service_name": "Apply for a parking permit",
    })
}

/// Starts a gateway server on `port` with `gateway` as its config's `gateway` (and `public_url`, when the
/// gateway sits behind a proxy).
pub(crate) async fn start_gateway(
    port: u16,
    public_url: Option<&str>,
    gateway: Value,
    clock: &ManualClock,
    logs: &Logs,
) -> ServerHandle {
    let mut config = json!({"listen": format!("127.0.0.1:{port}"), "gateway": gateway});
    if let Some(url) = public_url {
        config["public_url"] = url.into();
    }
    let config = Config::from_json(&config.to_string()).unwrap();
    Server::new(config)
        .clock(Arc::new(clock.clone()))
        .logger(Logger::to(logs.clone()))
        .start()
        .await
        .unwrap()
}

/// A sandbox, an echo upstream and a gateway (SQLite sessions), all on one clock.
pub(crate) struct Env {
    pub(crate) clock: ManualClock,
    pub(crate) sandbox: SandboxHandle,
    pub(crate) upstream: Upstream,
    pub(crate) _gateway: ServerHandle,
    pub(crate) url: String,
    pub(crate) logs: Logs,
    pub(crate) _dir: tempfile::TempDir,
}

impl Env {
    pub(crate) async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts with the gateway config changed by `edit`.
    pub(crate) async fn start_with(edit: impl FnOnce(&mut Value)) -> Self {
        let clock = clock();
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let sandbox = sandbox(&clock, std::slice::from_ref(&url)).await;
        let upstream = Upstream::start().await;
        let sessions = format!("sqlite:{}", dir.path().join("gateway.sqlite3").display());
        let mut config = gateway_json(&sandbox, dir.path(), &upstream.url, &sessions);
        edit(&mut config);
        let logs = Logs::default();
        let gateway = start_gateway(port, None, config, &clock, &logs).await;
        assert_eq!(gateway.base_url(), url);
        Self { clock, sandbox, upstream, _gateway: gateway, url, logs, _dir: dir }
    }

    pub(crate) fn browser(&self) -> Browser {
        Browser::new(&self.url, &self.sandbox.credentials().one_login.issuer)
    }

    pub(crate) fn advance(&self, seconds: u64) {
        self.clock.advance(std::time::Duration::from_secs(seconds));
    }
}

/// What to choose on the sandbox's sign-in page.
#[derive(Debug, Clone, Default)]
pub(crate) struct Choice {
    pub(crate) user: usize,
    pub(crate) outcome: Option<&'static str>,
    pub(crate) id_token_errors: Vec<&'static str>,
    pub(crate) core_identity_errors: Vec<&'static str>,
}

/// A browser: a cookie jar for the gateway's origin, redirects followed by hand.
pub(crate) struct Browser {
    pub(crate) http: reqwest::Client,
    pub(crate) jar: BTreeMap<String, String>,
    pub(crate) gateway: String,
    /// More origins that get the jar's cookies (replicas of one gateway).
    pub(crate) also: Vec<String>,
    pub(crate) issuer: String,
    /// Every `Set-Cookie` the gateway sent, raw.
    pub(crate) set_cookies: Vec<String>,
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn location(&self) -> String {
        self.headers
            .get("location")
            .unwrap_or_else(|| panic!("no Location on {} {}", self.status, self.body))
            .to_str()
            .unwrap()
            .to_owned()
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The upstream echo's view of a header (first value).
    pub(crate) fn echoed(&self, name: &str) -> Option<String> {
        self.json()["headers"][name].get(0).and_then(Value::as_str).map(str::to_owned)
    }
}

impl Browser {
    pub(crate) fn new(gateway: &str, issuer: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: BTreeMap::new(),
            gateway: gateway.to_owned(),
            also: Vec::new(),
            issuer: issuer.to_owned(),
            set_cookies: Vec::new(),
        }
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') { format!("{}{url}", self.gateway) } else { url.to_owned() }
    }

    fn cookie_header(&self) -> String {
        self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Sends a request built by `build` (with the jar's cookies for the gateway) and keeps its cookies.
    pub(crate) async fn send(
        &mut self,
        build: impl FnOnce(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Page {
        let mut request = build(&self.http).build().unwrap();
        let url = request.url().as_str();
        let to_gateway =
            url.starts_with(&self.gateway) || self.also.iter().any(|o| url.starts_with(o.as_str()));
        if to_gateway && !self.jar.is_empty() && !request.headers().contains_key("cookie") {
            request.headers_mut().insert("cookie", self.cookie_header().parse().unwrap());
        }
        let response = self.http.execute(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if to_gateway {
            for v in headers.get_all("set-cookie") {
                let raw = v.to_str().unwrap().to_owned();
                let pair = raw.split(';').next().unwrap();
                let (k, val) = pair.split_once('=').unwrap();
                if raw.contains("Max-Age=0") {
                    self.jar.remove(k);
                } else {
                    self.jar.insert(k.to_owned(), val.to_owned());
                }
                self.set_cookies.push(raw);
            }
        }
        let body = response.text().await.unwrap_or_default();
        Page { status, headers, body }
    }

    /// A browser navigation (GET, `Accept: text/html`).
    pub(crate) async fn get(&mut self, url: &str) -> Page {
        let url = self.absolute(url);
        self.send(|c| c.get(url).header("accept", "text/html,application/xhtml+xml")).await
    }

    /// Goes to `path`, is sent to One Login, makes `choice` on the sandbox's page and follows the callback.
    /// Returns the callback's response (a 303 back to `path` on success, an error page otherwise).
    pub(crate) async fn sign_in(&mut self, path: &str, choice: &Choice) -> Page {
        let start = self.get(path).await;
        assert_eq!(start.status, 302, "expected a redirect to One Login: {}", start.body);
        let authorize = start.location();
        assert!(authorize.starts_with(&self.issuer), "{authorize}");
        let callback = self.sandbox_sign_in(&authorize, choice).await;
        self.get(&callback).await
    }

    /// Submits the sandbox's sign-in page for an authorize URL; returns the callback URL it redirects to.
    pub(crate) async fn sandbox_sign_in(&mut self, authorize: &str, choice: &Choice) -> String {
        let page = self.get(authorize).await;
        if page.status == 302 {
            // An error the sandbox answers at once (authorise_error).
            return page.location();
        }
        assert_eq!(page.status, 200, "{}", page.body);
        let request_id = page
            .body
            .split("name=\"request_id\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        let mut form = vec![
            ("request_id".to_owned(), request_id),
            ("user".to_owned(), choice.user.to_string()),
            ("outcome".to_owned(), choice.outcome.unwrap_or("success").to_owned()),
        ];
        for e in &choice.id_token_errors {
            form.push(("id_token_error".to_owned(), (*e).to_owned()));
        }
        for e in &choice.core_identity_errors {
            form.push(("core_identity_error".to_owned(), (*e).to_owned()));
        }
        let url = format!("{}authorize/sign-in", self.issuer);
        let done = self.send(|c| c.post(url).form(&form)).await;
        assert_eq!(done.status, 302, "{}", done.body);
        done.location()
    }

    /// The session cookie's value.
    pub(crate) fn session(&self) -> Option<String> {
        self.jar.get("gaap_session").cloned()
    }
}

/// Decodes `X-Gaap-Identity`.
pub(crate) fn decode_identity(value: &str) -> Value {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(value).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The query of a URL as a map.
pub(crate) fn query(url: &str) -> BTreeMap<String, String> {
    let url = url::Url::parse(url).unwrap();
    url.query_pairs().into_owned().collect()
}
