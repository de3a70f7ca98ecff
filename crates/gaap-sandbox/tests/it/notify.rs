use std::time::Duration;

use gaap_http::Clock as _;
use gaap_sandbox::{CallbackConfig, Config, DeliveryStatus, KeyType, default_template_ids};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{clock, http, notify_jwt, start};

pub(crate) struct Notify {
    pub(crate) base: String,
    pub(crate) key: String,
    pub(crate) clock: gaap_http::ManualClock,
}

impl Notify {
    /// A bearer token for the key at the clock's time.
    pub(crate) fn token(&self) -> String {
        notify_jwt(&self.key, self.clock.unix_seconds())
    }

    /// `/_sandbox/outbox.json`.
    pub(crate) async fn outbox(&self) -> Value {
        let r = http().get(format!("{}/_sandbox/outbox.json", self.base)).send().await.unwrap();
        r.json().await.unwrap()
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let token = notify_jwt(&self.key, self.clock.unix_seconds());
        let r = http()
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        let token = notify_jwt(&self.key, self.clock.unix_seconds());
        let r = http().get(format!("{}{path}", self.base)).bearer_auth(token).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
}

pub(crate) fn sms(to: &str) -> Value {
    json!({"phone_number": to, "template_id": default_template_ids::SMS, "personalisation": {"code": "123"}})
}

pub(crate) async fn sandbox(
    config: Config,
    key_type: KeyType,
) -> (gaap_sandbox::SandboxHandle, Notify) {
    let clock = clock();
    let handle = start(config, &clock).await;
    let notify = Notify {
        base: handle.credentials().notify.base_url.clone(),
        key: handle.notify_api_key(key_type),
        clock,
    };
    (handle, notify)
}

#[tokio::test]
async fn sms_status_moves_on_the_clock() {
    let (_h, n) = sandbox(Config::default(), KeyType::Normal).await;
    let (status, body) = n.post("/v2/notifications/sms", &sms("07700 900123")).await;
    assert_eq!(status, 201);
    assert_eq!(body["content"]["body"], "Your code is 123");
    let id = body["id"].as_str().unwrap().to_owned();
    let uri = body["uri"].as_str().unwrap();
    assert!(uri.ends_with(&format!("/v2/notifications/{id}")));

    let (_, got) = n.get(&format!("/v2/notifications/{id}")).await;
    assert_eq!(got["status"], "created");
    n.clock.advance(Duration::from_secs(2));
    assert_eq!(n.get(&format!("/v2/notifications/{id}")).await.1["status"], "sending");
    n.clock.advance(Duration::from_secs(10));
    let (_, got) = n.get(&format!("/v2/notifications/{id}")).await;
    assert_eq!(got["status"], "delivered");
    assert_eq!(got["created_at"], "2026-11-22T10:00:00.000000Z");
    assert_eq!(got["completed_at"], "2026-11-22T10:00:05.000000Z");
}

#[tokio::test]
async fn test_key_simulates_failures_and_smoke_tests_are_not_stored() {
    let (_h, n) = sandbox(Config::default(), KeyType::Test).await;
    let (_, temp) = n.post("/v2/notifications/sms", &sms("07700900003")).await;
    let (_, perm) = n
        .post(
            "/v2/notifications/email",
            &json!({"email_address": "perm-fail@simulator.notify", "template_id": default_template_ids::EMAIL,
                    "personalisation": {"name": "A", "reference number": "1"}}),
        )
        .await;
    n.clock.advance(Duration::from_secs(60));
    assert_eq!(
        n.get(&format!("/v2/notifications/{}", temp["id"].as_str().unwrap())).await.1["status"],
        "temporary-failure"
    );
    assert_eq!(
        n.get(&format!("/v2/notifications/{}", perm["id"].as_str().unwrap())).await.1["status"],
        "permanent-failure"
    );

    let (status, smoke) = n.post("/v2/notifications/sms", &sms("07700900000")).await;
    assert_eq!(status, 201);
    let (status, body) =
        n.get(&format!("/v2/notifications/{}", smoke["id"].as_str().unwrap())).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]})
    );
}

