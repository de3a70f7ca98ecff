//! `gaap sandbox`: Notify, Pay and One Login on loopback until Ctrl-C.
//!
//! The first stdout line is one JSON object with every base URL and credential, for scripts; the
//! human-readable summary goes to stderr, as every gaap command does with its messages.

use std::io::Write as _;

use crate::output::{self, Outcome};

/// Starts the sandbox and serves until Ctrl-C.
pub(crate) fn run(args: &gaap_sandbox::cli::Args) -> Outcome {
    let config = match args.to_config() {
        Ok(config) => config,
        Err(e) => return output::fail(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return output::fail(format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        let ports = config.ports;
        let handle = match gaap_sandbox::Sandbox::start(config).await {
            Ok(handle) => handle,
            Err(e) => return output::fail(start_error(&e, ports)),
        };
        if let Err(e) = output::emit(handle.credentials()) {
            return output::fail(e);
        }
        let _ = writeln!(std::io::stderr(), "{}", gaap_sandbox::cli::summary(&handle));
        let _ = tokio::signal::ctrl_c().await;
        handle.shutdown().await;
        Outcome::Passed
    })
}

/// Why the sandbox did not start, with the OS error and, for a bind error, the address it tried.
fn start_error(err: &gaap_sandbox::Error, ports: gaap_sandbox::Ports) -> String {
    let gaap_sandbox::Error::Bind { service, source } = err else { return output::chain(err) };
    let port = match *service {
        "notify" => ports.notify,
        "pay" => ports.pay,
        "one_login" => ports.one_login,
        _ => return output::chain(err),
    };
    format!("cannot bind the {service} port on 127.0.0.1:{port}: {}", output::chain(source))
}
