//! The council tax app over plain HTTP (no browser): the whole journey against the in-process sandbox, the
//! error pages, the SQLite records and the webhook endpoint.

use gaap_examples::council_tax::{self, Running};
use gaap_examples::store::Store;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

struct Journey {
    running: Running,
    browser: Client,
    database: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn start() -> Journey {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("council-tax.sqlite3");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = council_tax::run_with_sandbox(listener, Some(database.clone())).await.unwrap();
    let browser = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    Journey { running, browser, database, _dir: dir }
}

fn location(response: &Response) -> String {
    let to = response.headers().get("location").expect("a redirect").to_str().unwrap();
    response.url().join(to).unwrap().to_string()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?} not in {text}")) + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}

impl Journey {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url)
    }

    async fn get(&self, url: &str) -> Response {
        self.browser.get(url).send().await.unwrap()
    }

    async fn post(&self, url: &str, form: &[(&str, &str)]) -> Response {
        self.browser.post(url).form(form).send().await.unwrap()
    }

    /// Signs in on the sandbox's One Login page with the given outcome; returns the callback's response.
    async fn sign_in(&self, outcome: &str) -> Response {
        let to_one_login = self.get(&self.url("/start")).await;
        assert_eq!(location(&to_one_login), self.url("/sign-in"));
        let authorize = location(&self.get(&self.url("/sign-in")).await);
        let page = self.get(&authorize).await.text().await.unwrap();
        let request_id = between(&page, "name=\"request_id\" value=\"", "\"");
        let action = reqwest::Url::parse(&authorize).unwrap().join("/authorize/sign-in").unwrap();
        let back = self
            .post(
                action.as_str(),
                &[("request_id", request_id), ("user", "0"), ("outcome", outcome)],
            )
            .await;
        self.get(&location(&back)).await
    }

    /// Postcode → first address → amount due page.
    async fn choose_address(&self, postcode: &str) -> String {
        let to_address = self.post(&self.url("/postcode"), &[("postcode", postcode)]).await;
        assert_eq!(location(&to_address), self.url("/address"));
        let page = self.get(&self.url("/address")).await.text().await.unwrap();
        let uprn =
            between(&page, "id=\"uprn\" name=\"uprn\" type=\"radio\" value=\"", "\"").to_owned();
        let to_amount = self.post(&self.url("/address"), &[("uprn", &uprn)]).await;
        assert_eq!(location(&to_amount), self.url("/amount-due"));
        self.get(&self.url("/amount-due")).await.text().await.unwrap()
    }

    /// Continue to payment, then the sandbox card page; returns the service page Pay sends the payer back to.
    async fn pay(&self, card: &str, action: &str) -> Response {
        let to_pay = self.post(&self.url("/pay"), &[]).await;
        assert_eq!(to_pay.status(), StatusCode::SEE_OTHER);
        let card_page = location(&self.get(&location(&to_pay)).await);
        let form = [
            ("cardNo", card),
            ("expiryMonth", "12"),
            ("expiryYear", "30"),
            ("cardholderName", "Test"),
            ("cvc", "123"),
            ("action", action),
        ];
        let submitted = self.post(&card_page, &form).await;
        let back_url = if submitted.status() == StatusCode::SEE_OTHER {
            // Authorised: confirm, and Pay redirects to the return URL.
            location(&self.post(&format!("{card_page}/confirm"), &[]).await)
        } else {
            // Declined or cancelled: Pay's page links back with Continue.
            let page = submitted.text().await.unwrap();
            between(&page, "<a href=\"", "\">Continue").replace("&amp;", "&")
        };
        assert!(
            back_url.starts_with(&self.running.url),
            "Pay sends the payer back to the service: {back_url}"
        );
        self.get(&back_url).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_pays_records_and_sends_the_receipt() {
    let journey = start().await;
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

    let store = Store::open(&journey.database).unwrap();
    let paid = store.payments_with_status("success").unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].reference, reference);
    let application = store.application(paid[0].application_id).unwrap().unwrap();
    assert_eq!(
        application.subject,
        "urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw="
    );
    assert_eq!(application.council, "City of Westminster");
    journey.running.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_cancelled_unknown_postcode_and_refused_sign_in_each_get_a_clear_page() {
    let journey = start().await;
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
        let response = journey.post(&journey.url("/postcode"), &[("postcode", typed)]).await;
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
    let to_pay = journey.post(&journey.url("/pay"), &[]).await;
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

    let store = Store::open(&journey.database).unwrap();
    assert_eq!(store.payments_with_status("declined").unwrap().len(), 1);
    assert_eq!(store.payments_with_status("cancelled").unwrap().len(), 1);
    assert!(store.payments_with_status("success").unwrap().is_empty());
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
    let store = Store::open(&journey.database).unwrap();
    let payment = store.payments_with_status("success").unwrap().remove(0);

    // The sandbox delivers Pay's webhooks on its clock; run what is due, then take a delivery the app got.
    let sandbox = journey.running.sandbox.handle();
    let mut delivery = None;
    for _ in 0..1000 {
        sandbox.run_due().await;
        let sent = sandbox.deliveries();
        delivery = sent
            .into_iter()
            .find(|d| d.url.ends_with("/webhooks/pay") && d.body.contains(&payment.payment_id));
        if delivery.is_some() && store.webhook_count(&payment.payment_id).unwrap() > 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    let delivery = delivery.expect("the sandbox sent a webhook for the payment");
    assert!(
        store.webhook_count(&payment.payment_id).unwrap() > 0,
        "the app verified and recorded it"
    );
    let signature = delivery
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Pay-Signature"))
        .unwrap()
        .1
        .clone();
    let count = store.webhook_count(&payment.payment_id).unwrap();

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
    assert_eq!(store.webhook_count(&payment.payment_id).unwrap(), count);
    // A changed body, a wrong or a missing signature is refused.
    let tampered = delivery.body.replacen(&payment.payment_id, "aaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
    assert_eq!(send(tampered, signature.clone()).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(delivery.body.clone(), "0".repeat(64)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(send(delivery.body.clone(), String::new()).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(store.webhook_count(&payment.payment_id).unwrap(), count);
    journey.running.task.abort();
}
