//! The streaming reverse proxy to the upstream site.
//!
//! Requests: hop-by-hop headers, every `X-Gaap-*` header and the gateway's own cookies are removed; the
//! trusted headers and `X-Forwarded-For` (appended), `X-Forwarded-Proto` and `X-Forwarded-Host` (from
//! `public_url`, replacing what the client sent) are added; the body streams through as it arrives.
//! Responses: hop-by-hop headers are removed, everything else (`Location`, `Set-Cookie`, …) passes through
//! unchanged and the body streams back. Redirects are never followed. A connection failure is a 502 and no
//! response headers within the timeout a 504; both are logged and shown as the gateway's own page.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::uri::{PathAndQuery, Uri};
use axum::response::Response;

use super::pool::Pool;
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

/// The upstream and its pool of keep-alive HTTP/1.1 connections.
#[derive(Debug)]
pub(crate) struct Upstream {
    pool: Arc<Pool>,
    /// `Host` for the upstream, as the client would write it (the port only when it is not 80).
    host: HeaderValue,
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
        let upstream_host = match authority.port_u16() {
            Some(80) | None => authority.host().to_owned(),
            Some(_) => authority.as_str().to_owned(),
        };
        // `host:port` to connect to (an IPv6 host keeps its brackets, as a socket address wants them).
        let addr = format!("{}:{}", authority.host(), authority.port_u16().unwrap_or(80));
        Ok(Self {
            pool: Pool::new(addr, connect_timeout),
            host: HeaderValue::from_str(&upstream_host)
                .map_err(|e| format!("gateway.upstream host: {e}"))?,
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
        let pq = match (parts.uri.path_and_query(), self.prefix.is_empty()) {
            // Already parsed: a reference-counted copy.
            (Some(pq), true) => pq.clone(),
            (pq, _) => {
                let pq = pq.map_or("/", PathAndQuery::as_str);
                PathAndQuery::try_from(format!("{}{pq}", self.prefix))
                    .map_err(|e| ProxyError::Other(format!("path: {e}")))?
            }
        };
        // Origin form (`/path?query`): the request line HTTP/1.1 sends to a server, not a proxy.
        parts.uri = Uri::from(pq);
        parts.version = axum::http::Version::HTTP_11;
        let h = &mut parts.headers;
        h.insert(header::HOST, self.host.clone());
        let prior = h.remove(X_FORWARDED_FOR);
        if let Some(ip) = peer {
            let prior = prior.as_ref().and_then(|v| v.to_str().ok());
            if let Ok(xff) = HeaderValue::from_str(&forwarded_for(prior, ip)) {
                h.insert(X_FORWARDED_FOR, xff);
            }
        }
        h.insert(X_FORWARDED_PROTO, self.forwarded_proto.clone());
        h.insert(X_FORWARDED_HOST, self.forwarded_host.clone());
        if h.contains_key(header::FORWARDED) {
            h.remove(header::FORWARDED);
        }
        let request = Request::from_parts(parts, body);
        let mut response = match tokio::time::timeout(self.timeout, self.pool.send(request)).await {
            Err(_) => return Err(ProxyError::Timeout),
            Ok(result) => result?,
        };
        remove_hop_by_hop(response.headers_mut());
        Ok(response)
    }
}

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// `X-Forwarded-For`: what came before (when sent), then the peer.
fn forwarded_for(prior: Option<&str>, ip: IpAddr) -> String {
    let mut out = String::with_capacity(prior.map_or(0, |p| p.len() + 2) + 15);
    if let Some(prior) = prior {
        out.push_str(prior);
        out.push_str(", ");
    }
    match ip {
        // Without the formatting machinery: this runs on every request.
        IpAddr::V4(v4) => {
            let mut buf = itoa::Buffer::new();
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(buf.format(octet));
            }
        }
        IpAddr::V6(v6) => out.push_str(&v6.to_string()),
    }
    out
}

pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
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
    // Most messages carry none: one pass over the names, without hashing, finds out. A header named in
    // `Connection` goes only with `Connection`, which is in the set.
    if !headers.keys().any(|k| HOP_BY_HOP.contains(&k.as_str())) {
        return;
    }
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
    let pairs = || {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
    };
    let ours = |pair: &str| Cookies::is_ours(pair.split_once('=').map_or(pair, |(k, _)| k));
    // One `Cookie` header (HTTP/1.1 sends one) that is all readable text and holds none of ours stays
    // as it is.
    let cookies = headers.get_all(header::COOKIE);
    let mut values = cookies.iter();
    let untouched = match (values.next(), values.next()) {
        (None, _) => true,
        (Some(one), None) => one.to_str().is_ok() && !pairs().any(ours),
        (Some(_), Some(_)) => false,
    };
    if untouched {
        return;
    }
    let mut kept = String::new();
    for pair in pairs().filter(|p| !ours(p)) {
        if !kept.is_empty() {
            kept.push_str("; ");
        }
        kept.push_str(pair);
    }
    headers.remove(header::COOKIE);
    if !kept.is_empty()
        && let Ok(v) = HeaderValue::from_str(&kept)
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

        let mut untouched = HeaderMap::new();
        untouched.insert("cookie", HeaderValue::from_static("a=1;b=2"));
        clean_request_headers(&mut untouched);
        assert_eq!(untouched["cookie"], "a=1;b=2", "none of ours: left as sent");

        let mut only_ours = HeaderMap::new();
        only_ours.insert("cookie", HeaderValue::from_static("gaap_session=x"));
        clean_request_headers(&mut only_ours);
        assert!(!only_ours.contains_key("cookie"));
    }

    #[test]
    fn forwarded_for_appends_the_peer() {
        let v4: IpAddr = "192.0.2.10".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(forwarded_for(None, v4), "192.0.2.10");
        assert_eq!(forwarded_for(Some("203.0.113.9"), v4), "203.0.113.9, 192.0.2.10");
        assert_eq!(forwarded_for(None, "0.0.0.0".parse().unwrap()), "0.0.0.0");
        assert_eq!(forwarded_for(None, "255.255.255.255".parse().unwrap()), "255.255.255.255");
        assert_eq!(forwarded_for(Some("a"), v6), "a, 2001:db8::1");
    }

    proptest::proptest! {
        /// Whatever the Cookie headers hold, the gateway's cookies never reach the upstream and every other
        /// pair does, in order.
        #[test]
        fn our_cookies_never_pass_and_others_all_do(
            headers in proptest::collection::vec(
                proptest::collection::vec(
                    (
                        proptest::sample::select(vec![
                            "gaap_session", "__Host-gaap_session", "gaap_signin",
                            "__Host-gaap_signin", "PHPSESSID", "lang", "gaap_sessionx",
                        ]),
                        "[a-zA-Z0-9_-]{0,8}",
                    ),
                    0..5,
                ),
                0..3,
            ),
        ) {
            let mut h = HeaderMap::new();
            for pairs in &headers {
                let value: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                h.append("cookie", HeaderValue::from_str(&value.join("; ")).unwrap());
            }
            clean_request_headers(&mut h);
            let sent: Vec<String> = h
                .get_all("cookie")
                .iter()
                .flat_map(|v| v.to_str().unwrap().split(';').map(|p| p.trim().to_owned()))
                .filter(|p| !p.is_empty())
                .collect();
            let expected: Vec<String> = headers
                .iter()
                .flatten()
                .filter(|(k, _)| !Cookies::is_ours(k))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            proptest::prop_assert_eq!(sent, expected);
        }
    }
}
