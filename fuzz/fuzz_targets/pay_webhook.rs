//! Pay webhook bodies: fuzzed bytes, signed with the secret so they reach the parser, must parse or be refused
//! without a panic; a parsed message printed back to JSON parses to the same message. A wrong or malformed
//! signature is always refused.
#![no_main]

use gaap_pay::SigningSecret;
use gaap_pay::webhook::{WebhookMessage, sign, verify_and_parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let secret = SigningSecret::new("webhook_test_fuzz");
    let signature = sign(&secret, data);
    if let Ok(message) = verify_and_parse(&secret, data, &signature) {
        let (body, resigned) =
            message.to_signed(&secret).unwrap_or_else(|e| panic!("cannot print {message:?}: {e}"));
        let again = verify_and_parse(&secret, &body, &resigned).unwrap_or_else(|e| {
            panic!("{message:?} printed as {:?} is refused: {e}", String::from_utf8_lossy(&body))
        });
        assert_eq!(again, message);
    }
    // The body as its own signature: never accepted.
    if let Ok(text) = std::str::from_utf8(data)
        && text != signature
    {
        assert!(verify_and_parse(&secret, data, text).is_err());
    }
    let _ = serde_json::from_slice::<WebhookMessage>(data);
});
