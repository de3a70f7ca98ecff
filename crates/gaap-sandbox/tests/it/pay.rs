use std::time::Duration;

use gaap_pay::SigningSecret;
use gaap_sandbox::{Config, PayConfig, SandboxHandle, WebhookConfig};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{clock, http, start};

struct Pay {
    base: String,
    key: String,
}

impl Pay {
    fn of(h: &SandboxHandle) -> Self {
        Self {
            base: h.credentials().pay.base_url.clone(),
            key: h.credentials().pay.api_key.expose().to_owned(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut r = http().request(method, format!("{}{path}", self.base)).bearer_auth(&self.key);
        if let Some(body) = body {
            r = r.json(body);
        }
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        let r = r.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn create(&self, extra: Value) -> Value {
        let mut body = json!({"amount": 1250, "reference": "INV-1", "description": "Parking permit",
                              "return_url": "https://council.example.gov.uk/paid"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let (status, payment) =
            self.send(reqwest::Method::POST, "/v1/payments", Some(&body), &[]).await;
        assert_eq!(status, 201, "{payment}");
        payment
    }

    /// Walks the hosted pages: next_url, card form, confirm. Returns the final Location.
    async fn pay_with(&self, payment: &Value, card: &str) -> Option<String> {
        let next = payment["_links"]["next_url"]["href"].as_str().unwrap();
        let r = http().get(next).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let form_path = r.headers()["location"].to_str().unwrap().to_owned();
        let form = format!("{}{form_path}", self.base);
        let page = http().get(&form).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Enter card details"));
        let r = http()
            .post(&form)
            .form(&[
                ("cardNo", card),
                ("expiryMonth", "12"),
                ("expiryYear", "30"),
                ("cardholderName", "A Payer"),
                ("cvc", "123"),
            ])
            .send()
            .await
            .unwrap();
        if r.status() != 303 {
            return None;
        }
        let confirm = format!("{}{}", self.base, r.headers()["location"].to_str().unwrap());
        let r = http().post(&confirm).send().await.unwrap();
        assert_eq!(r.status(), 303);
        Some(r.headers()["location"].to_str().unwrap().to_owned())
    }
}

fn config() -> Config {
    Config {
        pay: PayConfig {
            post_rate_limit_per_second: 0,
            get_rate_limit_per_second: 0,
            ..PayConfig::default()
        },
        ..Config::default()
    }
}

#[tokio::test]
async fn a_test_card_pays_and_the_payer_returns() {
    let clock = clock();
    let h = start(config(), &clock).await;
    let pay = Pay::of(&h);
    let payment = pay.create(json!({})).await;
    assert_eq!(payment["state"], json!({"status": "created", "finished": false}));
    assert_eq!(payment["payment_id"].as_str().unwrap().len(), 26);
    assert_eq!(
        payment["_links"]["next_url_post"]["params"]["chargeTokenId"].as_str().map(str::len),
        Some(36)
    );
    let back = pay.pay_with(&payment, "4444333322221111").await;
    assert_eq!(back.as_deref(), Some("https://council.example.gov.uk/paid"));
    let id = payment["payment_id"].as_str().unwrap();
    let (_, got) = pay.send(reqwest::Method::GET, &format!("/v1/payments/{id}"), None, &[]).await;
    assert_eq!(got["state"], json!({"status": "success", "finished": true}));
    assert_eq!(got["card_details"]["last_digits_card_number"], "1111");
    assert_eq!(got["refund_summary"]["status"], "available");
    assert!(got["_links"].get("next_url").is_none());
    let (_, events) =
        pay.send(reqwest::Method::GET, &format!("/v1/payments/{id}/events"), None, &[]).await;
    let statuses: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["created", "started", "submitted", "success"]);
    // next_url tokens work once.
    let r =
        http().get(payment["_links"]["next_url"]["href"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn declined_card_fails_with_p0010() {
    let clock = clock();
    let h = start(config(), &clock).await;
    let pay = Pay::of(&h);
    let payment = pay.create(json!({})).await;
    assert_eq!(pay.pay_with(&payment, "4000000000000002").await, None);
    let id = payment["payment_id"].as_str().unwrap();
    let (_, got) = pay.send(reqwest::Method::GET, &format!("/v1/payments/{id}"), None, &[]).await;
    assert_eq!(
        got["state"],
        json!({"status": "failed", "finished": true, "code": "P0010", "message": "Payment method rejected"})
    );
    let (status, body) =
        pay.send(reqwest::Method::POST, &format!("/v1/payments/{id}/cancel"), None, &[]).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("P0501")));
}

#[tokio::test]
async fn delayed_capture_cancel_and_refunds() {
    let clock = clock();
    let h = start(config(), &clock).await;
    let pay = Pay::of(&h);
    let payment = pay.create(json!({"delayed_capture": true})).await;
    pay.pay_with(&payment, "4242424242424242").await.unwrap();
    let id = payment["payment_id"].as_str().unwrap();
    let (_, got) = pay.send(reqwest::Method::GET, &format!("/v1/payments/{id}"), None, &[]).await;
    assert_eq!(got["state"]["status"], "capturable");
    assert!(got["_links"]["capture"].is_object());
    assert_eq!(
        pay.send(reqwest::Method::POST, &format!("/v1/payments/{id}/capture"), None, &[]).await.0,
        204
    );
    assert_eq!(
        pay.send(reqwest::Method::POST, &format!("/v1/payments/{id}/capture"), None, &[]).await.0,
        204
    );

    let refund = json!({"amount": 250, "refund_amount_available": 1000});
    let (status, body) = pay
        .send(reqwest::Method::POST, &format!("/v1/payments/{id}/refunds"), Some(&refund), &[])
        .await;
    assert_eq!((status, body["code"].as_str()), (412, Some("P0604")));
    let refund = json!({"amount": 250, "refund_amount_available": 1250});
    let (status, body) = pay
        .send(reqwest::Method::POST, &format!("/v1/payments/{id}/refunds"), Some(&refund), &[])
        .await;
    assert_eq!((status, body["status"].as_str()), (202, Some("success")));
    let (_, got) = pay.send(reqwest::Method::GET, &format!("/v1/payments/{id}"), None, &[]).await;
    assert_eq!(
        got["refund_summary"],
        json!({"status": "available", "amount_available": 1000, "amount_submitted": 250})
    );
    let (status, body) = pay
        .send(
            reqwest::Method::POST,
            &format!("/v1/payments/{id}/refunds"),
            Some(&json!({"amount": 1001})),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["description"],
        "The payment is not available for refund. Payment refund status: amount_not_available"
    );
    let (_, list) =
        pay.send(reqwest::Method::GET, &format!("/v1/payments/{id}/refunds"), None, &[]).await;
    assert_eq!(list["_embedded"]["refunds"].as_array().unwrap().len(), 1);

    let other = pay.create(json!({})).await;
    let oid = other["payment_id"].as_str().unwrap();
    assert_eq!(
        pay.send(reqwest::Method::POST, &format!("/v1/payments/{oid}/cancel"), None, &[]).await.0,
        204
    );
    let (_, got) = pay.send(reqwest::Method::GET, &format!("/v1/payments/{oid}"), None, &[]).await;
    assert_eq!(got["state"]["code"], "P0040");
    let (status, body) =
        pay.send(reqwest::Method::POST, &format!("/v1/payments/{oid}/capture"), None, &[]).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("P1003")));
}

#[tokio::test]
async fn validation_comes_from_gaap_pay() {
    let clock = clock();
    let h = start(config(), &clock).await;
    let pay = Pay::of(&h);
    let (status, body) = pay
        .send(reqwest::Method::POST, "/v1/payments", Some(&json!({"amount": 27.5, "reference": "r", "description": "d",
                                                                    "return_url": "https://x.gov.uk"})), &[])
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"field": "amount", "code": "P0102",
                            "description": "Invalid attribute value: amount. Must be a valid numeric format"})
    );
    let r = http().get(format!("{}/v1/payments/x", pay.base)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let (status, body) =
        pay.send(reqwest::Method::GET, "/v1/payments?state=capturable", None, &[]).await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "P0401");
    assert_eq!(
        pay.send(reqwest::Method::GET, "/v1/payments/nope", None, &[]).await.1["code"],
        "P0200"
    );
}

