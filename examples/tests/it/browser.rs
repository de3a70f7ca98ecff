//! The journey in a real browser: `interop/browser/journey.mjs` (playwright-core + axe-core) against the
//! council tax app and its in-process sandbox, on SQLite and (with the `postgres` feature) on PostgreSQL.
//! Needs GAAP_NODE_MODULES and GAAP_CHROMIUM; fails without them.

use std::path::PathBuf;
use std::process::Command;

use gaap_examples::council_tax;
use gaap_examples::store::{Database, Records};

fn required_env(name: &str, what: &str) -> PathBuf {
    let value = std::env::var_os(name).unwrap_or_else(|| {
        panic!("the browser test needs {name}: {what} (see examples/README.md)")
    });
    let path = PathBuf::from(value);
    assert!(path.exists(), "{name}={} does not exist: {what}", path.display());
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_journey_succeeding_and_declined_cards_with_axe() {
    let dir = tempfile::tempdir().unwrap();
    browser_journey(Database::Sqlite(dir.path().join("council-tax.sqlite3"))).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_journey_succeeding_and_declined_cards_with_axe_on_postgres() {
    browser_journey(Database::Postgres(crate::support::postgres_schema_url().await)).await;
}

async fn browser_journey(database: Database) {
    let modules =
        required_env("GAAP_NODE_MODULES", "interop/node_modules with playwright-core and axe-core");
    let chromium = required_env("GAAP_CHROMIUM", "a Chromium binary, e.g. /usr/bin/chromium");
    for package in ["playwright-core", "axe-core"] {
        assert!(
            modules.join(package).is_dir(),
            "{package} is not installed in {}",
            modules.display()
        );
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = council_tax::run_with_options(
        listener,
        council_tax::SandboxOptions { database: database.clone(), ..Default::default() },
    )
    .await
    .unwrap();

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../interop/browser/journey.mjs");
    let url = running.url.clone();
    let outbox = running.outbox_json_url.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(url)
            .arg(outbox)
            .env("GAAP_NODE_MODULES", &modules)
            .env("GAAP_CHROMIUM", &chromium)
            .output()
            .expect("cannot run node")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(output.status.success(), "the browser journey failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("journey passed"));

    // The service's own records: exactly one payment succeeded, and Pay's signed webhook for it arrived.
    let store = database.open().await.unwrap();
    let paid = store.payments_with_status("success").await.unwrap();
    assert_eq!(paid.len(), 1, "exactly one payment succeeded: {paid:?}");
    let webhooks = wait_for_webhook(&running, &store, &paid[0].payment_id).await;
    assert!(webhooks >= 1, "no verified Pay webhook was recorded for {}", paid[0].payment_id);
    running.task.abort();
}

/// Pay's webhooks are delivered on the sandbox's clock: run what is due until the app has recorded one.
async fn wait_for_webhook(
    running: &council_tax::Running,
    store: &Records,
    payment_id: &str,
) -> u64 {
    for _ in 0..1000 {
        running.sandbox.handle().run_due().await;
        let count = store.webhook_count(payment_id).await.unwrap();
        if count > 0 {
            return count;
        }
        tokio::task::yield_now().await;
    }
    0
}
