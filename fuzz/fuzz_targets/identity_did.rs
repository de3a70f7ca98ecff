//! DID documents: fuzzed JSON parses or is refused without a panic; a parsed document finds its keys by the
//! ids it was given, and refuses a kid it does not hold.
#![no_main]

use gaap_identity::DidDocument;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = DidDocument::from_json(data) else { return };
    let _ = doc.id();
    let _ = doc.key_for(None);
    if !data.windows(11).any(|w| w == b"not-in-this") {
        assert!(
            doc.key_for(Some("did:web:example#not-in-this")).is_err(),
            "found a key the document lacks"
        );
    }
    if let Ok(value) = serde_json::from_slice::<Value>(data)
        && let Some(methods) = value.get("assertionMethod").and_then(Value::as_array)
    {
        for m in methods {
            if let Some(kid) = m.get("id").and_then(Value::as_str) {
                let _ = doc.key_for(Some(kid));
            }
        }
    }
    if let Ok(url) = url::Url::parse(doc.id()) {
        let _ = DidDocument::did_web_for(&url);
    }
});
