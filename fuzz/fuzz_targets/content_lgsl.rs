//! The local services CSVs (LGSL services, LGIL interactions, Local Links Manager's authorities and links):
//! fuzzed text parses or is refused with an error, never a panic, and whatever parses can be looked up by
//! the keys it was read with.
#![no_main]

use gaap_content::local::{Authorities, Interactions, LinkTable, Services};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match which % 4 {
        0 => {
            if let Ok(services) = Services::from_csv(text) {
                for lgsl in [1, 100, 1_000] {
                    let _ = services.get(lgsl);
                }
            }
        }
        1 => {
            if let Ok(interactions) = Interactions::from_csv(text) {
                let _ = interactions.get(8);
            }
        }
        2 => {
            if let Ok(authorities) = Authorities::from_csv(text) {
                for a in authorities.all() {
                    assert!(authorities.by_gss(&a.gss).is_some(), "{a:?} not found by GSS");
                    assert!(authorities.by_slug(&a.slug).is_some(), "{a:?} not found by slug");
                    if let Some(code) = a.local_custodian_code {
                        assert!(
                            authorities.by_custodian_code(code).is_some(),
                            "{a:?} not found by code"
                        );
                    }
                    let _ = authorities.parent(a);
                }
            }
        }
        _ => {
            let _ = LinkTable::from_csv(text);
        }
    }
});
