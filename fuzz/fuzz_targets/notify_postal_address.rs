//! Postal addresses: parsing fuzzed text must not panic. Printing a parsed address and parsing it again gives
//! the same text, postcode and verdict, as in Notify, except where Notify's own normalisation is not
//! idempotent (below); a formatted postcode formats to itself.
#![no_main]

use gaap_notify::rules::postal_address::{
    Postage, PostalAddress, canonical_country, format_postcode, is_real_uk_postcode,
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
    // Notify's rule: a UK address keeps a line naming a country when trailing UK nations or Crown
    // dependencies follow it (`…\n.CA\nJE`), and prints it last; parsed again, Notify reads it as the
    // country (`Canada`). notifications-utils' `PostalAddress(a.normalised)` does the same (fuzz/findings).
    let mut core = address.lines.as_slice();
    if !address.international() && address.bfpo.is_some() {
        core = core.split_last().map_or(core, |(_, init)| init);
    }
    let country_left_last =
        !address.international() && core.last().is_some_and(|l| canonical_country(l).is_some());
    if !country_left_last {
        // Text, not lines: a lone `GG` leaves no lines and the empty text parses as one empty line;
        // Notify prints both as the empty text too.
        assert_eq!(again.lines.join("\n"), printed, "{text:?} printed as {printed:?}");
        assert_eq!(again.postcode, address.postcode, "{text:?}");
        assert_eq!(again.validate().is_ok(), verdict.is_ok(), "{text:?}: {verdict:?}");
    }
    if let Some(pc) = format_postcode(text) {
        assert_eq!(format_postcode(&pc).as_deref(), Some(pc.as_str()), "{text:?}");
    }
    let _ = is_real_uk_postcode(text);
    let _ = Postage::parse_uk(text);
});
