//! The client against wiremock: one test per operation, plus the retry and safety rules.
//! Paths, status codes and bodies follow `alphagov/pay-publicapi` `openapi/publicapi_spec.json`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;
use gaap_pay::retry::{RetryPolicy, Sleeper};
use gaap_pay::types::{AuthoriseRequest, CreateRefundRequest, PaymentStatus, RefundStatus};
use gaap_pay::{
    ApiKey, Client, CreateAgreementRequest, CreatePaymentRequest, Error, Money, Search,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const KEY: &str = "api_test_abcdefghijklmnopqrstuvwxyz0123456789abcdef";

/// Records the waits it is asked for and returns at once: tests never sleep.
#[derive(Debug, Default)]
pub struct RecordingSleeper(Mutex<Vec<Duration>>);

impl RecordingSleeper {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

fn client_with(
    server: &MockServer,
    policy: RetryPolicy,
    timeout: Duration,
) -> (Client, Arc<RecordingSleeper>) {
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = Client::builder(ApiKey::new(KEY))
        .base_url(server.uri())
        .retry_policy(policy)
        .timeout(timeout)
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    (client, sleeper)
}

fn client(server: &MockServer) -> (Client, Arc<RecordingSleeper>) {
    client_with(server, RetryPolicy::immediate(4), Duration::from_secs(5))
}

pub fn payment_json(id: &str, status: &str, reference: &str) -> Value {
    json!({
        "amount": 1250, "description": "Parking permit", "reference": reference, "language": "en",
        "state": {"status": status, "finished": matches!(status, "success" | "failed" | "cancelled" | "error")},
        "payment_id": id, "payment_provider": "sandbox", "created_date": "2026-11-22T10:15:00.000Z",
        "return_url": "https://council.example.gov.uk/paid", "delayed_capture": false, "moto": false,
        "refund_summary": {"status": "available", "amount_available": 1250, "amount_submitted": 0},
        "settlement_summary": {},
        "_links": {
            "self": {"href": format!("https://publicapi.payments.service.gov.uk/v1/payments/{id}"), "method": "GET"},
            "next_url": {"href": "https://www.payments.service.gov.uk/secure/8f3a", "method": "GET"}
        }
    })
}

fn refund_json(id: &str, amount: i64) -> Value {
    json!({"refund_id": id, "created_date": "2026-11-22T11:00:00.000Z", "amount": amount, "status": "success",
           "settlement_summary": {}, "_links": {"self": {"href": "x", "method": "GET"}}})
}

fn agreement_json(id: &str, status: &str) -> Value {
    json!({"agreement_id": id, "reference": "ref", "description": "desc", "status": status,
           "created_date": "2026-11-22T10:00:00.000Z"})
}

fn request() -> CreatePaymentRequest {
    CreatePaymentRequest::new(
        Money::from_pence(1250),
        "INV-1",
        "Parking permit",
        "https://council.example.gov.uk/paid",
    )
}

// ---------------------------------------------------------------- payments

#[tokio::test]
async fn create_payment_posts_the_body_with_bearer_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(body_json(
            json!({"amount": 1250, "reference": "INV-1", "description": "Parking permit",
                              "return_url": "https://council.example.gov.uk/paid"}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(payment_json("p1", "created", "INV-1")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let payment = client.create_payment(&request()).await.unwrap();
    assert_eq!(payment.payment_id, "p1");
    assert_eq!(payment.state.status, PaymentStatus::Created);
    assert_eq!(payment.next_url(), Some("https://www.payments.service.gov.uk/secure/8f3a"));
    assert_eq!(payment.amount.to_string(), "£12.50");
}

#[tokio::test]
async fn invalid_create_is_not_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let mut req = request();
    req.reference = "a|b".to_owned();
    let err = client.create_payment(&req).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), Some("P0102")));
}

#[tokio::test]
async fn get_payment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/p1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(payment_json("p1", "success", "INV-1")),
        )
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let p = client.get_payment("p1").await.unwrap();
    assert_eq!(p.model_state(), Some(gaap_pay::PaymentState::Success));
}

