//! Postal addresses: parsing fuzzed text must not panic, nor parsing it again once printed; a formatted
//! postcode formats to itself. That printing and parsing again gives the same address is an open finding
//! (fuzz/findings/notify_postal_address), not asserted until it is fixed.
#![no_main]

use gaap_notify::rules::postal_address::{
    Postage, PostalAddress, format_postcode, is_real_uk_postcode,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let international = flags & 1 != 0;
    let address = PostalAddress::parse(text, international);
    let verdict = address.validate();
    let _ = (address.international(), address.international_postage());
    // Printing and parsing again is not yet idempotent (an open finding, fuzz/findings/notify_postal_address:
    // a last line `.CA` or `GG`), so the round trip only has to not panic until it is fixed.
    let printed = address.lines.join("\n");
    let _ = (verdict, PostalAddress::parse(&printed, international).validate());
    if let Some(pc) = format_postcode(text) {
        assert_eq!(format_postcode(&pc).as_deref(), Some(pc.as_str()), "{text:?}");
    }
    let _ = is_real_uk_postcode(text);
    let _ = Postage::parse_uk(text);
});
