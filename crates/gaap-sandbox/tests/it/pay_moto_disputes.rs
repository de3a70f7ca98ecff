//! The two Pay operations the sandbox used to answer 404: `POST /v1/auth` (MOTO) and `GET /v1/disputes`, driven
//! through gaap-pay's client where it has them; and the served OpenAPI document listing all 16 of Pay's.

use futures::StreamExt as _;
use gaap_pay::retry::RetryPolicy;
use gaap_pay::types::AuthoriseRequest;
use gaap_pay::{ApiKey, Client, Error as PayError, Search};
use gaap_sandbox::{Config, PayConfig, SandboxHandle};
use serde_json::{Value, json};

use crate::common::{clock, http, start};

async fn sandbox(moto: bool) -> (SandboxHandle, Client) {
    let config = Config {
        pay: PayConfig { moto, post_rate_limit_per_second: 0, ..PayConfig::default() },
        ..Config::default()
    };
    let h = start(config, &clock()).await;
    let client = Client::builder(ApiKey::new(h.credentials().pay.api_key.expose()))
        .base_url(h.credentials().pay.base_url.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    (h, client)
}

async fn post(h: &SandboxHandle, path: &str, body: &Value) -> (u16, Value) {
    let r = http()
        .post(format!("{}{path}", h.credentials().pay.base_url))
        .bearer_auth(h.credentials().pay.api_key.expose())
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn get(h: &SandboxHandle, path: &str) -> (u16, Value) {
    let r = http()
        .get(format!("{}{path}", h.credentials().pay.base_url))
        .bearer_auth(h.credentials().pay.api_key.expose())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// A `moto_api` payment and its one-time token.
async fn moto_payment(h: &SandboxHandle, delayed: bool) -> (String, String) {
    let (status, p) = post(
        h,
        "/v1/payments",
        &json!({"amount": 1500, "reference": "MOTO-1", "description": "Phone payment",
                "authorisation_mode": "moto_api", "delayed_capture": delayed}),
    )
    .await;
    assert_eq!(status, 201, "{p}");
    assert!(p["_links"].get("next_url").is_none(), "no hosted page for moto_api: {p}");
    let link = &p["_links"]["auth_url_post"];
    assert_eq!(
        (link["method"].as_str(), link["type"].as_str()),
        (Some("POST"), Some("application/json"))
    );
    assert!(link["href"].as_str().unwrap().ends_with("/v1/auth"));
    let token = link["params"]["one_time_token"].as_str().unwrap().to_owned();
    (p["payment_id"].as_str().unwrap().to_owned(), token)
}

fn card(token: &str, number: &str) -> AuthoriseRequest {
    AuthoriseRequest {
        one_time_token: token.to_owned(),
        card_number: number.to_owned(),
        cvc: "123".to_owned(),
        expiry_date: "09/29".to_owned(),
        cardholder_name: "J. Citizen".to_owned(),
    }
}

fn api_code(e: &PayError) -> String {
    format!("{e:?}")
}

#[tokio::test]
async fn moto_api_payments_are_authorised_through_v1_auth_once() {
    let (h, pay) = sandbox(true).await;
    let (id, token) = moto_payment(&h, false).await;
    pay.authorise_moto(&card(&token, "4242424242424242")).await.unwrap();
    let got = pay.get_payment(&id).await.unwrap();
    assert_eq!(got.state.status.as_str(), "success");
    let (_, raw) = get(&h, &format!("/v1/payments/{id}")).await;
    assert_eq!(raw["card_details"]["last_digits_card_number"], "4242");
    assert_eq!(raw["card_details"]["cardholder_name"], "J. Citizen");
    assert!(raw["_links"].get("auth_url_post").is_none(), "the token is spent: {raw}");
    let again = pay.authorise_moto(&card(&token, "4242424242424242")).await.unwrap_err();
    assert!(api_code(&again).contains("P1212"), "{again:?}");
    let (status, body) =
        post(&h, "/v1/auth", &serde_json::to_value(card("nope", "4242424242424242")).unwrap())
            .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("P1211")));

    let (id, token) = moto_payment(&h, true).await;
    pay.authorise_moto(&card(&token, "4444333322221111")).await.unwrap();
    assert_eq!(pay.get_payment(&id).await.unwrap().state.status.as_str(), "capturable");
}

#[tokio::test]
async fn v1_auth_answers_pays_errors() {
    let (h, _pay) = sandbox(true).await;
    let (id, token) = moto_payment(&h, false).await;
    let body = |number: &str| serde_json::to_value(card(&token, number)).unwrap();
    let (status, e) = post(&h, "/v1/auth", &json!({"one_time_token": token})).await;
    assert_eq!((status, &e["code"], &e["field"]), (422, &json!("P0101"), &json!("card_number")));
    let (status, e) = post(&h, "/v1/auth", &body("4242")).await;
    assert_eq!(status, 422);
    assert_eq!(
        e["description"],
        "Invalid attribute value: card_number. Must be between 12 and 19 characters long"
    );
    let (status, e) = post(&h, "/v1/auth", &body("4000000000000002")).await;
    assert_eq!((status, e["code"].as_str()), (402, Some("P0010")), "{e}");
    let (_, p) = get(&h, &format!("/v1/payments/{id}")).await;
    assert_eq!(
        (p["state"]["status"].as_str(), p["state"]["code"].as_str()),
        (Some("failed"), Some("P0010"))
    );

    let (_, token) = moto_payment(&h, false).await;
    let (status, e) =
        post(&h, "/v1/auth", &serde_json::to_value(card(&token, "4242424242424241")).unwrap())
            .await;
    assert_eq!(
        (status, e["description"].as_str()),
        (402, Some("The card_number is not a valid card number"))
    );
    let (status, _) = http()
        .post(format!("{}/v1/auth", h.credentials().pay.base_url))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 400);
}

