use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::{
    check_exp, check_iat, checked_audience, checked_issuer, leeway_secs, opt_number, string,
    verified_payload,
};
use crate::error::TokenError;
use crate::types::core_identity::{RawVc, parse_date};
use crate::types::{Algorithm, BirthDate, CoreIdentity, Jwk, LevelOfConfidence, Name, Vtr};

/// What a core identity JWT must agree with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CoreIdentityExpectations {
    /// The identity issuer, e.g. `https://identity.integration.account.gov.uk/` (not the OIDC issuer).
    pub issuer: String,
    /// Our client id.
    pub client_id: String,
    /// Clock-skew allowance, at most 60 s.
    pub leeway: Duration,
}

impl CoreIdentityExpectations {
    /// 30 s leeway.
    #[must_use]
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self { issuer: issuer.into(), client_id: client_id.into(), leeway: Duration::from_secs(30) }
    }

    /// Sets the leeway (clamped to 60 s).
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway.min(super::MAX_LEEWAY);
        self
    }
}

/// A DID document with its `assertionMethod` keys, fetched only from the configured URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DidDocument {
    id: String,
    methods: Vec<AssertionMethod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct AssertionMethod {
    id: String,
    #[serde(default)]
    controller: Option<String>,
    #[serde(rename = "publicKeyJwk")]
    jwk: Jwk,
}

impl DidDocument {
    /// Parses a DID document. `assertionMethod` entries that are not objects with a `publicKeyJwk` are skipped.
    ///
    /// # Errors
    /// When there is no string `id` or no `assertionMethod` array.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        struct Raw {
            id: String,
            #[serde(rename = "assertionMethod")]
            methods: Vec<Value>,
        }
        let raw: Raw = serde_json::from_slice(bytes)?;
        let methods =
            raw.methods.into_iter().filter_map(|m| serde_json::from_value(m).ok()).collect();
        Ok(Self { id: raw.id, methods })
    }

    /// The DID, e.g. `did:web:identity.integration.account.gov.uk`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `did:web` a document served at `url` must have: host, with `:port` as `%3A` when present.
    #[must_use]
    pub fn did_web_for(url: &url::Url) -> Option<String> {
        let host = url.host_str()?;
        Some(match url.port() {
            Some(port) => format!("did:web:{host}%3A{port}"),
            None => format!("did:web:{host}"),
        })
    }

    /// The EC P-256 key for `kid`: its controller (before `#`) must be this document's `id`, and an
    /// `assertionMethod` with exactly that `id` (and that controller, when stated) must hold it.
    ///
    /// # Errors
    /// [`TokenError::UnknownKey`] otherwise.
    pub fn key_for(&self, kid: Option<&str>) -> Result<&Jwk, TokenError> {
        let unknown = || TokenError::UnknownKey { kid: kid.map(str::to_owned) };
        let kid = kid.ok_or_else(unknown)?;
        let (controller, _) = kid.split_once('#').ok_or_else(unknown)?;
        if controller != self.id {
            return Err(unknown());
        }
        self.methods
            .iter()
            .find(|m| m.id == kid && m.controller.as_deref().is_none_or(|c| c == self.id))
            .map(|m| &m.jwk)
            .filter(|jwk| jwk.allows(Algorithm::ES256))
            .ok_or_else(unknown)
    }
}

/// Validates a core identity JWT: ES256 only, key from the DID document, `iss` = identity issuer,
/// `aud` = client id, `sub` = the ID token's, `exp`, `nbf`/`iat` not in the future, `vot` = the requested
/// level, then types the name and birth dates (the credential `type` is not checked).
///
/// # Errors
/// The first rule broken, as a [`TokenError`].
pub fn verify_core_identity(
    token: &str,
    did: &DidDocument,
    expect: &CoreIdentityExpectations,
    id_token_sub: &str,
    vtr: &Vtr,
    now: i64,
) -> Result<CoreIdentity, TokenError> {
    let map = verified_payload(token, Algorithm::ES256, |kid| did.key_for(kid).cloned())?;
    let leeway = leeway_secs(expect.leeway);
    checked_issuer(&map, &expect.issuer)?;
    checked_audience(&map, &expect.client_id)?;
    let sub = string(&map, "sub")?;
    if sub != id_token_sub {
        return Err(TokenError::WrongSubject { expected: id_token_sub.to_owned(), found: sub });
    }
    check_exp(super::number(&map, "exp")?, now, leeway)?;
    if let Some(nbf) = opt_number(&map, "nbf")?
        && nbf > now.saturating_add(leeway)
    {
        return Err(TokenError::NotYetValid { nbf, now });
    }
    if let Some(iat) = opt_number(&map, "iat")? {
        check_iat(iat, now, leeway)?;
    }
    let vot = string(&map, "vot")?;
    let expected = vtr.level().map_or("(no identity level requested)", LevelOfConfidence::as_str);
    let level = match vtr.level() {
        Some(level) if level.as_str() == vot => level,
        _ => return Err(TokenError::VotMismatch { expected: expected.to_owned(), found: vot }),
    };
    let vc = map.get("vc").cloned().ok_or(TokenError::MissingClaim("vc"))?;
    let vc: RawVc =
        serde_json::from_value(vc).map_err(|e| TokenError::Malformed(format!("vc: {e}")))?;
    let names = vc
        .subject
        .name
        .into_iter()
        .map(|n| {
            Name::from_raw(n)
                .ok_or_else(|| TokenError::Malformed("vc name has a bad date".to_owned()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let birth_dates = vc
        .subject
        .birth_date
        .into_iter()
        .map(|b| {
            parse_date(&b.value).map(|value| BirthDate { value }).ok_or_else(|| {
                TokenError::Malformed(format!("birthDate {:?} is not YYYY-MM-DD", b.value))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CoreIdentity { sub, vot: level, names, birth_dates, credential_types: vc.types, raw: map })
}
