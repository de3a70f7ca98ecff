//! The `gateway` section of the server config: the site to protect, the One Login client, the routes and the
//! session store. Every key is documented here and in `docs/gateway.md`; unknown keys are refused.
//!
//! ```json
//! {
//!   "listen": "127.0.0.1:8080",
//!   "public_url": "https://apply.example.gov.uk",
//!   "gateway": {
//!     "upstream": "http://127.0.0.1:9000",
//!     "one_login": {
//!       "issuer": "https://oidc.integration.account.gov.uk/",
//!       "client_id": "my-client-id",
//!       "private_key_file": "rp.pem",
//!       "identity": {
//!         "issuer": "https://identity.integration.account.gov.uk/",
//!         "did_url": "https://identity.integration.account.gov.uk/.well-known/did.json"
//!       }
//!     },
//!     "routes": [
//!       {"path": "/public", "sign_in": false},
//!       {"path": "/", "vtr": "Cl.Cm"},
//!       {"path": "/apply", "vtr": "Cl.Cm.P2", "identity": true}
//!     ],
//!     "sessions": "sqlite:gateway.sqlite3",
//!     "idle_timeout_seconds": 1800,
//!     "absolute_timeout_seconds": 28800
//!   }
//! }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use gaap_identity::Vtr;
use serde::Deserialize;

/// The default idle timeout: 30 minutes without a request ends a session.
pub const DEFAULT_IDLE_TIMEOUT_SECONDS: u64 = 30 * 60;
/// The default absolute timeout: 8 hours after sign-in a session ends, however active.
pub const DEFAULT_ABSOLUTE_TIMEOUT_SECONDS: u64 = 8 * 60 * 60;
/// The default time to wait for the upstream's response headers: 30 seconds.
pub const DEFAULT_UPSTREAM_TIMEOUT_MS: u64 = 30_000;
/// The default time to wait for a connection to the upstream: 5 seconds.
pub const DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS: u64 = 5_000;
/// The session store when `sessions` is absent: this SQLite file beside the config file.
pub const DEFAULT_SQLITE_FILE: &str = "gateway.sqlite3";

/// `gateway`: puts the site at `upstream` behind GOV.UK One Login.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GatewayConfig {
    /// `upstream`: the site to protect, `http://HOST:PORT`, optionally with a path prefix
    /// (`http://127.0.0.1:9000/council`). Required. Only plain http: the upstream sits on loopback or a
    /// private network next to the gateway.
    pub upstream: String,
    /// `one_login`: the relying-party registration with GOV.UK One Login. Required.
    pub one_login: OneLoginConfig,
    /// `routes`: which paths need sign-in, and at what level. A request takes the route with the longest
    /// `path` that is a prefix of its path at a `/` boundary (`/apply` covers `/apply` and `/apply/x`, not
    /// `/applying`). A path no route covers needs sign-in at `Cl.Cm`: the gateway is closed by default.
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
    /// `sessions`: where sessions live. `sqlite:PATH` (relative to the config file's folder) for one gateway
    /// process, which keeps the sessions it serves in memory too, or `postgres://USER@HOST:PORT/DB` (shared
    /// by replicas; no TLS, so keep it on a private network).
    /// Default: `sqlite:gateway.sqlite3` beside the config file.
    #[serde(default)]
    pub sessions: Option<SessionsUrl>,
    /// `idle_timeout_seconds`: a session with no request for this long ends (use is recorded at most once a
    /// minute). Default 1800 (30 minutes).
    #[serde(default = "default_idle")]
    pub idle_timeout_seconds: u64,
    /// `absolute_timeout_seconds`: a session ends this long after sign-in, however active. Default 28800
    /// (8 hours).
    #[serde(default = "default_absolute")]
    pub absolute_timeout_seconds: u64,
    /// `upstream_timeout_ms`: how long to wait for the upstream's response headers before answering 504.
    /// Bodies then stream without a limit. Default 30000.
    #[serde(default = "default_upstream_timeout")]
    pub upstream_timeout_ms: u64,
    /// `upstream_connect_timeout_ms`: how long to wait for a connection to the upstream before answering
    /// 502. Default 5000.
    #[serde(default = "default_connect_timeout")]
    pub upstream_connect_timeout_ms: u64,
    /// `post_logout_redirect_uri`: where One Login sends the browser after sign-out; it must be registered
    /// with One Login. Default: the gateway's own "You have signed out" page, `public_url` +
    /// `/_gaap/signed-out`.
    #[serde(default)]
    pub post_logout_redirect_uri: Option<String>,
    /// `service_name`: the name shown on the gateway's own pages. Default "GOV.UK One Login gateway".
    #[serde(default)]
    pub service_name: Option<String>,
}

