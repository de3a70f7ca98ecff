//! Templates as `GET /v2/template/{id}`, `/version/{n}` and `/v2/templates` serve them
//! (`Template.serialize_for_v2` in notifications-api), with each declared version's history.

use serde_json::{Map, Value, json};

use super::rules;
use crate::config::{TemplateConfig, TemplateKind};

/// The `personalisation` object: every placeholder the template uses, each `{"required": true}`; for letters the
/// contact block's placeholders come first, as notifications-utils' letter template lists them.
fn personalisation(t: &TemplateConfig) -> Value {
    let mut fields: Vec<&str> = Vec::new();
    if t.kind == TemplateKind::Letter {
        fields.push(t.letter_contact_block.as_deref().unwrap_or_default());
    }
    if t.kind != TemplateKind::Sms {
        fields.push(t.subject.as_deref().unwrap_or_default());
    }
    fields.push(&t.body);
    let mut out = Map::new();
    for name in rules::placeholder_names(&fields) {
        out.insert(name, json!({"required": true}));
    }
    Value::Object(out)
}

/// One template (at one version) in the v2 shape, and nothing else.
pub(crate) fn template_json(t: &TemplateConfig) -> Value {
    json!({
        "id": t.id, "type": t.kind.as_str(),
        "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": null,
        "created_by": "sandbox@notifications.service.gov.uk",
        "version": t.version, "body": t.body,
        "subject": if t.kind == TemplateKind::Sms { Value::Null } else { json!(t.subject) },
        "name": t.name,
        "personalisation": personalisation(t),
        "postage": if t.kind == TemplateKind::Letter { json!(t.postage.as_deref().unwrap_or("second")) } else { Value::Null },
        "letter_contact_block": t.letter_contact_block,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::default_template_ids;

    #[test]
    fn the_shape_is_serialize_for_v2s() {
        let cfg = crate::config::NotifyConfig::default();
        let letter = cfg.templates.iter().find(|t| t.id == default_template_ids::LETTER).unwrap();
        let v = template_json(letter);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "body",
                "created_at",
                "created_by",
                "id",
                "letter_contact_block",
                "name",
                "personalisation",
                "postage",
                "subject",
                "type",
                "updated_at",
                "version"
            ]
        );
        assert_eq!(v["personalisation"], json!({"name": {"required": true}}));
    }
}
