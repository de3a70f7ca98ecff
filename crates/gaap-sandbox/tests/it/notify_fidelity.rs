//! The differences the official clients' own suites found between the sandbox and Notify: senders and
//! reply-to addresses, `sanitise_content_for`, the precompiled PDF, template history and shape, letter lines.

use std::time::Duration;

use base64::Engine as _;
use gaap_sandbox::{
    Config, KeyType, ReplyToConfig, Sandbox, SmsSenderConfig, TemplateVersionConfig,
    default_sender_ids, default_template_ids,
};
use serde_json::{Value, json};
use uuid::uuid;

use crate::common::http;
use crate::notify::{Notify, sandbox};

/// A sandbox on the test clock with a live key; the handle keeps it running.
async fn notify(config: Config) -> (gaap_sandbox::SandboxHandle, Notify) {
    sandbox(config, KeyType::Normal).await
}

const OTHER_SENDER: uuid::Uuid = uuid!("5c0f7d3e-91a4-4b2e-8d6f-2e7a1b9c0d43");
const OTHER_REPLY_TO: uuid::Uuid = uuid!("0e5a8c21-7f3d-4d9b-a6e2-5b1c8f4d7a90");

fn with_senders() -> Config {
    let mut config = Config::default();
    config.notify.sms_senders.push(SmsSenderConfig {
        id: OTHER_SENDER,
        sms_sender: "07700900000".to_owned(),
        is_default: false,
    });
    config.notify.email_reply_to.push(ReplyToConfig {
        id: OTHER_REPLY_TO,
        email_address: "other@example.gov.uk".to_owned(),
        is_default: false,
    });
    config
}

#[tokio::test]
async fn sms_sender_ids_name_configured_senders() {
    let (_h, n) = notify(with_senders()).await;
    let send = |sender: Option<uuid::Uuid>| {
        let mut body = json!({"phone_number": "07700900123", "template_id": default_template_ids::SMS,
                              "personalisation": {"code": "1"}});
        if let Some(id) = sender {
            body["sms_sender_id"] = json!(id);
        }
        body
    };
    let (status, body) = n.post("/v2/notifications/sms", &send(Some(OTHER_SENDER))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["content"]["from_number"], "447700900000");
    let (_, body) = n.post("/v2/notifications/sms", &send(None)).await;
    assert_eq!(body["content"]["from_number"], "GOVUK");
    let (_, body) =
        n.post("/v2/notifications/sms", &send(Some(default_sender_ids::SMS_SENDER))).await;
    assert_eq!(body["content"]["from_number"], "GOVUK");
    let unknown = uuid!("00000000-0000-4000-8000-000000000001");
    let (status, body) = n.post("/v2/notifications/sms", &send(Some(unknown))).await;
    assert_eq!(status, 400);
    let service = n.key[n.key.len() - 73..n.key.len() - 37].to_owned();
    assert_eq!(
        body["errors"][0],
        json!({"error": "BadRequestError",
               "message": format!("sms_sender_id {unknown} does not exist in database for service id {service}")})
    );
}

#[tokio::test]
async fn email_reply_to_ids_name_configured_addresses() {
    let (_h, n) = notify(with_senders()).await;
    let send = |reply: uuid::Uuid| {
        json!({"email_address": "a@example.gov.uk", "template_id": default_template_ids::EMAIL,
               "personalisation": {"name": "A", "reference number": "1"}, "email_reply_to_id": reply})
    };
    let (status, body) = n.post("/v2/notifications/email", &send(OTHER_REPLY_TO)).await;
    assert_eq!(status, 201, "{body}");
    let outbox = n.outbox().await;
    assert_eq!(outbox["notifications"][0]["reply_to"], "other@example.gov.uk");
    let unknown = uuid!("00000000-0000-4000-8000-000000000002");
    let (status, body) = n.post("/v2/notifications/email", &send(unknown)).await;
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("email_reply_to_id {unknown} does not exist in database"))
    );
}