const fn default_idle() -> u64 {
    DEFAULT_IDLE_TIMEOUT_SECONDS
}
const fn default_absolute() -> u64 {
    DEFAULT_ABSOLUTE_TIMEOUT_SECONDS
}
const fn default_upstream_timeout() -> u64 {
    DEFAULT_UPSTREAM_TIMEOUT_MS
}
const fn default_connect_timeout() -> u64 {
    DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS
}
const fn yes() -> bool {
    true
}

/// `gateway.one_login`: the relying party One Login knows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OneLoginConfig {
    /// `issuer`: One Login's issuer, `https://oidc.integration.account.gov.uk/` or
    /// `https://oidc.account.gov.uk/`. Discovery is read from under it.
    pub issuer: String,
    /// `client_id`: the client id One Login gave the service.
    pub client_id: String,
    /// `private_key_file`: the RSA private key (PKCS#8 PEM) whose public half is registered with One Login,
    /// for `private_key_jwt`. Relative to the config file's folder. The key never appears in logs.
    pub private_key_file: PathBuf,
    /// `key_id`: the `kid` to put in client assertions, when One Login reads your keys from a JWKS.
    #[serde(default)]
    pub key_id: Option<String>,
    /// `allow_http_loopback`: accept plain `http://` One Login URLs on loopback (a local sandbox). Never in
    /// production. Default false.
    #[serde(default)]
    pub allow_http_loopback: bool,
    /// `identity`: where core identity JWTs come from; required when any route asks for `P1`–`P3`.
    #[serde(default)]
    pub identity: Option<IdentityConfig>,
}

/// `gateway.one_login.identity`: the core identity issuer and its DID document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct IdentityConfig {
    /// `issuer`: the core identity JWT issuer, `https://identity.integration.account.gov.uk/`.
    pub issuer: String,
    /// `did_url`: the DID document holding the core identity signing keys,
    /// `https://identity.integration.account.gov.uk/.well-known/did.json`.
    pub did_url: String,
}

/// One entry of `gateway.routes`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RouteConfig {
    /// `path`: the path prefix this route covers, starting with `/`.
    pub path: String,
    /// `sign_in`: whether the route needs a signed-in user. Default true. A public route (`false`) is
    /// proxied to everyone; a signed-in user's headers are still added.
    #[serde(default = "yes")]
    pub sign_in: bool,
    /// `vtr`: the vector of trust the route needs: `Cl`, `Cl.Cm` (the default) or `Cl.Cm.P1`–`Cl.Cm.P3`.
    /// A session holding less is sent back to sign in at this level (step-up).
    #[serde(default)]
    pub vtr: Option<String>,
    /// `identity`: send the verified identity to the upstream in `X-Gaap-Identity`. Needs a `vtr` with a
    /// level of confidence (`P1`–`P3`). Default false.
    #[serde(default)]
    pub identity: bool,
}

/// `gateway.sessions`: `sqlite:PATH` or `postgres://…`. Its `Debug` hides a password.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct SessionsUrl(String);

impl SessionsUrl {
    /// Wraps a value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, password included.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value with any password replaced, for messages.
    #[must_use]
    pub fn redacted(&self) -> String {
        redact_password(&self.0)
    }
}

