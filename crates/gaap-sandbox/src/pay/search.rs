//! Search as Pay does it: query parameters checked (422 naming each bad one), paging and the page shape;
//! `GET /v1/payments` search.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use gaap_pay::SearchPage;
use gaap_pay::types::SearchLinks;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::rate_limit::RateBucket;
use super::{PayError, PayState, Result};

pub(super) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

/// Page and display_size, validated.
pub(super) fn paging(pairs: &[(String, String)], bad: &mut Vec<String>) -> (usize, usize) {
    let mut page = 1;
    let mut size = 500;
    for (k, v) in pairs {
        match k.as_str() {
            "page" => match v.parse::<usize>() {
                Ok(n) if n >= 1 => page = n,
                _ => bad.push("page".to_owned()),
            },
            "display_size" => match v.parse::<usize>() {
                Ok(n) if (1..=500).contains(&n) => size = n,
                _ => bad.push("display_size".to_owned()),
            },
            _ => {}
        }
    }
    (page, size)
}

/// A search request's start: authenticated and rate-limited, its parameters, and its paging checked.
pub(super) struct Search {
    pub(super) pairs: Vec<(String, String)>,
    pub(super) page: usize,
    pub(super) size: usize,
    /// Parameters found invalid so far.
    pub(super) bad: Vec<String>,
}

impl Search {
    pub(super) fn start(state: &PayState, headers: &HeaderMap, raw: Option<&str>) -> Result<Self> {
        state.admit(headers, RateBucket::Get)?;
        let pairs = query_pairs(raw);
        let mut bad = Vec::new();
        let (page, size) = paging(&pairs, &mut bad);
        Ok(Self { pairs, page, size, bad })
    }
}

pub(super) fn parse_search_time(v: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok()
}

/// A search page in Pay's shape, or 404 `not_found_code` when the page is past the end.
pub(super) fn search_page<T: Serialize>(
    state: &PayState,
    path: &str,
    pairs: &[(String, String)],
    results: Vec<T>,
    page: usize,
    size: usize,
    not_found_code: &str,
) -> Result<Response> {
    let total = results.len();
    let last = total.div_ceil(size).max(1);
    if page > last {
        return Err(PayError::new(404, not_found_code, "The requested page was not found"));
    }
    let items: Vec<T> = results.into_iter().skip((page - 1) * size).take(size).collect();
    let href = |n: usize| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| k != "page" && k != "display_size") {
            ser.append_pair(k, v);
        }
        ser.append_pair("display_size", &size.to_string());
        ser.append_pair("page", &n.to_string());
        state.get_link(&format!("{path}?{}", ser.finish()))
    };
    let mut links = SearchLinks::default();
    links.self_link = Some(href(page));
    links.first_page = Some(href(1));
    links.last_page = Some(href(last));
    links.prev_page = (page > 1).then(|| href(page - 1));
    links.next_page = (page < last).then(|| href(page + 1));
    Ok(axum::Json(SearchPage::new(total as u64, page as u64, items, links)).into_response())
}

/// Pay's 422 for bad search parameters, naming each one.
pub(super) fn reject_search_params(code: &str, bad: &[String]) -> Result<()> {
    if bad.is_empty() {
        return Ok(());
    }
    Err(PayError::new(
        422,
        code,
        &format!(
            "Invalid parameters: {}. See Public API documentation for the correct data formats",
            bad.join(", ")
        ),
    ))
}

pub(super) async fn search_payments(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.admit(&headers, RateBucket::Get)?;
    state.sweep();
    let pairs = query_pairs(raw.as_deref());
    let mut bad = Vec::new();
    let (page, size) = paging(&pairs, &mut bad);
    const STATES: [&str; 7] =
        ["created", "started", "submitted", "success", "failed", "cancelled", "error"];
    for (k, v) in &pairs {
        let ok = match k.as_str() {
            "state" => STATES.contains(&v.as_str()),
            "reference" => v.chars().count() <= 255,
            "email" => v.chars().count() <= 254,
            "first_digits_card_number" => v.len() == 6 && v.chars().all(|c| c.is_ascii_digit()),
            "last_digits_card_number" => v.len() == 4 && v.chars().all(|c| c.is_ascii_digit()),
            "from_date" | "to_date" => parse_search_time(v).is_some(),
            _ => true,
        };
        if !ok {
            bad.push(k.clone());
        }
    }
    reject_search_params("P0401", &bad)?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let data = state.lock();
    let results: Vec<_> = data
        .payments
        .iter()
        .rev()
        .filter(|p| {
            get("reference").is_none_or(|r| p.field("reference").and_then(Value::as_str) == Some(r))
        })
        .filter(|p| {
            get("email").is_none_or(|e| {
                p.field("email")
                    .and_then(Value::as_str)
                    .is_some_and(|pe| pe.to_lowercase().contains(&e.to_lowercase()))
            })
        })
        .filter(|p| get("state").is_none_or(|s| p.state.status == s))
        .filter(|p| {
            get("agreement_id")
                .is_none_or(|a| p.field("agreement_id").and_then(Value::as_str) == Some(a))
        })
        .filter(|p| {
            get("from_date").and_then(parse_search_time).is_none_or(|t| p.created_date >= t)
        })
        .filter(|p| get("to_date").and_then(parse_search_time).is_none_or(|t| p.created_date < t))
        .filter(|p| {
            get("last_digits_card_number").is_none_or(|d| {
                p.card.as_ref().is_some_and(|c| c.last_digits_card_number.as_deref() == Some(d))
            })
        })
        .filter(|p| {
            get("first_digits_card_number").is_none_or(|d| {
                p.card.as_ref().is_some_and(|c| c.first_digits_card_number.as_deref() == Some(d))
            })
        })
        .map(|p| {
            let mut resource = state.payment_resource(p, None);
            if let Some(links) = &mut resource.links {
                // A search result's links: self, events, refunds, cancel and capture.
                links.auth_url_post = None;
            }
            resource
        })
        .collect();
    drop(data);
    search_page(&state, "/v1/payments", &pairs, results, page, size, "P0402")
}
