//! SMS vectors from alphagov/notifications-utils tests/test_template_types.py (utils 127.0.0 and the
//! PR #1443 head, refs/pull/1443) and tests/test_sanitise_text.py.

use gaap_notify::rules::sms::{CharacterSet, SmsEncoding, SmsOptions, render_sms};
use serde_json::{Map, Value, json};

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn opts(prefix: Option<&str>, encoding: SmsEncoding) -> SmsOptions {
    SmsOptions { prefix: prefix.map(str::to_owned), encoding }
}

// test_template_types.py `test_character_count_for_sms_templates`: (content, values, prefix,
// count as a template, count as a notification).
#[test]
fn character_count_for_sms_templates() {
    let cases: Vec<(&str, Value, Option<&str>, usize, usize)> = vec![
        ("Ŵ", json!({}), None, 1, 1),
        ("'First line.\n", json!({}), None, 12, 12),
        ("\t\n\r", json!({}), None, 0, 0),
        (
            "Content with ((placeholder))",
            json!({"placeholder": "something extra here"}),
            None,
            13,
            33,
        ),
        ("Content with ((placeholder))", json!({"placeholder": ""}), None, 13, 12),
        ("Just content", json!({}), None, 12, 12),
        ("((placeholder))  ", json!({"placeholder": "  "}), None, 0, 0),
        ("  ", json!({}), None, 0, 0),
        (
            "Content with ((placeholder))",
            json!({"placeholder": "something extra here"}),
            Some("GDS"),
            18,
            38,
        ),
        ("Just content", json!({}), Some("GDS"), 17, 17),
        ("((placeholder))  ", json!({"placeholder": "  "}), Some("GDS"), 5, 4),
        ("  ", json!({}), Some("GDS"), 4, 4),
        ("  G      D       S  ", json!({}), None, 5, 5),
        ("P1 \n\n\n\n\n\n P2", json!({}), None, 6, 6),
        ("a    ((placeholder))    b", json!({"placeholder": ""}), None, 4, 3),
    ];
    for encoding in [SmsEncoding::UnicodePreserving, SmsEncoding::LegacyGsmDowngrade] {
        for (content, values, prefix, as_template, as_notification) in &cases {
            let o = opts(*prefix, encoding);
            assert_eq!(
                render_sms(content, &Map::new(), &o).characters,
                *as_template,
                "{content:?} template"
            );
            assert_eq!(
                render_sms(content, &obj(values.clone()), &o).characters,
                *as_notification,
                "{content:?}"
            );
        }
    }
    // "深" is kept (count 1) live and becomes "?" (count 1) in 127.
    assert_eq!(render_sms("深", &Map::new(), &SmsOptions::default()).content, "深");
    assert_eq!(
        render_sms("深", &Map::new(), &opts(None, SmsEncoding::LegacyGsmDowngrade)).content,
        "?"
    );
}

// PR #1443 test_template_types.py `test_character_count_for_unicode_sms_templates`.
#[test]
fn unicode_counts_live() {
    let cases = [
        ("مرحبا", 5, "مرحبا"),
        ("تم إرسال رسالتك", 15, "تم إرسال رسالتك"),
        ("اختبار ١٢٣", 10, "اختبار ١٢٣"),
        ("Hello مرحبا", 11, "Hello مرحبا"),
        ("𠮷", 2, "𠮷"),
        ("Test 𠮷 char", 12, "Test 𠮷 char"),
        ("\u{2F9F4}", 2, "\u{2F9F4}"),
        ("Croeso Ŵ", 8, "Croeso Ŵ"),
        ("Dzień dobry", 11, "Dzień dobry"),
        ("नमस्ते", 6, "नमस्ते"),
        ("你好", 2, "你好"),
        ("Test 😀", 7, "Test 😀"),
        ("👨‍👩‍👧‍👦", 11, "👨‍👩‍👧‍👦"),
        ("Your code is 123456", 19, "Your code is 123456"),
        ("–", 1, "-"),
        ("„Cześć\"", 7, "\"Cześć\""),
        ("مرحبا Test 𠮷 😀", 16, "مرحبا Test 𠮷 😀"),
        ("– — “ ” …", 11, "- - \" \" ..."),
    ];
    for (content, count, sent) in cases {
        let sms = render_sms(content, &Map::new(), &SmsOptions::default());
        assert_eq!(sms.characters, count, "{content}");
        assert_eq!(sms.content, sent, "{content}");
    }
    // `test_character_count_for_unicode_sms_template_with_unicode_prefix`.
    let sms =
        render_sms("\u{2F9F4}", &Map::new(), &opts(Some("👨‍👩‍👧‍👦"), SmsEncoding::UnicodePreserving));
    assert_eq!(sms.content, "👨‍👩‍👧‍👦: \u{2F9F4}");
    assert_eq!((sms.characters, sms.characters_without_prefix), (15, 2));
    // utils 127 version of the same test: `????: ?` counts 7, 1 without the prefix.
    let legacy =
        render_sms("\u{2F9F4}", &Map::new(), &opts(Some("👨‍👩‍👧‍👦"), SmsEncoding::LegacyGsmDowngrade));
    assert_eq!((legacy.characters, legacy.characters_without_prefix), (7, 1));
}

