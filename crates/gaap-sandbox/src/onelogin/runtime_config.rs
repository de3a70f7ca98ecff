//! The simulator's runtime `/config`, for the part the sandbox lets change while it runs: the error knobs
//! (`errorConfiguration`: `idTokenErrors`, `coreIdentityErrors`, `authoriseErrors`). `GET /config` shows them;
//! `POST /config` replaces those it is given, refusing unknown values with 400, and refuses the simulator's
//! other sections (client and response configuration, signing keys), which the sandbox takes from its config
//! file only.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{CORE_IDENTITY_ERRORS, ID_TOKEN_ERRORS, OneLoginState};

/// The simulator's `AuthoriseError` values.
const AUTHORISE_ERRORS: [&str; 2] = ["ACCESS_DENIED", "TEMPORARILY_UNAVAILABLE"];

/// The error knobs in force.
#[derive(Debug, Clone, Default)]
pub(crate) struct Knobs {
    pub(crate) id_token_errors: Vec<String>,
    pub(crate) core_identity_errors: Vec<String>,
    pub(crate) authorise_error: Option<String>,
}

impl Knobs {
    fn json(&self) -> Value {
        json!({"errorConfiguration": {
            "idTokenErrors": self.id_token_errors,
            "coreIdentityErrors": self.core_identity_errors,
            "authoriseErrors": self.authorise_error.iter().collect::<Vec<_>>(),
        }})
    }
}

fn refused(field: &str, message: &str) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({"errors": {field: {"msg": message}}})))
        .into_response()
}

/// A list of known names, or the 400 naming the field.
fn names(value: &Value, field: &str, known: &[&str]) -> Result<Vec<String>, Box<Response>> {
    let list = value.as_array().ok_or_else(|| Box::new(refused(field, "must be an array")))?;
    list.iter()
        .map(|v| match v.as_str() {
            Some(name) if known.contains(&name) => Ok(name.to_owned()),
            _ => Err(Box::new(refused(field, &format!("{v} is not one of {}", known.join(", "))))),
        })
        .collect()
}

pub(super) async fn get_config(State(s): State<Arc<OneLoginState>>) -> Response {
    axum::Json(s.knobs().json()).into_response()
}

pub(super) async fn post_config(State(s): State<Arc<OneLoginState>>, body: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return refused("body", "must be a JSON object");
    };
    if let Some(other) = body.keys().find(|k| *k != "errorConfiguration") {
        return refused(other, "gaap-sandbox takes this from its config file, not at runtime");
    }
    let Some(errors) = body.get("errorConfiguration") else {
        return StatusCode::OK.into_response();
    };
    let Some(errors) = errors.as_object() else {
        return refused("errorConfiguration", "must be an object");
    };
    let mut knobs = s.knobs();
    for (key, value) in errors {
        let applied = match key.as_str() {
            "idTokenErrors" => {
                names(value, key, &ID_TOKEN_ERRORS).map(|n| knobs.id_token_errors = n)
            }
            "coreIdentityErrors" => {
                names(value, key, &CORE_IDENTITY_ERRORS).map(|n| knobs.core_identity_errors = n)
            }
            "authoriseErrors" => names(value, key, &AUTHORISE_ERRORS)
                .map(|n| knobs.authorise_error = n.into_iter().next()),
            other => Err(Box::new(refused(other, "is not an errorConfiguration field"))),
        };
        if let Err(response) = applied {
            return *response;
        }
    }
    s.set_knobs(knobs);
    StatusCode::OK.into_response()
}
