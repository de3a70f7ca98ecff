#![doc = include_str!("../README.md")]
//!
//! ## The API in brief
//!
//! `gaap`: offline checks and tools around the gaap crates.
//!
//! Every command prints its results as one JSON object per line on stdout and its human messages on
//! stderr. Exit codes: 0 when the check passed, 1 when the input was processed and found invalid, 2 for
//! usage or I/O errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "address")]
mod address;
#[cfg(feature = "content")]
mod content;
#[cfg(feature = "identity")]
mod identity;
#[cfg(feature = "jose")]
mod jose;
#[cfg(feature = "notify")]
mod notify;
mod output;
#[cfg(feature = "pay")]
mod pay;
#[cfg(feature = "sandbox")]
mod sandbox;

/// Offline checks and tools for GOV.UK Notify, Pay, One Login, addresses and content.
#[derive(Debug, Parser)]
#[command(name = "gaap", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// JWS and JWK tools.
    #[cfg(feature = "jose")]
    #[command(subcommand)]
    Jose(jose::Command),
    /// GOV.UK One Login token checks.
    #[cfg(feature = "identity")]
    #[command(subcommand)]
    Identity(identity::Command),
    /// GOV.UK Notify's rules, offline: SMS counts, phone, email and address checks, rendering, CSV checks.
    #[cfg(feature = "notify")]
    #[command(subcommand)]
    Notify(notify::Command),
    /// GOV.UK content items: validate, render govspeak, JSON-LD, and a publishing workflow on SQLite.
    #[cfg(feature = "content")]
    #[command(subcommand)]
    Content(content::Command),
    /// Check UK postcodes: validity, parts and kind.
    #[cfg(feature = "address")]
    Postcode(address::PostcodeArgs),
    /// Address index: build, lookup, search, match, synth.
    #[cfg(feature = "address")]
    #[command(subcommand)]
    Address(address::Command),
    /// Run Notify, Pay and One Login on loopback; the first stdout line holds every base URL and credential.
    #[cfg(feature = "sandbox")]
    Sandbox(gaap_sandbox::cli::Args),
    /// GOV.UK Pay checks: verify a webhook signature, validate a create-payment body.
    #[cfg(feature = "pay")]
    #[command(subcommand)]
    Pay(pay::Command),
    /// Serve the blocks over HTTP: the OS Places-compatible address API, the local-authority API and the
    /// address finder. The first stdout line is a JSON object with `base_url`; logs go to stderr.
    #[cfg(feature = "server")]
    Serve(gaap_server::cli::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let outcome = match cli.command {
        #[cfg(feature = "jose")]
        Command::Jose(cmd) => jose::run(cmd),
        #[cfg(feature = "identity")]
        Command::Identity(cmd) => identity::run(cmd),
        #[cfg(feature = "notify")]
        Command::Notify(cmd) => notify::run(cmd),
        #[cfg(feature = "content")]
        Command::Content(cmd) => content::run(cmd),
        #[cfg(feature = "address")]
        Command::Postcode(args) => address::run_postcode(&args),
        #[cfg(feature = "address")]
        Command::Address(cmd) => address::run(cmd),
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => sandbox::run(&args),
        #[cfg(feature = "pay")]
        Command::Pay(cmd) => pay::run(cmd),
        #[cfg(feature = "server")]
        Command::Serve(args) => return ExitCode::from(gaap_server::cli::run(&args)),
    };
    outcome.into()
}
