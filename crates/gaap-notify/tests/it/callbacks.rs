//! Callback payloads (notifications-api app/celery/service_callback_tasks.py shapes) and the token check.

use gaap_notify::NotificationStatus;
use gaap_notify::callbacks::{
    CallbackAuthError, CallbackToken, DeliveryStatusCallback, ReceivedTextCallback,
    ReturnedLetterCallback,
};
use serde_json::json;

#[test]
fn delivery_status_with_unknown_status() {
    let body = json!({"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": null, "to": "447700900123",
        "status": "delivered", "created_at": "2026-11-22T10:00:00.000000Z", "completed_at": "2026-11-22T10:00:05.000000Z",
        "sent_at": "2026-11-22T10:00:01.000000Z", "notification_type": "sms",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a", "template_version": 3});
    let cb: DeliveryStatusCallback = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(cb.status, NotificationStatus::Delivered);
    let mut future = body;
    future["status"] = json!("pending-courier");
    let cb: DeliveryStatusCallback = serde_json::from_value(future).unwrap();
    assert_eq!(cb.status, NotificationStatus::Unknown("pending-courier".into()));
    assert_eq!(serde_json::to_value(&cb).unwrap()["status"], "pending-courier");
}

#[test]
fn received_text_and_returned_letter() {
    let text: ReceivedTextCallback = serde_json::from_value(json!({"id": "740e5834-3a29-46b4-9a6f-16142fde533a",
        "source_number": "447700912345", "destination_number": "07700900000", "message": "Hello", "date_received": "2026-11-22T10:00:00.000000Z"})).unwrap();
    assert_eq!(text.source_number, "447700912345");
    let letter: ReturnedLetterCallback = serde_json::from_value(json!({"notification_id": "740e5834-3a29-46b4-9a6f-16142fde533a",
        "reference": "r", "date_sent": "2026-11-20", "sent_by": "API", "template_name": "T",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a", "template_version": 1, "spreadsheet_file_name": null,
        "spreadsheet_row_number": null, "upload_letter_file_name": null})).unwrap();
    assert_eq!(letter.sent_by, "API");
}

#[test]
fn bearer_token_check() {
    let token = CallbackToken::new("a-long-callback-token-1234");
    assert_eq!(token.verify(Some("Bearer a-long-callback-token-1234")), Ok(()));
    assert_eq!(token.verify(Some("bearer a-long-callback-token-1234")), Ok(()));
    assert_eq!(token.verify(None), Err(CallbackAuthError::Missing));
    assert_eq!(token.verify(Some("Basic abc")), Err(CallbackAuthError::NotBearer));
    assert_eq!(
        token.verify(Some("Bearer a-long-callback-token-1235")),
        Err(CallbackAuthError::Mismatch)
    );
    assert_eq!(
        token.verify(Some("Bearer a-long-callback-token-123")),
        Err(CallbackAuthError::Mismatch)
    );
    assert!(!format!("{token:?}").contains("callback-token"));
}
