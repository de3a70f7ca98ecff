//! Email vectors from alphagov/notifications-utils tests/recipient_validation/test_email_address.py
//! and tests/test_template_types.py.

use gaap_notify::rules::email::render_email;
use gaap_notify::rules::email_address::{
    validate_and_format_email_address, validate_email_address,
};
use serde_json::{Map, Value, json};

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

// `valid_email_addresses`.
#[test]
fn valid_addresses() {
    for address in [
        "email@domain.com",
        "email@domain.COM",
        "firstname.lastname@domain.com",
        "firstname.o'lastname@domain.com",
        "email@subdomain.domain.com",
        "firstname+lastname@domain.com",
        "1234567890@domain.com",
        "email@domain-one.com",
        "_______@domain.com",
        "email@domain.name",
        "email@domain.superlongtld",
        "email@domain.co.jp",
        "firstname-lastname@domain.com",
        "info@german-financial-services.vermögensberatung",
        "info@german-financial-services.reallylongarbitrarytldthatiswaytoohugejustincase",
        "japanese-info@例え.テスト",
        "email@double--hyphen.com",
    ] {
        assert!(validate_email_address(address).is_ok(), "{address}");
    }
}

// `invalid_email_addresses`.
#[test]
fn invalid_addresses() {
    let long_local = format!("email-too-long-{}@example.com", "a".repeat(320));
    let long_label = format!("email@{}.com", "a".repeat(64));
    for address in [
        "email@123.123.123.123",
        "email@[123.123.123.123]",
        "plainaddress",
        "@no-local-part.com",
        "Outlook Contact <outlook-contact@domain.com>",
        "no-at.domain.com",
        "no-tld@domain",
        ";beginning-semicolon@domain.co.uk",
        "middle-semicolon@domain.co;uk",
        "trailing-semicolon@domain.com;",
        "\"email+leading-quotes@domain.com",
        "email+middle\"-quotes@domain.com",
        "\"quoted-local-part\"@domain.com",
        "\"quoted@domain.com\"",
        "lots-of-dots@domain..gov..uk",
        "two-dots..in-local@domain.com",
        "multiple@domains@domain.com",
        "spaces in local@domain.com",
        "spaces-in-domain@dom ain.com",
        "underscores-in-domain@dom_ain.com",
        "pipe-in-domain@example.com|gov.uk",
        "comma,in-local@gov.uk",
        "comma-in-domain@domain,gov.uk",
        "pound-sign-in-local£@domain.com",
        "local-with-’-apostrophe@domain.com",
        "local-with-”-quotes@domain.com",
        "domain-starts-with-a-dot@.domain.com",
        "brackets(in)local@domain.com",
        "incorrect-punycode@xn---something.com",
        long_local.as_str(),
        long_label.as_str(),
    ] {
        let err = validate_email_address(address).unwrap_err();
        assert_eq!(err.to_string(), "Not a valid email address", "{address}");
    }
}

#[test]
fn formatting_strips_and_lowercases() {
    assert_eq!(
        validate_and_format_email_address("\u{200b} Test@Example.COM\u{a0}").as_deref(),
        Ok("test@example.com")
    );
}

// test_template_types.py: headings, lists, links and the plain-text renderer.
#[test]
fn markdown_to_html_and_plain_text() {
    let values = obj(json!({"name": "Ann <b>", "things": ["one", "two"]}));
    let body = "# Heading\n\nHello ((name)),\nsecond line\n\n* a\n* b\n\n^ Inset\n\n---\n\n[Link](https://example.com \"T\") https://www.gov.uk/x.\n\n((things))";
    let email = render_email("Dear  ((name)) - hi", body, &values);
    assert!(email.html.starts_with("<h2 style=\"Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 27px; line-height: 35px; font-weight: bold; color: #0B0C0C;\">Heading</h2>"), "{}", email.html);
    assert!(email.html.contains("Hello Ann &lt;b&gt;,<br>second line</p>"), "{}", email.html);
    assert!(email.html.contains("list-style-type: disc;"), "{}", email.html);
    assert!(email.html.contains("<blockquote"));
    assert!(email.html.contains("<hr style="));
    assert!(email.html.contains("<a style=\"word-wrap: break-word; color: #1D70B8;\" href=\"https://example.com\" title=\"T\">Link</a>"), "{}", email.html);
    assert!(
        email.html.contains("href=\"https://www.gov.uk/x\">https://www.gov.uk/x</a>."),
        "{}",
        email.html
    );
    assert_eq!(email.subject, "Dear Ann <b> – hi");
    assert!(email.plain_text.starts_with("Heading\n=================================================================\n\nHello Ann <b>,\nsecond line\n\n• a\n• b"), "{:?}", email.plain_text);
    assert!(email.plain_text.contains("Link (T): https://example.com"), "{:?}", email.plain_text);
    assert!(email.plain_text.contains("• one\n• two"), "{:?}", email.plain_text);
    assert!(email.plain_text.ends_with('\n'));
    assert!(email.missing.is_empty());
}

