//! OS Places JSON: a fuzzed response parses or is refused without a panic, and the addresses the loader makes
//! from it build an index that saves and loads back unchanged.
#![no_main]

#[path = "common/import.rs"]
mod import;

use gaap_address::index::InputFormat;
use gaap_address::types::os_places::PlacesResponse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<PlacesResponse>(data);
    import::load_build_reload(InputFormat::OsPlaces, data);
});