#[tokio::test]
async fn get_payment_not_found_keeps_pays_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/nope"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"code": "P0200", "description": "Not found"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let err = client.get_payment("nope").await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(404), Some("P0200")));
    assert_eq!(err.to_string(), "GOV.UK Pay answered 404 P0200: Not found");
}

#[tokio::test]
async fn payment_events() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/p1/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payment_id": "p1", "events": [
            {"payment_id": "p1", "state": {"status": "created", "finished": false}, "updated": "2026-11-22T10:15:00.000Z"},
            {"payment_id": "p1", "state": {"status": "failed", "finished": true, "code": "P0030",
             "message": "Payment was cancelled by the user"}, "updated": "2026-11-22T10:16:00.000Z"}],
            "_links": {"self": {"href": "x", "method": "GET"}}})))
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let events = client.payment_events("p1").await.unwrap();
    assert_eq!(events.events.len(), 2);
    assert_eq!(events.events[1].state.code.as_deref(), Some("P0030"));
}

#[tokio::test]
async fn cancel_payment() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/cancel"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    client.cancel_payment("p1").await.unwrap();
}

#[tokio::test]
async fn cancel_of_a_finished_payment_is_p0501() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/cancel"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"code": "P0501", "description": "Cancellation of payment failed"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let err = client.cancel_payment("p1").await.unwrap_err();
    assert_eq!(err.code(), Some("P0501"));
}

#[tokio::test]
async fn capture_is_retried_and_the_second_capture_answers_204() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/capture"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/capture"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let (client, sleeper) = client(&server);
    client.capture_payment("p1").await.unwrap();
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn search_payments_follows_next_page() {
    let server = MockServer::start().await;
    let next = format!("{}/v1/payments?reference=INV&page=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1/payments"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"total": 3, "count": 1, "page": 2,
            "results": [payment_json("p3", "success", "INV")], "_links": {}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payments"))
        .and(query_param("reference", "INV"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"total": 3, "count": 2, "page": 1,
            "results": [payment_json("p1", "success", "INV"), payment_json("p2", "failed", "INV")],
            "_links": {"next_page": {"href": next, "method": "GET"}}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let all: Vec<_> =
        client.search_payments(&Search::new().reference("INV")).try_collect().await.unwrap();
    let ids: Vec<_> = all.iter().map(|p| p.payment_id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2", "p3"]);
}

#[tokio::test]
async fn next_page_links_to_another_host_are_rerooted_on_base_url() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"results": [], "_links": {}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payments"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [payment_json("p1", "success", "r")],
            "_links": {"next_page": {"href": "https://evil.example/v1/payments?page=2", "method": "GET"}}})))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let all: Vec<_> = client.search_payments(&Search::new().page(1)).try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
}

// ---------------------------------------------------------------- idempotency and unknown outcomes

/// A tiny Pay: creates one payment per new `Idempotency-Key` (or per request without one). The first response
/// for each key is lost (held past the client's timeout); a replay of the key answers 200 with the same payment.
#[derive(Debug, Clone, Default)]
struct DroppingPay {
    by_key: Arc<Mutex<HashMap<String, String>>>,
    created: Arc<Mutex<Vec<String>>>,
}

impl Respond for DroppingPay {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let key =
            request.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let mut created = self.created.lock().unwrap();
        if let Some(key) = &key
            && let Some(id) = self.by_key.lock().unwrap().get(key)
        {
            return ResponseTemplate::new(200).set_body_json(payment_json(id, "created", "INV-1"));
        }
        let id = format!("p{}", created.len() + 1);
        created.push(id.clone());
        if let Some(key) = key {
            self.by_key.lock().unwrap().insert(key, id.clone());
        }
        // The payment exists, but this answer never arrives in time.
        ResponseTemplate::new(201)
            .set_body_json(payment_json(&id, "created", "INV-1"))
            .set_delay(Duration::from_secs(30))
    }
}

