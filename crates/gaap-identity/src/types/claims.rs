use std::collections::BTreeSet;

/// The URL-named identity claims One Login returns from `/userinfo` when asked in the `claims` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VocabClaim {
    /// `https://vocab.account.gov.uk/v1/coreIdentityJWT`: the signed name and birth date.
    CoreIdentityJwt,
    /// `https://vocab.account.gov.uk/v1/address`.
    Address,
    /// `https://vocab.account.gov.uk/v1/passport`.
    Passport,
    /// `https://vocab.account.gov.uk/v1/drivingPermit`.
    DrivingPermit,
    /// `https://vocab.account.gov.uk/v1/returnCode`: return codes instead of `access_denied`.
    ReturnCode,
}

impl VocabClaim {
    /// Every vocab claim.
    pub const ALL: [Self; 5] = [
        Self::CoreIdentityJwt,
        Self::Address,
        Self::Passport,
        Self::DrivingPermit,
        Self::ReturnCode,
    ];

    /// The claim name: its full URL.
    #[must_use]
    pub const fn url(self) -> &'static str {
        match self {
            Self::CoreIdentityJwt => "https://vocab.account.gov.uk/v1/coreIdentityJWT",
            Self::Address => "https://vocab.account.gov.uk/v1/address",
            Self::Passport => "https://vocab.account.gov.uk/v1/passport",
            Self::DrivingPermit => "https://vocab.account.gov.uk/v1/drivingPermit",
            Self::ReturnCode => "https://vocab.account.gov.uk/v1/returnCode",
        }
    }
}

/// The `claims` request parameter. One Login returns these claims only via userinfo.
///
/// ```
/// use gaap_identity::{ClaimsRequest, VocabClaim};
///
/// let claims = ClaimsRequest::new().with(VocabClaim::CoreIdentityJwt).with(VocabClaim::ReturnCode);
/// assert_eq!(
///     claims.to_param(),
///     r#"{"userinfo":{"https://vocab.account.gov.uk/v1/coreIdentityJWT":null,"https://vocab.account.gov.uk/v1/returnCode":null}}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimsRequest {
    claims: BTreeSet<VocabClaim>,
}

impl ClaimsRequest {
    /// An empty request.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a claim.
    #[must_use]
    pub fn with(mut self, claim: VocabClaim) -> Self {
        self.claims.insert(claim);
        self
    }

    /// Whether `claim` is asked for.
    #[must_use]
    pub fn contains(&self, claim: VocabClaim) -> bool {
        self.claims.contains(&claim)
    }

    /// Whether nothing is asked for (then no `claims` parameter is sent).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// The parameter value: `{"userinfo":{"<url>":null,…}}`.
    #[must_use]
    pub fn to_param(&self) -> String {
        let userinfo: serde_json::Map<String, serde_json::Value> =
            self.claims.iter().map(|c| (c.url().to_owned(), serde_json::Value::Null)).collect();
        serde_json::json!({ "userinfo": userinfo }).to_string()
    }
}

/// A scope One Login grants to relying parties. `openid` is always sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// `email`.
    Email,
    /// `phone`.
    Phone,
    /// `wallet-subject-id`.
    WalletSubjectId,
}

impl Scope {
    /// The wire form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::WalletSubjectId => "wallet-subject-id",
        }
    }
}

/// The language of One Login's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiLocale {
    /// English, `en`.
    En,
    /// Welsh, `cy`.
    Cy,
}

impl UiLocale {
    /// The wire form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Cy => "cy",
        }
    }
}
