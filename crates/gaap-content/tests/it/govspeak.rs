//! Govspeak cases derived from alphagov/govspeak's tests (`test/govspeak_test.rb`,
//! `test/govspeak_footnote_test.rb`, `test/govspeak_devolved_content_test.rb`, `test/govspeak_button_test.rb`,
//! `test/govspeak_informational_test.rb`, `test/html_sanitizer_test.rb`), at gem 10.11.0 (`06a08dc`).
//! Expected HTML is compared with whitespace between tags ignored (the gem's indentation comes from kramdown's
//! pretty printer, not from the markup).

use gaap_content::govspeak::{Mode, Options, is_valid, render, render_with};

/// Drops whitespace that sits between two tags, collapses other whitespace runs to one space (as a browser
/// renders them), and trims.
fn normalise(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let chars: Vec<char> = html.trim().chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let prev = out.chars().last();
            let next = chars.get(i).copied();
            if prev == Some('>') && next == Some('<') {
                continue;
            }
            // Elsewhere a run of whitespace renders as one space.
            let _ = start;
            out.push(' ');
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[track_caller]
fn assert_compat(source: &str, expected: &str) {
    let actual = render(source, Mode::Compat);
    assert_eq!(normalise(&actual), normalise(expected), "\nsource: {source:?}\nactual:\n{actual}");
}

#[test]
fn smoke_emphasis() {
    // govspeak_test.rb "simple smoke-test"
    assert_eq!(render("*this is markdown*", Mode::Compat), "<p><em>this is markdown</em></p>\n");
}

#[test]
fn strips_forbidden_unicode() {
    assert_compat(
        "this is text with forbidden characters \u{0008}\u{000b}\u{fffe}\u{2ffff}\u{5fffe}",
        "<p>this is text with forbidden characters</p>",
    );
}

#[test]
fn helpful_callout() {
    let expected = r#"<div role="note" aria-label="Warning" class="application-notice help-notice">
<p>I am very helpful</p>
</div>"#;
    assert_compat("% I am very helpful %", expected);
    assert_compat("% I am very helpful", expected);
    assert_compat(
        "The following is very helpful\n% I am very helpful %",
        &format!("<p>The following is very helpful</p>\n{expected}"),
    );
}

#[test]
fn helpful_between_headings() {
    assert_compat(
        "## Hello ##\n\n% I am very helpful %\r\n### Young Workers ###\n\n",
        r#"<h2 id="hello">Hello</h2>
<div role="note" aria-label="Warning" class="application-notice help-notice"><p>I am very helpful</p></div>
<h3 id="young-workers">Young Workers</h3>"#,
    );
}

#[test]
fn informational_callout() {
    // govspeak_informational_test.rb
    let expected = r#"<div role="note" aria-label="Information" class="application-notice info-notice"><p>I am very informational</p></div>"#;
    assert_compat("^ I am very informational", expected);
    assert_compat("^ I am very informational ^", expected);
    assert_compat("^I am very informational", expected);
}

#[test]
fn links_internal_and_external() {
    assert_compat(
        "This is a [link](http://www.gov.uk) isn't it?",
        r#"<p>This is a <a href="http://www.gov.uk">link</a> isn’t it?</p>"#,
    );
    assert_compat(
        "[external link without x markers](http://www.google.com)",
        r#"<p><a rel="external" href="http://www.google.com">external link without x markers</a></p>"#,
    );
    assert_compat(
        "Text before [an external link](http://www.google.com) and text afterwards",
        r#"<p>Text before <a rel="external" href="http://www.google.com">an external link</a> and text afterwards</p>"#,
    );
    assert_compat(
        "[link with no host is assumed to be internal](/)",
        r#"<p><a href="/">link with no host is assumed to be internal</a></p>"#,
    );
    assert_compat("[link](mailto:a@b.com)", r#"<p><a href="mailto:a@b.com">link</a></p>"#);
    assert_compat(
        "x[a link](http://rubyforge.org)x",
        r#"<p><a href="http://rubyforge.org" rel="external">a link</a></p>"#,
    );
    assert_compat(
        "x[an xx link](http://x.com)x",
        r#"<p><a href="http://x.com" rel="external">an xx link</a></p>"#,
    );
    assert_compat("xaa", "<p>xaa</p>");
}

#[test]
fn document_domains_option() {
    let options =
        Options { document_domains: vec!["www.not-external.com".into()], ..Options::default() };
    let html = render_with("[internal link](http://www.not-external.com)", &options);
    assert!(!html.contains("rel=\"external\""), "{html}");
}

#[test]
fn image_with_external_url() {
    assert_compat(
        "![image with external url](http://www.example.com/image.jpg)",
        r#"<p><img src="http://www.example.com/image.jpg" alt="image with external url"></p>"#,
    );
}

#[test]
fn acronyms() {
    assert_compat(
        "HTML\n\n*[HTML]: Hyper Text Markup Language",
        r#"<p><abbr title="Hyper Text Markup Language">HTML</abbr></p>"#,
    );
}

#[test]
fn summary_contact_form_download_place() {
    assert_compat("$!\nrainbow\n$!", r#"<div class="summary"><p>rainbow</p></div>"#);
    assert_compat("$C help, send cake $C", r#"<div class="contact"><p>help, send cake</p></div>"#);
    assert_compat(
        "$D\ncan you tell me how to get to...\n$D",
        r#"<div class="form-download"><p>can you tell me how to get to…</p></div>"#,
    );
    assert_compat(
        "$P\n$I\nhelp\n$I\n$P",
        "<div class=\"place\">\n\n<div class=\"information\">\n<p>help</p>\n</div>\n</div>",
    );
}

#[test]
fn address_blocks() {
    let expected = "<div class=\"address\"><div class=\"adr org fn\"><p>\n123 Test Street<br>Testcase Cliffs<br>Teston<br>0123 456 7890\n</p></div></div>";
    // "trailing space after the address should not prevent parsing"
    assert_compat("$A\n123 Test Street\nTestcase Cliffs\nTeston\n0123 456 7890 $A    ", expected);
    assert_compat(
        "$A\r\n123 Test Street\r\nTestcase Cliffs\r\nTeston\r\n0123 456 7890\r\n$A",
        expected,
    );
    // trailing backslashes and spaces are stripped
    assert_compat(
        "$A\r\n123 Test Street\\\r\nTestcase Cliffs\\\nTeston\\\\\r\n0123 456 7890\\\\\n$A",
        expected,
    );
    assert_compat(
        "$A\r\n123 Test Street \r\nTestcase Cliffs  \nTeston   \r\n0123 456 7890    \n$A",
        expected,
    );
    assert_compat(
        "Paragraph1\n\n$A\n123 Test Street\nTestcase Cliffs\nTeston\n0123 456 7890 $A",
        &format!("<p>Paragraph1</p>\n\n{expected}"),
    );
    assert_compat(
        "$A\nstreet with ACRONYM\nroad\n$A\n\n*[ACRONYM]: This is the acronym explanation",
        "<div class=\"address\"><div class=\"adr org fn\"><p>\nstreet with <abbr title=\"This is the acronym explanation\">ACRONYM</abbr><br>road\n</p></div></div>",
    );
}

#[test]
fn call_to_action() {
    assert_compat(
        "$CTA\nClick here to start the tool\n$CTA",
        r#"<div class="call-to-action"><p>Click here to start the tool</p></div>"#,
    );
    assert_compat(
        "$CTA Click here to start the program $CTA\n\nHere is some text",
        r#"<div class="call-to-action"><p>Click here to start the program</p></div><p>Here is some text</p>"#,
    );
    assert_compat(
        "Some text\n\n$CTAClick anywhere to start the program$CTA\n\nHere is some text",
        r#"<p>Some text</p><div class="call-to-action"><p>Click anywhere to start the program</p></div><p>Here is some text</p>"#,
    );
    assert_compat(
        "$CTA\n|Heading 1|Heading 2|\n|-|-|\n|information|more information|\n$CTA",
        r#"<div class="call-to-action"><table><thead><tr><th scope="col">Heading 1</th><th scope="col">Heading 2</th></tr></thead><tbody><tr><td>information</td><td>more information</td></tr></tbody></table></div>"#,
    );
    assert_compat(
        "$CTA\n[external link](http://www.external.com) some text\n$CTA\n",
        r#"<div class="call-to-action"><p><a rel="external" href="http://www.external.com">external link</a> some text</p></div>"#,
    );
    assert_compat(
        "$CTA\nClick here to start the tool\n$CTA\n\n$C\nHere is some text\n$C\n",
        r#"<div class="call-to-action"><p>Click here to start the tool</p></div><div class="contact"><p>Here is some text</p></div>"#,
    );
}

#[test]
fn call_to_action_with_heading_and_steps() {
    assert_compat(
        "$CTA\n\n### A heading within the CTA\n\n|Heading 1|Heading 2|\n|-|-|\n|information|more information|\n\n$CTA",
        r#"<div class="call-to-action"><h3 id="a-heading-within-the-cta">A heading within the CTA</h3><table><thead><tr><th scope="col">Heading 1</th><th scope="col">Heading 2</th></tr></thead><tbody><tr><td>information</td><td>more information</td></tr></tbody></table></div>"#,
    );
    assert_compat(
        "$CTA\n\nThis is a test:\n\ns1. This is number 1.\ns2. This is number 2.\ns3. This is number 3.\ns4. This is number 4.\n\n$CTA",
        r#"<div class="call-to-action"><p>This is a test:</p><ol class="steps"><li><p>This is number 1.</p></li><li><p>This is number 2.</p></li><li><p>This is number 3.</p></li><li><p>This is number 4.</p></li></ol></div>"#,
    );
}

#[test]
fn steps_with_acronym() {
    assert_compat(
        "s1. This is number 1.\ns2. This is number 2 with an ACRONYM.\n\n*[ACRONYM]: This is the acronym explanation",
        r#"<ol class="steps"><li><p>This is number 1.</p></li><li><p>This is number 2 with an <abbr title="This is the acronym explanation">ACRONYM</abbr>.</p></li></ol>"#,
    );
    // "s428" inside a sentence is not a step.
    assert_compat(
        "Zippy, Bungle and George did not qualify for the tax exemption in s428. They filled in their tax return accordingly.",
        "<p>Zippy, Bungle and George did not qualify for the tax exemption in s428. They filled in their tax return accordingly.</p>",
    );
}

#[test]
fn footnotes() {
    // govspeak_footnote_test.rb
    let source = "Footnotes can be added[^1].\n\n[^1]: And then later defined.\n\nFootnotes can be added too[^2].\n\n[^2]: And then later defined too.\n\nThis footnote has a reference number[^3].\n\nAnd this footnote has the same reference number[^3].\n\n[^3]: And then they both point here.";
    let expected = r##"<p>Footnotes can be added<sup id="fnref:1"><a href="#fn:1" class="footnote" rel="footnote" role="doc-noteref">[footnote 1]</a></sup>.</p>
<p>Footnotes can be added too<sup id="fnref:2"><a href="#fn:2" class="footnote" rel="footnote" role="doc-noteref">[footnote 2]</a></sup>.</p>
<p>This footnote has a reference number<sup id="fnref:3"><a href="#fn:3" class="footnote" rel="footnote" role="doc-noteref">[footnote 3]</a></sup>.</p>
<p>And this footnote has the same reference number<sup id="fnref:3:1"><a href="#fn:3" class="footnote" rel="footnote" role="doc-noteref">[footnote 3]</a></sup>.</p>
<div class="footnotes" role="doc-endnotes">
  <ol>
    <li id="fn:1">
      <p>And then later defined. <a href="#fnref:1" class="reversefootnote" role="doc-backlink" aria-label="go to where this is referenced">↩</a></p>
    </li>
    <li id="fn:2">
      <p>And then later defined too. <a href="#fnref:2" class="reversefootnote" role="doc-backlink" aria-label="go to where this is referenced">↩</a></p>
    </li>
    <li id="fn:3">
      <p>And then they both point here. <a href="#fnref:3" class="reversefootnote" role="doc-backlink" aria-label="go to where this is referenced">↩</a> <a href="#fnref:3:1" class="reversefootnote" role="doc-backlink" aria-label="go to where this is referenced 2">↩<sup>2</sup></a></p>
    </li>
  </ol>
</div>"##;
    assert_compat(source, expected);
}

#[test]
fn footnote_inside_call_to_action() {
    assert_compat(
        "$CTA\nClick here to start the tool[^1]\n$CTA\n[^1]: Footnote definition one\n",
        r##"<div class="call-to-action"><p>Click here to start the tool<sup id="fnref:1"><a href="#fn:1" class="footnote" rel="footnote" role="doc-noteref">[footnote 1]</a></sup></p></div><div class="footnotes" role="doc-endnotes"><ol><li id="fn:1"><p>Footnote definition one <a href="#fnref:1" class="reversefootnote" role="doc-backlink" aria-label="go to where this is referenced">↩</a></p></li></ol></div>"##,
    );
}

#[test]
fn welsh_footnote_labels() {
    let options = Options { locale: "cy".into(), ..Options::default() };
    let html = render_with(
        "Gellir ychwanegu troednodiadau[^1].\n\n[^1]: Ac yna wedi'i ddiffinio'n ddiweddarach.",
        &options,
    );
    assert_eq!(
        normalise(&html),
        normalise(
            r##"<p>Gellir ychwanegu troednodiadau<sup id="fnref:1"><a href="#fn:1" class="footnote" rel="footnote" role="doc-noteref">[troednodyn 1]</a></sup>.</p><div class="footnotes" role="doc-endnotes"><ol><li id="fn:1"><p>Ac yna wedi’i ddiffinio’n ddiweddarach. <a href="#fnref:1" class="reversefootnote" role="doc-backlink" aria-label="ewch i ble mae hyn wedi'i gyfeirio">↩</a></p></li></ol></div>"##
        )
    );
}

#[test]
fn devolved_content() {
    assert_compat(
        ":scotland: I am very devolved\n and very scottish \n:scotland:",
        "<div class=\"devolved-content scotland\">\n<p class=\"devolved-header\">This section applies to Scotland</p>\n<div class=\"devolved-body\">\n<p>I am very devolved\n and very scottish</p>\n</div>\n</div>",
    );
    let options = Options { locale: "cy".into(), ..Options::default() };
    let html = render_with(
        ":scotland: Rwy'n ddatganoledig iawn\n ac yn Albanaidd iawn \n:scotland:",
        &options,
    );
    assert_eq!(
        normalise(&html),
        normalise(
            "<div class=\"devolved-content scotland\">\n<p class=\"devolved-header\">Mae'r adran hon yn berthnasol i'r Alban</p>\n<div class=\"devolved-body\">\n<p>Rwy’n ddatganoledig iawn\n ac yn Albanaidd iawn</p>\n</div>\n</div>"
        )
    );
}

#[test]
fn buttons() {
    // govspeak_button_test.rb
    assert_compat(
        "Text before the button with line breaks \n\n\n{button}[Start Now](http://www.gov.uk){/button}\n\n\n test after the button",
        r#"<p>Text before the button with line breaks</p><p><a class="gem-c-button govuk-button" role="button" data-module="govuk-button" draggable="false" href="http://www.gov.uk">Start Now</a></p><p>test after the button</p>"#,
    );
    let html = render(
        "{button start cross-domain-tracking:UA-23066786-5}[Start now](https://www.registertovote.service.gov.uk/register-to-vote/start){/button}",
        Mode::Compat,
    );
    assert!(html.contains(r#"class="gem-c-button govuk-button govuk-button--start""#), "{html}");
    assert!(html.contains(r#"data-module="govuk-button cross-domain-tracking""#), "{html}");
    assert!(html.contains(r#"data-tracking-code="UA-23066786-5""#), "{html}");
    let html = render("{button}[Start now](https://example.com/start){/button}", Mode::Compat);
    assert!(
        html.contains(r#"class="gem-c-button govuk-button""#) && !html.contains("--start"),
        "{html}"
    );
    assert_compat(
        "{button}I shouldn't render a button{/button}",
        "<p>{button}I shouldn’t render a button{/button}</p>",
    );
}

#[test]
fn headings_get_kramdown_ids() {
    assert_compat(
        "## Duplicate header\n\n## Duplicate header",
        r#"<h2 id="duplicate-header">Duplicate header</h2><h2 id="duplicate-header-1">Duplicate header</h2>"#,
    );
    assert_compat("## Second title {#special}", r#"<h2 id="special">Second title</h2>"#);
}

#[test]
fn blockquotes() {
    assert_compat(
        "He said:\n\n> \"I'm not sure what you mean!\"\n\nOr so we thought.",
        r#"<p>He said:</p><blockquote><p class="last-child">I’m not sure what you mean!</p></blockquote><p>Or so we thought.</p>"#,
    );
    assert_compat(
        "> first line\n>\n> last line",
        r#"<blockquote><p>first line</p><p class="last-child">last line</p></blockquote>"#,
    );
}

#[test]
fn sanitises_scripts_by_default() {
    // govspeak_test.rb "sanitize source input by default" and html_sanitizer_test.rb
    assert_eq!(render("<script>doBadThings();</script>", Mode::Compat).trim(), "");
    assert!(!is_valid("<script>doBadThings();</script>"));
    assert!(is_valid("<div>some content</div>"));
    assert_compat(
        "<a href=\"/\" onclick=\"alert('xss');\">Link</a>",
        r#"<p><a href="/">Link</a></p>"#,
    );
    assert_compat(
        "<a href=\"/\" style=\"font-weight:bold\">Link</a>",
        r#"<p><a href="/">Link</a></p>"#,
    );
    assert_compat("<style>h1 { color: pink; }</style><h1>Hi</h1>", "<h1>Hi</h1>");
}

#[test]
fn frontend_mode_uses_govuk_frontend_classes() {
    let html = render(
        "## Apply\n\nSome [text](/x).\n\n* one\n* two\n\n^Note^\n\n% Careful %",
        Mode::Frontend,
    );
    for needle in [
        r#"<h2 id="apply" class="govuk-heading-l">"#,
        r#"<p class="govuk-body">"#,
        r#"<a class="govuk-link" href="/x">"#,
        r#"<ul class="govuk-list govuk-list--bullet">"#,
        r#"<div class="govuk-inset-text">"#,
        r#"<div class="govuk-warning-text">"#,
    ] {
        assert!(html.contains(needle), "missing {needle} in {html}");
    }
    assert!(!html.contains("application-notice"), "{html}");
}
