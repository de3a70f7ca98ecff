//! A council tax payment service built from the gaap blocks, on the in-process sandbox.
//!
//! ```text
//! cargo run --example council-tax                 # picks a free port
//! cargo run --example council-tax -- --port 3000  # or PORT=3000
//! cargo run --example council-tax -- --database council-tax.sqlite3
//! ```
//!
//! Open the printed URL. Sign in on the sandbox's One Login page, use postcode SW1A 2AA, and pay with
//! card 4444 3333 2222 1111 (any future expiry, any CVC); 4000 0000 0000 0002 is declined. The email
//! receipt shows up in the sandbox outbox, whose URL is printed too.
#![allow(clippy::print_stdout, clippy::exit)]

use std::path::PathBuf;

use gaap_examples::council_tax;

fn usage() -> ! {
    eprintln!(
        "usage: council-tax [--port N] [--database FILE]   (env: PORT, COUNCIL_TAX_DATABASE)"
    );
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let mut port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(0);
    let mut database = std::env::var_os("COUNCIL_TAX_DATABASE").map(PathBuf::from);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| usage()),
            "--database" => {
                database = Some(args.next().map(PathBuf::from).unwrap_or_else(|| usage()))
            }
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
    let running = match council_tax::run_with_sandbox(listener, database).await {
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
