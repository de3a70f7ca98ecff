//! Letters: `POST /v2/notifications/letter` from a template or as a precompiled PDF, and the letter PDF.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use gaap_notify::{LetterContent, LetterResponse, Postage, PrecompiledLetterResponse};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::TemplateKind;

use super::admission::admit;
use super::rate_limit::{Channel, check_daily};
use super::reads::path_uuid;
use super::request::{Schema, parse_body};
use super::send::{check_missing, created, store, template_for};
use super::store::{Notification, Outcome};
use super::{ApiError, KeyType, NotifyState, Result, personalisation, rules};

pub(super) async fn send_letter(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let key_type = admit(&state, &headers)?;
    let body = parse_body(&body)?;
    if key_type == KeyType::Team {
        return Err(ApiError::new(
            403,
            "BadRequestError",
            "Cannot send letters with a team api key",
        ));
    }
    if key_type == KeyType::Normal && state.cfg.trial_mode {
        return Err(ApiError::new(
            403,
            "BadRequestError",
            "Cannot send letters when service is in trial mode",
        ));
    }
    let now = state.clock.now();
    let id = Uuid::new_v4();
    if body.contains_key("content") {
        return send_precompiled(&state, key_type, &body, now, id);
    }
    let mut schema = Schema::new(
        &body,
        &["template_id", "personalisation", "reference"],
        &["template_id", "personalisation"],
    );
    let template_id = schema.uuid("template_id");
    let personalisation = schema.personalisation();
    let reference = schema.reference();
    schema.finish()?;
    let Some(template_id) = template_id else {
        return Err(ApiError::validation(vec!["template_id is a required property".to_owned()]));
    };
    let template = template_for(&state, template_id, TemplateKind::Letter)?;
    let address =
        rules::validate_address(&personalisation).map_err(|m| ApiError::validation(vec![m]))?;
    let letter_fields = letter_fields(&personalisation);
    let contact = template.letter_contact_block.as_deref().unwrap_or_default();
    check_missing(template, &personalisation, &[contact])?;
    let content = rules::fill_body(&template.body, &personalisation);
    let subject = rules::fill(template.subject.as_deref().unwrap_or_default(), &personalisation);
    check_daily(&state, &mut state.lock(), key_type, Channel::Letter, now)?;
    let response = LetterResponse {
        id,
        reference: reference.clone(),
        content: LetterContent { body: content.clone(), subject: subject.clone() },
        uri: state.notification_uri(id),
        template: state.template_ref(template.id, template.version),
        scheduled_for: None,
    };
    let n = Notification {
        id,
        reference,
        kind: TemplateKind::Letter,
        key_type,
        template_id: template.id,
        template_version: template.version,
        email_address: None,
        phone_number: None,
        address,
        body: content,
        subject: Some(subject),
        created_at: now,
        outcome: Outcome::Delivered,
        postage: Some(template.postage.clone().unwrap_or_else(|| "second".to_owned())),
        one_click_unsubscribe_url: None,
        fragments: 0,
        international: false,
        precompiled: false,
        letter_fields,
        pdf: None,
        reply_to: template.letter_contact_block.clone(),
    };
    store(&state, n, false)?;
    Ok(created(response))
}

/// A precompiled letter: the PDF as `content` (base64), addressed "Provided as PDF" and kept as sent.
pub(super) fn send_precompiled(
    state: &NotifyState,
    key_type: KeyType,
    body: &Map<String, Value>,
    now: OffsetDateTime,
    id: Uuid,
) -> Result<Response> {
    let mut schema =
        Schema::new(body, &["reference", "content", "postage"], &["reference", "content"]);
    let reference = schema.string("reference").map(str::to_owned);
    let content = schema.string("content");
    // Any postage but a UK class (a string) is refused with Notify's message; the default is second class.
    let postage = body.get("postage").map_or(Postage::Second, |value| {
        Postage::parse_uk(value.as_str().unwrap_or_default()).unwrap_or_else(|message| {
            schema.errors.push(message.to_owned());
            Postage::Second
        })
    });
    let pdf = content.and_then(|c| base64_std(c).or_else(|| crate::jwt::unb64(c)));
    if content.is_some() && pdf.is_none() {
        schema.errors.push("content is not a valid base64 string".to_owned());
    }
    schema.finish()?;
    let postage = postage.as_str().to_owned();
    check_daily(state, &mut state.lock(), key_type, Channel::Letter, now)?;
    let n = Notification {
        id,
        reference: reference.clone(),
        kind: TemplateKind::Letter,
        key_type,
        template_id: Uuid::nil(),
        template_version: 1,
        email_address: None,
        phone_number: None,
        address: Vec::new(),
        body: String::new(),
        subject: Some("Pre-compiled PDF".to_owned()),
        created_at: now,
        outcome: Outcome::Delivered,
        postage: Some(postage.clone()),
        one_click_unsubscribe_url: None,
        fragments: 0,
        international: false,
        precompiled: true,
        // Notify addresses a precompiled letter "Provided as PDF" until it has read the PDF.
        letter_fields: vec![Value::from("Provided as PDF")],
        pdf: pdf.map(|bytes| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(bytes)
        }),
        reply_to: None,
    };
    store(state, n, false)?;
    Ok(created(PrecompiledLetterResponse { id, reference, postage: Some(postage) }))
}

/// `address_line_1`..`address_line_6` and `postcode` as sent (keys matched as Notify's `InsensitiveDict` does).
pub(super) fn letter_fields(values: &Map<String, Value>) -> Vec<Value> {
    let wanted = |key: &str| {
        let key = personalisation::insensitive(key);
        values
            .iter()
            .find(|(k, _)| personalisation::insensitive(k) == key)
            .map_or(Value::Null, |(_, v)| v.clone())
    };
    (1..=6).map(|i| wanted(&format!("address_line_{i}"))).chain([wanted("postcode")]).collect()
}

pub(super) fn base64_std(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

pub(super) async fn get_pdf(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "notification_id")?;
    let now = state.clock.now();
    let data = state.lock();
    let n = data.notification(&id).ok_or_else(ApiError::not_found)?;
    if n.kind != TemplateKind::Letter {
        return Err(ApiError::new(400, "BadRequestError", "Notification is not a letter"));
    }
    if now < n.created_at + Duration::from_secs(state.cfg.sending_after_seconds) {
        return Err(ApiError::new(
            400,
            "PDFNotReadyError",
            "PDF not available yet, try again later",
        ));
    }
    let pdf = match &n.pdf {
        Some(stored) => base64_std(stored).unwrap_or_default(),
        None => minimal_pdf(&format!("{}\n\n{}", n.address.join("\n"), n.body)),
    };
    Ok(([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response())
}

/// A one-page PDF showing `text` in Helvetica.
pub(super) fn minimal_pdf(text: &str) -> Vec<u8> {
    let mut stream = String::from("BT /F1 11 Tf 50 790 Td 14 TL\n");
    for line in text.lines() {
        let escaped: String = line
            .chars()
            .filter(char::is_ascii)
            .flat_map(|c| if matches!(c, '(' | ')' | '\\') { vec!['\\', c] } else { vec![c] })
            .collect();
        stream.push_str(&format!("({escaped}) Tj T*\n"));
    }
    stream.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{obj}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_is_well_formed() {
        let pdf = minimal_pdf("Hello (world)");
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }
}
