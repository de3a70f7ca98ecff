//! The sandbox's own pages look like GOV.UK (the vendored GOV.UK Frontend stylesheet, served by each server) and
//! show human names: the service's name on One Login's sign-in page, money as `£1,680.00` on Pay's card pages.

use gaap_sandbox::{ClientConfig, Config, OneLoginConfig, SandboxHandle};
use serde_json::{Value, json};

use crate::common::{clock, http, start};
use crate::one_login::authorize_url;

/// The sign-in page's HTML for the default client id.
async fn sign_in_page(issuer: &str) -> String {
    let r = http().get(authorize_url(issuer, &[])).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// A payment of `amount` pence, walked to its card page; returns the Pay base URL and the card page's path.
async fn card_page(h: &SandboxHandle, amount: i64) -> (String, String) {
    let base = h.credentials().pay.base_url.clone();
    let payment: Value = http()
        .post(format!("{base}/v1/payments"))
        .bearer_auth(h.credentials().pay.api_key.expose())
        .json(&json!({"amount": amount, "reference": "CT-1", "description": "Council Tax",
                      "return_url": "https://council.example.gov.uk/paid"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = payment["_links"]["next_url"]["href"].as_str().unwrap();
    let r = http().get(next).send().await.unwrap();
    let path = r.headers()["location"].to_str().unwrap().to_owned();
    (base, path)
}

/// The stylesheet a page links, fetched from the server that served the page.
async fn assert_serves_the_stylesheet(base: &str, html: &str) {
    assert!(
        html.contains("<link rel=\"stylesheet\" href=\"/assets/govuk-frontend.min.css\">"),
        "{html}"
    );
    assert!(html.contains("class=\"govuk-header\""), "{html}");
    let r = http()
        .get(format!("{}/assets/govuk-frontend.min.css", base.trim_end_matches('/')))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    let css = r.text().await.unwrap();
    assert!(css.contains(".govuk-header{"), "GOV.UK Frontend's header rules are served");
    assert!(!css.contains("@font-face"), "GDS Transport is for GOV.UK only and is not shipped");
}

#[tokio::test]
async fn the_sign_in_page_names_the_service_not_the_client_id() {
    let clock = clock();
    let client =
        ClientConfig { client_name: "Pay your Council Tax".to_owned(), ..ClientConfig::default() };
    let config = Config {
        one_login: OneLoginConfig { clients: vec![client], ..OneLoginConfig::default() },
        ..Config::default()
    };
    let h = start(config, &clock).await;
    let issuer = h.credentials().one_login.issuer.clone();
    let html = sign_in_page(&issuer).await;
    assert!(
        html.contains("<h1 class=\"govuk-heading-l\">Sign in to Pay your Council Tax</h1>"),
        "{html}"
    );
    assert!(!html.contains("HGIOgho9HIRhgoepdIOPFdIUWgewi0jw"), "the client id is not shown");
    assert_serves_the_stylesheet(&issuer, &html).await;
}

#[tokio::test]
async fn without_a_client_name_the_sign_in_page_says_example_service() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let html = sign_in_page(&h.credentials().one_login.issuer.clone()).await;
    assert!(html.contains("Sign in to Example service</h1>"), "{html}");
}

#[test]
fn a_client_name_is_read_from_the_config_file() {
    let config: Config = serde_json::from_value(json!({
        "one_login": {"clients": [{"client_id": "c", "client_name": "Register to vote"}]}
    }))
    .unwrap();
    assert_eq!(config.one_login.clients[0].client_name, "Register to vote");
}

#[tokio::test]
async fn pay_card_pages_show_money_with_a_thousands_comma() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let (base, path) = card_page(&h, 168_000).await;
    let form = format!("{base}{path}");
    let html = http().get(&form).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("<dd class=\"govuk-summary-list__value\" id=\"amount\">£1,680.00</dd>"),
        "{html}"
    );
    assert!(!html.contains("£1680.00"));
    assert_serves_the_stylesheet(&base, &html).await;

    let r = http()
        .post(&form)
        .form(&[("cardNo", "4444333322221111"), ("expiryMonth", "12"), ("expiryYear", "30")])
        .send()
        .await
        .unwrap();
    let confirm = format!("{base}{}", r.headers()["location"].to_str().unwrap());
    let html = http().get(&confirm).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("<span id=\"amount\">£1,680.00</span> with the card ending 1111"),
        "{html}"
    );
}

#[tokio::test]
async fn a_bad_card_number_gets_an_error_summary_and_a_way_back() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let (base, path) = card_page(&h, 500).await;
    let r = http().post(format!("{base}{path}")).form(&[("cardNo", "12")]).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("govuk-error-summary"), "{html}");
    assert!(html.contains("Enter a valid card number"));
    assert!(html.contains(&format!("href=\"{path}\"")), "{html}");
}