#[tokio::test]
async fn sanitise_content_for_escapes_the_named_fields_and_reports_them() {
    let (_h, n) = notify(Config::default()).await;
    let unsafe_input = "User, [click here](https://evil.link)";
    let sanitised = "User, \\[click here\\]\\(\\)";
    let (status, body) = n
        .post(
            "/v2/notifications/email",
            &json!({"email_address": "a@example.gov.uk", "template_id": default_template_ids::EMAIL,
                    "personalisation": {"name": unsafe_input, "reference number": "R-1"},
                    "sanitise_content_for": ["NAME"]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["content"]["body"],
        format!("Dear {sanitised},\n\nYour reference is R-1."),
        "only the named field is sanitised"
    );
    assert_eq!(
        body["sanitised_content"],
        json!({"name": {"unsanitised": unsafe_input, "sanitised": sanitised}})
    );
    let (_, plain) = n
        .post(
            "/v2/notifications/email",
            &json!({"email_address": "a@example.gov.uk", "template_id": default_template_ids::EMAIL,
                    "personalisation": {"name": "A", "reference number": "1"}}),
        )
        .await;
    assert_eq!(plain["sanitised_content"], json!({}), "always present on email responses");
    let (status, body) = n
        .post(
            "/v2/notifications/email",
            &json!({"email_address": "a@example.gov.uk", "template_id": default_template_ids::EMAIL,
                    "personalisation": {"name": "A", "reference number": "1"}, "sanitise_content_for": "name"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["message"],
        "sanitise_content_for name is not of type array, null"
    );
}

#[tokio::test]
async fn a_precompiled_letters_pdf_is_served_back_byte_for_byte() {
    let (_h, n) = notify(Config::default()).await;
    let mut pdf = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n".to_vec();
    pdf.extend((0u8..=255).rev());
    pdf.extend_from_slice(b"\n%%EOF\n");
    let content = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let (status, body) = n
        .post(
            "/v2/notifications/letter",
            &json!({"reference": "pre", "content": content, "postage": "first"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["postage"], "first");
    let id = body["id"].as_str().unwrap().to_owned();
    let (_, got) = n.get(&format!("/v2/notifications/{id}")).await;
    assert_eq!((got["line_1"].as_str(), &got["line_2"]), (Some("Provided as PDF"), &Value::Null));
    n.clock.advance(Duration::from_secs(2));
    let served = http()
        .get(format!("{}/v2/notifications/{id}/pdf", n.base))
        .bearer_auth(n.token())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.as_ref(), pdf.as_slice());
}

#[tokio::test]
async fn template_history_is_served_by_version() {
    let mut config = Config::default();
    let sms =
        config.notify.templates.iter_mut().find(|t| t.id == default_template_ids::SMS).unwrap();
    sms.version = 3;
    sms.name = "Now".to_owned();
    sms.history = vec![TemplateVersionConfig {
        version: 1,
        name: "First".to_owned(),
        subject: None,
        body: "Code ((code)) from ((team))".to_owned(),
        letter_contact_block: None,
        postage: None,
    }];
    let (_h, n) = notify(config).await;
    let (status, v1) =
        n.get(&format!("/v2/template/{}/version/1", default_template_ids::SMS)).await;
    assert_eq!(status, 200, "{v1}");
    assert_eq!((v1["version"].as_u64(), v1["name"].as_str()), (Some(1), Some("First")));
    assert_eq!(v1["body"], "Code ((code)) from ((team))");
    assert_eq!(
        v1["personalisation"],
        json!({"code": {"required": true}, "team": {"required": true}})
    );
    let (_, v3) = n.get(&format!("/v2/template/{}/version/3", default_template_ids::SMS)).await;
    assert_eq!((v3["version"].as_u64(), v3["name"].as_str()), (Some(3), Some("Now")));
    let (_, current) = n.get(&format!("/v2/template/{}", default_template_ids::SMS)).await;
    assert_eq!(current["version"], 3);
    let (status, _) = n.get(&format!("/v2/template/{}/version/2", default_template_ids::SMS)).await;
    assert_eq!(status, 404, "an undeclared version is not served");
    let (_, sent) = n
        .post(
            "/v2/notifications/sms",
            &json!({"phone_number": "07700900123", "template_id": default_template_ids::SMS,
                    "personalisation": {"code": "1"}}),
        )
        .await;
    assert_eq!(sent["template"]["version"], 3);
}

#[tokio::test]
async fn a_history_at_or_above_the_current_version_is_refused() {
    let mut config = Config::default();
    config.notify.templates[0].history = vec![TemplateVersionConfig {
        version: 1,
        name: "Same".to_owned(),
        subject: None,
        body: "x".to_owned(),
        letter_contact_block: None,
        postage: None,
    }];
    let err = Sandbox::start(config).await.unwrap_err().to_string();
    assert!(err.contains("history version 1 is not between 1 and 0"), "{err}");
    let err = serde_json::from_value::<Config>(json!({"notify": {"sms_senders": [
        {"id": OTHER_SENDER, "sms_sender": "GOVUK", "default": true}]}}))
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown field `default`"), "{err}");
}

#[tokio::test]
async fn templates_have_notifys_shape() {
    let (_h, n) = notify(Config::default()).await;
    let (_, email) = n.get(&format!("/v2/template/{}", default_template_ids::EMAIL)).await;
    assert_eq!(
        email["personalisation"],
        json!({"name": {"required": true}, "reference number": {"required": true}})
    );
    assert!(email.get("service").is_none(), "{email}");
    let (_, all) = n.get("/v2/templates").await;
    for t in all["templates"].as_array().unwrap() {
        assert!(t.get("service").is_none() && t.get("personalisation").is_some(), "{t}");
    }
}

/// Sends the default letter template with this personalisation and reads the notification back.
async fn letter_read_back(n: &Notify, personalisation: Value) -> Value {
    let (status, letter) = n
        .post(
            "/v2/notifications/letter",
            &json!({"template_id": default_template_ids::LETTER, "personalisation": personalisation}),
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    n.get(&format!("/v2/notifications/{}", letter["id"].as_str().unwrap())).await.1
}

#[tokio::test]
async fn a_letters_postcode_is_not_copied_into_a_line() {
    let (_h, n) = notify(Config::default()).await;
    let got = letter_read_back(
        &n,
        json!({"name": "A", "address_line_1": "A Person", "address_line_2": "Foo", "postcode": "SW1 1AA"}),
    )
    .await;
    let lines: Vec<&Value> = (1..=6).map(|i| &got[format!("line_{i}")]).collect();
    assert_eq!(
        lines,
        [&json!("A Person"), &json!("Foo"), &Value::Null, &Value::Null, &Value::Null, &Value::Null]
    );
    assert_eq!(got["postcode"], "SW1 1AA");
}

#[tokio::test]
async fn a_letters_address_values_come_back_as_sent_in_the_resource_and_the_list() {
    let (_h, n) = notify(Config::default()).await;
    let got = letter_read_back(
        &n,
        json!({"name": "A", "address_line_1": "A Person", "address_line_2": 42, "address_line_3": "Town",
               "postcode": "SW1 1AA"}),
    )
    .await;
    // Notify echoes the personalisation value (`Notification.serialize`), a number stays a number.
    assert_eq!(got["line_1"], "A Person");
    assert_eq!(got["line_2"], json!(42));
    assert_eq!(got["line_3"], "Town");
    assert_eq!(got["line_4"], Value::Null);
    assert!(got["estimated_delivery"].is_string(), "{got}");
    let (_, page) = n.get("/v2/notifications?template_type=letter").await;
    assert_eq!(page["notifications"][0]["line_2"], json!(42));
    assert_eq!(page["notifications"][0], got);
}

#[tokio::test]
async fn only_letters_carry_estimated_delivery_and_an_empty_page_has_no_next_link() {
    let (_h, n) = notify(Config::default()).await;
    let (status, sms) = n.post("/v2/notifications/sms", &crate::notify::sms("07700900123")).await;
    assert_eq!(status, 201, "{sms}");
    let (_, got) = n.get(&format!("/v2/notifications/{}", sms["id"].as_str().unwrap())).await;
    let keys = got.as_object().unwrap();
    assert!(!keys.contains_key("estimated_delivery"), "{got}");
    assert_eq!(keys["created_by_name"], Value::Null);
    assert_eq!(keys["cost_details"]["international_rate_multiplier"], json!(1.0));
    assert!(keys["cost_details"]["international_rate_multiplier"].is_f64());
    let (_, page) = n.get("/v2/notifications?template_type=email").await;
    assert_eq!(page["notifications"], json!([]));
    assert!(page["links"].get("next").is_none(), "{page}");
    assert!(page["links"]["current"].as_str().unwrap().ends_with("?template_type=email"));
}
