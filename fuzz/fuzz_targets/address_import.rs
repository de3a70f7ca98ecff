//! AddressBase (Premium and Plus), Code-Point Open and gaap CSV import: a fuzzed file is read or refused
//! without a panic, and the index built from it saves and loads back unchanged.
#![no_main]

#[path = "common/import.rs"]
mod import;

use gaap_address::index::InputFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, file)) = data.split_first() else { return };
    let format = match which % 3 {
        0 => InputFormat::AddressBase,
        1 => InputFormat::CodePoint,
        _ => InputFormat::GaapCsv,
    };
    import::load_build_reload(format, file);
});
