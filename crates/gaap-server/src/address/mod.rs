//! The OS Places API v1 under `/search/places/v1/`: `postcode`, `uprn`, `find`, `nearest`, `bbox`,
//! `radius` (GET) and `polygon` (POST).

mod codes;
pub(crate) mod error;
mod params;
mod query;
mod routes;
mod wire;
mod xml;

pub(crate) use routes::router;
