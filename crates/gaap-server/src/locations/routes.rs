//! The handlers: each parses its parameters, asks the index, gaap-content's authorities or its resolver,
//! and serialises the answer.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gaap_content::local::{Authorities, Resolver, Services};
use serde::Deserialize;

use super::error::{self, FieldError, LOCATIONS_INVALID, LOCATIONS_NOT_FOUND};
use super::links::Links;
use super::lookup::{self, Councils};
use super::wire::{AddressesBody, AuthorityBody, AuthoritySummary, LinkBody, LocationsBody};
use crate::state::AppState;

/// `?postcode=`; absent and empty are both "not a valid postcode".
#[derive(Debug, Deserialize)]
pub(crate) struct PostcodeQuery {
    postcode: Option<String>,
}

/// `?postcode=&lgil=`.
#[derive(Debug, Deserialize)]
pub(crate) struct ServiceQuery {
    postcode: Option<String>,
    lgil: Option<String>,
}

fn json(body: &impl serde::Serialize) -> Response {
    axum::Json(body).into_response()
}

/// frontend redirects a one-council postcode to the council's own resource.
fn redirect_to_authority(slug: &str) -> Response {
    let location = format!("/api/local-authority/{slug}");
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /api/local-authority?postcode=`.
pub(crate) async fn local_authority(
    State(state): State<AppState>,
    Query(query): Query<PostcodeQuery>,
) -> Response {
    let postcode = match lookup::postcode_param(query.postcode.as_deref()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let Some(loaded) = state.index.get() else {
        return error::loading();
    };
    match lookup::councils(&loaded.index, Authorities::embedded(), &postcode) {
        Ok(Councils::One(la)) => redirect_to_authority(&la.slug),
        Ok(Councils::Split(choices)) => json(&AddressesBody::new(&choices)),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/local-authority/{slug}`.
pub(crate) async fn local_authority_by_slug(Path(slug): Path<String>) -> Response {
    let authorities = Authorities::embedded();
    match authorities.by_slug(&slug) {
        Some(la) => {
            json(&AuthorityBody { local_authority: AuthoritySummary::new(authorities, la) })
        }
        None => FieldError::not_found("local_authority_slug", "Not found").into_response(),
    }
}

/// `GET /api/local-services/{lgsl}?postcode=[&lgil=]`.
pub(crate) async fn local_services(
    State(state): State<AppState>,
    Extension(links): Extension<Links>,
    Path(lgsl): Path<String>,
    Query(query): Query<ServiceQuery>,
) -> Response {
    let Ok(lgsl) = lgsl.trim().parse::<u32>() else {
        return FieldError::bad_request("lgsl", "This isn't a valid LGSL code.").into_response();
    };
    let lgil = match query.lgil.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                return FieldError::bad_request("lgil", "This isn't a valid LGIL code.")
                    .into_response();
            }
        },
    };
    let postcode = match lookup::postcode_param(query.postcode.as_deref()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if Services::embedded().get(lgsl).is_none() {
        return FieldError::not_found("lgsl", "Not found").into_response();
    }
    let Some(loaded) = state.index.get() else {
        return error::loading();
    };
    let authorities = Authorities::embedded();
    let la = match lookup::councils(&loaded.index, authorities, &postcode) {
        Ok(Councils::One(la)) => la,
        Ok(Councils::Split(choices)) => return json(&AddressesBody::new(&choices)),
        Err(e) => return e.into_response(),
    };
    let resolver =
        Resolver::new(authorities, Services::embedded(), links.get(&state).await, |_: &str| {
            None::<String>
        });
    match resolver.resolve_authority(la, lgsl, lgil) {
        Ok(resolved) => json(&LinkBody::new(&resolved, lgsl)),
        Err(_) => FieldError::not_found("lgsl", "Not found").into_response(),
    }
}

/// `GET /v1/locations?postcode=` (alphagov/locations-api).
pub(crate) async fn locations(
    State(state): State<AppState>,
    Query(query): Query<PostcodeQuery>,
) -> Response {
    let Some(postcode) = lookup::sanitise(query.postcode.as_deref()) else {
        return FieldError::bad_request("postcode", LOCATIONS_INVALID).into_response();
    };
    let Some(loaded) = state.index.get() else {
        return error::loading();
    };
    let Some(record) = loaded.index.postcode(&postcode) else {
        return FieldError::not_found("postcode", LOCATIONS_NOT_FOUND).into_response();
    };
    let centre = record.coordinates.map(|c| c.to_wgs84());
    let addresses = loaded.index.by_postcode(&postcode);
    json(&LocationsBody::new(postcode, &addresses, centre))
}
