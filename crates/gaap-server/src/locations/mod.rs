//! The GOV.UK-compatible local-authority API and alphagov/locations-api's postcode lookup, answered from
//! the address index and gaap-content's local-authority data and resolver:
//!
//! * `GET /api/local-authority?postcode=` (alphagov/frontend's `Api::LocalAuthorityController#index`):
//!   one council → 302 to `/api/local-authority/{slug}`; a postcode split between councils → 200
//!   `{"addresses":[{"address","local_authority_slug","local_authority_name"}]}`.
//! * `GET /api/local-authority/{slug}` (`#show`): `{"local_authority":{"name","homepage_url","tier","slug",
//!   "parent"}}`, blank fields left out.
//! * `GET /api/local-services/{lgsl}?postcode=[&lgil=]`: the council's link for a service in Local Links
//!   Manager's `/api/link` shape, with its county/district fallback and the homepage when there is no link.
//!   Links come from the CSV named by `locations.links`, read once, on the first request.
//! * `GET /v1/locations?postcode=` (alphagov/locations-api): the addresses at a postcode with their
//!   positions and local custodian codes. The address finder calls it; it needs no API key.
//!
//! Errors use GOV.UK's envelope `{"errors":{"field":["message"]}}` with GOV.UK's own messages.

mod error;
mod links;
mod lookup;
mod routes;
mod wire;

use axum::routing::get;
use axum::{Extension, Router};

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/local-authority", get(routes::local_authority))
        .route("/api/local-authority/{slug}", get(routes::local_authority_by_slug))
        .route("/api/local-services/{lgsl}", get(routes::local_services))
        .route("/v1/locations", get(routes::locations))
        .layer(Extension(links::Links::default()))
}
