//! Sending email and text messages: `POST /v2/notifications/email` and `/sms`, and what sends share
//! (template lookup, placeholders, storing and the delivery callback).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gaap_notify::callbacks::DeliveryStatusCallback;
use gaap_notify::{EmailContent, EmailResponse, SmsContent, SmsResponse};
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::{CallbackConfig, TemplateConfig, TemplateKind};
use crate::outbound::DeliveryKind;

use super::admission::{admit, check_recipient_allowed, is_smoke_test, simulated_outcome};
use super::rate_limit::{Channel, check_daily};
use super::request::{Schema, parse_body};
use super::resources::notify_time;
use super::store::Notification;
use super::{ApiError, NotifyState, Result, personalisation, rules, to_json};

pub(super) fn template_for(
    state: &NotifyState,
    id: Uuid,
    kind: TemplateKind,
) -> Result<&TemplateConfig> {
    let template = state.template(id).ok_or_else(|| ApiError::bad_request("Template not found"))?;
    if template.kind != kind {
        return Err(ApiError::bad_request(&format!(
            "{} template is not suitable for {} notification",
            template.kind.as_str(),
            kind.as_str()
        )));
    }
    Ok(template)
}

pub(super) fn check_missing(
    template: &TemplateConfig,
    values: &Map<String, Value>,
    extra_fields: &[&str],
) -> Result<()> {
    let mut fields: Vec<&str> =
        vec![template.subject.as_deref().unwrap_or_default(), &template.body];
    fields.extend_from_slice(extra_fields);
    let names = rules::placeholder_names(&fields);
    let missing = rules::missing(&names, values);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad_request(&format!("Missing personalisation: {}", missing.join(", "))))
    }
}

pub(super) fn created(value: impl Serialize) -> Response {
    (StatusCode::CREATED, axum::Json(value)).into_response()
}

/// Queues a callback to the service: the JSON body with the bearer token Notify sends, delivered at `due`.
pub(super) fn callback(
    state: &NotifyState,
    cb: &CallbackConfig,
    payload: &impl Serialize,
    due: OffsetDateTime,
) -> Result<()> {
    let body = serde_json::to_string(payload).map_err(|_| ApiError::internal())?;
    state.outbound.enqueue(
        DeliveryKind::NotifyCallback,
        &cb.url,
        vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("authorization".to_owned(), format!("Bearer {}", cb.bearer_token)),
        ],
        body,
        due,
    );
    Ok(())
}

