//! Feeds arbitrary bytes to the address index reader: it must refuse them or give an index whose lookups work.
#![no_main]

use gaap_address::{Coordinates, Index, Postcode, Uprn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = Index::from_bytes(data) {
        let _ = index.search("high st", 5);
        let _ = index.match_address("1 high street london sw1a 1aa", Default::default());
        if let Ok(pc) = Postcode::parse("SW1A 1AA") {
            let _ = index.by_postcode(&pc);
        }
        if let Ok(uprn) = Uprn::new(1) {
            let _ = index.by_uprn(uprn);
        }
        let _ = index.nearest(Coordinates::new(530_000.0, 180_000.0), 500.0);
        let _ = index.addresses().count();
    }
});
