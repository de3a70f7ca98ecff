use std::fmt;
use std::str::FromStr;

/// The credential (authentication) part of a vector of trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Credential {
    /// `Cl`: password only, no identity.
    Cl,
    /// `Cl.Cm`: password and a second factor; One Login's default.
    ClCm,
}

impl Credential {
    /// The wire form, also the ID token `vot`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cl => "Cl",
            Self::ClCm => "Cl.Cm",
        }
    }
}

/// The identity level of confidence, the core identity JWT `vot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LevelOfConfidence {
    /// `P0`: no identity.
    P0,
    /// `P1`: low.
    P1,
    /// `P2`: medium.
    P2,
    /// `P3`: high (listed by the trust mark).
    P3,
}

impl LevelOfConfidence {
    /// The wire form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::P0 => "P0",
            Self::P1 => "P1",
            Self::P2 => "P2",
            Self::P3 => "P3",
        }
    }

    /// Reads the wire form (`P0`–`P3`, exact); `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::from_component(text)
    }

    fn from_component(c: &str) -> Option<Self> {
        match c {
            "P0" => Some(Self::P0),
            "P1" => Some(Self::P1),
            "P2" => Some(Self::P2),
            "P3" => Some(Self::P3),
            _ => None,
        }
    }
}

/// A vector of trust as One Login takes it: `Cl` or `Cl.Cm`, optionally with `P0`–`P3`.
///
/// `P1` and above need `Cl.Cm`; the constructor and the parser both refuse `Cl.P2`.
///
/// ```
/// use gaap_identity::{Credential, LevelOfConfidence, Vtr};
///
/// let vtr = Vtr::identity(LevelOfConfidence::P2);
/// assert_eq!(vtr.to_param(), r#"["Cl.Cm.P2"]"#);
/// assert_eq!(vtr.expected_id_token_vot(), "Cl.Cm");
/// assert_eq!("P2.Cl.Cm".parse::<Vtr>().unwrap(), vtr);
/// assert!(Vtr::new(Credential::Cl, Some(LevelOfConfidence::P1)).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vtr {
    credential: Credential,
    level: Option<LevelOfConfidence>,
}

/// Why a vector of trust was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VtrError {
    /// `P1`+ asked with `Cl`.
    #[error("{} needs Cl.Cm", .0.as_str())]
    LevelNeedsTwoFactor(LevelOfConfidence),
    /// Not a known component, a repeated one, or no `Cl`.
    #[error("not a vector of trust: {0}")]
    Invalid(String),
}

impl Vtr {
    /// A vector; `level` P1 and above require [`Credential::ClCm`].
    ///
    /// # Errors
    /// [`VtrError::LevelNeedsTwoFactor`] for `Cl` with P1–P3.
    pub fn new(credential: Credential, level: Option<LevelOfConfidence>) -> Result<Self, VtrError> {
        match (credential, level) {
            (Credential::Cl, Some(l)) if l > LevelOfConfidence::P0 => {
                Err(VtrError::LevelNeedsTwoFactor(l))
            }
            _ => Ok(Self { credential, level }),
        }
    }

    /// Authentication only: `Cl.Cm` (One Login's default) or `Cl`.
    #[must_use]
    pub const fn authentication(credential: Credential) -> Self {
        Self { credential, level: None }
    }

    /// Identity at `level`, always with `Cl.Cm`.
    #[must_use]
    pub const fn identity(level: LevelOfConfidence) -> Self {
        Self { credential: Credential::ClCm, level: Some(level) }
    }

    /// The credential part.
    #[must_use]
    pub const fn credential(&self) -> Credential {
        self.credential
    }

    /// The identity level, if any.
    #[must_use]
    pub const fn level(&self) -> Option<LevelOfConfidence> {
        self.level
    }

