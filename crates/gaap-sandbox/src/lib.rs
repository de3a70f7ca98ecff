#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
//!
//! A local stand-in for GOV.UK Notify, GOV.UK Pay and GOV.UK One Login, on loopback, speaking their real HTTP
//! contracts so the official clients (and the gaap ones) work against it with only a base URL changed.
//!
//! ```no_run
//! # async fn demo() -> Result<(), gaap_sandbox::Error> {
//! use gaap_sandbox::{Config, Sandbox};
//!
//! let sandbox = Sandbox::start(Config::default()).await?;
//! let creds = sandbox.credentials();
//! println!("Notify at {} with key {}", creds.notify.base_url, creds.notify.api_key.expose());
//! println!("Pay at {}", creds.pay.base_url);
//! println!("One Login issuer {}", creds.one_login.issuer);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Time-dependent behaviour (Notify statuses, Pay expiry, token lifetimes, callback and webhook retry
//! schedules) reads the injected clock, so tests drive it with `gaap_http::ManualClock` and
//! [`SandboxHandle::run_due`] instead of sleeping.

mod config;
mod fault;
mod jwt;
mod notify;
mod onelogin;
mod openapi;
mod outbound;
mod pages;
mod pay;
mod server;
mod store;

#[cfg(feature = "cli")]
pub mod cli;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use gaap_http::{SharedClock, SystemClock};
use serde::Serialize;

pub use config::{
    CallbackConfig, ClientConfig, ClientSecretHash, Config, DailyLimits, IdempotencyScope,
    NotifyConfig, OneLoginConfig, PayConfig, Ports, ReceivedTextConfig, ReplyToConfig,
    SmsSenderConfig, TemplateConfig, TemplateKind, TemplateVersionConfig, TokenAuthMethod,
    UserConfig, WebhookConfig, default_sender_ids, default_template_ids,
};
pub use fault::{FAULT_HEADER, FaultConfig};
pub use notify::KeyType;
pub use outbound::{Attempt, Delivery, DeliveryKind, DeliveryStatus};

/// Why the sandbox could not start or save.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid.
    #[error("invalid sandbox config: {0}")]
    Config(String),
    /// A port could not be bound.
    #[error("cannot bind the {service} port")]
    Bind {
        /// Which service.
        service: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The state file could not be read or written.
    #[error("sandbox state file: {0}")]
    State(String),
}

gaap_http::secret_string! {
    /// A credential the sandbox hands out; `Debug` never shows it.
    #[derive(Serialize)]
    #[serde(transparent)]
    pub struct Secret;
}

impl Secret {
    /// The value (the same as `expose_secret`).
    #[must_use]
    pub fn expose(&self) -> &str {
        self.expose_secret()
    }
}

/// Notify's base URL and live API key.
#[derive(Debug, Clone, Serialize)]
pub struct NotifyCredentials {
    /// Base URL (no trailing slash), as the official clients take it.
    pub base_url: String,
    /// Live API key, `{name}-{service_id}-{secret}`.
    pub api_key: Secret,
}

/// Pay's base URL, API key and webhook signing secret.
#[derive(Debug, Clone, Serialize)]
pub struct PayCredentials {
    /// Base URL (no trailing slash).
    pub base_url: String,
    /// API key (`api_test_…`).
    pub api_key: Secret,
    /// Webhook signing secret (`webhook_test_…`).
    pub webhook_secret: Secret,
}

/// One Login's issuer and the default client's credentials.
#[derive(Debug, Clone, Serialize)]
pub struct OneLoginCredentials {
    /// Issuer, with the trailing slash; discovery is under it.
    pub issuer: String,
    /// Client id.
    pub client_id: String,
    /// PKCS#8 PEM of the client's RSA private key (a published test key: not a secret anywhere else).
    pub private_key_pem: Secret,
}

/// What the sandbox prints as its first stdout line.
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    /// Notify.
    pub notify: NotifyCredentials,
    /// Pay.
    pub pay: PayCredentials,
    /// One Login.
    pub one_login: OneLoginCredentials,
}