#[tokio::test]
async fn idempotency_key_replays_and_conflicts() {
    let clock = clock();
    let h = start(config(), &clock).await;
    let pay = Pay::of(&h);
    let body = json!({"amount": 100, "reference": "R", "description": "D", "return_url": "https://x.gov.uk/r"});
    let key = [("Idempotency-Key", "order-42")];
    let (s1, p1) = pay.send(reqwest::Method::POST, "/v1/payments", Some(&body), &key).await;
    let (s2, p2) = pay.send(reqwest::Method::POST, "/v1/payments", Some(&body), &key).await;
    assert_eq!((s1, s2), (201, 200));
    assert_eq!(p1["payment_id"], p2["payment_id"]);
    let changed = json!({"amount": 101, "reference": "R", "description": "D", "return_url": "https://x.gov.uk/r"});
    let (s3, e) = pay.send(reqwest::Method::POST, "/v1/payments", Some(&changed), &key).await;
    assert_eq!((s3, e["code"].as_str()), (409, Some("P0191")));
    let (s4, e) = pay
        .send(
            reqwest::Method::POST,
            "/v1/payments",
            Some(&body),
            &[("Idempotency-Key", "bad key!")],
        )
        .await;
    assert_eq!((s4, e["header"].as_str()), (422, Some("Idempotency-Key")));
    assert_eq!(h.payment_count(), 1);
    // Keys are forgotten after 24 h.
    clock.advance(Duration::from_secs(86_401));
    h.run_due().await;
    assert_eq!(pay.send(reqwest::Method::POST, "/v1/payments", Some(&body), &key).await.0, 201);
}

