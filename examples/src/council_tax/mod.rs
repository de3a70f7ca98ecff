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
mod services;
mod session;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;

pub use services::{
    Backends, RECEIPT_TEMPLATE_ID, START_PAGE_GOVSPEAK, SandboxGuard, ServiceError, sandbox_config,
};

use crate::store::Store;

/// The service name shown in the header.
pub const SERVICE_NAME: &str = "Pay your Council Tax";

/// How the app is configured.
#[derive(Debug, Clone)]
pub struct Config {
    /// The URL a browser uses to reach this app, without a trailing slash (`http://127.0.0.1:3000`).
    pub public_url: String,
    /// The SQLite file for applications and payments; `None` keeps them in memory.
    pub database: Option<PathBuf>,
    /// The `govuk-frontend` package's `dist/govuk` folder, if installed; its stylesheet and fonts are
    /// served under `/assets/`.
    pub govuk_frontend: Option<PathBuf>,
}

impl Config {
    /// A config for an app listening on `addr`, with the stylesheet found next to the workspace if
    /// installed (or under `$GAAP_NODE_MODULES`).
    #[must_use]
    pub fn for_addr(addr: SocketAddr) -> Self {
        Self {
            public_url: format!("http://{addr}"),
            database: None,
            govuk_frontend: find_govuk_frontend(),
        }
    }
}

/// Finds `govuk-frontend/dist/govuk` under `$GAAP_NODE_MODULES` or the workspace's `interop/node_modules`.
#[must_use]
pub fn find_govuk_frontend() -> Option<PathBuf> {
    let mut roots = Vec::new();
    if let Some(dir) = std::env::var_os("GAAP_NODE_MODULES") {
        roots.push(PathBuf::from(dir));
    }
    roots.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../interop/node_modules")));
    roots
        .into_iter()
        .map(|root| root.join("govuk-frontend/dist/govuk"))
        .find(|dir| dir.join("govuk-frontend.min.css").is_file())
}

/// Everything a handler needs.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) store: Store,
    pub(crate) sessions: session::Sessions,
    pub(crate) backends: Backends,
}

/// Errors starting the app.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The SQLite database could not be opened.
    Database(rusqlite::Error),
    /// The listener failed.
    Io(std::io::Error),
    /// A backend (sandbox, content, address data) could not be set up.
    Backend(ServiceError),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Database(err) => write!(f, "cannot open the database: {err}"),
            Self::Io(err) => write!(f, "cannot serve: {err}"),
            Self::Backend(err) => write!(f, "cannot set up a backend: {err}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Database(err) => Some(err),
            Self::Io(err) => Some(err),
            Self::Backend(err) => Some(err),
        }
    }
}

/// The app's routes.
pub fn router(config: Config, backends: Backends) -> Result<Router, StartError> {
    let store = match &config.database {
        Some(path) => Store::open(path),
        None => Store::in_memory(),
    }
    .map_err(StartError::Database)?;
    let app = Arc::new(App { config, store, sessions: session::Sessions::default(), backends });
    Ok(Router::new()
        .route("/", get(handlers::start_page))
        .route("/start", get(handlers::start))
        .route("/sign-in", get(handlers::sign_in))
        .route("/sign-in/callback", get(handlers::sign_in_callback))
        .route("/postcode", get(handlers::postcode_form).post(handlers::postcode_submit))
        .route("/address", get(handlers::address_form).post(handlers::address_submit))
        .route("/amount-due", get(handlers::amount_due))
        .route("/pay", post(handlers::pay))
        .route("/payment-return/{application}", get(handlers::payment_return))
        .route("/confirmation/{application}", get(handlers::confirmation))
        .route("/webhooks/pay", post(handlers::pay_webhook))
        .route("/assets/{*path}", get(handlers::asset))
        .fallback(handlers::not_found)
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
    let router = router(config, backends)?;
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

/// Starts the sandbox in-process and the app on `listener`, wired to each other.
///
/// # Errors
/// When the sandbox or the app cannot start.
pub async fn run_with_sandbox(
    listener: TcpListener,
    database: Option<PathBuf>,
) -> Result<Running, StartError> {
    let addr = listener.local_addr().map_err(StartError::Io)?;
    let mut config = Config::for_addr(addr);
    config.database = database;
    let (backends, sandbox) =
        services::start_sandbox(&config.public_url).await.map_err(StartError::Backend)?;
    let outbox_url = sandbox.outbox_url();
    let outbox_json_url = sandbox.outbox_json_url();
    let router = router(config.clone(), backends)?;
    let task =
        tokio::spawn(async move { axum::serve(listener, router).await.map_err(StartError::Io) });
    Ok(Running { url: config.public_url, outbox_url, outbox_json_url, task, sandbox })
}
