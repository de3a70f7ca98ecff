//! Email markdown: rendering a fuzzed body with fuzzed personalisation must not panic, and the HTML must be
//! inert (no script, no `on*` attribute, no `javascript:` URL), whatever the template or its values hold.
#![no_main]

#[path = "common/html.rs"]
mod html;

use gaap_notify::rules::email::render_email;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // `body \0 value-for-every-placeholder`
    let (body, value) = text.split_once('\0').unwrap_or((text, ""));
    let mut values = Map::new();
    for name in gaap_notify::rules::placeholders::placeholder_names([body]) {
        values.insert(name, Value::String(value.to_owned()));
    }
    let email = render_email("Subject ((name))", body, &values);
    html::assert_inert(&email.html, text);
    assert!(email.plain_text.ends_with('\n'));
    let _ = email.too_long_message();
});
