//! Reading a v2 request body: JSON object, allowed and required properties, and Notify's schema messages.

use axum::body::Bytes;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{ApiError, Result};

pub(super) fn parse_body(body: &Bytes) -> Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::validation(vec!["JSON body is not of type object".to_owned()])),
        Err(_) => Err(ApiError::bad_request("Invalid JSON supplied in POST data")),
    }
}

/// Python's `repr`-less, quote-stripped rendering of a JSON value, as `build_error_message` leaves it.
pub(super) fn bare(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        other => other.to_string().replace('\'', ""),
    }
}

/// A JSON-schema pass in the style of notification_schemas.py: required, types, UUIDs, lengths, extras.
pub(super) struct Schema<'a> {
    pub(super) body: &'a Map<String, Value>,
    pub(super) errors: Vec<String>,
}

impl<'a> Schema<'a> {
    pub(super) fn new(body: &'a Map<String, Value>, allowed: &[&str], required: &[&str]) -> Self {
        let mut errors = Vec::new();
        for field in required {
            if !body.contains_key(*field) {
                errors.push(format!("{field} is a required property"));
            }
        }
        let extra: Vec<&str> =
            body.keys().map(String::as_str).filter(|k| !allowed.contains(k)).collect();
        if !extra.is_empty() {
            let verb = if extra.len() == 1 { "was" } else { "were" };
            errors.push(format!(
                "Additional properties are not allowed ({} {verb} unexpected)",
                extra.join(", ")
            ));
        }
        Self { body, errors }
    }

    pub(super) fn string(&mut self, field: &str) -> Option<&'a str> {
        match self.body.get(field)? {
            Value::String(s) => Some(s),
            other => {
                self.errors.push(format!("{field} {} is not of type string", bare(other)));
                None
            }
        }
    }

    pub(super) fn uuid(&mut self, field: &str) -> Option<Uuid> {
        let value = self.body.get(field)?;
        match value.as_str().map(Uuid::parse_str) {
            Some(Ok(id)) => Some(id),
            _ => {
                self.errors.push(format!("{field} is not a valid UUID"));
                None
            }
        }
    }

    pub(super) fn reference(&mut self) -> Option<String> {
        match self.body.get("reference")? {
            Value::Null => None,
            Value::String(s) if s.chars().count() > 1000 => {
                self.errors.push(format!("reference {s} is too long"));
                None
            }
            Value::String(s) => Some(s.clone()),
            other => {
                self.errors.push(format!("reference {} is not of type string, null", bare(other)));
                None
            }
        }
    }

    pub(super) fn personalisation(&mut self) -> Map<String, Value> {
        match self.body.get("personalisation") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(other) => {
                self.errors.push(format!("personalisation {} is not of type object", bare(other)));
                Map::new()
            }
        }
    }

    pub(super) fn finish(self) -> Result<()> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::validation(self.errors)) }
    }
}
