//! The council tax app over plain HTTP (no browser): the whole journey against the in-process sandbox, the
//! error pages, the SQLite records and the webhook endpoint.

use gaap_examples::store::Store;
use reqwest::{Client, StatusCode};

#[cfg(feature = "postgres")]
use crate::support::start_on_postgres;
use crate::support::{Journey, between, location, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_pays_records_and_sends_the_receipt() {
    let journey = start().await;
    let database = journey.database.clone().unwrap();
    journey_pays(&journey).await;
    // The SQLite file holds the records for anyone to read.
    let store = Store::open(&database).unwrap();
    assert_eq!(store.payments_with_status("success").unwrap().len(), 1);
    assert_eq!(store.session_count().unwrap(), 1, "the resident's session, and no other");
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_pays_records_and_sends_the_receipt_on_postgres() {
    journey_pays(&start_on_postgres().await).await;
}

async fn journey_pays(journey: &Journey) {
    let start_page = journey.get(&journey.url("/")).await.text().await.unwrap();
    assert!(start_page.contains("<h1 class=\"govuk-heading-xl\">Pay your Council Tax</h1>"));
    assert!(
        start_page.contains("<ul class=\"govuk-list govuk-list--bullet\">"),
        "govspeak rendered: {start_page}"
    );
    assert!(start_page.contains("class=\"govuk-button govuk-button--start\""));

    let signed_in = journey.sign_in("success").await;
    assert_eq!(location(&signed_in), journey.url("/postcode"));

    let amount = journey.choose_address("sw1a 2aa").await;
    assert!(
        amount.contains("<dd class=\"govuk-summary-list__value\">City of Westminster</dd>"),
        "{amount}"
    );
    assert!(
        amount.contains("href=\"https://www.westminster.gov.uk/council-tax/pay-your-council-tax\""),
        "LGSL 57, LGIL 4"
    );
    let due =
        between(&amount, "Amount due</dt><dd class=\"govuk-summary-list__value\">", "<").to_owned();

    let back = journey.pay("4444333322221111", "pay").await;
    let confirmation_url = location(&back);
    let confirmation = journey.get(&confirmation_url).await.text().await.unwrap();
    assert!(confirmation.contains("<h1 class=\"govuk-panel__title\">Payment complete</h1>"));
    let reference = between(&confirmation, "<strong id=\"payment-reference\">", "<").to_owned();
    assert_eq!(reference, "CT-000001");

    let outbox: serde_json::Value =
        reqwest::get(&journey.running.outbox_json_url).await.unwrap().json().await.unwrap();
    let receipts: Vec<_> = outbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["reference"] == reference.as_str())
        .collect();
    assert_eq!(receipts.len(), 1, "one receipt: {outbox}");
    assert_eq!(receipts[0]["email_address"], "test@example.com");
    assert!(receipts[0]["body"].as_str().unwrap().contains(&format!("Amount: {due}")));

    // Reloading the return page does not send a second email.
    let again = journey.get(back.url().as_str()).await;
    assert_eq!(location(&again), confirmation_url);
    let outbox: serde_json::Value =
        reqwest::get(&journey.running.outbox_json_url).await.unwrap().json().await.unwrap();
    assert_eq!(outbox["notifications"].as_array().unwrap().len(), 1);

    let paid = journey.records.payments_with_status("success").await.unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].reference, reference);
    let application = journey.records.application(paid[0].application_id).await.unwrap().unwrap();
    assert_eq!(
        application.subject,
        "urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw="
    );
    assert_eq!(application.council, "City of Westminster");
    journey.running.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_cancelled_unknown_postcode_and_refused_sign_in_each_get_a_clear_page() {
    clear_pages(&start().await).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_cancelled_unknown_postcode_and_refused_sign_in_on_postgres() {
    clear_pages(&start_on_postgres().await).await;
}

async fn clear_pages(journey: &Journey) {
    let refused = journey.sign_in("access_denied").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let page = refused.text().await.unwrap();
    assert!(page.contains(
        "<title>Error: You could not be signed in - Pay your Council Tax - GOV.UK</title>"
    ));
    assert!(page.contains("class=\"govuk-error-summary\""));
    assert!(page.contains(">Try signing in again</a>"));
    assert!(page.contains("class=\"govuk-back-link\""));

    journey.sign_in("success").await;
    for (typed, message) in [
        ("", "Enter the postcode of the property"),
        ("not a postcode", "Enter a real postcode, like SW1A 2AA"),
        ("ZE3 9JZ", "We could not find any addresses for that postcode. Check it and try again"),
    ] {
        let response = journey.submit("/postcode", &[("postcode", typed)]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(
            page.contains(&format!("<li><a href=\"#postcode\">{message}</a></li>")),
            "{typed:?}: {page}"
        );
        assert!(page.contains("govuk-input--error"));
    }

    journey.choose_address("SW1A 2AA").await;
    // Back from Pay before paying: no outcome yet, and no receipt.
    let to_pay = journey.submit("/pay", &[]).await;
    assert_eq!(to_pay.status(), StatusCode::SEE_OTHER);
    let unfinished = journey.get(&journey.url("/payment-return/1")).await.text().await.unwrap();
    assert!(
        unfinished.contains("<h1 class=\"govuk-heading-l\">Your payment is not finished</h1>"),
        "{unfinished}"
    );

    let declined = journey.pay("4000000000000002", "pay").await.text().await.unwrap();
    assert!(
        declined.contains("<h1 class=\"govuk-heading-l\">Your payment was declined</h1>"),
        "{declined}"
    );
    assert!(declined.contains("Your card was declined"));
    assert!(declined.contains(">Try paying again</a>"));

    let cancelled = journey.pay("4444333322221111", "cancel").await.text().await.unwrap();
    assert!(
        cancelled.contains("<h1 class=\"govuk-heading-l\">Your payment was cancelled</h1>"),
        "{cancelled}"
    );
    assert!(cancelled.contains("class=\"govuk-error-summary\""));

    let records = &journey.records;
    assert_eq!(records.payments_with_status("declined").await.unwrap().len(), 1);
    assert_eq!(records.payments_with_status("cancelled").await.unwrap().len(), 1);
    assert!(records.payments_with_status("success").await.unwrap().is_empty());
    let outbox: serde_json::Value =
        reqwest::get(&journey.running.outbox_json_url).await.unwrap().json().await.unwrap();
    assert!(outbox["notifications"].as_array().unwrap().is_empty(), "no receipt without a payment");
    journey.running.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_verified_and_recorded_once() {
    let journey = start().await;
    journey.sign_in("success").await;
    journey.choose_address("SW1A 2AA").await;
    journey.pay("4444333322221111", "pay").await;
    let records = &journey.records;
    let payment = records.payments_with_status("success").await.unwrap().remove(0);
    let delivery = journey.webhooks_for(&payment.payment_id).await.remove(0);
    let signature = delivery
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Pay-Signature"))
        .unwrap()
        .1
        .clone();
    let count = records.webhook_count(&payment.payment_id).await.unwrap();

    let send = |body: String, signature: String| {
        let url = journey.url("/webhooks/pay");
        async move {
            Client::new()
                .post(url)
                .header("Pay-Signature", signature)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    // A redelivery of the same message is acknowledged and not recorded twice.
    assert_eq!(send(delivery.body.clone(), signature.clone()).await.status(), StatusCode::OK);
    assert_eq!(records.webhook_count(&payment.payment_id).await.unwrap(), count);
    // A changed body, a wrong or a missing signature is refused.
    let tampered = delivery.body.replacen(&payment.payment_id, "aaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
    assert_eq!(send(tampered, signature.clone()).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(delivery.body.clone(), "0".repeat(64)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(send(delivery.body.clone(), String::new()).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(records.webhook_count(&payment.payment_id).await.unwrap(), count);
    journey.running.task.abort();
}

/// A fresh clone is styled: every page links GOV.UK Frontend's stylesheet, which the app serves from its own
/// binary (no npm step, no `GAAP_NODE_MODULES`), without GOV.UK's own font; other asset paths are not found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_link_the_compiled_in_govuk_frontend_stylesheet() {
    let journey = start().await;
    let page = journey.get(&journey.url("/")).await.text().await.unwrap();
    assert!(
        page.contains("<link rel=\"stylesheet\" href=\"/assets/govuk-frontend.min.css\">"),
        "{page}"
    );
    let css = journey.get(&journey.url("/assets/govuk-frontend.min.css")).await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let css = css.text().await.unwrap();
    assert_eq!(css, gaap_examples::govuk::STYLESHEET);
    assert!(css.contains(".govuk-header{") && !css.contains("@font-face"));
    for path in ["/assets/fonts/bold-b542beb274-v2.woff2", "/assets/../Cargo.toml", "/assets/x.css"]
    {
        let response = journey.get(&journey.url(path)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    journey.running.task.abort();
}