#[tokio::test]
async fn idempotent_create_survives_a_dropped_response_with_exactly_one_payment() {
    let server = MockServer::start().await;
    let pay = DroppingPay::default();
    Mock::given(method("POST"))
        .and(path("/v1/payments"))
        .respond_with(pay.clone())
        .mount(&server)
        .await;
    let (client, sleeper) =
        client_with(&server, RetryPolicy::immediate(3), Duration::from_millis(300));
    let req = request().with_idempotency_key();
    let payment = client.create_payment(&req).await.unwrap();
    assert_eq!(payment.payment_id, "p1");
    assert_eq!(*pay.created.lock().unwrap(), ["p1"]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let keys: Vec<_> = requests.iter().map(|r| r.headers.get("idempotency-key").cloned()).collect();
    assert_eq!(keys[0], keys[1]);
    assert_eq!(
        keys[0].as_ref().and_then(|k| k.to_str().ok()),
        req.idempotency_key.as_ref().map(|k| k.as_str())
    );
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn with_idempotency_key_keeps_an_existing_key() {
    let req = request().with_idempotency_key();
    let again = req.clone().with_idempotency_key();
    assert_eq!(req.idempotency_key, again.idempotency_key);
    assert!(req.idempotency_key.is_some());
}

#[tokio::test]
async fn create_without_key_that_times_out_is_outcome_unknown_and_found_by_reference() {
    let server = MockServer::start().await;
    let pay = DroppingPay::default();
    Mock::given(method("POST"))
        .and(path("/v1/payments"))
        .respond_with(pay.clone())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payments"))
        .and(query_param("reference", "INV-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"total": 1, "count": 1, "page": 1,
            "results": [payment_json("p1", "created", "INV-1")], "_links": {}})),
        )
        .mount(&server)
        .await;
    let (client, sleeper) =
        client_with(&server, RetryPolicy::immediate(3), Duration::from_millis(300));
    let err = client.create_payment(&request()).await.unwrap_err();
    match &err {
        Error::OutcomeUnknown { operation, reference, .. } => {
            assert_eq!(*operation, "create payment");
            assert_eq!(reference.as_deref(), Some("INV-1"));
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    // Never resent blindly.
    assert_eq!(pay.created.lock().unwrap().len(), 1);
    assert!(sleeper.waits().is_empty());
    let found = client.find_payments_by_reference("INV-1").await.unwrap();
    assert_eq!(found.iter().map(|p| p.payment_id.as_str()).collect::<Vec<_>>(), ["p1"]);
}

#[tokio::test]
async fn replayed_create_with_a_different_body_is_p0191() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments"))
        .and(header_exists("idempotency-key"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"code": "P0191",
            "description": "The `Idempotency-Key` you sent in the request header has already been used to create a payment."})))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let err = client.create_payment(&request().with_idempotency_key()).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(409), Some("P0191")));
}

// ---------------------------------------------------------------- rate limits

#[tokio::test]
async fn get_honours_429_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/p1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "2")
                .set_body_json(json!({"code": "P0900", "description": "Too many requests"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/p1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("p1", "success", "r")))
        .mount(&server)
        .await;
    let policy =
        RetryPolicy { max_retry_after: Duration::from_secs(60), ..RetryPolicy::immediate(3) };
    let (client, sleeper) = client_with(&server, policy, Duration::from_secs(5));
    client.get_payment("p1").await.unwrap();
    assert_eq!(sleeper.waits(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn persistent_429_gives_up_with_p0900() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"code": "P0900", "description": "Too many requests"})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let (client, sleeper) = client_with(&server, RetryPolicy::immediate(3), Duration::from_secs(5));
    let err = client.get_payment("p1").await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(429), Some("P0900")));
    assert_eq!(sleeper.waits().len(), 2);
}

// ---------------------------------------------------------------- refunds

