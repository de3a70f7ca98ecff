//! The address finder in a real browser: `interop/browser/address-finder.mjs` (playwright-core and
//! axe-core) against a server started here, with JavaScript on and off. Needs GAAP_NODE_MODULES and
//! GAAP_CHROMIUM, and fails without them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_finder_works_with_javascript_on_and_off_and_passes_axe() {
    // A real Westminster postcode with more than one address, so the autocomplete has a choice.
    let index = gaap_address::embedded();
    let postcode = index
        .postcodes()
        .iter()
        .map(|r| r.postcode)
        .find(|p| index.by_postcode(p).len() > 1)
        .expect("a postcode with two addresses");

    let server = support::start("{}").await;
    let args = vec![server.base_url().to_owned(), postcode.to_string()];
    support::browser_script("address-finder.mjs", args, "address finder passed").await;
    server.shutdown().await;
}
