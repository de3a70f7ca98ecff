//! The One Login sign-in gateway: puts an existing site (the upstream) behind GOV.UK One Login without
//! changing it. All One Login logic is gaap-identity's; the gateway adds routing, sessions and proxying.
//!
//! A request the server's own routes do not answer comes here. Its route (see [`config::GatewayConfig`])
//! says whether it needs sign-in and at what vector of trust. A signed-in request with enough trust is
//! proxied with the trusted headers of [`headers`]; a browser GET without is sent to One Login (step-up when
//! the session holds less than the route needs); anything else gets 401. The gateway's own endpoints live
//! under `/_gaap/` (see `routes.rs`).

pub mod config;
pub mod headers;
mod pages;
mod pending;
mod pool;
mod proxy;
mod routes;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use gaap_http::SharedClock;
use gaap_identity::{
    AuthorizeRequest, ClaimsRequest, Client, ClientKey, LevelOfConfidence, Scope, VocabClaim, Vtr,
};

use crate::Error;
use crate::ops::log::Logger;
use config::{GatewayConfig, Route, StoreLocation};
use pages::Pages;
use pending::{PENDING_MAX_AGE_SECONDS, PendingSignIn};
use proxy::{ProxyError, Upstream};
use session::{Cookies, Session, Store, hash_token, looks_like_token, new_token, read_cookie};

/// The callback path; the redirect URI registered with One Login is `public_url` + this.
pub const CALLBACK_PATH: &str = "/_gaap/callback";
/// The back-channel logout path; the URI registered with One Login is `public_url` + this.
pub const BACK_CHANNEL_LOGOUT_PATH: &str = "/_gaap/back-channel-logout";
/// The sign-out path: GET shows a confirmation form, POST (with its CSRF token) signs out.
pub const SIGN_OUT_PATH: &str = "/_gaap/sign-out";
/// The page One Login returns to after sign-out, unless `post_logout_redirect_uri` says otherwise.
pub const SIGNED_OUT_PATH: &str = "/_gaap/signed-out";
/// Starts a sign-in: `/_gaap/sign-in?return_to=/path` (a same-origin path only).
pub const SIGN_IN_PATH: &str = "/_gaap/sign-in";

/// Everything a gateway request needs.
pub(crate) struct Gateway {
    client: Client,
    store: Arc<dyn Store>,
    upstream: Upstream,
    routes: Vec<Route>,
    default_route: Route,
    cookies: Cookies,
    pages: Pages,
    clock: SharedClock,
    logger: Logger,
    /// `scheme://host[:port]` of `public_url`, to check `Origin` on the gateway's forms.
    public_origin: String,
    post_logout_redirect_uri: String,
    idle: i64,
    absolute: i64,
    /// Sessions record their last use at most this often (a write per request would be wasted).
    touch_every: i64,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("client", &self.client)
            .field("store", &self.store)
            .field("public_origin", &self.public_origin)
            .finish_non_exhaustive()
    }
}

