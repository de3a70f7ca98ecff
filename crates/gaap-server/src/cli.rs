//! The command line of `gaap serve` and the `gaap-server` binary (feature `cli`).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::{Config, Error, Server};

/// `gaap serve [--address-index FILE] [--listen ADDR] [--config FILE]`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The address index to serve: a saved gaap index, or an input file or folder the loader reads.
    /// Default: the embedded Westminster data.
    #[arg(long, value_name = "FILE")]
    pub address_index: Option<PathBuf>,
    /// The address to listen on (default 127.0.0.1:8080; port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// A JSON config file (see the gaap-server README for every key).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl Args {
    /// The config: the file's, with the flags on top.
    ///
    /// # Errors
    /// [`Error::Config`] when the file cannot be read or parsed.
    pub fn to_config(&self) -> Result<Config, Error> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        if let Some(listen) = self.listen {
            config.listen = Some(listen);
        }
        if let Some(index) = &self.address_index {
            config.address.index = Some(index.clone());
        }
        Ok(config)
    }
}

/// Starts the server and serves until Ctrl-C or SIGTERM. The first stdout line is one JSON object that
/// starts with `{"base_url":`; logs go to stderr as JSON lines. Returns the process exit code.
#[must_use]
pub fn run(args: &Args) -> u8 {
    let fail = |e: &dyn std::fmt::Display| {
        let _ = writeln!(std::io::stderr(), "gaap serve: {e}");
        2
    };
    let config = match args.to_config() {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        let handle = match Server::new(config).catch_stop_signals().start().await {
            Ok(handle) => handle,
            Err(e) => return fail(&e),
        };
        let mut out = std::io::stdout();
        if writeln!(out, "{}", handle.startup_line()).and_then(|()| out.flush()).is_err() {
            return fail(&"cannot write to stdout");
        }
        handle.run_until_signal().await;
        0
    })
}
