//! `gaap-server`: the same as `gaap serve`, for deployments that want only the server.

use std::process::ExitCode;

use clap::Parser;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The gaap blocks as HTTP services: OS Places-compatible addresses, the local-authority API and the
/// address finder.
#[derive(Debug, Parser)]
#[command(name = "gaap-server", version, about)]
struct Cli {
    #[command(flatten)]
    args: gaap_server::cli::Args,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(gaap_server::cli::run(&cli.args))
}
