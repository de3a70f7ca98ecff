//! `/v1/agreements`: recurring payment agreements (create, get, search, cancel).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gaap_pay::types::AgreementStatus;
use serde_json::{Map, Value};

use super::rate_limit::RateBucket;
use super::resources::agreement_json;
use super::search::{paging, query_pairs, reject_search_params, search_page};
use super::store::Agreement;
use super::{PayError, PayState, Result, random_id};

pub(super) async fn create_agreement(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Post)?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|_| PayError::new(400, "P2197", "Unable to parse JSON"))?;
    let empty = Map::new();
    let obj = value.as_object().unwrap_or(&empty);
    let mut fields = HashMap::new();
    for (name, required) in [("reference", true), ("description", true), ("user_identifier", false)]
    {
        match obj.get(name) {
            None | Some(Value::Null) if required => {
                return Err(PayError::for_field(
                    400,
                    "P2101",
                    name,
                    &format!("Missing mandatory attribute: {name}"),
                ));
            }
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.trim().is_empty() && required => {
                return Err(PayError::for_field(
                    400,
                    "P2101",
                    name,
                    &format!("Missing mandatory attribute: {name}"),
                ));
            }
            Some(Value::String(s)) if s.encode_utf16().count() > 255 => {
                return Err(PayError::for_field(
                    422,
                    "P2102",
                    name,
                    &format!(
                        "Invalid attribute value: {name}. Must be less than or equal to 255 characters length"
                    ),
                ));
            }
            Some(Value::String(s)) => {
                fields.insert(name, s.clone());
            }
            Some(_) => {
                return Err(PayError::for_field(
                    400,
                    "P2102",
                    name,
                    &format!("Invalid attribute value: {name}. Must be a valid string format"),
                ));
            }
        }
    }
    let agreement = Agreement {
        agreement_id: random_id(),
        reference: fields.remove("reference").unwrap_or_default(),
        description: fields.remove("description").unwrap_or_default(),
        user_identifier: fields.remove("user_identifier"),
        status: AgreementStatus::Created,
        created_date: state.clock.now(),
        cancelled_date: None,
        card: None,
    };
    let out = agreement_json(&agreement);
    state.lock().agreements.push(agreement);
    state.touch();
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}

pub(super) async fn get_agreement(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    let data = state.lock();
    let a = data
        .agreements
        .iter()
        .find(|a| a.agreement_id == id)
        .ok_or_else(|| PayError::new(404, "P2200", "Not found"))?;
    Ok(axum::Json(agreement_json(a)).into_response())
}

pub(super) async fn search_agreements(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    let pairs = query_pairs(raw.as_deref());
    let mut bad = Vec::new();
    let (page, size) = paging(&pairs, &mut bad);
    for (k, v) in &pairs {
        if k == "status" && !["created", "active", "cancelled", "inactive"].contains(&v.as_str()) {
            bad.push(k.clone());
        }
    }
    reject_search_params("P2401", &bad)?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let data = state.lock();
    let results: Vec<_> = data
        .agreements
        .iter()
        .rev()
        .filter(|a| get("reference").is_none_or(|r| a.reference.eq_ignore_ascii_case(r)))
        .filter(|a| get("status").is_none_or(|s| a.status.as_str() == s))
        .map(agreement_json)
        .collect();
    drop(data);
    search_page(&state, "/v1/agreements", &pairs, results, page, size, "P2402")
}

pub(super) async fn cancel_agreement(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Post)?;
    let now = state.clock.now();
    let mut data = state.lock();
    let a = data
        .agreements
        .iter_mut()
        .find(|a| a.agreement_id == id)
        .ok_or_else(|| PayError::new(404, "P2500", "Not found"))?;
    if a.status != AgreementStatus::Active {
        return Err(PayError::new(400, "P2501", "Cancellation of agreement failed"));
    }
    a.status = AgreementStatus::Cancelled;
    a.cancelled_date = Some(now);
    state.touch();
    Ok(StatusCode::NO_CONTENT.into_response())
}
