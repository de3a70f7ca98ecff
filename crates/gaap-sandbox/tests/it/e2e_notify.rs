//! gaap-notify's client against the sandbox: both sides run gaap-notify's rules.

use std::sync::Arc;

use futures::TryStreamExt as _;
use gaap_notify::{Client, EmailRequest, Error, LetterRequest, NotificationFilter, SmsRequest};
use gaap_sandbox::{Config, KeyType, NotifyConfig, default_template_ids};
use serde_json::json;

use crate::common::{clock, start};

fn values(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match v {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[tokio::test]
async fn gaap_notify_sends_reads_pages_and_previews() {
    let clock = clock();
    let config = Config {
        notify: NotifyConfig { rate_limit_per_minute: 0, ..NotifyConfig::default() },
        ..Config::default()
    };
    let h = start(config, &clock).await;
    let notify = Client::builder(h.notify_api_key(KeyType::Test).parse().unwrap())
        .base_url(h.credentials().notify.base_url.clone())
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let sms = notify
        .send_sms(
            &SmsRequest::new("07700900123", default_template_ids::SMS)
                .personalisation(values(json!({"code": "77"})))
                .reference("e2e"),
        )
        .await
        .unwrap();
    let got = notify.get_notification(sms.id).await.unwrap();
    assert_eq!(got.id, sms.id);
    assert_eq!(got.reference.as_deref(), Some("e2e"));
    notify
        .send_email(
            &EmailRequest::new("a@example.gov.uk", default_template_ids::EMAIL)
                .personalisation(values(json!({"name": "A", "reference number": "1"}))),
        )
        .await
        .unwrap();
    let letter = LetterRequest {
        template_id: default_template_ids::LETTER,
        personalisation: values(
            json!({"name": "A", "address_line_1": "A Person", "address_line_2": "1 Road", "postcode": "SW1A 1AA"}),
        ),
        reference: None,
    };
    notify.send_letter(&letter).await.unwrap();
    for i in 0..255 {
        notify
            .send_sms(
                &SmsRequest::new("07700900123", default_template_ids::SMS)
                    .personalisation(values(json!({"code": i}))),
            )
            .await
            .unwrap();
    }
    let all: Vec<_> =
        notify.notifications(NotificationFilter::default()).try_collect().await.unwrap();
    assert_eq!(all.len(), 258);
    assert_eq!(notify.get_all_templates(None).await.unwrap().len(), 3);
    let preview = notify
        .preview_template(
            default_template_ids::EMAIL,
            &values(json!({"name": "Bo", "reference number": "Z"})),
        )
        .await
        .unwrap();
    assert_eq!(preview.subject.as_deref(), Some("Hello Bo"));
    assert!(!notify.get_received_texts(None).await.unwrap().received_text_messages.is_empty());
}

#[tokio::test]
async fn gaap_notify_types_the_sandboxs_errors() {
    let clock = clock();
    let h = start(Config::default(), &clock).await;
    let base = h.credentials().notify.base_url.clone();
    let notify = Client::builder(h.notify_api_key(KeyType::Normal).parse().unwrap())
        .base_url(base.clone())
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let err = notify
        .send_sms(&SmsRequest::new("07700900123", default_template_ids::SMS))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BadRequest(ref e) if e.errors[0].message == "Missing personalisation: code"),
        "{err:?}"
    );
    let key = h.notify_api_key(KeyType::Normal);
    let wrong = format!("{}00000000-0000-0000-0000-000000000000", &key[..key.len() - 36]);
    let bad = Client::builder(wrong.parse().unwrap())
        .base_url(base)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let err = bad.get_all_templates(None).await.unwrap_err();
    assert!(matches!(err, Error::Auth(ref e) if e.status == 403), "{err:?}");
}
