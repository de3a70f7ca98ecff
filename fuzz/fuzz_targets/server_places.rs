//! gaap-server's request parsing over HTTP: OS Places query parameters on every resource, the polygon
//! resource's GeoJSON body, the locations API and the address finder's query. The server runs in-process on
//! loopback with its embedded data; every input must get an answer below 500 (a bad request is a typed 4xx).
//!
//! Input: one selector byte, then the query string; for `polygon`, the query ends at the first newline and
//! the rest is the body.
#![no_main]

#[path = "common/http.rs"]
mod http;

use std::net::SocketAddr;
use std::sync::LazyLock;

use gaap_server::{Config, Logger, Server, ServerHandle};
use libfuzzer_sys::fuzz_target;

/// The server, kept in a static for the life of the process (so nothing it holds reads as a leak).
static SERVER: LazyLock<ServerHandle> = LazyLock::new(|| {
    http::runtime().block_on(async {
        let config = Config::from_json(r#"{"listen": "127.0.0.1:0"}"#)
            .unwrap_or_else(|e| panic!("config: {e}"));
        let handle = Server::new(config)
            .logger(Logger::off())
            .start()
            .await
            .unwrap_or_else(|e| panic!("start: {e}"));
        handle.ready().await.unwrap_or_else(|e| panic!("ready: {e}"));
        handle
    })
});

const GETS: [&str; 9] = [
    "/search/places/v1/postcode",
    "/search/places/v1/uprn",
    "/search/places/v1/find",
    "/search/places/v1/nearest",
    "/search/places/v1/bbox",
    "/search/places/v1/radius",
    "/api/local-authority",
    "/api/local-services/1",
    "/address-finder",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let addr: SocketAddr = SERVER.addr();
    let which = usize::from(which) % (GETS.len() + 1);
    if let Some(path) = GETS.get(which) {
        let target = format!("{path}?{}", http::encode_query(rest));
        http::send(addr, "GET", &target, &[], b"");
    } else {
        let (query, body) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (&b""[..], rest),
        };
        let target = format!("/search/places/v1/polygon?{}", http::encode_query(query));
        http::send(addr, "POST", &target, &[("Content-Type", "application/json")], body);
    }
});
