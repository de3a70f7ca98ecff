//! `/v1/payments`: create, get, events, cancel and capture.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_pay::rules::state::CaptureOutcome;
use gaap_pay::rules::validate::{self, ValidationOptions};
use gaap_pay::types::{
    AgreementStatus, AuthorisationMode, PaymentEventRecord, PaymentEvents,
    State as PaymentStatusBody,
};
use gaap_pay::{PaymentEvent, PaymentState};
use serde_json::Value;

use crate::config::IdempotencyScope;

use super::rate_limit::RateBucket;
use super::store::{Event, IdempotentCreate, Payment, Wire, authorisation_mode};
use super::{IDEMPOTENCY_TTL, PayError, PayState, Result, pay_time, random_id};

pub(super) async fn create_payment(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    state.admit(&headers, RateBucket::CreatePayment)?;
    let key = match headers.get("idempotency-key") {
        Some(value) => {
            let key = value.to_str().unwrap_or("\u{0}");
            validate::validate_idempotency_key(key).map_err(|e| PayError::from_invalid(&e))?;
            Some(key.to_owned())
        }
        None => None,
    };
    let value = validate::validate_create_payment_bytes(&body, &ValidationOptions::default())
        .map_err(|e| PayError::from_invalid(&e))?;
    let body = value.as_object().cloned().unwrap_or_default();
    let mode = authorisation_mode(&body);
    if mode == AuthorisationMode::MotoApi && !state.cfg.moto {
        return Err(PayError::new(
            422,
            "P0195",
            "Using authorisation_mode of moto_api is not allowed for this account",
        ));
    }
    if body.get("moto").and_then(Value::as_bool) == Some(true) && !state.cfg.moto {
        return Err(PayError::new(422, "P0196", "MOTO payments are not enabled for this account"));
    }
    let now = state.clock.now();
    let mut data = state.lock();
    let data = &mut *data;
    let dedupe = key.filter(|_| {
        state.cfg.idempotency == IdempotencyScope::All || mode == AuthorisationMode::Agreement
    });
    if let Some(key) = &dedupe
        && let Some(previous) = data.idempotency.get(key).filter(|p| now < p.at + IDEMPOTENCY_TTL)
    {
        if previous.body == value {
            let id = previous.payment_id.clone();
            return state.payment_response(data, &id, StatusCode::OK);
        }
        return Err(PayError::new(
            409,
            "P0191",
            "The `Idempotency-Key` you sent in the request header has already been used to create a payment.",
        ));
    }
    if let Some(setup) = body.get("set_up_agreement").and_then(Value::as_str)
        && !data.agreements.iter().any(|a| a.agreement_id == setup)
    {
        return Err(PayError::for_field(
            400,
            "P0103",
            "set_up_agreement",
            "Invalid attribute value: set_up_agreement. Agreement ID does not exist",
        ));
    }
    let mut agreement_card = None;
    if mode == AuthorisationMode::Agreement {
        let id = body.get("agreement_id").and_then(Value::as_str).unwrap_or_default();
        let agreement = data
            .agreements
            .iter()
            .find(|a| a.agreement_id == id)
            .ok_or_else(|| PayError::new(400, "P0103", "Agreement does not exist"))?;
        if agreement.status != AgreementStatus::Active {
            return Err(PayError::new(400, "P0103", "Agreement must be active"));
        }
        agreement_card = agreement.card.clone();
    }
    let amount = body.get("amount").and_then(Value::as_i64).unwrap_or(0);
    let mut payment = Payment {
        payment_id: random_id(),
        body,
        amount,
        created_date: now,
        state: Wire::of(PaymentState::Created),
        events: vec![Event { state: Wire::of(PaymentState::Created), at: now }],
        card: None,
        refunds: Vec::new(),
        captured_at: None,
        provider_id: uuid::Uuid::new_v4().to_string(),
        one_time_token: (mode == AuthorisationMode::MotoApi)
            .then(|| uuid::Uuid::new_v4().to_string()),
        one_time_token_used: false,
    };
    if let Some(card) = agreement_card {
        // User not present: authorised at once with the agreement's card; 5105105105105100 declines recurring.
        let declined = card.first_digits_card_number.as_deref() == Some("510510")
            && card.last_digits_card_number.as_deref() == Some("5100");
        payment.card = Some(card);
        state.apply(&mut payment, PaymentEvent::PayerStarted, now);
        if declined {
            state.apply(&mut payment, PaymentEvent::Rejected, now);
        } else {
            state.apply(&mut payment, PaymentEvent::Authorised, now);
            state.apply(&mut payment, PaymentEvent::PayerConfirmed, now);
        }
    }
    let id = payment.payment_id.clone();
    data.index.insert(id.clone(), data.payments.len());
    data.payments.push(payment);
    if let Some(key) = dedupe {
        data.idempotency
            .insert(key, IdempotentCreate { body: value, payment_id: id.clone(), at: now });
    }
    state.touch();
    let mut response = state.payment_response(data, &id, StatusCode::CREATED)?;
    response.headers_mut().insert(header::PRAGMA, axum::http::HeaderValue::from_static("no-cache"));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

pub(super) async fn get_payment(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    state.sweep();
    let mut data = state.lock();
    state.payment_response(&mut data, &id, StatusCode::OK)
}

pub(super) async fn get_events(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    state.sweep();
    let data = state.lock();
    let p = data.payment(&id).ok_or_else(|| PayError::new(404, "P0300", "Not found"))?;
    let payment_url = state.link_map(&[("payment_url", &format!("/v1/payments/{id}"))]);
    let events = p
        .events
        .iter()
        .map(|e| PaymentEventRecord {
            payment_id: id.clone(),
            state: PaymentStatusBody::from(e.state.state()),
            updated: pay_time(e.at),
            links: Some(payment_url.clone()),
        })
        .collect();
    let links = state.link_map(&[("self", &format!("/v1/payments/{id}/events"))]);
    Ok(axum::Json(PaymentEvents { payment_id: id.clone(), events, links: Some(links) })
        .into_response())
}

pub(super) async fn cancel_payment(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Post)?;
    let now = state.clock.now();
    let mut data = state.lock();
    let p = data.payment_mut(&id).ok_or_else(|| PayError::new(404, "P0500", "Not found"))?;
    if !state.apply(p, PaymentEvent::CancelledByService, now) {
        return Err(PayError::new(400, "P0501", "Cancellation of payment failed"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn capture_payment(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::CapturePayment)?;
    let now = state.clock.now();
    let mut data = state.lock();
    let p = data.payment_mut(&id).ok_or_else(|| PayError::new(404, "P1000", "Not found"))?;
    match p.state.state().capture() {
        CaptureOutcome::Captures => {
            state.apply(p, PaymentEvent::ServiceCaptured, now);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        CaptureOutcome::AlreadyCaptured => Ok(StatusCode::NO_CONTENT.into_response()),
        CaptureOutcome::NotCapturable => {
            Err(PayError::new(409, "P1003", "Payment cannot be captured"))
        }
    }
}
