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
    // The journey screenshots every page it checks, after checking GOV.UK Frontend's computed style on it.
    let shots = tempfile::tempdir().unwrap();
    let shots_dir = shots.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(url)
            .arg(outbox)
            .env("GAAP_NODE_MODULES", &modules)
            .env("GAAP_CHROMIUM", &chromium)
            .env("GAAP_SCREENSHOTS", &shots_dir)
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
    assert_styled_screenshots(shots.path(), &stdout);

    // The service's own records: exactly one payment succeeded, and Pay's signed webhook for it arrived.
    let store = database.open().await.unwrap();
    let paid = store.payments_with_status("success").await.unwrap();
    assert_eq!(paid.len(), 1, "exactly one payment succeeded: {paid:?}");
    let webhooks = wait_for_webhook(&running, &store, &paid[0].payment_id).await;
    assert!(webhooks >= 1, "no verified Pay webhook was recorded for {}", paid[0].payment_id);
    running.task.abort();
}

/// The journey checked the GOV.UK header's computed style (GOV.UK blue, GOV.UK's font stack) on every page, the
/// service's and the sandbox's, and left a screenshot of each: the app served GOV.UK Frontend from its own
/// binary (it no longer reads `GAAP_NODE_MODULES`, which here only gives the test its browser driver).
fn assert_styled_screenshots(dir: &std::path::Path, stdout: &str) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("GOV.UK look checked on "))
        .unwrap_or_else(|| panic!("the journey did not report its GOV.UK look checks:\n{stdout}"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(line.ends_with(&format!("{} screenshots", names.len())), "{line}: {names:?}");
    for wanted in
        ["start-page", "one-login-sign-in-sandbox", "amount-due", "pay-card-details-sandbox"]
    {
        assert!(names.iter().any(|n| n.contains(wanted)), "no screenshot of {wanted}: {names:?}");
    }
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
        assert!(bytes.len() > 5_000, "{name} is a real page, {} bytes", bytes.len());
    }
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