impl fmt::Debug for SessionsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionsUrl({:?})", self.redacted())
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:[redacted]@host/db`.
pub(crate) fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, tail) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if userinfo.contains(':') { ":[redacted]" } else { "" };
            // A password can also come as a query parameter.
            let tail = if tail.contains("password=") { "/[redacted]" } else { tail };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None if tail.contains("password=") => format!("{scheme}://{authority}/[redacted]"),
        None => url.to_owned(),
    }
}

/// Where sessions are kept, parsed from `sessions`.
#[derive(Debug, Clone)]
pub(crate) enum StoreLocation {
    Sqlite(PathBuf),
    Postgres(SessionsUrl),
}

/// A route, checked.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) path: String,
    pub(crate) sign_in: bool,
    pub(crate) vtr: Vtr,
    pub(crate) identity: bool,
}

impl Route {
    /// Whether this route covers `path`, at a `/` boundary.
    pub(crate) fn covers(&self, path: &str) -> bool {
        let p = self.path.as_str();
        if p == "/" {
            return true;
        }
        path.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            || (p.ends_with('/') && path.starts_with(p))
    }
}

impl GatewayConfig {
    /// Resolves relative paths (`private_key_file`, `sqlite:` sessions) against `base`, the config file's
    /// folder, and fills in the default SQLite file there.
    pub fn resolve_paths(&mut self, base: &Path) {
        if self.one_login.private_key_file.is_relative() {
            self.one_login.private_key_file = base.join(&self.one_login.private_key_file);
        }
        let sessions = self
            .sessions
            .clone()
            .unwrap_or_else(|| SessionsUrl(format!("sqlite:{DEFAULT_SQLITE_FILE}")));
        if let Some(path) = sessions.0.strip_prefix("sqlite:") {
            let path = Path::new(path);
            if path.is_relative() {
                self.sessions = Some(SessionsUrl(format!("sqlite:{}", base.join(path).display())));
                return;
            }
        }
        self.sessions = Some(sessions);
    }

    /// Checks the routes, the upstream URL and the session store location as the server does at start, without
    /// reading the key file or opening the store: what `gaap serve` would refuse, with the same message.
    ///
    /// # Errors
    /// The first problem, naming the key (`gateway.routes "/x": …`, `gateway.upstream …`, `gateway.sessions …`).
    pub fn check(&self) -> Result<(), String> {
        self.routes()?;
        self.upstream_parts()?;
        self.store_location()?;
        Ok(())
    }

    /// The session store location.
    pub(crate) fn store_location(&self) -> Result<StoreLocation, String> {
        let raw = self.sessions.as_ref().map_or(DEFAULT_SQLITE_FILE, |s| s.expose());
        let raw = if self.sessions.is_none() { format!("sqlite:{raw}") } else { raw.to_owned() };
        if let Some(path) = raw.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err("gateway.sessions: sqlite: needs a file path".to_owned());
            }
            return Ok(StoreLocation::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(StoreLocation::Postgres(SessionsUrl(raw)));
        }
        Err(format!(
            "gateway.sessions {:?} must be sqlite:PATH or postgres://…",
            redact_password(&raw)
        ))
    }

    /// Checks the routes and returns them, longest path first.
    pub(crate) fn routes(&self) -> Result<Vec<Route>, String> {
        let mut routes = Vec::with_capacity(self.routes.len());
        for r in &self.routes {
            let at = |msg: &str| format!("gateway.routes {:?}: {msg}", r.path);
            if !r.path.starts_with('/') || r.path.contains(['?', '#', '\\']) {
                return Err(at("path must start with / and hold no ? # or \\"));
            }
            let vtr = match &r.vtr {
                Some(v) => v.parse::<Vtr>().map_err(|e| at(&format!("vtr: {e}")))?,
                None => Vtr::default(),
            };
            let level = vtr.level().is_some_and(|l| l > gaap_identity::LevelOfConfidence::P0);
            if !r.sign_in && (r.vtr.is_some() || r.identity) {
                return Err(at("a route with sign_in false cannot ask for a vtr or identity"));
            }
            if r.identity && !level {
                return Err(at("identity needs a vtr with a level of confidence, e.g. Cl.Cm.P2"));
            }
            if level && self.one_login.identity.is_none() {
                return Err(at(
                    "a level of confidence needs gateway.one_login.identity (issuer and did_url)",
                ));
            }
            if routes.iter().any(|x: &Route| x.path == r.path) {
                return Err(at("path is listed twice"));
            }
            routes.push(Route {
                path: r.path.clone(),
                sign_in: r.sign_in,
                vtr,
                identity: r.identity,
            });
        }
        routes.sort_by_key(|r| std::cmp::Reverse(r.path.len()));
        Ok(routes)
    }

    /// Checks the upstream URL: `http://host[:port][/prefix]`. Returns (authority, path prefix).
    pub(crate) fn upstream_parts(&self) -> Result<(String, String), String> {
        let rest = self.upstream.strip_prefix("http://").ok_or_else(|| {
            format!("gateway.upstream {:?} must start with http://", self.upstream)
        })?;
        let (authority, prefix) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("gateway.upstream {:?} needs a host and no user", self.upstream));
        }
        if prefix.contains(['?', '#']) {
            return Err(format!("gateway.upstream {:?} cannot hold a query", self.upstream));
        }
        Ok((authority.to_owned(), prefix.trim_end_matches('/').to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> GatewayConfig {
        serde_json::from_str(json).unwrap()
    }

    const BASE: &str = r#""upstream": "http://127.0.0.1:9000",
        "one_login": {"issuer": "https://oidc.example/", "client_id": "c", "private_key_file": "rp.pem"}"#;

    #[test]
    fn unknown_keys_are_refused() {
        let err = serde_json::from_str::<GatewayConfig>(&format!("{{{BASE}, \"rutes\": []}}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("rutes"), "{err}");
        let err = serde_json::from_str::<GatewayConfig>(&format!(
            "{{{BASE}, \"routes\": [{{\"path\": \"/\", \"vrt\": \"Cl\"}}]}}"
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("vrt"), "{err}");
    }

    #[test]
    fn routes_take_the_longest_prefix_at_a_slash() {
        let c = config(&format!(
            r#"{{{BASE}, "routes": [{{"path": "/", "vtr": "Cl.Cm"}}, {{"path": "/public", "sign_in": false}}]}}"#
        ));
        let routes = c.routes().unwrap();
        let pick = |p: &str| routes.iter().find(|r| r.covers(p)).map(|r| r.path.clone());
        assert_eq!(pick("/public").as_deref(), Some("/public"));
        assert_eq!(pick("/public/a").as_deref(), Some("/public"));
        assert_eq!(pick("/publication").as_deref(), Some("/"));
        assert_eq!(pick("/").as_deref(), Some("/"));
    }

    #[test]
    fn levels_need_identity_config_and_identity_needs_a_level() {
        let c = config(&format!(r#"{{{BASE}, "routes": [{{"path": "/a", "vtr": "Cl.Cm.P2"}}]}}"#));
        assert!(c.routes().unwrap_err().contains("identity"));
        let c = config(&format!(r#"{{{BASE}, "routes": [{{"path": "/a", "identity": true}}]}}"#));
        assert!(c.routes().unwrap_err().contains("level of confidence"));
        let c = config(&format!(r#"{{{BASE}, "routes": [{{"path": "/a", "vtr": "Cl.P2"}}]}}"#));
        assert!(c.routes().unwrap_err().contains("vtr"));
        let c = config(&format!(
            r#"{{{BASE}, "routes": [{{"path": "/a", "sign_in": false, "vtr": "Cl"}}]}}"#
        ));
        assert!(c.routes().is_err());
    }

    #[test]
    fn sessions_urls() {
        let mut c = config(&format!("{{{BASE}}}"));
        c.resolve_paths(Path::new("/etc/gaap"));
        assert!(matches!(c.store_location().unwrap(),
            StoreLocation::Sqlite(p) if p == Path::new("/etc/gaap/gateway.sqlite3")));
        assert_eq!(c.one_login.private_key_file, Path::new("/etc/gaap/rp.pem"));
        let c = config(&format!(r#"{{{BASE}, "sessions": "postgres://u:hunter2@db/gw"}}"#));
        assert!(matches!(c.store_location().unwrap(), StoreLocation::Postgres(_)));
        let debug = format!("{c:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("postgres://u:[redacted]@db/gw"), "{debug}");
        let c = config(&format!(r#"{{{BASE}, "sessions": "redis://x"}}"#));
        assert!(c.store_location().is_err());
    }

    #[test]
    fn upstream_must_be_plain_http_with_a_host() {
        let mut c = config(&format!("{{{BASE}}}"));
        assert_eq!(c.upstream_parts().unwrap(), ("127.0.0.1:9000".to_owned(), String::new()));
        c.upstream = "http://127.0.0.1:9000/council/".to_owned();
        assert_eq!(c.upstream_parts().unwrap().1, "/council");
        c.upstream = "https://x".to_owned();
        assert!(c.upstream_parts().is_err());
        c.upstream = "http://u@x".to_owned();
        assert!(c.upstream_parts().is_err());
    }

    #[test]
    fn check_reports_the_first_problem_start_would_refuse() {
        assert_eq!(config(&format!("{{{BASE}}}")).check(), Ok(()));
        let c = config(&format!(r#"{{{BASE}, "routes": [{{"path": "a"}}]}}"#));
        assert!(c.check().unwrap_err().contains("gateway.routes \"a\""), "{:?}", c.check());
        let mut c = config(&format!("{{{BASE}}}"));
        c.upstream = "https://x".to_owned();
        assert!(c.check().unwrap_err().contains("gateway.upstream"));
        let c = config(&format!(r#"{{{BASE}, "sessions": "redis://x"}}"#));
        assert!(c.check().unwrap_err().contains("gateway.sessions"));
    }
}
