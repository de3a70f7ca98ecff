//! The server's configuration: one JSON file, every key documented here, unknown keys refused.
//!
//! ```json
//! {
//!   "listen": "127.0.0.1:8080",
//!   "public_url": "https://addresses.example.gov.uk",
//!   "address": {
//!     "index": "westminster.idx",
//!     "keys": [{"key": "council-site", "per_minute": 6000}, {"key": "intranet"}],
//!     "cors_origins": ["https://www.example.gov.uk"],
//!     "reload_poll_ms": 2000
//!   },
//!   "locations": {"links": "links.csv"}
//! }
//! ```
//!
//! Relative paths are read from the config file's folder. Command-line flags (`--listen`,
//! `--address-index`) override the file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;

/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// `listen`: the address to bind. Default `127.0.0.1:8080`; port 0 picks a free port.
    #[serde(default)]
    pub listen: Option<SocketAddr>,
    /// `public_url`: the URL clients and browsers reach this server at (behind a proxy, the proxy's).
    /// Default: `http://` and the bound address.
    #[serde(default)]
    pub public_url: Option<String>,
    /// `address`: the address service.
    #[serde(default)]
    pub address: AddressConfig,
    /// `locations`: the local-authority and local-services API.
    #[serde(default)]
    pub locations: LocationsConfig,
    /// `gateway`: the One Login sign-in gateway in front of an existing site (feature `gateway`); see
    /// [`crate::gateway::config`] for its keys. Absent: no gateway.
    #[cfg(feature = "gateway")]
    #[serde(default)]
    pub gateway: Option<crate::gateway::config::GatewayConfig>,
    /// Without the `gateway` feature a `gateway` key is read only to be refused with that reason.
    #[cfg(not(feature = "gateway"))]
    #[serde(default)]
    gateway: Option<serde::de::IgnoredAny>,
}

/// `locations`: the GOV.UK-compatible local-authority and local-services API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LocationsConfig {
    /// `links`: a CSV of the council's service links, `authority_slug,lgsl,lgil,url` with a header row (the
    /// shape Local Links Manager exports). Absent: every service falls back to the council's homepage.
    #[serde(default)]
    pub links: Option<PathBuf>,
}

/// `address`: the OS Places-compatible address API, the local-authority API and the finder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AddressConfig {
    /// `index`: a saved gaap address index (`gaap address build`), or an input file the loader reads
    /// (OS Places JSON, AddressBase or gaap CSV, Code-Point Open). Absent: the embedded Westminster data.
    #[serde(default)]
    pub index: Option<PathBuf>,
    /// `keys`: the API keys accepted in `?key=` (or the `key` header). Empty: any key is accepted, as in a
    /// development setup.
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
    /// `per_minute`: the limit for each key when `keys` is empty (each distinct key value gets its own
    /// allowance). Absent: no limit.
    #[serde(default)]
    pub per_minute: Option<u32>,
    /// `cors_origins`: browser origins allowed to call the API from their pages (`https://www.example.gov.uk`).
    /// `*` allows any origin. Empty: no CORS headers.
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// `reload_poll_ms`: how often to check the index file for a change, in milliseconds (0: only on
    /// SIGHUP). Default 2000.
    #[serde(default = "default_poll")]
    pub reload_poll_ms: u64,
    /// `cache_mb`: megabytes of rendered OS Places answers kept for repeated queries (0 turns it off).
    /// Default 64. A reload empties it.
    #[serde(default = "default_cache_mb")]
    pub cache_mb: usize,
}

const fn default_cache_mb() -> usize {
    64
}

const fn default_poll() -> u64 {
    2000
}

impl Default for AddressConfig {
    fn default() -> Self {
        Self {
            index: None,
            keys: Vec::new(),
            per_minute: None,
            cors_origins: Vec::new(),
            reload_poll_ms: default_poll(),
            cache_mb: default_cache_mb(),
        }
    }
}

/// One accepted API key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct KeyConfig {
    /// `key`: the key's value.
    pub key: ApiKey,
    /// `per_minute`: requests a minute this key may make (answered 429 beyond). Absent: no limit.
    #[serde(default)]
    pub per_minute: Option<u32>,
}

gaap_http::secret_string! {
    /// An API key: its value never shows in Debug output or logs.
    #[derive(Deserialize)]
    #[serde(transparent)]
    pub struct ApiKey;
}

impl ApiKey {
    /// The key's value, to compare or send (the same as `expose_secret`).
    #[must_use]
    pub fn expose(&self) -> &str {
        self.expose_secret()
    }
}

impl Config {
    /// Reads a config file; relative paths in it are resolved against the file's folder.
    ///
    /// # Errors
    /// [`Error::Config`] when the file cannot be read or does not parse (unknown keys included).
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        let mut config = Self::from_json(&text)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        if let Some(index) = &config.address.index
            && index.is_relative()
        {
            config.address.index = Some(base.join(index));
        }
        if let Some(links) = &config.locations.links
            && links.is_relative()
        {
            config.locations.links = Some(base.join(links));
        }
        #[cfg(feature = "gateway")]
        if let Some(gateway) = &mut config.gateway {
            gateway.resolve_paths(base);
        }
        Ok(config)
    }

    /// Parses config JSON.
    ///
    /// # Errors
    /// [`Error::Config`] naming the key or value that is wrong.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let config: Self = serde_json::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        #[cfg(not(feature = "gateway"))]
        if config.gateway.is_some() {
            return Err(Error::Config(
                "`gateway` needs gaap-server built with its `gateway` feature (`gaap serve` has it)".to_owned(),
            ));
        }
        Ok(config)
    }

    /// The address to bind.
    #[must_use]
    pub fn listen_addr(&self) -> SocketAddr {
        self.listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "gateway"))]
    #[test]
    fn a_gateway_without_the_feature_is_refused_with_the_reason() {
        let err =
            Config::from_json(r#"{"gateway": {"upstream": "http://127.0.0.1:1"}}"#).unwrap_err();
        assert!(err.to_string().contains("`gateway` feature"), "{err}");
        assert!(Config::from_json(r#"{"listen": "127.0.0.1:0"}"#).is_ok());
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let err = Config::from_json(r#"{"address": {"indx": "a.idx"}}"#).unwrap_err().to_string();
        assert!(err.contains("indx"), "{err}");
        let err = Config::from_json(r#"{"lsten": "127.0.0.1:1"}"#).unwrap_err().to_string();
        assert!(err.contains("lsten"), "{err}");
    }

    #[test]
    fn keys_never_show_in_debug() {
        let config =
            Config::from_json(r#"{"address": {"keys": [{"key": "s3cret-key", "per_minute": 5}]}}"#)
                .unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret-key"), "{debug}");
        assert_eq!(config.address.keys[0].key.expose(), "s3cret-key");
        assert_eq!(config.address.keys[0].per_minute, Some(5));
    }

    #[test]
    fn defaults() {
        let config = Config::from_json("{}").unwrap();
        assert_eq!(config.listen_addr().to_string(), DEFAULT_LISTEN);
        assert!(config.address.index.is_none());
        assert_eq!(config.address.reload_poll_ms, 2000);
    }
}
