//! Validation rules of publishing-api and content-publisher, as pure functions. Every failure carries
//! publishing-api's `error_code` (`app/errors/command_error.rb`).

mod paths;

pub use paths::{is_absolute_path, is_canonical_uuid, validate_redirect, validate_routes};

use serde::Serialize;

use crate::types::{Details, FrontendItem, PublisherItem, PublisherItemOf, SchemaName};

/// Longest `base_path` in bytes (`app/models/path_reservation.rb`).
pub const MAX_BASE_PATH_BYTES: usize = 512;
/// Longest title in characters (content-publisher `title_and_base_path_field.rb`).
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest description (summary) in characters (content-publisher `summary_field.rb`).
pub const MAX_DESCRIPTION_CHARS: usize = 600;

/// One validation failure, as publishing-api reports it in a 422.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationError {
    /// publishing-api's `error_code`, e.g. `routes_must_include_base_path`.
    pub error_code: &'static str,
    /// Human message.
    pub message: String,
}

impl ValidationError {
    pub(crate) fn new(error_code: &'static str, message: impl Into<String>) -> Self {
        Self { error_code, message: message.into() }
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.error_code)
    }
}

/// Parses and validates a publisher item from JSON. A payload that is not valid JSON or does not fit the
/// typed model (unknown keys, wrong types) fails with `schema_validation_failed`.
pub fn validate_json(bytes: &[u8]) -> Result<PublisherItem, Vec<ValidationError>> {
    let raw: PublisherItemOf<serde_json::Value> =
        serde_json::from_slice(bytes).map_err(|e| schema_error(&e))?;
    let item = raw.typed().map_err(|e| schema_error(&e))?;
    let errors = validate(&item);
    if errors.is_empty() { Ok(item) } else { Err(errors) }
}

/// Which shape a validated file had.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AnyItem {
    /// Publisher input (`publisher_v2`).
    Publisher(Box<PublisherItem>),
    /// Content-store output (`frontend`).
    Frontend(Box<FrontendItem>),
}

/// Validates a file that may hold either shape: a publisher item first, else a frontend item (whose
/// content_id, base_path, title and description are checked). Errors are the publisher attempt's when
/// neither shape fits. Frontend items are checked for content_id, base_path and a title.
pub fn validate_any_json(bytes: &[u8]) -> Result<AnyItem, Vec<ValidationError>> {
    match validate_json(bytes) {
        Ok(item) => Ok(AnyItem::Publisher(Box::new(item))),
        Err(errors) if errors.iter().all(|e| e.error_code == "schema_validation_failed") => {
            match FrontendItem::from_json(bytes) {
                Ok(item) => {
                    let errors = validate_frontend(&item);
                    if errors.is_empty() {
                        Ok(AnyItem::Frontend(Box::new(item)))
                    } else {
                        Err(errors)
                    }
                }
                Err(_) => Err(errors),
            }
        }
        Err(errors) => Err(errors),
    }
}

/// Checks a content-store item: content_id, base_path, and a non-blank title.
pub fn validate_frontend(item: &FrontendItem) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if !is_canonical_uuid(&item.content_id) {
        errors.push(ValidationError::new("uuid_invalid", "content_id is not a canonical UUID"));
    }
    if item.base_path.len() > MAX_BASE_PATH_BYTES {
        errors.push(ValidationError::new("base_path_too_long", "Base path over 512 bytes"));
    } else if !is_absolute_path(&item.base_path) {
        errors.push(ValidationError::new(
            "absolute_path_invalid",
            "Base path is not a valid absolute URL path",
        ));
    }
    // Title and summary limits are authoring rules (content-publisher); published items predate them.
    if item.title.trim().is_empty() {
        errors.push(ValidationError::new("validation_failed", "Enter a title"));
    }
    errors
}

fn schema_error(err: &serde_json::Error) -> Vec<ValidationError> {
    vec![ValidationError::new(
        "schema_validation_failed",
        format!("The payload did not conform to the schema: {err}"),
    )]
}

fn missing(field: &str) -> ValidationError {
    ValidationError::new(
        "schema_validation_failed",
        format!("The payload did not conform to the schema: missing required field `{field}`"),
    )
}

