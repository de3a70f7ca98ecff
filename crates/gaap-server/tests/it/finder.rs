//! The address finder in a real browser: `interop/browser/address-finder.mjs` (playwright-core and
//! axe-core) against a server started here, with JavaScript on and off. Needs GAAP_NODE_MODULES and
//! GAAP_CHROMIUM, and fails without them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use crate::support;

fn required_env(name: &str, what: &str) -> PathBuf {
    let value = std::env::var_os(name)
        .unwrap_or_else(|| panic!("the address finder's browser test needs {name}: {what}"));
    let path = PathBuf::from(value);
    assert!(path.exists(), "{name}={} does not exist: {what}", path.display());
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_finder_works_with_javascript_on_and_off_and_passes_axe() {
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

    // A real Westminster postcode with more than one address, so the autocomplete has a choice.
    let index = gaap_address::embedded();
    let postcode = index
        .postcodes()
        .iter()
        .map(|r| r.postcode)
        .find(|p| index.by_postcode(p).len() > 1)
        .expect("a postcode with two addresses");

    let server = support::start("{}").await;
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop/browser/address-finder.mjs");
    let url = server.base_url().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(url)
            .arg(postcode.to_string())
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
    assert!(
        output.status.success(),
        "the address finder failed in the browser:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("address finder passed"));
    server.shutdown().await;
}
