//! Templates as `GET /v2/template/{id}`, `/version/{n}` and `/v2/templates` serve them
//! (`Template.serialize_for_v2` in notifications-api), with each declared version's history.

use std::collections::BTreeMap;

use gaap_notify::{Postage, Template, TemplatePlaceholder};

use super::rules;
use crate::config::{TemplateConfig, TemplateKind};

/// The `personalisation` object: every placeholder the template uses, each `{"required": true}`; for letters the
/// contact block's placeholders come first, as notifications-utils' letter template lists them.
fn personalisation(t: &TemplateConfig) -> BTreeMap<String, TemplatePlaceholder> {
    let mut fields: Vec<&str> = Vec::new();
    if t.kind == TemplateKind::Letter {
        fields.push(t.letter_contact_block.as_deref().unwrap_or_default());
    }
    if t.kind != TemplateKind::Sms {
        fields.push(t.subject.as_deref().unwrap_or_default());
    }
    fields.push(&t.body);
    rules::placeholder_names(&fields)
        .into_iter()
        .map(|name| (name, TemplatePlaceholder { required: true }))
        .collect()
}

/// A template's postage as Notify gives it: a letter's (second class unless set), none for the others.
pub(super) fn postage(t: &TemplateConfig) -> Option<String> {
    (t.kind == TemplateKind::Letter)
        .then(|| t.postage.clone().unwrap_or_else(|| Postage::Second.as_str().to_owned()))
}

/// One template (at one version) in the v2 shape, and nothing else.
pub(super) fn template(t: &TemplateConfig) -> Template {
    Template {
        id: t.id,
        name: t.name.clone(),
        template_type: t.kind.into(),
        created_at: "2026-01-01T00:00:00.000000Z".to_owned(),
        updated_at: None,
        version: i64::from(t.version),
        created_by: Some("sandbox@notifications.service.gov.uk".to_owned()),
        body: t.body.clone(),
        subject: if t.kind == TemplateKind::Sms { None } else { t.subject.clone() },
        letter_contact_block: t.letter_contact_block.clone(),
        postage: postage(t),
        personalisation: Some(personalisation(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::default_template_ids;

    #[test]
    fn the_shape_is_serialize_for_v2s() {
        let cfg = crate::config::NotifyConfig::default();
        let letter = cfg.templates.iter().find(|t| t.id == default_template_ids::LETTER).unwrap();
        let v = serde_json::to_value(template(letter)).unwrap();
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
        assert_eq!(v["personalisation"], serde_json::json!({"name": {"required": true}}));
    }
}
