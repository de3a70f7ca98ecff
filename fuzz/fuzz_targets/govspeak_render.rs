//! Renders arbitrary govspeak in both HTML vocabularies: nothing may panic, and the sanitised HTML must
//! carry no script, no `on*` attribute and no `javascript:` URL.
#![no_main]

#[path = "common/html.rs"]
mod html;

use gaap_content::govspeak::{self, Mode, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, text)) = data.split_first() else { return };
    let Ok(source) = std::str::from_utf8(text) else { return };
    let mode = if flags & 1 == 0 { Mode::Compat } else { Mode::Frontend };
    let options = Options {
        mode,
        locale: if flags & 2 == 0 { "en".to_owned() } else { "cy".to_owned() },
        smart_punctuation: flags & 4 == 0,
        ..Options::default()
    };
    let out = govspeak::render_with(source, &options);
    html::assert_inert(&out, source);
    let _ = govspeak::is_valid(source);
});
