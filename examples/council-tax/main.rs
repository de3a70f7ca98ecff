//! A council tax payment service built from the gaap blocks, on the in-process sandbox.
//!
//! ```text
//! cargo run --example council-tax                 # picks a free port
//! cargo run --example council-tax -- --port 3000  # or PORT=3000
//! cargo run --example council-tax -- --database council-tax.sqlite3
//! cargo run --example council-tax -- --database postgres://user@127.0.0.1:5432/council_tax
//! cargo run --example council-tax -- --public-url https://council-tax.example.gov.uk  # behind TLS
//! ```
//!
//! Without `--database` sessions and records live in SQLite in memory. `--public-url` (env
//! `COUNCIL_TAX_PUBLIC_URL`) is the address browsers use when a TLS proxy is in front: an https URL turns on
//! HSTS and `Secure`, `__Host-` cookies.
//!
//! Open the printed URL. Sign in on the sandbox's One Login page, use postcode SW1A 2AA, and pay with
//! card 4444 3333 2222 1111 (any future expiry, any CVC); 4000 0000 0000 0002 is declined. The email
//! receipt shows up in the sandbox outbox, whose URL is printed too.
#![allow(clippy::print_stdout, clippy::exit)]

use gaap_examples::council_tax::{self, SandboxOptions};
use gaap_examples::store::Database;

fn usage() -> ! {
    eprintln!(
        "usage: council-tax [--port N] [--database FILE|postgres://…] [--public-url URL]\n\
         (env: PORT, COUNCIL_TAX_DATABASE, COUNCIL_TAX_PUBLIC_URL)"
    );
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let mut port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(0);
    let mut options = SandboxOptions {
        database: std::env::var("COUNCIL_TAX_DATABASE")
            .map(|d| Database::parse(&d))
            .unwrap_or_default(),
        public_url: std::env::var("COUNCIL_TAX_PUBLIC_URL").ok(),
        ..SandboxOptions::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| usage()),
            "--database" => {
                options.database = Database::parse(&args.next().unwrap_or_else(|| usage()))
            }
            "--public-url" => options.public_url = Some(args.next().unwrap_or_else(|| usage())),
            _ => usage(),
        }
    }
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {err}");
            std::process::exit(1);
        }
    };
    let running = match council_tax::run_with_options(listener, options).await {
        Ok(running) => running,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    };
    println!("Council tax service: {}", running.url);
    println!("Sandbox email outbox: {}", running.outbox_url);
    println!(
        "Test cards: 4444333322221111 succeeds, 4000000000000002 is declined. Ctrl-C to stop."
    );
    tokio::select! {
        result = running.task => {
            if let Ok(Err(err)) = result {
                eprintln!("error: {err}");
                std::process::exit(1);
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
}
