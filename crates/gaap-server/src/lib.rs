#![doc = include_str!("../README.md")]

pub mod config;
mod error;
mod markup;
mod state;

#[cfg(feature = "gateway")]
pub mod gateway;

mod address;
mod assets;
mod locations;
mod ops;

#[cfg(feature = "cli")]
pub mod cli;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use gaap_http::{SharedClock, SystemClock};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{AddressConfig, ApiKey, Config, KeyConfig, LocationsConfig};
pub use error::Error;
pub use ops::log::Logger;
use state::AppState;
pub use state::IndexSource;

/// Starts the services of a [`Config`] on one listener.
#[derive(Debug)]
pub struct Server {
    config: Config,
    clock: SharedClock,
    logger: Logger,
    catch_stop_signals: bool,
}

impl Server {
    /// A server for this configuration, on the system clock, logging JSON lines to stderr.
    #[must_use]
    pub fn new(config: Config) -> Self {
        Self {
            config,
            clock: Arc::new(SystemClock),
            logger: Logger::stderr(),
            catch_stop_signals: false,
        }
    }

    /// Catches SIGINT and SIGTERM from the start, for [`ServerHandle::run_until_signal`]: a process that
    /// owns the server (`gaap serve`) sets this, so a stop signal during start-up still stops gracefully.
    /// A server embedded in another application leaves the signals to it.
    #[must_use]
    pub fn catch_stop_signals(mut self) -> Self {
        self.catch_stop_signals = true;
        self
    }

    /// Reads time from `clock` (rate limits, index age): tests pass a `gaap_http::ManualClock`.
    #[must_use]
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Where log lines go.
    #[must_use]
    pub fn logger(mut self, logger: Logger) -> Self {
        self.logger = logger;
        self
    }

    /// Binds the listener, starts loading the address index in the background and serves until
    /// [`ServerHandle::shutdown`]. `/readyz` answers 200 once the index has loaded.
    ///
    /// # Errors
    /// [`Error::Bind`] when the address cannot be bound, [`Error::Config`] for a bad `public_url`.
    pub async fn start(self) -> Result<ServerHandle, Error> {
        let signals = self.catch_stop_signals.then(ops::reload::StopSignals::install);
        let addr = self.config.listen_addr();
        let listener =
            TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr, source })?;
        let local = listener.local_addr().map_err(|source| Error::Bind { addr, source })?;
        let base_url = format!("http://{local}");
        let public_url = match &self.config.public_url {
            Some(url) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(Error::Config(format!(
                        "public_url {url:?} must start with http:// or https://"
                    )));
                }
                url.trim_end_matches('/').to_owned()
            }
            None => base_url.clone(),
        };
        #[cfg(feature = "gateway")]
        let gateway = match &self.config.gateway {
            Some(g) => Some(
                gateway::Gateway::start(g, &public_url, self.clock.clone(), self.logger.clone())
                    .await?,
            ),
            None => None,
        };
        let state = AppState::new(self.config, public_url, self.clock, self.logger);
        state.start_loading();
        let (stop, mut stopped) = watch::channel(false);
        let reloader = ops::reload::spawn(state.clone(), stop.subscribe());
        #[cfg(feature = "gateway")]
        let gateway = gateway.map(gateway::router);
        #[cfg(not(feature = "gateway"))]
        let gateway = None;
        let app = router(state.clone(), gateway);
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            // No Nagle: a response written in pieces (a streamed body's last chunk) goes out at once
            // instead of waiting for the client's delayed ACK.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown)
                .await
        });
        state.logger.info("listening", &[("base_url", base_url.as_str())]);
        Ok(ServerHandle { base_url, addr: local, state, stop, server, reloader, signals })
    }
}

/// The router of every service, for embedding in another axum application or calling in-process. The
/// gateway, when configured, answers whatever the server's own routes do not.
fn router(state: AppState, gateway: Option<Router<AppState>>) -> Router {
    let app = Router::new()
        .merge(address::router())
        .merge(locations::router())
        .merge(assets::router())
        .merge(ops::router());
    let app = match gateway {
        Some(gateway) => app.merge(gateway),
        None => app.fallback(ops::not_found),
    };
    app.layer(axum::middleware::from_fn_with_state(state.clone(), ops::observe)).with_state(state)
}

/// A running server.
#[derive(Debug)]
pub struct ServerHandle {
    base_url: String,
    addr: SocketAddr,
    state: AppState,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    reloader: JoinHandle<()>,
    signals: Option<ops::reload::StopSignals>,
}

impl ServerHandle {
    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    #[must_use]
    pub const fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first stdout line of `gaap serve`: one JSON object that starts with `{"base_url":`.
    #[must_use]
    pub fn startup_line(&self) -> String {
        #[derive(serde::Serialize)]
        struct Services {
            os_places: String,
            local_authority: String,
            address_finder: String,
            metrics: String,
        }
        #[derive(serde::Serialize)]
        struct Line<'a> {
            base_url: &'a str,
            public_url: &'a str,
            services: Services,
        }
        let b = &self.base_url;
        let line = Line {
            base_url: b,
            public_url: &self.state.public_url,
            services: Services {
                os_places: format!("{b}/search/places/v1/"),
                local_authority: format!("{b}/api/local-authority"),
                address_finder: format!("{b}/address-finder"),
                metrics: format!("{b}/metrics"),
            },
        };
        serde_json::to_string(&line).unwrap_or_default()
    }

    /// Waits until the index has loaded (or failed to). `Ok` once ready.
    ///
    /// # Errors
    /// [`Error::Index`] when the index could not be loaded.
    pub async fn ready(&self) -> Result<(), Error> {
        self.state.index.wait_ready().await
    }

    /// Loads the index file again and swaps it in; requests in flight finish on the old one.
    ///
    /// # Errors
    /// [`Error::Index`] when the new file cannot be loaded; the old index stays in service.
    pub async fn reload(&self) -> Result<(), Error> {
        self.state.reload().await
    }

    /// Stops accepting connections, lets requests in flight finish, and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        self.reloader.abort();
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn run_until_signal(mut self) {
        let signals = self.signals.take().unwrap_or_else(ops::reload::StopSignals::install);
        signals.wait().await;
        self.state.logger.info("shutting down", &[]);
        self.shutdown().await;
    }
}
