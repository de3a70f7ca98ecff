//! Refunds: create, list and get a payment's refunds, and `/v1/refunds` search.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gaap_pay::Money;
use gaap_pay::rules::refund::check_refund;
use gaap_pay::rules::validate;
use gaap_pay::types::RefundStatus;
use gaap_pay::types::{EmbeddedRefunds, RefundList};
use serde_json::Value;

use super::rate_limit::RateBucket;
use super::resources::refund_json;
use super::search::{Search, parse_search_time, reject_search_params, search_page};
use super::store::{Payment, Refund};
use super::{PayError, PayState, Result, random_id};

pub(super) async fn create_refund(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Post)?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|_| PayError::new(400, "P0697", "Unable to parse JSON"))?;
    validate::validate_create_refund(&value).map_err(|e| PayError::from_invalid(&e))?;
    let amount = value.get("amount").and_then(Value::as_i64).unwrap_or(0);
    let expected = match value.get("refund_amount_available") {
        None | Some(Value::Null) => None,
        Some(v) => Some(Money::from_pence(v.as_i64().ok_or_else(|| {
            PayError::new(
                400,
                "P0602",
                "Invalid attribute value: refund_amount_available. Must be a valid numeric format",
            )
        })?)),
    };
    let now = state.clock.now();
    let mut data = state.lock();
    let p = data.payment_mut(&id).ok_or_else(|| PayError::new(404, "P0600", "Not found"))?;
    let summary = PayState::summary(p);
    check_refund(&summary, false, Money::from_pence(amount), expected).map_err(|refusal| {
        PayError::new(refusal.http_status(), refusal.code(), &refusal.to_string())
    })?;
    // The sandbox PSP completes refunds at once.
    let refund =
        Refund { refund_id: random_id(), amount, status: RefundStatus::Success, created_date: now };
    p.refunds.push(refund.clone());
    let snapshot = p.clone();
    state.webhook(&snapshot, "card_payment_refunded", now);
    state.touch();
    Ok((StatusCode::ACCEPTED, axum::Json(refund_json(&state, &id, &refund, false))).into_response())
}

pub(super) async fn list_refunds(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    let data = state.lock();
    let p = data.payment(&id).ok_or_else(|| PayError::new(404, "P0800", "Not found"))?;
    let refunds = p.refunds.iter().map(|r| refund_json(&state, &id, r, false)).collect();
    let links = state.link_map(&[
        ("self", &format!("/v1/payments/{id}/refunds")),
        ("payment", &format!("/v1/payments/{id}")),
    ]);
    Ok(axum::Json(RefundList {
        payment_id: id,
        embedded: EmbeddedRefunds { refunds },
        links: Some(links),
    })
    .into_response())
}

pub(super) async fn get_refund(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path((id, refund_id)): Path<(String, String)>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    let data = state.lock();
    let r = data
        .payment(&id)
        .and_then(|p| p.refunds.iter().find(|r| r.refund_id == refund_id))
        .ok_or_else(|| PayError::new(404, "P0700", "Not found"))?;
    Ok(axum::Json(refund_json(&state, &id, r, false)).into_response())
}

pub(super) async fn search_refunds(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let Search { pairs, page, size, mut bad } = Search::start(&state, &headers, raw.as_deref())?;
    for (k, v) in &pairs {
        if matches!(k.as_str(), "from_date" | "to_date") && parse_search_time(v).is_none() {
            bad.push(k.clone());
        }
    }
    reject_search_params("P1101", &bad)?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let data = state.lock();
    let mut all: Vec<(&Payment, &Refund)> =
        data.payments.iter().flat_map(|p| p.refunds.iter().map(move |r| (p, r))).collect();
    all.sort_by_key(|(_, r)| std::cmp::Reverse(r.created_date));
    let results: Vec<_> = all
        .into_iter()
        .filter(|(_, r)| {
            get("from_date").and_then(parse_search_time).is_none_or(|t| r.created_date >= t)
        })
        .filter(|(_, r)| {
            get("to_date").and_then(parse_search_time).is_none_or(|t| r.created_date < t)
        })
        .map(|(p, r)| refund_json(&state, &p.payment_id, r, true))
        .collect();
    drop(data);
    search_page(&state, "/v1/refunds", &pairs, results, page, size, "P1100")
}
