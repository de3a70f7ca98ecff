//! `gaap-sandbox`: Notify, Pay and One Login on loopback. The first stdout line is one JSON object with every
//! base URL and credential; human-readable lines follow on stderr.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

/// Notify, Pay and One Login on loopback.
#[derive(Debug, Parser)]
#[command(name = "gaap-sandbox", version, about)]
struct Cli {
    #[command(flatten)]
    args: gaap_sandbox::cli::Args,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match cli.args.to_config() {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "gaap-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let handle = match gaap_sandbox::Sandbox::start(config).await {
        Ok(h) => h,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "gaap-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", handle.credentials_json());
        let _ = out.flush();
    }
    let _ = writeln!(std::io::stderr(), "{}", gaap_sandbox::cli::summary(&handle));
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    ExitCode::SUCCESS
}
