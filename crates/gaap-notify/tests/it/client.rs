//! Every v2 operation against wiremock (one MockServer per test). Wire shapes from
//! alphagov/notifications-api app/v2/** and the python client's tests
//! (tests/notifications_python_client/test_notifications_api_client.py).

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use gaap_http::{Backoff, Clock, ManualClock};
use gaap_notify::{
    Client, EmailRequest, Error, FileOptions, LetterRequest, NotificationFilter,
    NotificationStatus, NotificationType, Postage, PrecompiledLetterRequest, RetryPolicy,
    SmsRequest, prepare_upload,
};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SERVICE: &str = "c745a8d8-b48a-4b0d-96e5-dbea0165ebd1";
const SECRET: &str = "8b3aa916-ec82-434e-b0c5-d5d9b371d6a3";
const NOW: i64 = 1_795_000_000;

fn key() -> String {
    format!("key_name-{SERVICE}-{SECRET}")
}

fn client(server: &MockServer) -> Client {
    Client::builder(gaap_notify::ApiKey::parse(&key()).unwrap())
        .base_url(server.uri())
        .clock(Arc::new(ManualClock::at_unix(NOW)))
        .build()
        .unwrap()
}

fn retrying(server: &MockServer) -> Client {
    Client::builder(gaap_notify::ApiKey::parse(&key()).unwrap())
        .base_url(server.uri())
        .clock(Arc::new(ManualClock::at_unix(NOW)))
        .retry_policy(
            RetryPolicy::new(3).with_backoff(Backoff::new(Duration::ZERO, Duration::ZERO)),
        )
        .build()
        .unwrap()
}

fn id(n: u8) -> Uuid {
    Uuid::from_bytes([n; 16])
}

fn template_ref() -> Value {
    json!({"id": id(9), "version": 1, "uri": "https://api/services/s/templates/t"})
}

fn notification(n: u8) -> Value {
    json!({
        "id": id(n), "reference": null, "email_address": null, "phone_number": "447700900123",
        "line_1": null, "line_2": null, "line_3": null, "line_4": null, "line_5": null, "line_6": null,
        "postcode": null, "type": "sms", "status": "delivered", "template": template_ref(),
        "body": "Hello", "subject": null, "created_at": "2026-11-22T10:00:00.000000Z",
        "created_by_name": null, "sent_at": "2026-11-22T10:00:01.000000Z",
        "completed_at": "2026-11-22T10:00:05.000000Z", "scheduled_for": null, "postage": null,
        "one_click_unsubscribe_url": null, "is_cost_data_ready": true, "cost_in_pounds": 0.0197,
        "cost_details": {"billable_sms_fragments": 1, "international_rate_multiplier": 1.0, "sms_rate": 0.0197}
    })
}

fn envelope(status: u16, error: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(
        json!({"status_code": status, "errors": [{"error": error, "message": message}]}),
    )
}

/// Checks the bearer token: HS256, iss = service id, iat = the injected clock.
fn assert_token(request: &Request) {
    let auth = request.headers.get("authorization").unwrap().to_str().unwrap();
    let token = auth.strip_prefix("Bearer ").unwrap();
    let key = gaap_jose::VerifyingKey::hmac(SECRET.as_bytes().to_vec());
    let verified = gaap_jose::verify(token, &key, &[gaap_jose::Algorithm::HS256]).unwrap();
    let claims: Value = verified.claims().unwrap();
    assert_eq!(claims, json!({"iss": SERVICE, "iat": NOW}));
    let ua = request.headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(ua, format!("gaap-notify/{}", env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn send_sms() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/sms"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"phone_number": "07700900123", "template_id": id(9), "personalisation": {"name": "Ann"}, "reference": "ref-1"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": id(1), "reference": "ref-1", "content": {"body": "Hello Ann", "from_number": "GOVUK"},
            "uri": "https://api/v2/notifications/x", "template": template_ref(), "scheduled_for": null
        })))
        .expect(1)
        .mount(&server)
        .await;
    let values = json!({"name": "Ann"}).as_object().cloned().unwrap();
    let sent = client(&server)
        .send_sms(&SmsRequest::new("07700900123", id(9)).personalisation(values).reference("ref-1"))
        .await
        .unwrap();
    assert_eq!(sent.id, id(1));
    assert_eq!(sent.content.body, "Hello Ann");
    assert_token(&server.received_requests().await.unwrap()[0]);
}

