//! The command-line surface shared by the `gaap-sandbox` binary and `gaap sandbox`.

use std::path::PathBuf;

use crate::{Config, Error, FaultConfig, KeyType, SandboxHandle};

/// `gaap sandbox` options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// JSON config file (templates, clients, users, webhooks, callbacks, faults); defaults need none.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite file to keep state in across restarts; in memory when absent.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Notify port (0 picks a free one).
    #[arg(long, value_name = "N")]
    pub notify_port: Option<u16>,
    /// Pay port (0 picks a free one).
    #[arg(long, value_name = "N")]
    pub pay_port: Option<u16>,
    /// One Login port (0 picks a free one).
    #[arg(long, value_name = "N")]
    pub one_login_port: Option<u16>,
    /// Faults for every request, e.g. `latency=200ms:0.5,5xx=0.1,reset=0.05,429=0.05`.
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
}

impl Args {
    /// The config these options describe.
    ///
    /// # Errors
    /// [`Error::Config`] for an unreadable config file or a bad `--faults` spec.
    pub fn to_config(&self) -> Result<Config, Error> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        if let Some(state) = &self.state {
            config.state_file = Some(state.clone());
        }
        if let Some(p) = self.notify_port {
            config.ports.notify = p;
        }
        if let Some(p) = self.pay_port {
            config.ports.pay = p;
        }
        if let Some(p) = self.one_login_port {
            config.ports.one_login = p;
        }
        if let Some(spec) = &self.faults {
            let faults = FaultConfig::parse_header(spec)
                .map_err(|e| Error::Config(format!("--faults: {e}")))?;
            config.faults = config.faults.merge(faults);
        }
        Ok(config)
    }
}

/// The human-readable lines printed after the JSON line.
#[must_use]
pub fn summary(handle: &SandboxHandle) -> String {
    let c = handle.credentials();
    let notify = &c.notify.base_url;
    let pay = &c.pay.base_url;
    let issuer = &c.one_login.issuer;
    format!(
        "gaap-sandbox is running (Ctrl-C to stop). Nothing leaves this machine.\n\
         Notify    {notify}\n  live key  {}\n  team key  {}\n  test key  {}\n  outbox    {notify}/_sandbox/outbox\n\
         Pay       {pay}\n  api key   {}\n  webhooks signed with {}\n\
         One Login {issuer}\n  discovery {issuer}.well-known/openid-configuration\n  client id {}\n\
         OpenAPI   {notify}/openapi.json  {pay}/openapi.json  {issuer}openapi.json",
        c.notify.api_key.expose(),
        handle.notify_api_key(KeyType::Team),
        handle.notify_api_key(KeyType::Test),
        c.pay.api_key.expose(),
        c.pay.webhook_secret.expose(),
        c.one_login.client_id,
    )
}
