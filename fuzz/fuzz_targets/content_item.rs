//! Content item JSON, publisher and frontend shapes: fuzzed bytes parse and validate or are refused without a
//! panic, and a parsed item printed back to JSON parses to the same item.
#![no_main]

use gaap_content::rules::validate_any_json;
use gaap_content::{FrontendItem, PublisherItem, validate};
use libfuzzer_sys::fuzz_target;

/// Parses with `parse`; what parses must print and parse back to itself.
fn round_trip<T, E>(data: &[u8], parse: impl Fn(&[u8]) -> Result<T, E>) -> Option<T>
where
    T: serde::Serialize + PartialEq + std::fmt::Debug,
    E: std::fmt::Display,
{
    let item = parse(data).ok()?;
    let printed =
        serde_json::to_vec(&item).unwrap_or_else(|e| panic!("cannot print {item:?}: {e}"));
    let again = parse(&printed).unwrap_or_else(|e| {
        panic!("{item:?} printed as {} does not parse: {e}", String::from_utf8_lossy(&printed))
    });
    assert_eq!(again, item);
    Some(item)
}

fuzz_target!(|data: &[u8]| {
    if let Some(item) = round_trip(data, PublisherItem::from_json) {
        let _ = validate(&item);
    }
    let _ = round_trip(data, FrontendItem::from_json);
    let _ = validate_any_json(data);
});