// `test_sms_fragment_count_accounts_for_unicode_and_welsh_characters` (both versions) and
// `test_sms_fragment_count_accounts_for_extended_gsm_characters`.
#[test]
fn fragment_counts() {
    let shared: Vec<(String, usize)> = vec![
        ("à".repeat(71), 1),
        ("à".repeat(160), 1),
        ("à".repeat(161), 2),
        ("à".repeat(306), 2),
        ("à".repeat(307), 3),
        ("à".repeat(612), 4),
        ("à".repeat(613), 5),
        ("à".repeat(765), 5),
        ("à".repeat(766), 6),
        ("à".repeat(918), 6),
        ("à".repeat(919), 7),
        ("ÿ".repeat(70), 1),
        ("ÿ".repeat(71), 2),
        ("ÿ".repeat(134), 2),
        ("ÿ".repeat(135), 3),
        ("ÿ".repeat(268), 4),
        ("ÿ".repeat(269), 5),
        ("ÿ".repeat(402), 6),
        ("ÿ".repeat(403), 7),
        ("à".repeat(70) + "ÿ", 2),
        ("^".repeat(80), 1),
        ("^".repeat(81), 2),
        ("a".repeat(158) + "|", 1),
        ("a".repeat(159) + "|", 2),
        ("a".repeat(304) + "[", 2),
        ("a".repeat(304) + "[]", 3),
        ("â".repeat(69) + "{", 1),
        ("â".repeat(70) + "{", 2),
        ("â".repeat(133) + "}", 2),
        ("â".repeat(134) + "}", 3),
        ("a".repeat(160) + "(( placeholder with â ))", 1),
        ("a".repeat(160) + "(( placeholder with | ))", 1),
    ];
    for encoding in [SmsEncoding::UnicodePreserving, SmsEncoding::LegacyGsmDowngrade] {
        for (content, fragments) in &shared {
            let sms = render_sms(content, &Map::new(), &opts(None, encoding));
            assert_eq!(
                sms.fragments,
                *fragments,
                "{encoding:?} {} chars of {:?}",
                content.chars().count(),
                content.chars().next()
            );
        }
    }
    let live = SmsOptions::default();
    assert_eq!(render_sms(&"🚀".repeat(35), &Map::new(), &live).fragments, 1);
    assert_eq!(render_sms(&"🚀".repeat(36), &Map::new(), &live).fragments, 2);
    assert_eq!(render_sms(&"🚀".repeat(36), &Map::new(), &live).encoding, CharacterSet::Ucs2);
    // utils 127: emoji become `?`, which is GSM.
    let legacy = opts(None, SmsEncoding::LegacyGsmDowngrade);
    assert_eq!(render_sms(&"🚀".repeat(160), &Map::new(), &legacy).fragments, 1);
    assert_eq!(render_sms(&"🚀".repeat(161), &Map::new(), &legacy).fragments, 2);
}

// PR #1443 `test_non_gsm_characters` cases: which content forces UCS-2.
#[test]
fn ucs2_detection() {
    let cases = [
        ("ÿ", true),
        ("àÿ", true),
        ("🚀", true),
        ("…", false),
        ("The quick brown fox jumps over the lazy dog", false),
        ("The “quick” brown fox has some downgradable characters\u{a0}", false),
        ("Need more 🐮🔔", true),
        ("Ŵêlsh chârâctêrs ârê cômpâtîblê wîth SanitiseSMS", true),
        ("Lots of GSM chars that arent ascii compatible:\n\r€", false),
        (
            "Obscure\u{a0}whitespace\u{202f}characters which \u{2028}we \u{2029}normalise o\u{180e}ut",
            false,
        ),
    ];
    for (content, ucs2) in cases {
        let sms = render_sms(content, &Map::new(), &SmsOptions::default());
        assert_eq!(sms.encoding == CharacterSet::Ucs2, ucs2, "{content}");
    }
    let legacy = opts(None, SmsEncoding::LegacyGsmDowngrade);
    assert_eq!(render_sms("Need more 🐮🔔", &Map::new(), &legacy).encoding, CharacterSet::Gsm);
}

// `test_phone_templates_normalise_whitespace` (127 removes the zero-width joiner, #1443 keeps it).
#[test]
fn whitespace_normalisation() {
    let content = "  Hi\u{a0}there\u{a0} what's\u{200d} up\t";
    assert_eq!(
        render_sms(content, &Map::new(), &SmsOptions::default()).content,
        "Hi there what's\u{200d} up"
    );
    let legacy = opts(None, SmsEncoding::LegacyGsmDowngrade);
    assert_eq!(render_sms(content, &Map::new(), &legacy).content, "Hi there what's up");
}

#[test]
fn cap_is_918_without_prefix() {
    let o = opts(Some("Service"), SmsEncoding::UnicodePreserving);
    let ok = render_sms(&"a".repeat(918), &Map::new(), &o);
    assert!(!ok.too_long);
    assert_eq!(ok.characters, 918 + "Service: ".len());
    let over = render_sms(&"a".repeat(919), &Map::new(), &o);
    assert!(over.too_long);
    assert_eq!(
        over.too_long_message(),
        "Your message is too long. Text messages cannot be longer than 918 characters. Your message is 919 characters long."
    );
    // The cap is on characters: 918 UCS-2 characters are 14 fragments.
    assert_eq!(render_sms(&"ŵ".repeat(918), &Map::new(), &SmsOptions::default()).fragments, 14);
}

#[test]
fn missing_personalisation_in_first_seen_order() {
    let values = obj(json!({"Other": "x", "first name": null}));
    let sms = render_sms(
        "((First_Name)) ((b)) ((first-name)) ((a??yes))",
        &values,
        &SmsOptions::default(),
    );
    assert_eq!(sms.missing, ["First_Name", "b", "a"]);
    assert_eq!(sms.content, "((First_Name)) ((b)) ((first-name)) ((a??yes))");
}
