//! The sign-in gateway's request parsing over HTTP: the callback's query and the sign-in cookie, the sign-in
//! route's `return_to`, the sign-out form with its CSRF token and `Origin`, the back-channel logout body,
//! session cookies on proxied paths, and paths and bodies passed to the upstream. A gateway runs in-process
//! on loopback with its sessions in SQLite, in front of a plain gaap-server as the upstream, and signs in
//! against the sandbox's One Login. Every input must get an answer below 500: a bad request, a foreign
//! `state` or a forged cookie is a typed 4xx or a redirect to sign in, never a server error.
//!
//! Input: one selector byte, then the `Cookie` header up to the first newline, then the query string (or the
//! body, for the POST routes; or the path, for the proxied routes).
#![no_main]

#[path = "common/http.rs"]
mod http;

use std::net::SocketAddr;
use std::sync::LazyLock;

use gaap_sandbox::{ClientConfig, Config as SandboxConfig, OneLoginConfig, Sandbox, SandboxHandle};
use gaap_server::{Config, Logger, Server, ServerHandle};
use libfuzzer_sys::fuzz_target;

struct Target {
    gateway: SocketAddr,
    /// Kept for the life of the process (so nothing they hold reads as a leak).
    _servers: (SandboxHandle, ServerHandle, ServerHandle),
}

static TARGET: LazyLock<Target> = LazyLock::new(|| {
    http::runtime().block_on(async {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let gateway_addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        drop(listener);
        let url = format!("http://{gateway_addr}");
        let client = ClientConfig {
            redirect_uris: vec![format!("{url}/_gaap/callback")],
            post_logout_redirect_uris: vec![format!("{url}/_gaap/signed-out")],
            back_channel_logout_uri: Some(format!("{url}/_gaap/back-channel-logout")),
            ..ClientConfig::default()
        };
        let sandbox_config = SandboxConfig {
            one_login: OneLoginConfig { clients: vec![client], ..OneLoginConfig::default() },
            ..SandboxConfig::default()
        };
        let sandbox = Sandbox::start(sandbox_config.without_background())
            .await
            .unwrap_or_else(|e| panic!("sandbox: {e}"));
        let upstream = Server::new(
            Config::from_json(r#"{"listen": "127.0.0.1:0"}"#)
                .unwrap_or_else(|e| panic!("upstream config: {e}")),
        )
        .logger(Logger::off())
        .start()
        .await
        .unwrap_or_else(|e| panic!("upstream: {e}"));
        upstream.ready().await.unwrap_or_else(|e| panic!("upstream ready: {e}"));
        let dir = std::env::temp_dir().join(format!("gaap-fuzz-gateway-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let creds = &sandbox.credentials().one_login;
        let key = dir.join("rp.pem");
        std::fs::write(&key, creds.private_key_pem.expose()).unwrap_or_else(|e| panic!("key: {e}"));
        let config = serde_json::json!({
            "listen": gateway_addr.to_string(),
            "gateway": {
                "upstream": format!("http://{}", upstream.addr()),
                "one_login": {
                    "issuer": creds.issuer,
                    "client_id": creds.client_id,
                    "private_key_file": key,
                    "allow_http_loopback": true,
                    "identity": {
                        "issuer": creds.issuer,
                        "did_url": format!("{}.well-known/did.json", creds.issuer),
                    },
                },
                "routes": [
                    {"path": "/search", "sign_in": false},
                    {"path": "/", "vtr": "Cl.Cm"},
                    {"path": "/apply", "vtr": "Cl.Cm.P2", "identity": true},
                ],
                "sessions": format!("sqlite:{}", dir.join("sessions.sqlite3").display()),
            },
        });
        let config = Config::from_json(&config.to_string())
            .unwrap_or_else(|e| panic!("gateway config: {e}"));
        let gateway = Server::new(config)
            .logger(Logger::off())
            .start()
            .await
            .unwrap_or_else(|e| panic!("gateway: {e}"));
        gateway.ready().await.unwrap_or_else(|e| panic!("gateway ready: {e}"));
        Target { gateway: gateway.addr(), _servers: (sandbox, upstream, gateway) }
    })
});

/// A request target for a fuzzed path: a leading `/`, the bytes percent-encoded as a query would be, except
/// that `/` and `?` are kept so paths and queries split as the fuzzer wrote them.
fn path_of(bytes: &[u8]) -> String {
    let mut out = String::from("/");
    for part in bytes.split(|&b| b == b'/') {
        if out.len() > 1 {
            out.push('/');
        }
        out.push_str(&http::encode_query(part).replace("%3F", "?"));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let (cookie, rest) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&b""[..], rest),
    };
    // A header value must be visible ASCII (or tab and space); anything else would be a malformed request.
    let cookie: String = cookie
        .iter()
        .filter(|b| b.is_ascii_graphic() || **b == b' ')
        .map(|&b| char::from(b))
        .collect();
    let target = &*TARGET;
    let addr = target.gateway;
    let origin = format!("http://{addr}");
    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(3);
    if !cookie.is_empty() {
        headers.push(("Cookie", &cookie));
    }
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    match which % 8 {
        0 => {
            http::send(
                addr,
                "GET",
                &format!("/_gaap/callback?{}", http::encode_query(rest)),
                &headers,
                b"",
            );
        }
        1 => {
            http::send(
                addr,
                "GET",
                &format!("/_gaap/sign-in?{}", http::encode_query(rest)),
                &headers,
                b"",
            );
        }
        2 => {
            headers.extend([form, ("Origin", origin.as_str())]);
            http::send(addr, "POST", "/_gaap/sign-out", &headers, rest);
        }
        3 => {
            headers.push(form);
            http::send(addr, "POST", "/_gaap/back-channel-logout", &headers, rest);
        }
        4 => {
            let path =
                if rest.first().is_some_and(|b| b % 2 == 0) { "sign-out" } else { "signed-out" };
            http::send(
                addr,
                "GET",
                &format!("/_gaap/{path}?{}", http::encode_query(rest)),
                &headers,
                b"",
            );
        }
        5 => {
            http::send(addr, "GET", &path_of(rest), &headers, b"");
        }
        6 => {
            // A proxied POST on a public route: its body streams to the upstream as it came.
            headers.push(("Content-Type", "application/json"));
            http::send(addr, "POST", "/search/places/v1/polygon", &headers, rest);
        }
        _ => {
            http::send(
                addr,
                "GET",
                &format!("/search/places/v1/find?{}", http::encode_query(rest)),
                &headers,
                b"",
            );
        }
    }
});
