//! `/v2/template`: get a template (or one version), list templates and preview one.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use gaap_notify::{TemplateList, TemplatePreview};
use serde_json::Map;

use crate::config::TemplateKind;

use super::reads::{path_uuid, query_pairs};
use super::request::{Schema, parse_body};
use super::send::check_missing;
use super::{ApiError, NotifyState, Result, rules, template_type, templates};

pub(super) async fn get_template(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "template_id")?;
    let t = state.template(id).ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(templates::template(t)).into_response())
}

pub(super) async fn get_template_version(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "template_id")?;
    let version: u32 = version.parse().map_err(|_| {
        ApiError::validation(vec![format!("version {version} is not of type integer")])
    })?;
    let t =
        state.template(id).and_then(|t| t.at_version(version)).ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(templates::template(&t)).into_response())
}

pub(super) async fn list_templates(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let mut kind = None;
    for (k, v) in query_pairs(raw.as_deref()) {
        match k.as_str() {
            "type" => {
                kind = Some(template_type("type", &v).map_err(|m| ApiError::validation(vec![m]))?);
            }
            other => {
                return Err(ApiError::validation(vec![format!(
                    "Additional properties are not allowed ({other} was unexpected)"
                )]));
            }
        }
    }
    let templates = state
        .cfg
        .templates
        .iter()
        .filter(|t| kind.as_ref().is_none_or(|k| *k == t.kind.into()))
        .map(templates::template)
        .collect();
    Ok(axum::Json(TemplateList { templates }).into_response())
}

pub(super) async fn preview_template(
    State(state): State<Arc<NotifyState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    state.authenticate(&headers)?;
    let id = path_uuid(&id, "id")?;
    let body = if body.is_empty() { Map::new() } else { parse_body(&body)? };
    let mut schema = Schema::new(&body, &["personalisation"], &[]);
    let personalisation = schema.personalisation();
    schema.finish()?;
    let t = state.template(id).ok_or_else(ApiError::not_found)?;
    let contact = t.letter_contact_block.clone().unwrap_or_default();
    check_missing(t, &personalisation, &[&contact])?;
    let (body_text, subject, html) = match t.kind {
        TemplateKind::Email => {
            let r =
                rules::email(t.subject.as_deref().unwrap_or_default(), &t.body, &personalisation);
            (r.content, Some(r.subject), Some(r.html))
        }
        TemplateKind::Sms => (rules::sms(&t.body, &personalisation).content, None, None),
        TemplateKind::Letter => (
            rules::fill_body(&t.body, &personalisation),
            t.subject.as_deref().map(|s| rules::fill(s, &personalisation)),
            None,
        ),
    };
    Ok(axum::Json(TemplatePreview {
        id: t.id,
        template_type: t.kind.into(),
        version: i64::from(t.version),
        body: body_text,
        html,
        subject,
        postage: templates::postage(t),
    })
    .into_response())
}
