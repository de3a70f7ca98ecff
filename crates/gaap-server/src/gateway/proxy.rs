//! The streaming reverse proxy to the upstream site.
//!
//! Requests: hop-by-hop headers, every `X-Gaap-*` header and the gateway's own cookies are removed; the
//! trusted headers and `X-Forwarded-For` (appended), `X-Forwarded-Proto` and `X-Forwarded-Host` (from
//! `public_url`, replacing what the client sent) are added; the body streams through as it arrives.
//! Responses: hop-by-hop headers are removed, everything else (`Location`, `Set-Cookie`, …) passes through
//! unchanged and the body streams back. Redirects are never followed. A connection failure is a 502 and no
//! response headers within the timeout a 504; both are logged and shown as the gateway's own page.

use std::net::IpAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::uri::{PathAndQuery, Uri};
use axum::response::Response;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::session::Cookies;

/// Why a request could not be proxied.
#[derive(Debug)]
pub(crate) enum ProxyError {
    /// The upstream could not be connected to (refused, unreachable, connect timeout): 502.
    Connect(String),
    /// No response headers within the timeout: 504.
    Timeout,
    /// The connection failed mid-request: 502.
    Other(String),
}

/// The upstream and a pooled HTTP/1.1 client to it.
#[derive(Debug)]
pub(crate) struct Upstream {
    client: Client<HttpConnector, Body>,
    authority: axum::http::uri::Authority,
    prefix: String,
    timeout: Duration,
    forwarded_proto: HeaderValue,
    forwarded_host: HeaderValue,
}

/// Headers that describe one connection, never forwarded (RFC 9110 §7.6.1). `Transfer-Encoding` is the
/// framing of one hop: hyper frames each side itself (and HTTP/2 forbids the header).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

impl Upstream {
    /// `authority` and `prefix` come from `gateway.upstream`; `public_url` gives the forwarded proto and host.
    pub(crate) fn new(
        authority: &str,
        prefix: &str,
        timeout: Duration,
        connect_timeout: Duration,
        public_url: &str,
    ) -> Result<Self, String> {
        let authority: axum::http::uri::Authority =
            authority.parse().map_err(|e| format!("gateway.upstream host {authority:?}: {e}"))?;
        let public: Uri =
            public_url.parse().map_err(|e| format!("public_url {public_url:?}: {e}"))?;
        let proto = public.scheme_str().unwrap_or("http");
        let host = public.authority().map_or("", axum::http::uri::Authority::as_str);
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(connect_timeout));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Self {
            client,
            authority,
            prefix: prefix.to_owned(),
            timeout,
            forwarded_proto: HeaderValue::from_str(proto)
                .map_err(|e| format!("public_url scheme: {e}"))?,
            forwarded_host: HeaderValue::from_str(host)
                .map_err(|e| format!("public_url host: {e}"))?,
        })
    }

    /// Sends `request` (its headers already cleaned by [`clean_request_headers`] and the trusted ones added)
    /// to the upstream and streams the answer back.
    pub(crate) async fn forward(
        &self,
        request: Request,
        peer: Option<IpAddr>,
    ) -> Result<Response, ProxyError> {
        let (mut parts, body) = request.into_parts();
        let pq = parts.uri.path_and_query().map_or("/", PathAndQuery::as_str);
        let pq = if self.prefix.is_empty() {
            PathAndQuery::try_from(pq)
        } else {
            PathAndQuery::try_from(format!("{}{pq}", self.prefix))
        }
        .map_err(|e| ProxyError::Other(format!("path: {e}")))?;
        parts.uri = Uri::builder()
            .scheme("http")
            .authority(self.authority.clone())
            .path_and_query(pq)
            .build()
            .map_err(|e| ProxyError::Other(format!("upstream URI: {e}")))?;
        parts.version = axum::http::Version::HTTP_11;
        let h = &mut parts.headers;
        h.remove(header::HOST);
        let xff = match (peer, h.get("x-forwarded-for").and_then(|v| v.to_str().ok())) {
            (Some(ip), Some(prior)) => HeaderValue::from_str(&format!("{prior}, {ip}")).ok(),
            (Some(ip), None) => HeaderValue::from_str(&ip.to_string()).ok(),
            (None, _) => None,
        };
        h.remove("x-forwarded-for");
        if let Some(xff) = xff {
            h.insert(HeaderName::from_static("x-forwarded-for"), xff);
        }
        h.insert(HeaderName::from_static("x-forwarded-proto"), self.forwarded_proto.clone());
        h.insert(HeaderName::from_static("x-forwarded-host"), self.forwarded_host.clone());
        h.remove(header::FORWARDED);
        let request = Request::from_parts(parts, body);
        let response = match tokio::time::timeout(self.timeout, self.client.request(request)).await
        {
            Err(_) => return Err(ProxyError::Timeout),
            Ok(Err(e)) if e.is_connect() => return Err(ProxyError::Connect(error_chain(&e))),
            Ok(Err(e)) => return Err(ProxyError::Other(error_chain(&e))),
            Ok(Ok(r)) => r,
        };
        let (mut parts, body) = response.into_parts();
        remove_hop_by_hop(&mut parts.headers);
        Ok(Response::from_parts(parts, Body::new(body)))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Removes the headers named in `Connection` and the fixed hop-by-hop set.
fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        headers.remove(n);
    }
    for n in HOP_BY_HOP {
        headers.remove(n);
    }
}

/// Cleans an incoming request's headers before the trusted ones are added: hop-by-hop headers, every
/// `X-Gaap-*` header, and the gateway's own cookies (the upstream never sees a session id).
pub(crate) fn clean_request_headers(headers: &mut HeaderMap) {
    remove_hop_by_hop(headers);
    super::headers::remove_gaap_headers(headers);
    let cookies: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| {
            !pair.is_empty() && !Cookies::is_ours(pair.split_once('=').map_or(*pair, |(k, _)| k))
        })
        .map(str::to_owned)
        .collect();
    let had_cookies = headers.contains_key(header::COOKIE);
    headers.remove(header::COOKIE);
    if had_cookies
        && !cookies.is_empty()
        && let Ok(v) = HeaderValue::from_str(&cookies.join("; "))
    {
        headers.insert(header::COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_drops_hop_by_hop_gaap_headers_and_our_cookies() {
        let mut h = HeaderMap::new();
        h.insert("connection", HeaderValue::from_static("keep-alive, x-secret-hop"));
        h.insert("x-secret-hop", HeaderValue::from_static("1"));
        h.insert("x-gaap-sub", HeaderValue::from_static("spoofed"));
        h.insert("X-GAAP-VOT", HeaderValue::from_static("Cl.Cm.P3"));
        h.append("cookie", HeaderValue::from_static("PHPSESSID=a; gaap_session=secret"));
        h.append("cookie", HeaderValue::from_static("__Host-gaap_signin=s; lang=cy"));
        h.insert("accept", HeaderValue::from_static("text/html"));
        clean_request_headers(&mut h);
        assert!(!h.contains_key("connection") && !h.contains_key("x-secret-hop"));
        assert!(!h.contains_key("x-gaap-sub") && !h.contains_key("x-gaap-vot"));
        assert_eq!(h["cookie"], "PHPSESSID=a; lang=cy");
        assert_eq!(h["accept"], "text/html");

        let mut only_ours = HeaderMap::new();
        only_ours.insert("cookie", HeaderValue::from_static("gaap_session=x"));
        clean_request_headers(&mut only_ours);
        assert!(!only_ours.contains_key("cookie"));
    }
}