    /// The `vot` the ID token must carry: the credential part only.
    #[must_use]
    pub const fn expected_id_token_vot(&self) -> &'static str {
        self.credential.as_str()
    }

    /// The `vtr` query parameter: a JSON array with one vector, e.g. `["Cl.Cm.P2"]`.
    #[must_use]
    pub fn to_param(&self) -> String {
        format!("[\"{self}\"]")
    }

    /// Parses the `vtr` parameter form: a JSON array with exactly one vector, or a bare JSON string.
    ///
    /// # Errors
    /// When it is not that JSON or the vector is invalid.
    pub fn from_param(json: &str) -> Result<Self, VtrError> {
        match serde_json::from_str::<serde_json::Value>(json) {
            Ok(serde_json::Value::Array(items)) => match items.as_slice() {
                [serde_json::Value::String(v)] => v.parse(),
                _ => {
                    Err(VtrError::Invalid(format!("expected an array with one vector, got {json}")))
                }
            },
            Ok(serde_json::Value::String(v)) => v.parse(),
            _ => json.trim().parse(),
        }
    }
}

impl Default for Vtr {
    /// `Cl.Cm`, as One Login assumes when `vtr` is absent.
    fn default() -> Self {
        Self::authentication(Credential::ClCm)
    }
}

impl fmt::Display for Vtr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.credential.as_str())?;
        if let Some(level) = self.level {
            write!(f, ".{}", level.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for Vtr {
    type Err = VtrError;

    /// Components are dot-separated in any order (as One Login sorts them). Unknown components are refused
    /// here rather than ignored, so a typo cannot silently drop the identity level.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::read_vector(s, Unknown::Refuse)
    }
}

/// What [`Vtr::read_vector`] does with a component that is neither `Cl`, `Cm` nor `P0`–`P3`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    /// Refuse the vector (the client side: a typo must not drop the identity level).
    Refuse,
    /// Skip it, as One Login's authorise endpoint does.
    Ignore,
}

impl Vtr {
    /// Parses `vtr` as One Login's authorise endpoint reads it: absent or `[]` means `Cl.Cm`; otherwise
    /// a JSON array of vectors of which the first is used, its unknown components ignored, `Cl` or
    /// `Cl.Cm` required, at most one `P0`–`P3`, and `P1`+ only with `Cl.Cm`.
    ///
    /// ```
    /// use gaap_identity::{LevelOfConfidence, Vtr};
    ///
    /// assert_eq!(Vtr::from_authorize_param(None).unwrap(), Vtr::default());
    /// assert_eq!(
    ///     Vtr::from_authorize_param(Some(r#"["Cm.Cl.P2"]"#)).unwrap(),
    ///     Vtr::identity(LevelOfConfidence::P2)
    /// );
    /// assert!(Vtr::from_authorize_param(Some(r#"["Cl.P2"]"#)).is_err());
    /// ```
    ///
    /// # Errors
    /// When `raw` is not a JSON array of strings or its first vector is invalid.
    pub fn from_authorize_param(raw: Option<&str>) -> Result<Self, VtrError> {
        let Some(raw) = raw else { return Ok(Self::default()) };
        let vectors: Vec<String> = serde_json::from_str(raw).map_err(|e| {
            VtrError::Invalid(format!("expected a JSON array of vectors, got {raw:?} ({e})"))
        })?;
        match vectors.first() {
            None => Ok(Self::default()),
            Some(first) => Self::read_vector(first, Unknown::Ignore),
        }
    }

    /// One dot-separated vector; `unknown` says what a component outside `Cl`, `Cm`, `P0`–`P3` does.
    fn read_vector(s: &str, unknown: Unknown) -> Result<Self, VtrError> {
        let (mut cl, mut cm, mut level) = (false, false, None);
        for component in s.split('.') {
            let seen = match component {
                "Cl" => std::mem::replace(&mut cl, true),
                "Cm" => std::mem::replace(&mut cm, true),
                other => match LevelOfConfidence::from_component(other) {
                    Some(l) => level.replace(l).is_some(),
                    None if unknown == Unknown::Ignore => false,
                    None => {
                        return Err(VtrError::Invalid(format!(
                            "unknown component {other:?} in {s:?}"
                        )));
                    }
                },
            };
            if seen {
                return Err(VtrError::Invalid(format!(
                    "repeated component {component:?} in {s:?}"
                )));
            }
        }
        let credential = match (cl, cm) {
            (true, true) => Credential::ClCm,
            (true, false) => Credential::Cl,
            _ => return Err(VtrError::Invalid(format!("{s:?} has no Cl or Cl.Cm"))),
        };
        Self::new(credential, level)
    }
}
