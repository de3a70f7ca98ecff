//! One Login `/userinfo` bodies: fuzzed JSON is read or refused without a panic; a read response printed back
//! to JSON reads to the same value, and its claims keep their types.
#![no_main]

use gaap_identity::{UserInfo, VocabClaim};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let Ok(info) = UserInfo::from_json(&value) else { return };
    assert_eq!(value.get("sub").and_then(Value::as_str), Some(info.sub.as_str()));
    for claim in VocabClaim::ALL {
        let _ = info.vocab(claim);
    }
    let _ = info.core_identity_jwt();
    let printed =
        serde_json::to_string(&info.raw).unwrap_or_else(|e| panic!("cannot print {info:?}: {e}"));
    let reparsed: Value =
        serde_json::from_str(&printed).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
    let again =
        UserInfo::from_json(&reparsed).unwrap_or_else(|e| panic!("{printed:?} refused: {e}"));
    assert_eq!(again, info);
});
