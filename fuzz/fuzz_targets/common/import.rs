//! Loads fuzzed input with the index loader, builds an index from whatever it read, and checks the property
//! every import must keep: the saved index loads back with the same addresses and postcodes.

use gaap_address::Index;
use gaap_address::index::{InputFormat, Loader};

pub fn load_build_reload(format: InputFormat, data: &[u8]) {
    let mut loader = Loader::new();
    if loader.read(format, "fuzz", data).is_err() {
        return;
    }
    let index = loader.into_builder().build();
    let bytes = index.to_bytes();
    let again =
        Index::from_bytes(&bytes).unwrap_or_else(|e| panic!("a built index does not load: {e}"));
    assert_eq!(again.len(), index.len());
    assert_eq!(again.postcode_count(), index.postcode_count());
    for (a, b) in index.addresses().zip(again.addresses()) {
        assert_eq!(a, b);
    }
    if let Some(first) = index.get(0) {
        let _ = index.search(&first.uprn.to_string(), 5);
        let _ = index.by_uprn(first.uprn);
        let _ = index.source_records(first.uprn);
    }
}