fn seconds(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Gateway {
    /// Checks the config, reads the signing key, opens the session store and builds the One Login client.
    /// Nothing is fetched from One Login until the first sign-in.
    pub(crate) async fn start(
        cfg: &GatewayConfig,
        public_url: &str,
        clock: SharedClock,
        logger: Logger,
    ) -> Result<Arc<Self>, Error> {
        let err = |m: String| Error::Config(m);
        let routes = cfg.routes().map_err(err)?;
        let (authority, prefix) = cfg.upstream_parts().map_err(err)?;
        let upstream = Upstream::new(
            &authority,
            &prefix,
            Duration::from_millis(cfg.upstream_timeout_ms),
            Duration::from_millis(cfg.upstream_connect_timeout_ms),
            public_url,
        )
        .map_err(err)?;
        if cfg.idle_timeout_seconds == 0 || cfg.absolute_timeout_seconds == 0 {
            return Err(err("gateway session timeouts must be above zero".to_owned()));
        }
        let ol = &cfg.one_login;
        let pem = std::fs::read_to_string(&ol.private_key_file).map_err(|e| {
            err(format!(
                "gateway.one_login.private_key_file {}: {e}",
                ol.private_key_file.display()
            ))
        })?;
        let mut key = ClientKey::from_pem(&pem)
            .map_err(|e| err(format!("gateway.one_login.private_key_file: {e}")))?;
        drop(pem);
        if let Some(kid) = &ol.key_id {
            key = key.with_kid(kid.clone());
        }
        let public_url = public_url.trim_end_matches('/');
        let mut builder = Client::builder(ol.issuer.clone(), ol.client_id.clone())
            .redirect_uri(format!("{public_url}{CALLBACK_PATH}"))
            .signing_key(key)
            .clock(clock.clone())
            .insecure_allow_http_loopback(ol.allow_http_loopback)
            .user_agent(format!("gaap-gateway/{} ({public_url})", env!("CARGO_PKG_VERSION")));
        if let Some(id) = &ol.identity {
            builder = builder.identity(id.issuer.clone(), id.did_url.clone());
        }
        let client = builder.build().map_err(|e| err(format!("gateway.one_login: {e}")))?;
        let store: Arc<dyn Store> = match cfg.store_location().map_err(err)? {
            StoreLocation::Sqlite(path) => Arc::new(
                session::SqliteStore::open(&path)
                    .map_err(|e| err(format!("gateway.sessions: {e}")))?,
            ),
            StoreLocation::Postgres(url) => Arc::new(
                session::PgStore::connect(url)
                    .await
                    .map_err(|e| err(format!("gateway.sessions: {e}")))?,
            ),
        };
        let issuer_origin = url::Url::parse(&ol.issuer)
            .map(|u| u.origin().ascii_serialization())
            .map_err(|e| err(format!("gateway.one_login.issuer: {e}")))?;
        let public_origin = url::Url::parse(public_url)
            .map(|u| u.origin().ascii_serialization())
            .map_err(|e| err(format!("public_url: {e}")))?;
        let secure = public_url.starts_with("https://");
        let idle = seconds(cfg.idle_timeout_seconds);
        logger.info(
            "gateway ready",
            &[
                ("upstream", cfg.upstream.as_str()),
                ("callback", &format!("{public_url}{CALLBACK_PATH}")),
            ],
        );
        Ok(Arc::new(Self {
            client,
            store,
            upstream,
            routes,
            default_route: Route {
                path: "/".to_owned(),
                sign_in: true,
                vtr: Vtr::default(),
                identity: false,
            },
            cookies: Cookies::new(secure),
            pages: Pages::new(
                cfg.service_name.as_deref().unwrap_or("GOV.UK One Login gateway"),
                &issuer_origin,
            ),
            clock,
            logger,
            public_origin,
            post_logout_redirect_uri: cfg
                .post_logout_redirect_uri
                .clone()
                .unwrap_or_else(|| format!("{public_url}{SIGNED_OUT_PATH}")),
            idle,
            absolute: seconds(cfg.absolute_timeout_seconds),
            touch_every: (idle / 10).clamp(1, 60),
        }))
    }

    fn now(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    /// The route covering `path`, or the closed default.
    fn route_for(&self, path: &str) -> &Route {
        self.routes.iter().find(|r| r.covers(path)).unwrap_or(&self.default_route)
    }

    /// The request's live session (and its id hash), ending it when idle or too old.
    async fn current_session(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<(String, Session)>, session::StoreError> {
        let Some(id) = read_cookie(headers, self.cookies.session).filter(|v| looks_like_token(v))
        else {
            return Ok(None);
        };
        let hash = hash_token(id);
        let Some(s) = self.store.get(&hash).await? else { return Ok(None) };
        let now = self.now();
        if now - s.last_seen >= self.idle || now - s.created_at >= self.absolute {
            self.store.delete(&hash).await?;
            return Ok(None);
        }
        if now - s.last_seen >= self.touch_every {
            self.store.touch(&hash, now).await?;
        }
        Ok(Some((hash, s)))
    }

    /// Sends the browser to One Login for `vtr`, to come back to `return_to`.
    async fn start_sign_in(&self, headers: &HeaderMap, return_to: String, vtr: Vtr) -> Response {
        let mut request = AuthorizeRequest::new().scope(Scope::Email).vtr(vtr).pkce(true);
        if needs_identity(&vtr) {
            request = request.claims(ClaimsRequest::new().with(VocabClaim::CoreIdentityJwt));
        }
        let built = match self.client.authorize(&request).await {
            Ok(b) => b,
            Err(e) => {
                self.logger.error("One Login discovery failed", &[("error", &error_text(&e))]);
                return self.pages.one_login_unavailable();
            }
        };
        // One sign-in cookie per browser, reused by parallel sign-ins in several tabs.
        let browser =
            match read_cookie(headers, self.cookies.sign_in).filter(|v| looks_like_token(v)) {
                Some(v) => v.to_owned(),
                None => match new_token() {
                    Ok(t) => t,
                    Err(e) => return self.store_failed(&e),
                },
            };
        let record = PendingSignIn::new(&built.pending, return_to, hash_token(&browser));
        let data = match serde_json::to_string(&record) {
            Ok(d) => d,
            Err(e) => return self.store_failed(&session::StoreError(e.to_string())),
        };
        let now = self.now();
        let state_hash = hash_token(built.pending.state.expose_secret());
        if let Err(e) =
            self.store.put_pending(&state_hash, &data, now, now - PENDING_MAX_AGE_SECONDS).await
        {
            return self.store_failed(&e);
        }
        let mut r = StatusCode::FOUND.into_response();
        let h = r.headers_mut();
        if let Ok(v) = HeaderValue::from_str(built.url.as_str()) {
            h.insert(header::LOCATION, v);
        }
        if let Ok(v) =
            HeaderValue::from_str(&self.cookies.set_sign_in(&browser, PENDING_MAX_AGE_SECONDS))
        {
            h.append(header::SET_COOKIE, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }

    fn store_failed(&self, e: &session::StoreError) -> Response {
        self.logger.error("session store failed", &[("error", &e.to_string())]);
        self.pages.unavailable()
    }
}

/// Whether a vector of trust asks for a level of confidence (then the core identity JWT proves it).
fn needs_identity(vtr: &Vtr) -> bool {
    vtr.level().is_some_and(|l| l > LevelOfConfidence::P0)
}

/// Whether a session holding `held` (`None`: a value that does not parse) satisfies a route needing `need`.
fn satisfies(held: Option<&Vtr>, need: &Vtr) -> bool {
    let Some(held) = held else { return false };
    let rank = |v: &Vtr| v.level().unwrap_or(LevelOfConfidence::P0);
    held.credential() >= need.credential() && rank(held) >= rank(need)
}

/// A top-level browser navigation (so a redirect to One Login makes sense): a GET that the browser marks
/// as a navigation, or, from clients that send no fetch metadata, one that accepts HTML.
fn is_navigation(request: &Request) -> bool {
    if request.method() != Method::GET {
        return false;
    }
    let h = request.headers();
    match h.get("sec-fetch-mode").and_then(|v| v.to_str().ok()) {
        Some(mode) => mode == "navigate",
        None => h
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html")),
    }
}

/// The error and its sources, for a log line.
fn error_text(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `/_gaap/sign-in?return_to=…` for a path.
fn sign_in_href(return_to: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect();
    format!("{SIGN_IN_PATH}?return_to={q}")
}

/// The gateway's routes: its own endpoints, and everything else through the gate to the upstream.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(gateway: Arc<Gateway>) -> Router<S> {
    Router::new()
        .route(CALLBACK_PATH, get(routes::callback))
        .route(SIGN_IN_PATH, get(routes::sign_in))
        .route(SIGN_OUT_PATH, get(routes::sign_out_page).post(routes::sign_out))
        .route(SIGNED_OUT_PATH, get(routes::signed_out))
        .route(BACK_CHANNEL_LOGOUT_PATH, post(routes::back_channel_logout))
        .route("/_gaap", any(routes::not_found))
        .route("/_gaap/{*rest}", any(routes::not_found))
        .fallback(gate)
        .with_state(gateway)
}

/// Every request for the upstream: find its route, check the session, then proxy, redirect or refuse.
async fn gate(State(gw): State<Arc<Gateway>>, mut request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let route = gw.route_for(request.uri().path());
    let (sign_in, need, identity) = (route.sign_in, route.vtr, route.identity);
    let session = match gw.current_session(request.headers()).await {
        Ok(s) => s,
        // A public page still works while the store is down, as for a signed-out visitor.
        Err(e) if !sign_in => {
            gw.logger.error("session store failed", &[("error", &e.to_string())]);
            None
        }
        Err(e) => return gw.store_failed(&e),
    };
    let allowed = match &session {
        _ if !sign_in => true,
        Some((_, s)) => satisfies(s.trusted.vtr.as_ref(), &need),
        None => false,
    };
    if !allowed {
        let return_to = request
            .uri()
            .path_and_query()
            .map_or("/", axum::http::uri::PathAndQuery::as_str)
            .to_owned();
        let Some(return_to) = pending::safe_return_path(&return_to) else {
            return gw.pages.bad_return_address();
        };
        if is_navigation(&request) {
            // Boxed: the sign-in future is large, and a signed-in request should not carry it around.
            return Box::pin(gw.start_sign_in(request.headers(), return_to, need)).await;
        }
        return gw.pages.sign_in_required(&sign_in_href(&return_to));
    }
    proxy::clean_request_headers(request.headers_mut());
    if let Some((_, s)) = &session {
        s.trusted.add_to(request.headers_mut(), identity);
    }
    match gw.upstream.forward(request, peer).await {
        Ok(r) => r,
        Err(ProxyError::Timeout) => {
            gw.logger.error("upstream timed out", &[]);
            gw.pages.gateway_timeout()
        }
        Err(ProxyError::Connect(e)) => {
            gw.logger.error("upstream connection failed", &[("error", &e)]);
            gw.pages.bad_gateway()
        }
        Err(ProxyError::Other(e)) => {
            gw.logger.error("upstream request failed", &[("error", &e)]);
            gw.pages.bad_gateway()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_levels_order() {
        let v = |s: &str| s.parse::<Vtr>().unwrap();
        let held = |s: &str| s.parse::<Vtr>().ok();
        let satisfies = |h: &str, need: &Vtr| satisfies(held(h).as_ref(), need);
        assert!(satisfies("Cl.Cm", &v("Cl")));
        assert!(satisfies("Cl.Cm", &v("Cl.Cm")));
        assert!(!satisfies("Cl", &v("Cl.Cm")));
        assert!(!satisfies("Cl.Cm", &v("Cl.Cm.P2")));
        assert!(satisfies("Cl.Cm.P2", &v("Cl.Cm.P1")));
        assert!(satisfies("Cl.Cm.P2", &v("Cl.Cm")));
        assert!(!satisfies("garbage", &v("Cl")));
    }

    #[tokio::test]
    async fn the_signing_key_never_shows_in_debug_output() {
        let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../gaap-sandbox/src/onelogin/default_client_key.pem");
        let pem = std::fs::read_to_string(&key).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let json = serde_json::json!({
            "upstream": "http://127.0.0.1:9",
            "one_login": {"issuer": "https://oidc.example/", "client_id": "c", "private_key_file": key},
            "sessions": format!("sqlite:{}", dir.path().join("s.sqlite3").display()),
        });
        let config: GatewayConfig = serde_json::from_value(json).unwrap();
        let clock: SharedClock = Arc::new(gaap_http::SystemClock);
        let gw = Gateway::start(&config, "https://gw.example", clock, Logger::off()).await.unwrap();
        let debug = format!("{gw:?} {config:?}");
        let body_line = pem.lines().nth(1).unwrap();
        assert!(!debug.contains(body_line) && !debug.contains("PRIVATE KEY"), "{debug}");
        assert!(gw.cookies.session.starts_with("__Host-"), "https public_url: __Host- cookies");
    }

    #[test]
    fn sign_in_links_encode_the_return_path() {
        assert_eq!(sign_in_href("/a?b=c"), "/_gaap/sign-in?return_to=%2Fa%3Fb%3Dc");
    }
}