/// Starts sandboxes.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// Binds the three services on 127.0.0.1 and starts serving.
    ///
    /// # Errors
    /// [`Error::Bind`] when a port is taken, [`Error::Config`] for a bad config, [`Error::State`] when the
    /// state file cannot be opened.
    pub async fn start(config: Config) -> Result<SandboxHandle, Error> {
        config.notify.check().map_err(Error::Config)?;
        let clock: SharedClock = config.clock.clone().unwrap_or_else(|| Arc::new(SystemClock));
        let store = store::Store::open(config.state_file.as_deref())?;
        let bind = |service: &'static str, port: u16| async move {
            server::ResettableListener::bind(port)
                .await
                .map_err(|source| Error::Bind { service, source })
        };
        let notify_listener = bind("notify", config.ports.notify).await?;
        let pay_listener = bind("pay", config.ports.pay).await?;
        let one_login_listener = bind("one_login", config.ports.one_login).await?;
        let url = |l: &server::ResettableListener, service: &'static str| {
            l.addr()
                .map(|a| format!("http://{a}"))
                .map_err(|source| Error::Bind { service, source })
        };
        let notify_url = url(&notify_listener, "notify")?;
        let pay_url = url(&pay_listener, "pay")?;
        let one_login_url = url(&one_login_listener, "one_login")?;

        let outbound = outbound::Outbound::new(clock.clone());
        let notify = Arc::new(notify::NotifyState::new(
            config.notify.clone(),
            notify_url.clone(),
            clock.clone(),
            outbound.clone(),
            store.load("notify")?,
        ));
        let pay = Arc::new(pay::PayState::new(
            config.pay.clone(),
            pay_url.clone(),
            clock.clone(),
            outbound.clone(),
            store.load("pay")?,
        ));
        let one_login = Arc::new(onelogin::OneLoginState::new(
            config.one_login.clone(),
            config.one_login.issuer_url.as_ref().map_or_else(
                || format!("{one_login_url}/"),
                |u| format!("{}/", u.trim_end_matches('/')),
            ),
            clock.clone(),
            outbound.clone(),
        )?);

        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let layer = |service| server::FaultLayer { service, config: config.faults };
        let with_faults = |router: axum::Router, service| {
            router
                .layer(axum::middleware::from_fn_with_state(layer(service), server::inject_faults))
        };
        let mut tasks = vec![
            server::spawn_server(
                notify_listener,
                with_faults(notify::router(notify.clone()), server::Service::Notify),
                stop_rx.clone(),
            ),
            server::spawn_server(
                pay_listener,
                with_faults(pay::router(pay.clone()), server::Service::Pay),
                stop_rx.clone(),
            ),
            server::spawn_server(
                one_login_listener,
                with_faults(onelogin::router(one_login.clone()), server::Service::OneLogin),
                stop_rx.clone(),
            ),
        ];
        let credentials = Credentials {
            notify: NotifyCredentials {
                base_url: notify_url,
                api_key: Secret(notify.api_key(KeyType::Normal)),
            },
            pay: PayCredentials {
                base_url: pay_url,
                api_key: Secret(pay.api_key.clone()),
                webhook_secret: Secret(pay.webhook_secret.clone()),
            },
            one_login: OneLoginCredentials {
                issuer: one_login.issuer(),
                client_id: one_login.default_client_id(),
                private_key_pem: Secret(onelogin::DEFAULT_CLIENT_PRIVATE_KEY_PEM.to_owned()),
            },
        };
        let handle = SandboxHandle {
            credentials,
            stop: stop_tx,
            tasks: Vec::new(),
            notify,
            pay,
            one_login,
            outbound,
            store: Arc::new(store),
        };
        if config.background.unwrap_or(true) {
            let ticker = handle.ticker();
            let mut stop = stop_rx;
            tasks.push(tokio::spawn(async move {
                loop {
                    let stopped = tokio::select! {
                        r = stop.wait_for(|s| *s) => r.is_ok(),
                        () = tokio::time::sleep(Duration::from_millis(200)) => false,
                    };
                    if stopped {
                        break;
                    }
                    ticker.tick().await;
                }
            }));
        }
        Ok(SandboxHandle { tasks, ..handle })
    }
}

/// The background work the sandbox does on the clock.
#[derive(Debug, Clone)]
struct Ticker {
    pay: Arc<pay::PayState>,
    notify: Arc<notify::NotifyState>,
    outbound: outbound::Outbound,
    store: Arc<store::Store>,
}

impl Ticker {
    async fn tick(&self) {
        self.pay.sweep();
        self.outbound.run_due().await;
        self.save();
    }

    fn save(&self) {
        use std::sync::atomic::Ordering;
        if self.notify.dirty.swap(false, Ordering::Relaxed) {
            let json = serde_json::to_string(
                &*self.notify.data.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            if let Ok(json) = json {
                let _ = self.store.save("notify", &json);
            }
        }
        if self.pay.dirty.swap(false, Ordering::Relaxed) {
            let json = serde_json::to_string(
                &*self.pay.data.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            if let Ok(json) = json {
                let _ = self.store.save("pay", &json);
            }
        }
    }
}

/// A running sandbox. Dropping it leaves the servers running until the runtime stops; call
/// [`SandboxHandle::shutdown`] to stop them and save state.
pub struct SandboxHandle {
    credentials: Credentials,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    notify: Arc<notify::NotifyState>,
    pay: Arc<pay::PayState>,
    one_login: Arc<onelogin::OneLoginState>,
    outbound: outbound::Outbound,
    store: Arc<store::Store>,
}

impl fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// Base URLs and credentials.
    #[must_use]
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The first stdout line: one JSON object with every base URL and credential.
    #[must_use]
    pub fn credentials_json(&self) -> String {
        serde_json::to_string(&self.credentials).unwrap_or_default()
    }

    /// A Notify API key of the given type.
    #[must_use]
    pub fn notify_api_key(&self, key_type: KeyType) -> String {
        self.notify.api_key(key_type)
    }

    /// The Notify service id.
    #[must_use]
    pub fn notify_service_id(&self) -> uuid::Uuid {
        self.notify.cfg.service_id
    }

    /// Every callback, webhook and logout notification so far, with its attempts.
    #[must_use]
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.outbound.snapshot()
    }

    /// How many payments the Pay sandbox holds.
    #[must_use]
    pub fn payment_count(&self) -> usize {
        self.pay.payment_count()
    }

    /// Runs what is due on the clock now: Pay expiry, then callbacks, webhooks and logout notifications.
    pub async fn run_due(&self) {
        self.ticker().tick().await;
    }

    fn ticker(&self) -> Ticker {
        Ticker {
            pay: self.pay.clone(),
            notify: self.notify.clone(),
            outbound: self.outbound.clone(),
            store: self.store.clone(),
        }
    }

    /// Triggers a back-channel logout of `sub` to every client that registered a logout URI.
    pub fn back_channel_logout(&self, sub: &str) {
        self.one_login.back_channel_logout(sub, None);
    }

    /// Stops the servers and saves state.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
        let ticker = Ticker {
            pay: self.pay.clone(),
            notify: self.notify.clone(),
            outbound: self.outbound.clone(),
            store: self.store.clone(),
        };
        self.notify.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
        self.pay.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
        ticker.save();
    }
}