#[tokio::test]
async fn send_email_with_a_file() {
    let server = MockServer::start().await;
    let file = prepare_upload(
        b"a,b\n",
        &FileOptions {
            filename: Some("r.csv".into()),
            confirm_email_before_download: Some(true),
            retention_period: Some("4 weeks".into()),
        },
    )
    .unwrap();
    Mock::given(method("POST"))
        .and(path("/v2/notifications/email"))
        .and(body_json(json!({"email_address": "a@example.com", "template_id": id(9), "personalisation": {"link": {"file": "YSxiCg==", "filename": "r.csv", "confirm_email_before_download": true, "retention_period": "4 weeks"}}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": id(2), "reference": null,
            "content": {"body": "b", "subject": "s", "from_email": "service@notifications.service.gov.uk", "one_click_unsubscribe_url": null},
            "uri": "u", "template": template_ref(), "scheduled_for": null
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut values = serde_json::Map::new();
    values.insert("link".into(), file);
    let sent = client(&server)
        .send_email(&EmailRequest::new("a@example.com", id(9)).personalisation(values))
        .await
        .unwrap();
    assert_eq!(sent.content.subject, "s");
    let too_big =
        prepare_upload(&vec![0_u8; 2 * 1024 * 1024 + 1], &FileOptions::default()).unwrap_err();
    assert_eq!(too_big.to_string(), "invalid request: File is larger than 2MB");
}

#[tokio::test]
async fn send_letter_and_precompiled() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/letter"))
        .and(body_json(json!({"template_id": id(9), "personalisation": {"address_line_1": "A", "address_line_2": "B", "postcode": "SW1A 1AA"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": id(3), "reference": null, "content": {"body": "b", "subject": "s"}, "uri": "u", "template": template_ref(), "scheduled_for": null
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/letter"))
        .and(body_json(
            json!({"reference": "my-letter", "content": "JVBERi0=", "postage": "first"}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": id(4), "reference": "my-letter", "postage": "first"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let personalisation =
        json!({"address_line_1": "A", "address_line_2": "B", "postcode": "SW1A 1AA"})
            .as_object()
            .cloned()
            .unwrap();
    let letter = c
        .send_letter(&LetterRequest { template_id: id(9), personalisation, reference: None })
        .await
        .unwrap();
    assert_eq!(letter.id, id(3));
    let pre = c
        .send_precompiled_letter(&PrecompiledLetterRequest {
            reference: "my-letter".into(),
            content: "JVBERi0=".into(),
            postage: Some(Postage::First),
        })
        .await
        .unwrap();
    assert_eq!(pre.postage.as_deref(), Some("first"));
}

#[tokio::test]
async fn get_notification_and_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}", id(1))))
        .respond_with(ResponseTemplate::new(200).set_body_json(notification(1)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}", id(2))))
        .respond_with(envelope(404, "NoResultFound", "No result found"))
        .mount(&server)
        .await;
    let c = client(&server);
    let n = c.get_notification(id(1)).await.unwrap();
    assert_eq!(n.status, NotificationStatus::Delivered);
    assert_eq!(n.notification_type, NotificationType::Sms);
    let err = c.get_notification(id(2)).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound(e) if e.message() == Some("No result found")),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn notifications_page_and_stream_follow_older_than() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/notifications"))
        .and(query_param("template_type", "sms"))
        .and(query_param("status", "delivered"))
        .and(query_param_is_missing("older_than"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "notifications": [notification(1), notification(2)],
            "links": {"current": "c", "next": format!("https://api/v2/notifications?older_than={}", id(2))}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/notifications"))
        .and(query_param("older_than", id(2).to_string()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"notifications": [notification(3)], "links": {"current": "c"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let filter = NotificationFilter {
        template_type: Some(NotificationType::Sms),
        status: vec![NotificationStatus::Delivered],
        ..Default::default()
    };
    let all: Vec<_> = client(&server).notifications(filter).try_collect().await.unwrap();
    assert_eq!(all.iter().map(|n| n.id).collect::<Vec<_>>(), [id(1), id(2), id(3)]);
}

#[tokio::test]
async fn pdf_for_letter_and_not_ready() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}/pdf", id(1))))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(b"%PDF-1.4".to_vec())
                .insert_header("content-type", "application/pdf"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}/pdf", id(2))))
        .respond_with(envelope(400, "PDFNotReadyError", "PDF not available yet, try again later"))
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(c.get_pdf_for_letter(id(1)).await.unwrap(), b"%PDF-1.4");
    assert!(matches!(c.get_pdf_for_letter(id(2)).await.unwrap_err(), Error::BadRequest(_)));
}

fn template_json(version: i64) -> Value {
    json!({"id": id(9), "name": "t", "type": "email", "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": null,
           "version": version, "created_by": "someone@example.com", "body": "Hi ((name))", "subject": "S", "letter_contact_block": null, "postage": null})
}

#[tokio::test]
async fn templates() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/template/{}", id(9))))
        .respond_with(ResponseTemplate::new(200).set_body_json(template_json(3)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/template/{}/version/2", id(9))))
        .respond_with(ResponseTemplate::new(200).set_body_json(template_json(2)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/templates"))
        .and(query_param("type", "email"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"templates": [template_json(3)]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v2/template/{}/preview", id(9))))
        .and(body_json(json!({"personalisation": {"name": "Ann"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id(9), "type": "email", "version": 3, "body": "Hi Ann", "html": "<p>Hi Ann</p>", "subject": "S", "postage": null})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(c.get_template(id(9)).await.unwrap().version, 3);
    assert_eq!(c.get_template_version(id(9), 2).await.unwrap().version, 2);
    assert_eq!(c.get_all_templates(Some(NotificationType::Email)).await.unwrap().len(), 1);
    let values = json!({"name": "Ann"}).as_object().cloned().unwrap();
    let preview = c.preview_template(id(9), &values).await.unwrap();
    assert_eq!(preview.html.as_deref(), Some("<p>Hi Ann</p>"));
}

#[tokio::test]
async fn received_texts_stream() {
    let server = MockServer::start().await;
    let text = |n: u8| json!({"id": id(n), "user_number": "447700900111", "notify_number": "07900900000", "created_at": "2026-11-22T10:00:00.000000Z", "service_id": SERVICE, "content": "hi"});
    Mock::given(method("GET"))
        .and(path("/v2/received-text-messages"))
        .and(query_param_is_missing("older_than"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"received_text_messages": [text(1)], "links": {"current": "c", "next": "n"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/received-text-messages"))
        .and(query_param("older_than", id(1).to_string()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"received_text_messages": [], "links": {"current": "c"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let all: Vec<_> = client(&server).received_texts().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].content, "hi");
}

#[tokio::test]
async fn error_envelope_is_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/sms"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"status_code": 400, "errors": [
            {"error": "ValidationError", "message": "phone_number Not enough digits"},
            {"error": "ValidationError", "message": "template_id is not a valid UUID"}]}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/email"))
        .respond_with(envelope(
            403,
            "AuthError",
            "Error: Your system clock must be accurate to within 30 seconds",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/letter"))
        .respond_with(envelope(400, "BadRequestError", "Missing personalisation: name"))
        .mount(&server)
        .await;
    let c = client(&server);
    match c.send_sms(&SmsRequest::new("1", id(9))).await.unwrap_err() {
        Error::Validation(e) => {
            assert_eq!(e.errors.len(), 2);
            assert_eq!(e.errors[0].message, "phone_number Not enough digits");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.send_email(&EmailRequest::new("a@b.cc", id(9))).await.unwrap_err(),
        Error::Auth(_)
    ));
    let letter = LetterRequest {
        template_id: id(9),
        personalisation: serde_json::Map::new(),
        reference: None,
    };
    assert!(
        matches!(c.send_letter(&letter).await.unwrap_err(), Error::BadRequest(e) if e.message() == Some("Missing personalisation: name"))
    );
}

#[tokio::test]
async fn rate_limited_post_is_retried_when_opted_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/sms"))
        .respond_with(envelope(
            429,
            "RateLimitError",
            "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/v2/notifications/sms"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": id(1), "reference": null, "content": {"body": "b", "from_number": "GOVUK"}, "uri": "u", "template": template_ref()})))
        .expect(1).mount(&server).await;
    let sent = retrying(&server).send_sms(&SmsRequest::new("07700900123", id(9))).await.unwrap();
    assert_eq!(sent.id, id(1));
}

#[tokio::test]
async fn the_send_bucket_is_waited_for_through_the_sleeper_on_the_injected_clock() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v2/notifications/sms"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": id(1), "reference": null, "content": {"body": "b", "from_number": "GOVUK"}, "uri": "u", "template": template_ref()})))
        .expect(3).mount(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}", id(1))))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let clock = ManualClock::at_unix(NOW);
    let sleeper = gaap_http::RecordingSleeper::advancing(clock.clone());
    let c = Client::builder(gaap_notify::ApiKey::parse(&key()).unwrap())
        .base_url(server.uri())
        .clock(Arc::new(clock.clone()))
        .rate_limiter(gaap_notify::TokenBucket::new(2, Arc::new(clock.clone())))
        .sleeper(Arc::new(sleeper.clone()))
        .build()
        .unwrap();
    for _ in 0..3 {
        c.send_sms(&SmsRequest::new("07700900123", id(9))).await.unwrap();
    }
    // Two a minute: the third send waits 30 s, on the manual clock, without sleeping; a GET takes no token.
    assert_eq!(sleeper.waits(), [Duration::from_secs(30)]);
    assert_eq!(clock.unix_seconds(), NOW + 30);
    assert!(matches!(c.get_notification(id(1)).await, Err(Error::NotFound(_))));
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn rate_limit_without_retries_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/sms"))
        .respond_with(envelope(
            429,
            "RateLimitError",
            "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/email"))
        .respond_with(envelope(
            429,
            "TooManyRequestsError",
            "Exceeded send limits (email: 250000) for today",
        ))
        .expect(1)
        .mount(&server)
        .await;
    assert!(matches!(
        client(&server).send_sms(&SmsRequest::new("07700900123", id(9))).await.unwrap_err(),
        Error::RateLimit(_)
    ));
    // The daily limit is never retried, even with retries on.
    let err = retrying(&server).send_email(&EmailRequest::new("a@b.cc", id(9))).await.unwrap_err();
    assert!(matches!(err, Error::TooManyRequests(_)), "{err:?}");
}

#[tokio::test]
async fn post_is_not_retried_after_a_5xx_but_get_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/sms"))
        .respond_with(envelope(500, "Exception", "Internal server error"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}", id(1))))
        .respond_with(envelope(503, "Exception", "Internal server error"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}", id(1))))
        .respond_with(ResponseTemplate::new(200).set_body_json(notification(1)))
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server);
    assert!(matches!(
        c.send_sms(&SmsRequest::new("07700900123", id(9))).await.unwrap_err(),
        Error::Server(_)
    ));
    assert_eq!(c.get_notification(id(1)).await.unwrap().id, id(1));
}

#[tokio::test]
async fn post_is_retried_when_the_connection_never_opened() {
    // Nothing listens on this port: the connection fails before the request is sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = Client::builder(gaap_notify::ApiKey::parse(&key()).unwrap())
        .base_url(format!("http://{addr}"))
        .clock(Arc::new(ManualClock::at_unix(NOW)))
        .retry_policy(
            RetryPolicy::new(2).with_backoff(Backoff::new(Duration::ZERO, Duration::ZERO)),
        )
        .build()
        .unwrap();
    let err = c.send_sms(&SmsRequest::new("07700900123", id(9))).await.unwrap_err();
    assert!(matches!(err, Error::Transport { sent: false, .. }), "{err:?}");
    assert_eq!(gaap_notify::Failure::of(&err), gaap_notify::Failure::ConnectFailed);
}

#[tokio::test]
async fn decode_error_keeps_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}", id(1))))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy page</html>"))
        .mount(&server)
        .await;
    match client(&server).get_notification(id(1)).await.unwrap_err() {
        Error::Decode { status, body, .. } => {
            assert_eq!((status, body.as_str()), (200, "<html>proxy page</html>"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn no_secret_in_debug_or_error_output() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/notifications/{}", id(1))))
        .respond_with(envelope(403, "AuthError", "Invalid token: API key not found"))
        .mount(&server)
        .await;
    let c = client(&server);
    let err = c.get_notification(id(1)).await.unwrap_err();
    let outputs = [
        format!("{c:?}"),
        format!("{:?}", gaap_notify::ApiKey::parse(&key()).unwrap()),
        format!("{err:?}"),
        err.to_string(),
        format!("{:?}", Client::builder(gaap_notify::ApiKey::parse(&key()).unwrap())),
        format!("{:?}", gaap_notify::ApiKey::parse("name-not-a-uuid-at-all-but-long-enough-to-slice-8b3aa916-ec82-434e-b0c5-d5d9b371d6a3").unwrap_err()),
    ];
    for output in outputs {
        assert!(!output.contains(SECRET), "{output}");
        assert!(!output.contains(&SECRET[..8]), "{output}");
    }
}

#[test]
fn api_key_parsing_slices_from_the_end() {
    // tests/notifications_python_client/test_base_api_client.py fixture.
    let key = gaap_notify::ApiKey::parse(&key()).unwrap();
    assert_eq!(key.service_id().to_string(), SERVICE);
    let dashed =
        gaap_notify::ApiKey::parse(&format!("my-key-with-dashes-{SERVICE}-{SECRET}")).unwrap();
    assert_eq!(dashed.service_id().to_string(), SERVICE);
    assert!(matches!(gaap_notify::ApiKey::parse("short"), Err(Error::InvalidApiKey(_))));
    assert!(matches!(
        gaap_notify::ApiKey::parse(&format!("k-{SERVICE}-not-a-uuid-secret-000000000000000")),
        Err(Error::InvalidApiKey(_))
    ));
}