#[test]
fn govuk_is_not_linkified() {
    let email = render_email("s", "Visit GOV.UK today", &Map::new());
    assert!(email.html.contains("GOV.\u{200b}UK"), "{}", email.html);
}

#[test]
fn size_cap() {
    let body = "a".repeat(2_000_001);
    let email = render_email("s", &body, &Map::new());
    assert!(email.too_long);
    assert_eq!(
        email.too_long_message(),
        "Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 2000001 bytes."
    );
    assert!(!render_email("s", &"a".repeat(2_000_000), &Map::new()).too_long);
}

#[test]
fn subject_placeholders_come_first_in_missing() {
    let email = render_email("((Ref)) update", "Hello ((name)) ((ref))", &Map::new());
    assert_eq!(email.missing, ["Ref", "name"]);
}

// Found by the `notify_email` fuzz target: HTML written in a template body reached the email's HTML as markup.
// notifications-utils `Field(html="escape")` escapes the content as well as the values
// (tests/test_field.py: `string <em>with</em> html` -> `string &lt;em&gt;with&lt;/em&gt; html`).
#[test]
fn html_written_in_the_template_body_is_escaped_like_values() {
    let email = render_email(
        "Hi",
        "string <em>with</em> html ((name)) <script>alert(1)</script> ((other??<i>shown</i>)) ((missing<x>))",
        &obj(json!({"name": "<b>Ann</b>", "other": "yes"})),
    );
    assert!(email.html.contains("string &lt;em&gt;with&lt;/em&gt; html"), "{}", email.html);
    assert!(email.html.contains("&lt;b&gt;Ann&lt;/b&gt;"), "{}", email.html);
    assert!(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", email.html);
    assert!(email.html.contains("&lt;i&gt;shown&lt;/i&gt;"), "{}", email.html);
    assert!(
        !email.html.contains("<script")
            && !email.html.contains("<em>")
            && !email.html.contains("<i>"),
        "{}",
        email.html
    );
    // The plain text keeps what was written.
    assert!(email.plain_text.contains("string <em>with</em> html"), "{}", email.plain_text);
}

/// The attribute names of every tag in `html`, read as a browser reads them (values in double quotes).
fn attribute_names(html: &str) -> Vec<String> {
    let mut names = Vec::new();
    for tag in html.split('<').skip(1) {
        let mut rest = tag.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '/');
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with('>') {
                break;
            }
            let end = rest
                .find(|c: char| c == '=' || c == '>' || c.is_whitespace())
                .unwrap_or(rest.len());
            names.push(rest[..end].to_owned());
            rest = &rest[end..];
            if let Some(value) = rest.strip_prefix("=\"") {
                rest = value.split_once('"').map_or("", |(_, after)| after);
            } else if let Some(value) = rest.strip_prefix('=') {
                rest = value.trim_start_matches(|c: char| c != '>' && !c.is_whitespace());
            }
        }
    }
    names
}

// Long-run fuzz finding (`notify_email`, fuzz/findings/README.md): a link title holding a double quote
// closed the `title` attribute early, so the rest of the title became attributes of the link, an `on*`
// handler among them. A title is text in a double-quoted attribute: its quotes are written `&quot;`.
#[test]
fn fuzz_finding_a_quote_in_a_link_title_stays_inside_the_title() {
    let body = "[Pay](https://example.com \"now\" onmouseover=\"steal\")";
    let email = render_email("Subject", body, &Map::new());
    assert!(
        email.html.contains(
            "href=\"https://example.com\" title=\"now&quot; onmouseover=&quot;steal\">Pay</a>"
        ),
        "{}",
        email.html
    );
    // The input the fuzzer found, as it came.
    let found = "Cl[J](ar( \"title\")( onitle\")[Je](aript:laert(2( \"title[he[Je](aript:lae2( \"titlrt(1( onitle\")[Je](aript:laert(2( \"title[here]2CCC";
    for body in [body, found] {
        let html = render_email("Subject", body, &Map::new()).html;
        let names = attribute_names(&html);
        assert!(
            names.iter().all(|n| n == "style" || n == "href" || n == "title"),
            "{names:?} in {html}"
        );
    }
}
