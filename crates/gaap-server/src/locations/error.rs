//! Error answers in GOV.UK's envelope, `{"errors":{"field":["message"]}}`, with the messages GOV.UK's own
//! apps send (alphagov/frontend's `config/locales/en.yml`, alphagov/locations-api's validator).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// frontend `formats.local_transaction.invalid_postcode`.
pub(crate) const INVALID_POSTCODE: &str = "This isn't a valid postcode.";
/// frontend `formats.local_transaction.valid_postcode_no_match`.
pub(crate) const POSTCODE_NOT_FOUND: &str = "We couldn't find this postcode.";
/// frontend `formats.local_transaction.no_local_authority`.
pub(crate) const NO_COUNCIL: &str = "We couldn't find a council for this postcode.";
/// locations-api's `PostcodeValidator`.
pub(crate) const LOCATIONS_INVALID: &str = "This postcode is invalid";
/// locations-api's `LocationsController` for a postcode with no results.
pub(crate) const LOCATIONS_NOT_FOUND: &str = "No results found for given postcode";

/// One field's error, answered with a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) status: StatusCode,
    pub(crate) field: &'static str,
    pub(crate) message: &'static str,
}

#[derive(Serialize)]
struct Envelope<'a> {
    errors: Fields<'a>,
}

/// `{"<field>": ["<message>"]}` with a field name known only at run time.
struct Fields<'a>(&'a str, &'a str);

impl Serialize for Fields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.0, &[self.1])?;
        map.end()
    }
}

impl FieldError {
    pub(crate) const fn bad_request(field: &'static str, message: &'static str) -> Self {
        Self { status: StatusCode::BAD_REQUEST, field, message }
    }

    pub(crate) const fn not_found(field: &'static str, message: &'static str) -> Self {
        Self { status: StatusCode::NOT_FOUND, field, message }
    }
}

impl IntoResponse for FieldError {
    fn into_response(self) -> Response {
        let body = Envelope { errors: Fields(self.field, self.message) };
        (self.status, axum::Json(body)).into_response()
    }
}

/// 503 while the address index loads: the client may retry shortly.
pub(crate) fn loading() -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(serde_json::json!({"error": "the address index is loading"})),
    )
        .into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_envelope_names_the_field() {
        let response = FieldError::bad_request("postcode", INVALID_POSTCODE).into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let bytes = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"errors":{"postcode":["This isn't a valid postcode."]}}"#
        );
    }
}
