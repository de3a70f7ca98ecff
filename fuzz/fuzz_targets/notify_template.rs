//! Templates and placeholders: a template of any channel rendered with fuzzed personalisation must not panic;
//! every placeholder the template lists is reported missing when no value is given, and none when all are.
#![no_main]

use gaap_notify::rules::placeholders;
use gaap_notify::rules::template::{RenderOptions, TemplateContent, TemplateType};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    // `subject \0 body \0 personalisation JSON`
    let mut parts = text.splitn(3, '\0');
    let subject = parts.next().unwrap_or("");
    let body = parts.next().unwrap_or("");
    let values: Map<String, Value> =
        parts.next().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
    let kind = match flags % 3 {
        0 => TemplateType::Sms,
        1 => TemplateType::Email,
        _ => TemplateType::Letter,
    };
    let template =
        TemplateContent { kind, subject: Some(subject.to_owned()), body: body.to_owned() };
    let names = template.placeholders();
    for p in placeholders::scan(body) {
        let _ = (p.name(), p.conditional_text());
    }
    let options = RenderOptions::default();
    let rendered = template.render(&values, &options);
    for m in &rendered.missing {
        assert!(
            names.iter().any(|n| placeholders::names_match(n, m)),
            "{m:?} missing but not a placeholder of {names:?}"
        );
    }
    let _ = placeholders::fill(body, &values, placeholders::FillOptions::default());

    // With every placeholder given a value, nothing is missing.
    let full: Map<String, Value> =
        names.iter().map(|n| (n.clone(), Value::String("x".to_owned()))).collect();
    let rendered = template.render(&full, &options);
    if kind != TemplateType::Letter {
        assert!(
            rendered.missing.is_empty(),
            "missing {:?} with all of {names:?} given",
            rendered.missing
        );
    }
});