#[tokio::test]
async fn validation_uses_notifys_envelope_and_messages() {
    let (_h, n) = sandbox(Config::default(), KeyType::Normal).await;
    let (status, body) = n.post("/v2/notifications/sms", &sms("077234")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"status_code": 400, "errors": [{"error": "ValidationError", "message": "phone_number Not enough digits"}]})
    );
    let (_, body) =
        n.post("/v2/notifications/sms", &json!({"phone_number": "07700900123", "x": 1})).await;
    let messages: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        [
            "template_id is a required property",
            "Additional properties are not allowed (x was unexpected)"
        ]
    );
    let (status, body) = n
        .post(
            "/v2/notifications/sms",
            &json!({"phone_number": "07700900123", "template_id": default_template_ids::SMS}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0],
        json!({"error": "BadRequestError", "message": "Missing personalisation: code"})
    );
    let (_, body) = n
        .post(
            "/v2/notifications/email",
            &json!({"email_address": "a@example.gov.uk", "template_id": default_template_ids::SMS}),
        )
        .await;
    assert_eq!(body["errors"][0]["message"], "sms template is not suitable for email notification");
}

#[tokio::test]
async fn auth_errors_are_notifys() {
    let (h, n) = sandbox(Config::default(), KeyType::Normal).await;
    let url = format!("{}/v2/templates", n.base);
    let r = http().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status_code": 401, "errors": [{"error": "AuthError",
               "message": "Unauthorized: authentication token must be provided"}]})
    );
    let wrong = format!("{}00000000-0000-0000-0000-000000000000", &n.key[..n.key.len() - 36]);
    let r = http()
        .get(&url)
        .bearer_auth(notify_jwt(&wrong, n.clock.unix_seconds()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["message"],
        "Invalid token: API key not found"
    );
    let stale = notify_jwt(&h.notify_api_key(KeyType::Normal), n.clock.unix_seconds() - 31);
    let r = http().get(&url).bearer_auth(stale).send().await.unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["message"],
        "Error: Your system clock must be accurate to within 30 seconds"
    );
}

