//! A council tax payment service built from the gaap blocks.
//!
//! The journey: a start page written in govspeak (gaap-content) → sign in with One Login (gaap-identity)
//! → postcode → pick an address (gaap-address) → the council that serves it (LGSL 57 through
//! gaap-content's local services) → band and amount due → pay with GOV.UK Pay (gaap-pay) → confirmation
//! with the payment reference → an email receipt through GOV.UK Notify (gaap-notify). Applications and
//! payments are recorded in SQLite; Pay's webhooks are verified and deduplicated.
//!
//! [`serve`] runs the app on a listener you bound; [`run_with_sandbox`] also starts the gaap sandbox
//! in-process and points the app at it, which is what `cargo run --example council-tax` does.

mod handlers;
mod payments;
mod security;
mod services;
mod session;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use base64::Engine as _;
use gaap_http::{SharedClock, SystemClock};
use tokio::net::TcpListener;

pub use services::{
    Backends, RECEIPT_TEMPLATE_ID, START_PAGE_GOVSPEAK, SandboxGuard, ServiceError, sandbox_config,
};
pub use session::Limits;

use crate::store::{Database, Records, StoreError};

/// The service name shown in the header.
pub const SERVICE_NAME: &str = "Pay your Council Tax";

/// How the app is configured.
#[derive(Debug, Clone)]
pub struct Config {
    /// The URL a browser uses to reach this app, without a trailing slash (`http://127.0.0.1:3000`, or
    /// `https://council-tax.example.gov.uk` behind a TLS proxy). An https URL turns on HSTS, `Secure` cookies
    /// and the `__Host-` cookie prefix; POSTs must come from its origin.
    pub public_url: String,
    /// Where sessions, applications and payments are kept: SQLite in memory (the default), a SQLite file,
    /// or PostgreSQL (shared by replicas).
    pub database: Database,
    /// The clock sessions and sign-ins are timed on.
    pub clock: SharedClock,
    /// Session expiry and the cap on how many are kept.
    pub sessions: Limits,
    /// Origins a form may lead to by redirect (the CSP's `form-action`): GOV.UK Pay's card pages (after
    /// "Continue to payment") and One Login (after "Sign out"). Browsers apply `form-action` to redirects.
    pub form_action_origins: Vec<String>,
}

impl Config {
    /// A config for an app listening on `addr`.
    #[must_use]
    pub fn for_addr(addr: SocketAddr) -> Self {
        Self::for_public_url(&format!("http://{addr}"))
    }

    /// A config for an app reached at `public_url` (no trailing slash), on the system clock, with
    /// records in memory.
    #[must_use]
    pub fn for_public_url(public_url: &str) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            database: Database::Memory,
            clock: Arc::new(SystemClock),
            sessions: Limits::default(),
            form_action_origins: Vec::new(),
        }
    }
}

/// Everything a handler needs.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) records: Records,
    pub(crate) sessions: session::Sessions,
    pub(crate) backends: Backends,
    pub(crate) security: security::Policy,
}

/// Errors starting the app.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The database could not be opened or reached.
    Database(StoreError),
    /// The listener failed.
    Io(std::io::Error),
    /// A backend (sandbox, content, address data) could not be set up.
    Backend(ServiceError),
    /// The public URL is not an http or https URL.
    PublicUrl(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Database(err) => write!(f, "cannot open the database: {err}"),
            Self::Io(err) => write!(f, "cannot serve: {err}"),
            Self::Backend(err) => write!(f, "cannot set up a backend: {err}"),
            Self::PublicUrl(url) => write!(f, "the public URL {url:?} is not an http(s) URL"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Database(err) => Some(err),
            Self::Io(err) => Some(err),
            Self::Backend(err) => Some(err),
            Self::PublicUrl(_) => None,
        }
    }
}

/// The name of the setting that holds the sign-in cookie's MAC key (shared by replicas).
const SIGN_IN_KEY_SETTING: &str = "sign_in_cookie_key";