#[tokio::test]
async fn moto_stays_off_unless_the_account_has_it() {
    let (h, _pay) = sandbox(false).await;
    let (status, e) = post(
        &h,
        "/v1/payments",
        &json!({"amount": 1500, "reference": "M", "description": "d", "authorisation_mode": "moto_api"}),
    )
    .await;
    assert_eq!((status, e["code"].as_str()), (422, Some("P0195")));
}

#[tokio::test]
async fn disputes_are_searched_as_pay_searches_them() {
    let (h, pay) = sandbox(false).await;
    let disputes: Vec<_> =
        pay.search_disputes(&Search::new().param("status", "lost")).collect().await;
    assert!(disputes.is_empty(), "Pay's sandbox PSP raises no disputes");
    let (status, page) = get(&h, "/v1/disputes?display_size=10").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (page["total"].as_u64(), page["count"].as_u64(), page["page"].as_u64()),
        (Some(0), Some(0), Some(1))
    );
    assert!(page["_links"]["self"]["href"].as_str().unwrap().contains("/v1/disputes?"));
    let (status, e) = get(&h, "/v1/disputes?status=open&from_date=yesterday").await;
    assert_eq!(status, 422);
    assert_eq!(
        e,
        json!({"code": "P0401", "description":
               "Invalid parameters: status, from_date. See Public API documentation for the correct data formats"})
    );
    let (status, e) = get(&h, "/v1/disputes?page=2").await;
    assert_eq!((status, e["code"].as_str()), (404, Some("P0402")));
}

/// The 16 operations of GOV.UK Pay's own publicapi_spec.json.
const PAY_OPERATIONS: [(&str, &str); 16] = [
    ("get", "/v1/agreements"),
    ("post", "/v1/agreements"),
    ("get", "/v1/agreements/{agreementId}"),
    ("post", "/v1/agreements/{agreementId}/cancel"),
    ("post", "/v1/auth"),
    ("get", "/v1/disputes"),
    ("get", "/v1/payments"),
    ("post", "/v1/payments"),
    ("get", "/v1/payments/{paymentId}"),
    ("post", "/v1/payments/{paymentId}/cancel"),
    ("post", "/v1/payments/{paymentId}/capture"),
    ("get", "/v1/payments/{paymentId}/events"),
    ("get", "/v1/payments/{paymentId}/refunds"),
    ("post", "/v1/payments/{paymentId}/refunds"),
    ("get", "/v1/payments/{paymentId}/refunds/{refundId}"),
    ("get", "/v1/refunds"),
];

#[tokio::test]
async fn the_served_openapi_lists_every_pay_operation() {
    let (h, _pay) = sandbox(false).await;
    let (status, doc) = get(&h, "/openapi.json").await;
    assert_eq!(status, 200);
    let served: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), path.replace("{id}", "{paymentId}")))
        })
        .collect();
    for (method, path) in PAY_OPERATIONS {
        let normalise = |p: &str| {
            p.replace("{agreementId}", "{paymentId}").replace("{refund_id}", "{refundId}")
        };
        assert!(
            served.iter().any(|(m, p)| m == method && normalise(p) == normalise(path)),
            "{method} {path} missing from the served document: {served:?}"
        );
    }
}
