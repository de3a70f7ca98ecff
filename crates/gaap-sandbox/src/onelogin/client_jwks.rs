//! Client public keys published at a JWKS URL (`ClientConfig.jwks_uri`, the simulator's `JWKS_URL`): the key is
//! the one whose `kid` the client assertion's header names. A JWKS that cannot be fetched or has no such key
//! answers 500 `server_error` as the simulator's `JwksError` does. Unlike the simulator, which caches the first
//! key it fetches per URL, the sandbox fetches on each token request, so an RP's own key rotation is seen at once.

use std::time::Duration;

use gaap_jose::{JwkSet, VerifyingKey};

/// The simulator's description for any JWKS failure.
pub(crate) const JWKS_ERROR: &str =
    "Failed to fetch or parse JWKS to verify signature of private_key_jwt";

/// Fetches `url` and returns the key named `kid`; the reason when there is none.
pub(crate) async fn fetch_key(url: &str, kid: Option<&str>) -> Result<VerifyingKey, String> {
    let kid = kid.ok_or("no kid in the client assertion header")?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let response = client.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("GET {url}: HTTP {}", response.status()));
    }
    let body = response.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
    let (set, _skipped) = JwkSet::from_json_lenient(&body).map_err(|e| format!("{url}: {e}"))?;
    let jwk = set.find(kid).ok_or_else(|| format!("{url} has no key with kid {kid}"))?;
    jwk.verifying_key().map_err(|e| format!("{url} key {kid}: {e}"))
}