/// The app's routes, over its database (opened, and its tables created, here).
///
/// # Errors
/// When the database cannot be opened or the public URL is not http(s).
pub async fn router(config: Config, backends: Backends) -> Result<Router, StartError> {
    let records = config.database.open().await.map_err(StartError::Database)?;
    let security = security::Policy::new(&config).map_err(StartError::PublicUrl)?;
    let fresh_key =
        session::new_token().map_err(|err| StartError::Backend(ServiceError::new(err)))?;
    let key =
        records.setting(SIGN_IN_KEY_SETTING, &fresh_key).await.map_err(StartError::Database)?;
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|err| StartError::Backend(ServiceError::new(format!("stored key: {err}"))))?;
    let sessions = session::Sessions {
        records: records.clone(),
        clock: config.clock.clone(),
        limits: config.sessions,
        cookies: session::Cookies::new(security.https),
        signer: session::Signer::new(&key),
    };
    let app = Arc::new(App { config, records, sessions, backends, security });
    Ok(Router::new()
        .route("/", get(handlers::start_page))
        .route("/start", get(handlers::start))
        .route("/sign-in", get(handlers::sign_in))
        .route("/sign-in/callback", get(handlers::sign_in_callback))
        .route("/sign-out", post(handlers::sign_out))
        .route("/signed-out", get(handlers::signed_out))
        .route("/postcode", get(handlers::postcode_form).post(handlers::postcode_submit))
        .route("/address", get(handlers::address_form).post(handlers::address_submit))
        .route("/amount-due", get(handlers::amount_due))
        .route("/pay", post(handlers::pay))
        .route("/payment-return/{application}", get(handlers::payment_return))
        .route("/confirmation/{application}", get(handlers::confirmation))
        .route("/webhooks/pay", post(handlers::pay_webhook))
        .route("/assets/{*path}", get(handlers::asset))
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), security::same_origin_posts))
        .layer(axum::middleware::from_fn_with_state(app.clone(), security::headers))
        .with_state(app))
}

/// Serves the app on `listener` until the future is dropped.
///
/// # Errors
/// When the database cannot be opened or the server fails.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    backends: Backends,
) -> Result<(), StartError> {
    let router = router(config, backends).await?;
    axum::serve(listener, router).await.map_err(StartError::Io)
}

/// What [`run_with_sandbox`] started.
#[derive(Debug)]
pub struct Running {
    /// The app's URL.
    pub url: String,
    /// The sandbox's outbox page, where the email receipt shows up.
    pub outbox_url: String,
    /// The sandbox's outbox as JSON.
    pub outbox_json_url: String,
    /// The server task; dropping `Running` does not stop it, abort it to stop.
    pub task: tokio::task::JoinHandle<Result<(), StartError>>,
    /// Keeps the in-process sandbox alive.
    pub sandbox: SandboxGuard,
}

/// What [`run_with_options`] can change from [`run_with_sandbox`]'s defaults.
#[derive(Debug, Clone, Default)]
pub struct SandboxOptions {
    /// Where records and sessions are kept (default: SQLite in memory).
    pub database: Database,
    /// The URL browsers use, when not the listener's own (e.g. `https://…` behind a TLS proxy).
    pub public_url: Option<String>,
    /// The clock the app and the sandbox share (default: the system clock).
    pub clock: Option<SharedClock>,
    /// Session limits (default: [`Limits::default`]).
    pub sessions: Option<Limits>,
}

/// Starts the sandbox in-process and the app on `listener`, wired to each other, with its records in the
/// SQLite file `database` (in memory when `None`). [`run_with_options`] takes PostgreSQL, a public URL, a
/// clock and session limits too.
///
/// # Errors
/// When the sandbox or the app cannot start.
pub async fn run_with_sandbox(
    listener: TcpListener,
    database: Option<PathBuf>,
) -> Result<Running, StartError> {
    let options = SandboxOptions { database: database.into(), ..SandboxOptions::default() };
    run_with_options(listener, options).await
}

/// [`run_with_sandbox`] with options: the public URL, the clock, the session limits.
///
/// # Errors
/// When the sandbox or the app cannot start.
pub async fn run_with_options(
    listener: TcpListener,
    options: SandboxOptions,
) -> Result<Running, StartError> {
    let addr = listener.local_addr().map_err(StartError::Io)?;
    let mut config = match &options.public_url {
        Some(url) => Config::for_public_url(url),
        None => Config::for_addr(addr),
    };
    config.database = options.database;
    if let Some(clock) = options.clock {
        config.clock = clock;
    }
    if let Some(limits) = options.sessions {
        config.sessions = limits;
    }
    let (backends, sandbox) = services::start_sandbox(&config.public_url, &config.clock)
        .await
        .map_err(StartError::Backend)?;
    config.form_action_origins = sandbox.form_action_origins();
    let outbox_url = sandbox.outbox_url();
    let outbox_json_url = sandbox.outbox_json_url();
    let router = router(config, backends).await?;
    let task =
        tokio::spawn(async move { axum::serve(listener, router).await.map_err(StartError::Io) });
    Ok(Running { url: format!("http://{addr}"), outbox_url, outbox_json_url, task, sandbox })
}

/// One log line on stderr: what happened, and the detail that is never shown to the resident.
pub(crate) fn log(what: &str, detail: &str) {
    let line = serde_json::json!({"service": "council-tax", "msg": what, "detail": detail});
    eprintln!("{line}");
}