pub(super) fn store(state: &NotifyState, n: Notification, with_callback: bool) -> Result<()> {
    let now = state.clock.now();
    if with_callback
        && n.kind != TemplateKind::Letter
        && let Some(cb) = &state.cfg.delivery_status_callback
    {
        // The status is a function of time, so the final callback body is known now and sent when due.
        let done = n.created_at + Duration::from_secs(state.cfg.delivered_after_seconds);
        let (sent_at, completed_at) = state.times(&n, done);
        let payload = DeliveryStatusCallback {
            id: n.id,
            reference: n.reference.clone(),
            to: n.email_address.clone().or_else(|| n.phone_number.clone()).unwrap_or_default(),
            status: state.status_of(&n, done),
            created_at: notify_time(n.created_at),
            completed_at: completed_at.map(notify_time),
            sent_at: sent_at.map(notify_time),
            notification_type: n.kind.into(),
            template_id: n.template_id,
            template_version: i64::from(n.template_version),
        };
        callback(state, cb, &payload, done.max(now))?;
    }
    let mut data = state.lock();
    let position = data.notifications.len();
    data.index.insert(n.id, position);
    data.notifications.push(n);
    state.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

pub(super) async fn send_sms(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let key_type = admit(&state, &headers)?;
    let body = parse_body(&body)?;
    let mut schema = Schema::new(
        &body,
        &[
            "phone_number",
            "template_id",
            "personalisation",
            "reference",
            "sms_sender_id",
            "scheduled_for",
        ],
        &["phone_number", "template_id"],
    );
    let phone = schema.string("phone_number");
    let template_id = schema.uuid("template_id");
    let personalisation = schema.personalisation();
    let reference = schema.reference();
    let sender_id =
        if body.contains_key("sms_sender_id") { schema.uuid("sms_sender_id") } else { None };
    let normalised = match phone.map(rules::validate_phone) {
        Some(Ok(n)) => Some(n),
        Some(Err(message)) => {
            schema.errors.push(format!("phone_number {message}"));
            None
        }
        None => None,
    };
    schema.finish()?;
    let (Some((number, international)), Some(template_id)) = (normalised, template_id) else {
        return Err(ApiError::validation(vec!["phone_number is a required property".to_owned()]));
    };
    let template = template_for(&state, template_id, TemplateKind::Sms)?;
    check_missing(template, &personalisation, &[])?;
    let message = rules::sms(&template.body, &personalisation);
    if message.empty {
        return Err(ApiError::bad_request("Your message is empty."));
    }
    if message.too_long {
        return Err(ApiError::bad_request(&message.too_long_message()));
    }
    let content = message.content;
    let from_number = sms_sender(&state, sender_id)?;
    if let Some(Err(m)) = phone.map(rules::service_phone) {
        return Err(ApiError::new(400, "InvalidPhoneError", m));
    }
    check_recipient_allowed(&state, key_type, &number)?;
    let now = state.clock.now();
    {
        let mut data = state.lock();
        check_daily(&state, &mut data, key_type, Channel::Sms, now)?;
        if international {
            check_daily(&state, &mut data, key_type, Channel::InternationalSms, now)?;
        }
    }
    let id = Uuid::new_v4();
    let response = SmsResponse {
        id,
        reference: reference.clone(),
        content: SmsContent { body: content.clone(), from_number: Some(from_number.clone()) },
        uri: state.notification_uri(id),
        template: state.template_ref(template.id, template.version),
        scheduled_for: None,
    };
    if !is_smoke_test(&number) {
        let n = Notification {
            id,
            reference,
            kind: TemplateKind::Sms,
            key_type,
            template_id: template.id,
            template_version: template.version,
            email_address: None,
            phone_number: phone.map(str::to_owned),
            address: Vec::new(),
            fragments: message.fragments,
            body: content,
            subject: None,
            created_at: now,
            outcome: simulated_outcome(key_type, &number),
            postage: None,
            one_click_unsubscribe_url: None,
            international,
            precompiled: false,
            letter_fields: Vec::new(),
            pdf: None,
            reply_to: Some(from_number),
        };
        store(&state, n, true)?;
    }
    Ok(created(response))
}

pub(super) async fn send_email(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let key_type = admit(&state, &headers)?;
    let body = parse_body(&body)?;
    let mut schema = Schema::new(
        &body,
        &[
            "email_address",
            "template_id",
            "personalisation",
            "reference",
            "email_reply_to_id",
            "one_click_unsubscribe_url",
            "sanitise_content_for",
            "scheduled_for",
        ],
        &["email_address", "template_id"],
    );
    let email = schema.string("email_address");
    let template_id = schema.uuid("template_id");
    let personalisation = schema.personalisation();
    let reference = schema.reference();
    let reply_to_id = if body.contains_key("email_reply_to_id") {
        schema.uuid("email_reply_to_id")
    } else {
        None
    };
    let sanitise_for = personalisation::sanitise_for(&body, &mut schema.errors);
    let unsubscribe = match body.get("one_click_unsubscribe_url") {
        None | Some(Value::Null) => None,
        Some(Value::String(u)) if u.starts_with("https") && url::Url::parse(u).is_ok() => {
            Some(u.clone())
        }
        Some(_) => {
            schema.errors.push("one_click_unsubscribe_url is not a valid https url".to_owned());
            None
        }
    };
    let normalised = match email.map(rules::validate_email) {
        Some(Ok(e)) => Some(e),
        Some(Err(message)) => {
            schema.errors.push(format!("email_address {message}"));
            None
        }
        None => None,
    };
    schema.finish()?;
    let (Some(address), Some(template_id)) = (normalised, template_id) else {
        return Err(ApiError::validation(vec!["email_address is a required property".to_owned()]));
    };
    let (mut personalisation, sanitised_content) =
        personalisation::apply_sanitise(&personalisation, &sanitise_for);
    let template = template_for(&state, template_id, TemplateKind::Email)?;
    check_missing(template, &personalisation, &[])?;
    let reply_to = email_reply_to(&state, reply_to_id)?;
    personalisation::replace_files(&mut personalisation, state.cfg.service_id)
        .map_err(|m| ApiError::validation(vec![m]))?;
    let rendered = rules::email(
        template.subject.as_deref().unwrap_or_default(),
        &template.body,
        &personalisation,
    );
    if rendered.too_long {
        return Err(ApiError::bad_request(&rendered.too_long_message()));
    }
    let (content, subject) = (rendered.content, rendered.subject);
    check_recipient_allowed(&state, key_type, &address)?;
    let now = state.clock.now();
    check_daily(&state, &mut state.lock(), key_type, Channel::Email, now)?;
    let id = Uuid::new_v4();
    let from_email = format!(
        "{}@notifications.service.gov.uk",
        state.cfg.service_name.to_lowercase().replace(' ', ".")
    );
    let response = EmailResponse {
        id,
        reference: reference.clone(),
        content: EmailContent {
            body: content.clone(),
            subject: subject.clone(),
            from_email,
            one_click_unsubscribe_url: unsubscribe.clone(),
        },
        uri: state.notification_uri(id),
        template: state.template_ref(template.id, template.version),
        scheduled_for: None,
        sanitised_content: Some(to_json(&sanitised_content)?),
    };
    if !is_smoke_test(&address) {
        let n = Notification {
            id,
            reference,
            kind: TemplateKind::Email,
            key_type,
            template_id: template.id,
            template_version: template.version,
            email_address: email.map(str::to_owned),
            phone_number: None,
            address: Vec::new(),
            body: content,
            subject: Some(subject),
            created_at: now,
            outcome: simulated_outcome(key_type, &address),
            postage: None,
            one_click_unsubscribe_url: unsubscribe,
            fragments: 0,
            international: false,
            precompiled: false,
            letter_fields: Vec::new(),
            pdf: None,
            reply_to,
        };
        store(&state, n, true)?;
    }
    Ok(created(response))
}

/// The sender a text goes from: the one `sms_sender_id` names (a number formatted as Notify formats it), or
/// the service's default; Notify's 400 when the id is not the service's.
pub(super) fn sms_sender(state: &NotifyState, id: Option<Uuid>) -> Result<String> {
    let senders = &state.cfg.sms_senders;
    match id {
        Some(id) => {
            let sender = senders.iter().find(|s| s.id == id).ok_or_else(|| {
                ApiError::bad_request(&format!(
                    "sms_sender_id {id} does not exist in database for service id {}",
                    state.cfg.service_id
                ))
            })?;
            Ok(rules::validate_phone(&sender.sms_sender)
                .map_or_else(|_| sender.sms_sender.clone(), |(n, _)| n))
        }
        None => Ok(senders
            .iter()
            .find(|s| s.is_default)
            .map_or_else(|| "GOVUK".to_owned(), |s| s.sms_sender.clone())),
    }
}

/// The reply-to address `email_reply_to_id` names, or the service's default; Notify's 400 for an unknown id.
pub(super) fn email_reply_to(state: &NotifyState, id: Option<Uuid>) -> Result<Option<String>> {
    let addresses = &state.cfg.email_reply_to;
    match id {
        Some(id) => {
            addresses.iter().find(|r| r.id == id).map(|r| Some(r.email_address.clone())).ok_or_else(
                || {
                    ApiError::bad_request(&format!(
                        "email_reply_to_id {id} does not exist in database for service id {}",
                        state.cfg.service_id
                    ))
                },
            )
        }
        None => Ok(addresses.iter().find(|r| r.is_default).map(|r| r.email_address.clone())),
    }
}
