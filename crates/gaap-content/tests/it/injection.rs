//! Script-injection corpus (payload shapes from the OWASP XSS filter evasion cheat sheet and govspeak's
//! `test/html_sanitizer_test.rb`): whatever the input, rendered HTML holds no executable markup.

use gaap_content::govspeak::{Mode, render};
use proptest::prelude::*;

const CORPUS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<a href=\"javascript:alert(document.location);\" title=\"Title\">an example</a>",
    "<a href=\"/\" onclick=\"alert('xss');\">Link</a>",
    "<a href=\"/\" style=\"background:url(javascript:alert(1))\">Link</a>",
    "<BODY ONLOAD=alert('XSS')>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=\"stylesheet\" href=\"javascript:alert(1)\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<div style=\"width: expression(alert('XSS'));\">x</div>",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<details open ontoggle=alert(1)>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"  javascript:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<<script>script>alert(1)<</script>/script>",
    "<!--<script>alert(1)</script>-->",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<template><script>alert(1)</script></template>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "x[click](javascript:alert(1))x",
    "{button}[Start](javascript:alert(1)){/button}",
    "$CTA\n<script>alert(1)</script>\n$CTA",
    "^<img src=x onerror=alert(1)>^",
    "% <a href=\"javascript:alert(1)\">x</a> %",
    "$A\n<script>alert(1)</script>\nroad\n$A",
    ":england:<iframe src=//evil></iframe>:england:",
    "s1. <img src=x onerror=alert(1)>\ns2. two",
    "text[^1]\n\n[^1]: <script>alert(1)</script>",
    "*[HTML]: <script>alert(1)</script>\n\nHTML",
    "<div><script>\nalert(1)\n</script></div>",
    "<p onmouseover=\"alert(1)\">hover</p>",
    "<a href='/' ONCLICK='alert(1)'>x</a>",
    "<img src=\"x\" alt=\"\" onerror =alert(1)>",
    "<a href=\"https://ok.example\" onfocus=alert(1) autofocus>x</a>",
];

/// Checks that no tag in `html` is executable: only inert elements, no event handlers, no `style`, and
/// no URL attribute with a scheme other than http(s), mailto or tel.
fn assert_inert(html: &str, source: &str) {
    let lower = html.to_ascii_lowercase();
    for forbidden in [
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "<svg",
        "<math",
        "<style",
        "<form",
        "<base",
        "<meta",
        "<link",
        "<template",
        "<noscript",
        "<body",
        "<input",
    ] {
        assert!(!lower.contains(forbidden), "{forbidden} survived from {source:?}:\n{html}");
    }
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        rest = &after[end..];
        let mut in_quote: Option<char> = None;
        let mut token = String::new();
        let mut attrs = Vec::new();
        for c in tag.chars() {
            match (in_quote, c) {
                (Some(q), c) if c == q => in_quote = None,
                (Some(_), c) => token.push(c),
                (None, '"' | '\'') => in_quote = Some(c),
                (None, c) if c.is_whitespace() => {
                    if !token.is_empty() {
                        attrs.push(std::mem::take(&mut token));
                    }
                }
                (None, c) => token.push(c),
            }
        }
        if !token.is_empty() {
            attrs.push(token);
        }
        for attr in attrs.iter().skip(1) {
            let (name, value) = attr.split_once('=').unwrap_or((attr.as_str(), ""));
            let name = name.to_ascii_lowercase();
            assert!(
                !name.starts_with("on"),
                "event handler {name} survived from {source:?}:\n{html}"
            );
            assert!(name != "style", "style survived from {source:?}:\n{html}");
            if matches!(
                name.as_str(),
                "href" | "src" | "action" | "formaction" | "background" | "xlink:href" | "data"
            ) {
                let v: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let scheme_ok = match v.find(':') {
                    None => true,
                    Some(i) => {
                        v[..i].contains(['/', '?', '#'])
                            || ["http", "https", "mailto", "tel"].contains(&&v[..i])
                    }
                };
                assert!(
                    scheme_ok && !v.contains("&#"),
                    "unsafe {name}={value} from {source:?}:\n{html}"
                );
            }
        }
    }
}

#[test]
fn corpus_leaves_no_executable_html() {
    for source in CORPUS {
        for mode in [Mode::Compat, Mode::Frontend] {
            assert_inert(&render(source, mode), source);
        }
    }
}

#[test]
fn the_checker_catches_what_it_should() {
    for bad in [
        "<script>x</script>",
        "<a href=\"javascript:x\">y</a>",
        "<p onclick=\"x\">y</p>",
        "<p style=\"x\">y</p>",
    ] {
        assert!(
            std::panic::catch_unwind(|| assert_inert(bad, bad)).is_err(),
            "{bad} passed the checker"
        );
    }
}

proptest! {
    #[test]
    fn random_input_never_panics_or_emits_script(source in "(<[a-zA-Z/!]{0,8}[ a-z=\"'/:;()]{0,20}>?|[\\^%$CTA:sx1\\[\\]()*#>\n -]|[a-z]{1,6}|javascript:|on[a-z]+=|&#[0-9x]{1,4};?){0,40}") {
        for mode in [Mode::Compat, Mode::Frontend] {
            let html = render(&source, mode);
            assert_inert(&html, &source);
        }
    }
}