#[tokio::test]
async fn post_rate_limit_answers_429_p0900() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let pay = Pay::of(&h);
    let body = json!({"amount": 100, "reference": "R", "description": "D", "return_url": "https://x.gov.uk/r"});
    for _ in 0..15 {
        assert_eq!(pay.send(reqwest::Method::POST, "/v1/payments", Some(&body), &[]).await.0, 201);
    }
    let (status, e) = pay.send(reqwest::Method::POST, "/v1/payments", Some(&body), &[]).await;
    assert_eq!((status, e), (429, json!({"code": "P0900", "description": "Too many requests"})));
    clock.advance(Duration::from_secs(1));
    assert_eq!(pay.send(reqwest::Method::POST, "/v1/payments", Some(&body), &[]).await.0, 201);
}

#[tokio::test]
async fn expiry_sends_a_signed_webhook_on_pays_retry_schedule() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&receiver)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&receiver).await;
    let clock = clock();
    let mut cfg = config();
    cfg.pay.webhooks =
        vec![WebhookConfig { url: format!("{}/hook", receiver.uri()), subscriptions: vec![] }];
    let h = start(cfg, &clock).await;
    let pay = Pay::of(&h);
    let payment = pay.create(json!({})).await;
    clock.advance(Duration::from_secs(90 * 60));
    h.run_due().await;
    let id = payment["payment_id"].as_str().unwrap();
    let (_, got) = pay.send(reqwest::Method::GET, &format!("/v1/payments/{id}"), None, &[]).await;
    assert_eq!(got["state"]["code"], "P0020");
    clock.advance(Duration::from_secs(60));
    h.run_due().await;
    clock.advance(Duration::from_secs(299));
    h.run_due().await;
    assert_eq!(
        receiver.received_requests().await.unwrap().len(),
        2,
        "third attempt waits 5 minutes"
    );
    clock.advance(Duration::from_secs(1));
    h.run_due().await;
    let requests = receiver.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let last = &requests[2];
    let signature = last.headers["pay-signature"].to_str().unwrap();
    let secret = SigningSecret::new(h.credentials().pay.webhook_secret.expose());
    gaap_pay::webhook::verify_signature(&secret, &last.body, signature).unwrap();
    let body: Value = serde_json::from_slice(&last.body).unwrap();
    assert_eq!(body["event_type"], "card_payment_expired");
    assert_eq!(body["resource_id"], id);
    assert!(body["resource"].get("_links").is_none());
}

#[tokio::test]
async fn agreements_activate_on_a_set_up_payment() {
    let clock = clock();
    let h = start(config(), &clock).await;
    let pay = Pay::of(&h);
    let (status, agreement) = pay
        .send(
            reqwest::Method::POST,
            "/v1/agreements",
            Some(&json!({"reference": "A1", "description": "Rent"})),
            &[],
        )
        .await;
    assert_eq!((status, agreement["status"].as_str()), (201, Some("created")));
    let aid = agreement["agreement_id"].as_str().unwrap();
    let setup = pay.create(json!({"set_up_agreement": aid})).await;
    pay.pay_with(&setup, "4242424242424242").await.unwrap();
    let (_, got) =
        pay.send(reqwest::Method::GET, &format!("/v1/agreements/{aid}"), None, &[]).await;
    assert_eq!(got["status"], "active");
    let body = json!({"amount": 500, "reference": "R2", "description": "Rent", "authorisation_mode": "agreement",
                      "agreement_id": aid});
    let (status, recurring) =
        pay.send(reqwest::Method::POST, "/v1/payments", Some(&body), &[]).await;
    assert_eq!(status, 201, "{recurring}");
    assert_eq!(recurring["state"]["status"], "success");
    assert!(recurring["_links"].get("next_url").is_none());
    assert_eq!(
        pay.send(reqwest::Method::POST, &format!("/v1/agreements/{aid}/cancel"), None, &[]).await.0,
        204
    );
    let (_, list) =
        pay.send(reqwest::Method::GET, "/v1/agreements?status=cancelled", None, &[]).await;
    assert_eq!(list["total"], 1);
}
