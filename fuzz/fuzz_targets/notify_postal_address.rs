//! Postal addresses: parsing fuzzed text must not panic. Printing a parsed address and parsing it again gives
//! the same address, and an address that validates keeps validating; postage names parse the same way.
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
    let printed = address.lines.join("\n");
    let again = PostalAddress::parse(&printed, international);
    assert_eq!(again.lines, address.lines, "{text:?} printed as {printed:?}");
    assert_eq!(again.postcode, address.postcode, "{text:?}");
    assert_eq!(again.validate().is_ok(), verdict.is_ok(), "{text:?}: {verdict:?}");
    if let Some(pc) = format_postcode(text) {
        assert_eq!(format_postcode(&pc).as_deref(), Some(pc.as_str()), "{text:?}");
    }
    let _ = is_real_uk_postcode(text);
    let _ = Postage::parse_uk(text);
});
