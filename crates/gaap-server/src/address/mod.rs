//! The OS Places API v1 under `/search/places/v1/`: `postcode`, `uprn`, `find`, `nearest`, `bbox`,
//! `radius` (GET) and `polygon` (POST).

pub(crate) mod error;

use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