#[tokio::test]
async fn create_refund_sends_refund_amount_available() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/refunds"))
        .and(body_json(json!({"amount": 500, "refund_amount_available": 1250})))
        .respond_with(ResponseTemplate::new(202).set_body_json(refund_json("r1", 500)))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let req = CreateRefundRequest {
        amount: Money::from_pence(500),
        refund_amount_available: Some(Money::from_pence(1250)),
    };
    let refund = client.create_refund("p1", &req).await.unwrap();
    assert_eq!((refund.refund_id.as_str(), refund.status), ("r1", RefundStatus::Success));
}

#[tokio::test]
async fn create_refund_without_a_guard_reads_it_from_the_payment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/p1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_json("p1", "success", "r")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/refunds"))
        .and(body_json(json!({"amount": 100, "refund_amount_available": 1250})))
        .respond_with(ResponseTemplate::new(202).set_body_json(refund_json("r1", 100)))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let req = CreateRefundRequest { amount: Money::from_pence(100), refund_amount_available: None };
    client.create_refund("p1", &req).await.unwrap();
}

#[tokio::test]
async fn stale_refund_amount_available_is_412_p0604() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/refunds"))
        .respond_with(ResponseTemplate::new(412).set_body_json(
            json!({"code": "P0604", "description": "Refund amount available mismatch."}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let req = CreateRefundRequest {
        amount: Money::from_pence(100),
        refund_amount_available: Some(Money::from_pence(1250)),
    };
    let err = client.create_refund("p1", &req).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(412), Some("P0604")));
}

#[tokio::test]
async fn retried_refund_meeting_412_is_outcome_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/refunds"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/p1/refunds"))
        .respond_with(ResponseTemplate::new(412).set_body_json(
            json!({"code": "P0604", "description": "Refund amount available mismatch."}),
        ))
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let req = CreateRefundRequest {
        amount: Money::from_pence(100),
        refund_amount_available: Some(Money::from_pence(1250)),
    };
    let err = client.create_refund("p1", &req).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { operation: "create refund", .. }), "{err:?}");
}

#[tokio::test]
async fn get_refund() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/p1/refunds/r1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(refund_json("r1", 500)))
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    assert_eq!(client.get_refund("p1", "r1").await.unwrap().amount, Money::from_pence(500));
}

#[tokio::test]
async fn list_refunds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/p1/refunds"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payment_id": "p1",
            "_links": {"self": {"href": "x", "method": "GET"}},
            "_embedded": {"refunds": [refund_json("r1", 500), refund_json("r2", 100)]}})))
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let list = client.list_refunds("p1").await.unwrap();
    assert_eq!(
        list.refunds().iter().map(|r| r.refund_id.as_str()).collect::<Vec<_>>(),
        ["r1", "r2"]
    );
}

#[tokio::test]
async fn search_refunds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/refunds"))
        .and(query_param("from_date", "2026-11-01T00:00:00Z"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"total": 1, "count": 1, "page": 1,
            "results": [refund_json("r1", 500)], "_links": {}})),
        )
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let found: Vec<_> = client
        .search_refunds(&Search::new().from_date("2026-11-01T00:00:00Z"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

// ---------------------------------------------------------------- agreements, disputes, MOTO

#[tokio::test]
async fn create_agreement() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/agreements"))
        .and(body_json(json!({"reference": "ref", "description": "desc", "user_identifier": "u1"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(agreement_json("a1", "created")))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let req = CreateAgreementRequest {
        reference: "ref".to_owned(),
        description: "desc".to_owned(),
        user_identifier: Some("u1".to_owned()),
    };
    assert_eq!(client.create_agreement(&req).await.unwrap().agreement_id, "a1");
}

#[tokio::test]
async fn get_agreement() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/agreements/a1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(agreement_json("a1", "active")))
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let a = client.get_agreement("a1").await.unwrap();
    assert_eq!(a.status, gaap_pay::types::AgreementStatus::Active);
}

#[tokio::test]
async fn search_agreements() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/agreements"))
        .and(query_param("status", "active"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"total": 1, "count": 1, "page": 1,
            "results": [agreement_json("a1", "active")], "_links": {}})),
        )
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let found: Vec<_> =
        client.search_agreements(&Search::new().status("active")).try_collect().await.unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn cancel_agreement() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/agreements/a1/cancel"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    client.cancel_agreement("a1").await.unwrap();
}

