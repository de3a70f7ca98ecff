//! Feeds arbitrary text to the postcode parser, fixer and free-text matcher's postcode finder: none may panic.
#![no_main]

use gaap_address::{Postcode, fix};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Postcode::parse(text);
        let _ = Postcode::parse_historic(text);
        if let Ok(pc) = Postcode::parse_fixed(text) {
            let _ = (pc.outward(), pc.inward(), pc.sector(), pc.district(), pc.area());
        }
        let _ = fix(text);
    }
});
