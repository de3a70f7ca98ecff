//! The SMS pipeline: rendering fuzzed text must not panic, the counts must agree with the content, and
//! sanitised text must be a fixed point of the sanitiser.
#![no_main]

use gaap_notify::rules::sms::{self, SmsEncoding, SmsOptions};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let (template, value) = text.split_once('\0').unwrap_or((text, ""));
    let encoding = if flags & 1 == 0 {
        SmsEncoding::UnicodePreserving
    } else {
        SmsEncoding::LegacyGsmDowngrade
    };
    let prefix = (flags & 4 != 0).then(|| "Service".to_owned());
    let options = SmsOptions { prefix, encoding };
    let mut values = Map::new();
    for name in gaap_notify::rules::placeholders::placeholder_names([template]) {
        values.insert(name, Value::String(value.to_owned()));
    }
    let message = sms::render_sms(template, &values, &options);
    assert_eq!(
        message.characters,
        sms::utf16_len(&message.content),
        "count of {:?}",
        message.content
    );
    let _ = message.too_long_message();

    let once = sms::sanitise(template, encoding);
    assert_eq!(sms::sanitise(&once, encoding), once, "sanitise is not idempotent on {template:?}");
    let ascii = sms::sanitise_ascii(template);
    assert_eq!(
        sms::sanitise_ascii(&ascii),
        ascii,
        "sanitise_ascii is not idempotent on {template:?}"
    );
});