#[tokio::test]
async fn search_disputes_reads_links_not_underscore_links() {
    let server = MockServer::start().await;
    let next = format!("{}/v1/disputes?status=lost&page=2", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1/disputes"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [], "links": {}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/disputes"))
        .and(query_param("status", "lost"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"total": 1, "count": 1, "page": 1,
            "results": [{"dispute_id": "d1", "payment_id": "p1", "amount": 1250, "fee": 1500, "net_amount": -2750,
                         "created_date": "2026-11-20T10:00:00.000Z", "evidence_due_date": "2026-12-01T23:59:59.000Z",
                         "reason": "fraudulent", "status": "lost", "settlement_summary": {"settled_date": "2026-11-21"},
                         "_links": {"payment": {"href": "x", "method": "GET"}}}],
            "links": {"next_page": {"href": next, "method": "GET"}}})))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let found: Vec<_> =
        client.search_disputes(&Search::new().status("lost")).try_collect().await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].net_amount.map(|m| m.to_string()).as_deref(), Some("-£27.50"));
}

#[tokio::test]
async fn authorise_moto() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth"))
        .and(body_json(
            json!({"one_time_token": "ott", "card_number": "4242424242424242", "cvc": "123",
                              "expiry_date": "12/30", "cardholder_name": "J Bogs"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let req = AuthoriseRequest {
        one_time_token: "ott".to_owned(),
        card_number: "4242424242424242".to_owned(),
        cvc: "123".to_owned(),
        expiry_date: "12/30".to_owned(),
        cardholder_name: "J Bogs".to_owned(),
    };
    client.authorise_moto(&req).await.unwrap();
    let debug = format!("{req:?}");
    assert!(
        !debug.contains("4242424242424242") && !debug.contains("123\"") && !debug.contains("ott\""),
        "{debug}"
    );
}

#[tokio::test]
async fn moto_rejection_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"code": "P0050", "description": "There was an error authorising the payment"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let req = AuthoriseRequest {
        one_time_token: "ott".to_owned(),
        card_number: "4000000000000119".to_owned(),
        cvc: "123".to_owned(),
        expiry_date: "12/30".to_owned(),
        cardholder_name: "J Bogs".to_owned(),
    };
    let err = client.authorise_moto(&req).await.unwrap_err();
    assert_eq!(err.code(), Some("P0050"));
}

// ---------------------------------------------------------------- secrets

#[tokio::test]
async fn no_key_or_secret_in_debug_or_error_output() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let key = ApiKey::new(KEY);
    let (client, _) = client(&server);
    let builder = Client::builder(ApiKey::new(KEY));
    let err = client.get_payment("p1").await.unwrap_err();
    let secret = gaap_pay::SigningSecret::new("webhook_test_supersecretvalue");
    let webhook_err =
        gaap_pay::webhook::verify_signature(&secret, b"{}", &"0".repeat(64)).unwrap_err();
    let config_err = Client::builder(ApiKey::new("api_test_bad\nkey")).build().unwrap_err();
    let outputs = [
        format!("{key:?}"),
        format!("{client:?}"),
        format!("{builder:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{secret:?}"),
        format!("{webhook_err:?} {webhook_err}"),
        format!("{config_err:?} {config_err}"),
    ];
    for out in &outputs {
        assert!(!out.contains("abcdefghijklmnopqrstuvwxyz0123456789"), "key leaked: {out}");
        assert!(!out.contains("supersecretvalue"), "secret leaked: {out}");
        assert!(!out.contains("bad\nkey") && !out.contains("bad\\nkey"), "key leaked: {out}");
    }
    assert_eq!(outputs[0], "ApiKey(test, [REDACTED])");
    assert_eq!(err.status(), Some(401));
}
