//! Notify's callback JSON: every payload type parses fuzzed bytes without a panic, and a parsed payload
//! printed back to JSON parses to the same value.
#![no_main]

use gaap_notify::callbacks::{
    CallbackToken, DeliveryStatusCallback, ReceivedTextCallback, ReturnedLetterCallback,
};
use libfuzzer_sys::fuzz_target;

fn round_trip<T>(data: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let printed =
            serde_json::to_vec(&value).unwrap_or_else(|e| panic!("cannot print {value:?}: {e}"));
        let again: T = serde_json::from_slice(&printed).unwrap_or_else(|e| {
            panic!(
                "{value:?} printed as {:?} does not parse: {e}",
                String::from_utf8_lossy(&printed)
            )
        });
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<DeliveryStatusCallback>(data);
    round_trip::<ReceivedTextCallback>(data);
    round_trip::<ReturnedLetterCallback>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = CallbackToken::new("callback-token").verify(Some(text));
    }
});
