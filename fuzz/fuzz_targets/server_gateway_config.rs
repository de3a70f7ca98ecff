//! gaap-server's config JSON, with the sign-in gateway's section: fuzzed text is read or refused with a
//! message, never a panic, and a gateway section that reads is checked (routes, vtr, upstream, session store)
//! as the server would check it at start.
#![no_main]

use std::path::Path;

use gaap_server::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = Config::from_json(text) else { return };
    let _ = config.listen_addr();
    if let Some(gateway) = &config.gateway {
        let verdict = gateway.check();
        let mut resolved = gateway.clone();
        resolved.resolve_paths(Path::new("/srv/gaap"));
        // Resolving paths only makes relative paths absolute: it never turns a refused config into an accepted one.
        if verdict.is_err() {
            let again = resolved.check();
            assert!(
                again.is_err() || verdict.as_ref().is_err_and(|e| e.contains("sessions")),
                "{verdict:?} then {again:?}"
            );
        }
        let _ = format!("{gateway:?}");
    }
});
