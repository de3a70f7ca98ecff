//! `GET /v1/disputes`: the dispute search (pay-publicapi `SearchDisputesResource`). Pay's sandbox PSP never
//! raises a dispute, so the results are empty as on a Pay test account; the parameters are checked as Pay checks
//! them (P0401) and paging answers as the other searches do (P0402 past the end).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gaap_pay::types::Dispute;

use super::{PayState, Result, Search, parse_search_time, reject_search_params, search_page};

const STATUSES: [&str; 4] = ["needs_response", "under_review", "lost", "won"];

pub(super) async fn search(
    State(state): State<Arc<PayState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let Search { pairs, page, size, mut bad } = Search::start(&state, &headers, raw.as_deref())?;
    for (k, v) in &pairs {
        let ok = match k.as_str() {
            "status" => STATUSES.contains(&v.as_str()),
            "from_date" | "to_date" => parse_search_time(v).is_some(),
            "from_settled_date" | "to_settled_date" => {
                time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]"))
                    .is_ok()
            }
            _ => true,
        };
        if !ok {
            bad.push(k.clone());
        }
    }
    reject_search_params("P0401", &bad)?;
    search_page(&state, "/v1/disputes", &pairs, Vec::<Dispute>::new(), page, size, "P0402")
}