/// Checks a typed publisher item: required fields, content_id, base_path, routes and redirects, title and
/// description limits, and `local_transaction` codes.
pub fn validate(item: &PublisherItem) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    let schema = &item.schema_name;
    let is_redirect = *schema == SchemaName::Redirect;
    let is_gone_like = matches!(schema, SchemaName::Gone | SchemaName::Vanish);

    if let Some(id) = &item.content_id
        && !is_canonical_uuid(id)
    {
        errors.push(ValidationError::new("uuid_invalid", "content_id is not a canonical UUID"));
    }

    let base_path_optional =
        matches!(schema, SchemaName::Contact | SchemaName::Gone) || schema.as_str() == "government";
    match &item.base_path {
        None if !base_path_optional => errors.push(missing("base_path")),
        None => {}
        Some(path) => {
            if path.len() > MAX_BASE_PATH_BYTES {
                errors.push(ValidationError::new("base_path_too_long", "Base path over 512 bytes"));
            } else if !is_absolute_path(path) {
                errors.push(ValidationError::new(
                    "absolute_path_invalid",
                    "Base path is not a valid absolute URL path",
                ));
            }
        }
    }

    if !is_redirect && !is_gone_like {
        match &item.title {
            None => errors.push(missing("title")),
            Some(title) => check_title(title, &mut errors),
        }
        if item.details.is_none() {
            errors.push(missing("details"));
        }
        // Formats without pages of their own (`contact` and a few Whitehall ones) need no routes or renderer.
        let routes_optional = *schema == SchemaName::Contact
            || matches!(
                schema.as_str(),
                "external_content" | "role_appointment" | "world_location" | "government"
            );
        if !routes_optional && item.routes.as_ref().is_none_or(Vec::is_empty) {
            errors.push(missing("routes"));
        }
        if !routes_optional && item.rendering_app.is_none() {
            errors.push(missing("rendering_app"));
        }
    }
    if item.publishing_app.is_none() {
        errors.push(ValidationError::new("publishing_app_missing", "publishing_app is required"));
    }
    if let Some(description) = item.description() {
        check_description(description, &mut errors);
    }
    if is_redirect && item.redirects.as_ref().is_none_or(Vec::is_empty) {
        errors.push(missing("redirects"));
    }

    if let Some(base_path) = item.base_path.as_deref().filter(|p| is_absolute_path(p)) {
        let routes = item.routes.as_deref().unwrap_or_default();
        let redirects = item.redirects.as_deref().unwrap_or_default();
        validate_routes(base_path, routes, redirects, is_redirect, &mut errors);
    }

    if let Some(Details::LocalTransaction(details)) = &item.details {
        for tier in &details.service_tiers {
            if !matches!(tier.as_str(), "county" | "district" | "unitary") {
                errors.push(ValidationError::new(
                    "validation_failed",
                    format!("service_tiers must be county, district or unitary, not {tier:?}"),
                ));
            }
        }
        if details.lgsl_code <= 0 {
            errors.push(ValidationError::new("validation_failed", "LGSL code is not recognised"));
        }
        if let Some(Some(lgil)) = details.lgil_code
            && !(0..=999).contains(&lgil)
        {
            errors.push(ValidationError::new(
                "validation_failed",
                "LGIL code can only be a whole number between 0 and 999",
            ));
        }
    }
    errors
}

fn check_title(title: &str, errors: &mut Vec<ValidationError>) {
    if title.trim().is_empty() {
        errors.push(ValidationError::new("validation_failed", "Enter a title"));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        errors.push(ValidationError::new(
            "validation_failed",
            format!("Enter a title that is fewer than {MAX_TITLE_CHARS} characters long"),
        ));
    }
    if title.contains(['\n', '\r']) {
        errors.push(ValidationError::new("validation_failed", "Enter a title without line breaks"));
    }
}

fn check_description(description: &str, errors: &mut Vec<ValidationError>) {
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(ValidationError::new(
            "validation_failed",
            format!("Enter a summary that is fewer than {MAX_DESCRIPTION_CHARS} characters long"),
        ));
    }
    if description.contains(['\n', '\r']) {
        errors
            .push(ValidationError::new("validation_failed", "Enter a summary without line breaks"));
    }
}
