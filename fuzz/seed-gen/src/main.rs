//! Writes the seed corpora of `address_index`, `address_os_places` and `address_import` under `fuzz/corpus/`:
//! small real index files built with gaap-address's own loader and builder from the crate's test fixtures
//! and its synthetic AddressBase-shaped data, and the loader inputs they were built from.
//!
//! Run from the repository root: `cargo run --manifest-path fuzz/seed-gen/Cargo.toml`.

use std::fs;
use std::path::Path;

use gaap_address::index::{InputFormat, Loader};
use gaap_address::{IndexBuilder, synth};

const OS_PLACES: &str = "crates/gaap-address/tests/data/os-places";
/// The small OS Places fixtures (each under 10 KB), so the fuzzer's inputs stay short.
const SMALL_RESPONSES: [&str; 5] = [
    "SW1A1AA-single-address.json",
    "CH53QW-many-address-fields.json",
    "BS44HW-organisation-name.json",
    "BS11AA-no-matches.json",
    "ZZ99ZZ-invalid-postcode.json",
];
/// One UPRN in AddressBase Premium: a BLPU (21), a classification (32) and a DPA (28) record.
const ABP: &str = "21,I,1,100023336956,1,2,2001-01-01,,530047.0,179951.0,51.5,-0.12,1,5990,E,2001-01-01,,2016-01-01,2001-01-01,D,SW1A 2AA,0\n\
32,I,2,100023336956,1,RD04,AddressBase Premium Classification Scheme,1.0,2001-01-01,,2016-01-01,2001-01-01\n\
28,I,3,100023336956,,23747771,PRIME MINISTER & FIRST LORD OF THE TREASURY,,,,10,,DOWNING STREET,,,LONDON,SW1A 2AA,S,1A,,,,,,,2016-01-01,2001-01-01,,2016-01-01,2001-01-01\n";
/// Code-Point Open: one postcode, no header.
const CODEPOINT: &str = "\"SW1A 2AA\",10,530047,179951,\"E92000001\",\"E19000003\",\"E18000007\",\"\",\"E09000033\",\"E05013806\"\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("{} ({} bytes)", path.display(), bytes.len());
}

fn prefixed(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend_from_slice(body);
    v
}

fn main() {
    let corpus = Path::new("fuzz/corpus");
    assert!(Path::new(OS_PLACES).is_dir(), "run from the repository root");

    // OS Places responses: the loader's input, and one index of them all (with their source records).
    let mut loader = Loader::new();
    for name in SMALL_RESPONSES {
        let bytes =
            fs::read(Path::new(OS_PLACES).join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        write(&corpus.join("address_os_places"), name, &bytes);
        loader
            .read(InputFormat::OsPlaces, name, bytes.as_slice())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let index = loader.into_builder().build();
    write(&corpus.join("address_index"), "os-places.idx", &index.to_bytes());

    // Synthetic AddressBase-shaped addresses on the embedded Westminster postcodes, as gaap CSV.
    let addresses = synth::generate(&synth::seed_postcodes_for(40, 7), 40, 7);
    let mut csv = Vec::new();
    synth::write_gaap_csv(&addresses, &mut csv).unwrap_or_else(|e| panic!("csv: {e}"));
    let mut builder = IndexBuilder::new();
    for a in &addresses {
        builder.add_address(a.clone());
    }
    write(&corpus.join("address_index"), "synthetic-40.idx", &builder.build().to_bytes());

    // AddressBase Premium, Code-Point Open and gaap CSV together.
    let mut loader = Loader::new();
    loader
        .read(InputFormat::AddressBase, "abp.csv", ABP.as_bytes())
        .unwrap_or_else(|e| panic!("abp: {e}"));
    loader
        .read(InputFormat::CodePoint, "cp.csv", CODEPOINT.as_bytes())
        .unwrap_or_else(|e| panic!("cp: {e}"));
    loader
        .read(InputFormat::GaapCsv, "synth.csv", csv.as_slice())
        .unwrap_or_else(|e| panic!("csv: {e}"));
    write(&corpus.join("address_index"), "mixed.idx", &loader.into_builder().build().to_bytes());

    // address_import: a format byte (0 AddressBase, 1 Code-Point, 2 gaap CSV), then the file.
    let import = corpus.join("address_import");
    write(&import, "addressbase-premium.csv", &prefixed(0, ABP.as_bytes()));
    write(&import, "codepoint.csv", &prefixed(1, CODEPOINT.as_bytes()));
    write(&import, "gaap.csv", &prefixed(2, &csv));
}