#[tokio::test]
async fn team_keys_reach_only_the_team_and_never_send_letters() {
    let (_h, n) = sandbox(Config::default(), KeyType::Team).await;
    assert_eq!(n.post("/v2/notifications/sms", &sms("07700900123")).await.0, 201);
    let (status, body) = n.post("/v2/notifications/sms", &sms("07700900456")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["message"],
        "Can’t send to this recipient using a team-only API key"
    );
    let (status, body) = n
        .post(
            "/v2/notifications/letter",
            &json!({"template_id": default_template_ids::LETTER, "personalisation": {"name": "A"}}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(body["errors"][0]["message"], "Cannot send letters with a team api key");
}

#[tokio::test]
async fn rate_limit_is_per_key_type_on_the_clock() {
    let config = Config {
        notify: gaap_sandbox::NotifyConfig { rate_limit_per_minute: 6, ..Default::default() },
        ..Config::default()
    };
    let (h, n) = sandbox(config, KeyType::Normal).await;
    // Bucket max = ceil(6/3)+1 = 3.
    for _ in 0..3 {
        assert_eq!(n.post("/v2/notifications/sms", &sms("07700900123")).await.0, 201);
    }
    let (status, body) = n.post("/v2/notifications/sms", &sms("07700900123")).await;
    assert_eq!(status, 429);
    assert_eq!(
        body["errors"][0],
        json!({"error": "RateLimitError", "message": "Exceeded rate limit for key type LIVE of 6 requests per 60 seconds"})
    );
    // Another key type has its own bucket.
    let test = Notify {
        base: n.base.clone(),
        key: h.notify_api_key(KeyType::Test),
        clock: n.clock.clone(),
    };
    assert_eq!(test.post("/v2/notifications/sms", &sms("07700900123")).await.0, 201);
    // Refill: 6/60 per second, so 10 s gives one token back.
    n.clock.advance(Duration::from_secs(10));
    assert_eq!(n.post("/v2/notifications/sms", &sms("07700900123")).await.0, 201);
}

#[tokio::test]
async fn daily_limit_resets_at_midnight() {
    let mut notify = gaap_sandbox::NotifyConfig::default();
    notify.daily_limits.sms = 2;
    let (_h, n) = sandbox(Config { notify, ..Config::default() }, KeyType::Normal).await;
    assert_eq!(n.post("/v2/notifications/sms", &sms("07700900123")).await.0, 201);
    assert_eq!(n.post("/v2/notifications/sms", &sms("07700900123")).await.0, 201);
    let (status, body) = n.post("/v2/notifications/sms", &sms("07700900123")).await;
    assert_eq!(status, 429);
    assert_eq!(
        body["errors"][0],
        json!({"error": "TooManyRequestsError", "message": "Exceeded send limits (sms: 2) for today"})
    );
    n.clock.advance(Duration::from_secs(14 * 3600));
    assert_eq!(n.post("/v2/notifications/sms", &sms("07700900123")).await.0, 201);
}

#[tokio::test]
async fn list_pages_by_older_than_with_250_per_page() {
    let mut notify = gaap_sandbox::NotifyConfig::default();
    notify.rate_limit_per_minute = 0;
    let (_h, n) = sandbox(Config { notify, ..Config::default() }, KeyType::Test).await;
    let mut ids = Vec::new();
    for _ in 0..260 {
        ids.push(
            n.post("/v2/notifications/sms", &sms("07700900123")).await.1["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let (_, page1) = n.get("/v2/notifications?template_type=sms").await;
    let list = page1["notifications"].as_array().unwrap();
    assert_eq!(list.len(), 250);
    assert_eq!(list[0]["id"], ids[259].as_str());
    let next = page1["links"]["next"].as_str().unwrap();
    assert!(next.contains(&format!("older_than={}", ids[10])));
    let path = next.trim_start_matches(&n.base);
    let (_, page2) = n.get(path).await;
    assert_eq!(page2["notifications"].as_array().unwrap().len(), 10);
    let (status, body) = n.get("/v2/notifications?status=nope").await;
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("status nope is not one of [cancelled, created")
    );
}

#[tokio::test]
async fn templates_preview_received_texts_and_letters() {
    let (_h, n) = sandbox(Config::default(), KeyType::Normal).await;
    let (_, all) = n.get("/v2/templates").await;
    let kinds: Vec<&str> =
        all["templates"].as_array().unwrap().iter().map(|t| t["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["sms", "email", "letter"]);
    assert_eq!(n.get("/v2/templates?type=email").await.1["templates"].as_array().unwrap().len(), 1);
    let (_, t) = n.get(&format!("/v2/template/{}/version/1", default_template_ids::EMAIL)).await;
    assert_eq!(t["subject"], "Hello ((name))");
    let (_, preview) = n
        .post(
            &format!("/v2/template/{}/preview", default_template_ids::EMAIL),
            &json!({"personalisation": {"Name": "Ann", "reference_number": "R1"}}),
        )
        .await;
    assert_eq!(preview["subject"], "Hello Ann");
    assert!(preview["html"].as_str().unwrap().contains("Your reference is R1."));
    let (_, texts) = n.get("/v2/received-text-messages").await;
    assert_eq!(texts["received_text_messages"].as_array().unwrap().len(), 2);

    let (status, letter) = n
        .post(
            "/v2/notifications/letter",
            &json!({"template_id": default_template_ids::LETTER, "reference": "L1",
                    "personalisation": {"name": "Ann", "address_line_1": "Ann Example",
                                        "address_line_2": "1 High Street", "postcode": "sw1a1aa"}}),
        )
        .await;
    assert_eq!(status, 201);
    let id = letter["id"].as_str().unwrap();
    let (_, got) = n.get(&format!("/v2/notifications/{id}")).await;
    assert_eq!(
        (got["status"].as_str(), got["postcode"].as_str()),
        (Some("accepted"), Some("sw1a1aa"))
    );
    n.clock.advance(Duration::from_secs(2));
    let token = notify_jwt(&n.key, n.clock.unix_seconds());
    let pdf = http()
        .get(format!("{}/v2/notifications/{id}/pdf", n.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let (status, body) = n
        .post(
            "/v2/notifications/letter",
            &json!({"template_id": default_template_ids::LETTER,
                    "personalisation": {"name": "A", "address_line_1": "A", "postcode": "SW1A 1AA"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["message"], "Address must be at least 3 lines");
}

#[tokio::test]
async fn callbacks_carry_the_bearer_token_and_retry_every_five_minutes() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/callback"))
        .and(header("authorization", "Bearer cb-token"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .and(path("/callback"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let mut notify = gaap_sandbox::NotifyConfig::default();
    notify.delivery_status_callback = Some(CallbackConfig {
        url: format!("{}/callback", receiver.uri()),
        bearer_token: "cb-token".to_owned(),
    });
    let (h, n) = sandbox(Config { notify, ..Config::default() }, KeyType::Normal).await;
    let (_, sent) = n.post("/v2/notifications/sms", &sms("07700900123")).await;
    h.run_due().await;
    assert!(
        receiver.received_requests().await.unwrap().is_empty(),
        "nothing is due before delivery"
    );
    n.clock.advance(Duration::from_secs(5));
    h.run_due().await;
    assert_eq!(receiver.received_requests().await.unwrap().len(), 1);
    n.clock.advance(Duration::from_secs(299));
    h.run_due().await;
    assert_eq!(receiver.received_requests().await.unwrap().len(), 1, "the retry waits 300 s");
    n.clock.advance(Duration::from_secs(1));
    h.run_due().await;
    let requests = receiver.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let body: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(body["id"], sent["id"]);
    assert_eq!(body["status"], "delivered");
    assert_eq!(body["notification_type"], "sms");
    assert_eq!(body["template_version"], 1);
    let delivery = &h.deliveries()[0];
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    assert_eq!(delivery.attempts.len(), 2);
}

#[tokio::test]
async fn outbox_shows_what_was_sent() {
    let (_h, n) = sandbox(Config::default(), KeyType::Normal).await;
    n.post("/v2/notifications/sms", &sms("07700900123")).await;
    let json = n.outbox().await;
    assert_eq!(json["notifications"][0]["phone_number"], "07700900123");
    assert_eq!(json["notifications"][0]["key_type"], "normal");
    let html = http()
        .get(format!("{}/_sandbox/outbox", n.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Your code is 123"));
}

#[cfg(not(feature = "sqlite"))]
#[tokio::test]
async fn a_state_file_without_the_sqlite_feature_is_refused_naming_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.sqlite");
    let config = Config { state_file: Some(file.clone()), ..Config::default() };
    let err = gaap_sandbox::Sandbox::start(config)
        .await
        .err()
        .expect("a state file needs the sqlite feature");
    let message = err.to_string();
    assert!(message.contains("`sqlite` feature"), "{message}");
    assert!(message.contains(&file.display().to_string()), "{message}");
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.sqlite");
    let notify_cfg = gaap_sandbox::NotifyConfig::default();
    let config = || Config {
        state_file: Some(file.clone()),
        notify: notify_cfg.clone(),
        ..Config::default()
    };
    let (h, n) = sandbox(config(), KeyType::Normal).await;
    let (_, sent) = n.post("/v2/notifications/sms", &sms("07700900123")).await;
    h.shutdown().await;
    let (_h2, n2) = sandbox(config(), KeyType::Normal).await;
    let (status, got) =
        n2.get(&format!("/v2/notifications/{}", sent["id"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert_eq!(got["body"], "Your code is 123");
}

#[tokio::test]
async fn trial_mode_limits_live_keys_to_the_team_and_fifty_a_day() {
    let notify =
        gaap_sandbox::NotifyConfig { trial_mode: true, ..gaap_sandbox::NotifyConfig::default() };
    let (_h, n) = sandbox(Config { notify, ..Config::default() }, KeyType::Normal).await;
    let (status, body) = n.post("/v2/notifications/sms", &sms("07700900456")).await;
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Can’t send to this recipient when service is in trial mode")
    );
    for _ in 0..50 {
        assert_eq!(n.post("/v2/notifications/sms", &sms("07700900123")).await.0, 201);
    }
    let (status, body) = n.post("/v2/notifications/sms", &sms("07700900123")).await;
    assert_eq!(
        (status, body["errors"][0]["message"].as_str()),
        (429, Some("Exceeded send limits (sms: 50) for today"))
    );
}

#[tokio::test]
async fn injected_texts_are_listed_and_called_back() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer in"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let notify = gaap_sandbox::NotifyConfig {
        received_text_callback: Some(CallbackConfig {
            url: receiver.uri(),
            bearer_token: "in".to_owned(),
        }),
        ..gaap_sandbox::NotifyConfig::default()
    };
    let (h, n) = sandbox(Config { notify, ..Config::default() }, KeyType::Normal).await;
    let r = http()
        .post(format!("{}/_sandbox/received-text-messages", n.base))
        .json(&json!({"user_number": "447700900333", "content": "YES"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (_, texts) = n.get("/v2/received-text-messages").await;
    assert_eq!(texts["received_text_messages"][0]["content"], "YES");
    h.run_due().await;
    let requests = receiver.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        (body["source_number"].as_str(), body["message"].as_str()),
        (Some("447700900333"), Some("YES"))
    );
}
