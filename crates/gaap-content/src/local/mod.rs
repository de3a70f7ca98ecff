//! Local services: LGSL (service) and LGIL (interaction) codes, local authorities (GSS code, tier, parent), and
//! the postcode → council → service URL bridge with Local Links Manager's fallback rules
//! (`app/lib/local_links_manager/link_resolver.rb`):
//!
//! * with an LGIL: the authority's link; failing that, the parent authority's when the parent's tier
//!   provides the service (a district asking for a county service gets the county's link);
//! * without an LGIL: the only link if there is one, else the lowest LGIL other than 8 (providing information);
//! * no link at all: the council's homepage.
//!
//! Shipped data (see `data/NOTICE.md`): every authority in Local Links Manager's `local-authorities.csv`, the
//! LGSL list with providing tiers from alphagov/publisher, and the LGIL codes seen in Local Links Manager.
//! Links themselves are the council's data: load them into a [`LinkTable`] or implement [`LinkSource`].

mod csv;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use csv::records;

/// LGIL 8, "Providing information": skipped when picking a default interaction.
pub const PROVIDING_INFORMATION_LGIL: u32 = 8;
/// Ordnance Survey's own local custodian code: not a council, ignored (frontend issues #5659/#5660).
pub const ORDNANCE_SURVEY_CUSTODIAN_CODE: u32 = 7655;

/// Why a local lookup failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// Not a postcode (`invalidPostcodeFormat`).
    #[error("{0:?} is not a valid postcode")]
    InvalidPostcode(String),
    /// A valid postcode with no known location (`fullPostcodeNoLocationsApiMatch`).
    #[error("no location is known for postcode {0}")]
    PostcodeNotFound(String),
    /// No council for that area (`noLaMatch`).
    #[error("no local authority matches {0}")]
    NoAuthority(String),
    /// The LGSL code is not in the service list.
    #[error("LGSL code {0} is not recognised")]
    UnknownService(u32),
    /// Shipped or supplied data did not parse.
    #[error("bad local data: {0}")]
    Data(String),
}

/// Council tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// County council (upper tier of a two-tier area).
    County,
    /// District council (lower tier).
    District,
    /// Unitary, metropolitan, London borough, Welsh, Scottish or NI council.
    Unitary,
}

impl Tier {
    fn from_id(id: &str) -> Option<Self> {
        match id {
            "1" => Some(Self::County),
            "2" => Some(Self::District),
            "3" => Some(Self::Unitary),
            _ => None,
        }
    }

    /// The `service_tiers` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::County => "county",
            Self::District => "district",
            Self::Unitary => "unitary",
        }
    }
}

/// A local authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalAuthority {
    /// Local Links Manager id (parents refer to it).
    pub id: u32,
    /// ONS GSS code, e.g. `E09000033`.
    pub gss: String,
    /// Legacy SNAC code (none for councils created after 2019).
    pub snac: Option<String>,
    /// AddressBase local custodian code.
    pub local_custodian_code: Option<u32>,
    /// Tier.
    pub tier: Tier,
    /// Id of the county above a district.
    pub parent_id: Option<u32>,
    /// Slug, e.g. `westminster`.
    pub slug: String,
    /// England, Wales, Scotland or Northern Ireland.
    pub country_name: String,
    /// Homepage.
    pub homepage_url: String,
    /// Name.
    pub name: String,
}

/// The local authority list, indexed.
#[derive(Debug, Clone, Default)]
pub struct Authorities {
    list: Vec<LocalAuthority>,
    by_gss: HashMap<String, usize>,
    by_slug: HashMap<String, usize>,
    by_id: HashMap<u32, usize>,
    by_custodian: HashMap<u32, usize>,
}

fn parse_u32(text: &str, what: &str) -> Result<Option<u32>, LocalError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| LocalError::Data(format!("{what} {text:?} is not a number")))
}

impl Authorities {
    /// The shipped list (Local Links Manager's `data/local-authorities.csv`).
    pub fn embedded() -> &'static Self {
        static DATA: OnceLock<Authorities> = OnceLock::new();
        DATA.get_or_init(|| {
            Self::from_csv(include_str!("../../data/local-authorities.csv")).unwrap_or_default()
        })
    }

    /// Parses Local Links Manager's CSV (`id,gss,snac,local_custodian_code,tier_id,parent_local_authority_id,
    /// slug,country_name,homepage_url,name`).
    pub fn from_csv(text: &str) -> Result<Self, LocalError> {
        let mut out = Self::default();
        for (line, fields) in records(text).skip(1).enumerate() {
            let [id, gss, snac, lcc, tier, parent, slug, country, homepage, name] =
                fields.as_slice()
            else {
                return Err(LocalError::Data(format!("line {}: expected 10 fields", line + 2)));
            };
            let authority = LocalAuthority {
                id: parse_u32(id, "id")?
                    .ok_or_else(|| LocalError::Data(format!("line {}: no id", line + 2)))?,
                gss: gss.clone(),
                snac: (!snac.is_empty()).then(|| snac.clone()),
                local_custodian_code: parse_u32(lcc, "local_custodian_code")?,
                tier: Tier::from_id(tier)
                    .ok_or_else(|| LocalError::Data(format!("line {}: tier {tier:?}", line + 2)))?,
                parent_id: parse_u32(parent, "parent_local_authority_id")?,
                slug: slug.clone(),
                country_name: country.clone(),
                homepage_url: homepage.clone(),
                name: name.clone(),
            };
            let i = out.list.len();
            out.by_gss.insert(authority.gss.clone(), i);
            out.by_slug.insert(authority.slug.clone(), i);
            out.by_id.insert(authority.id, i);
            if let Some(code) = authority.local_custodian_code {
                out.by_custodian.insert(code, i);
            }
            out.list.push(authority);
        }
        Ok(out)
    }

    /// Every authority.
    pub fn all(&self) -> &[LocalAuthority] {
        &self.list
    }

    /// By GSS code.
    pub fn by_gss(&self, gss: &str) -> Option<&LocalAuthority> {
        self.by_gss.get(gss).and_then(|&i| self.list.get(i))
    }

    /// By slug.
    pub fn by_slug(&self, slug: &str) -> Option<&LocalAuthority> {
        self.by_slug.get(slug).and_then(|&i| self.list.get(i))
    }

    /// By AddressBase local custodian code; Ordnance Survey's own code 7655 matches nothing.
    pub fn by_custodian_code(&self, code: u32) -> Option<&LocalAuthority> {
        if code == ORDNANCE_SURVEY_CUSTODIAN_CODE {
            return None;
        }
        self.by_custodian.get(&code).and_then(|&i| self.list.get(i))
    }

    /// The county above a district.
    pub fn parent(&self, authority: &LocalAuthority) -> Option<&LocalAuthority> {
        authority.parent_id.and_then(|id| self.by_id.get(&id)).and_then(|&i| self.list.get(i))
    }
}

/// A council service from the LGSL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// LGSL code.
    pub lgsl: u32,
    /// Description.
    pub description: String,
    /// Tiers that provide it.
    pub tiers: Vec<Tier>,
}

impl Service {
    /// Whether an authority of `tier` provides this service.
    pub fn provided_by(&self, tier: Tier) -> bool {
        self.tiers.contains(&tier)
    }
}

/// The LGSL list with providing tiers.
#[derive(Debug, Clone, Default)]
pub struct Services {
    by_lgsl: HashMap<u32, Service>,
}

impl Services {
    /// The shipped list (alphagov/publisher `data/local_services.csv`).
    pub fn embedded() -> &'static Self {
        static DATA: OnceLock<Services> = OnceLock::new();
        DATA.get_or_init(|| Self::from_csv(include_str!("../../data/lgsl.csv")).unwrap_or_default())
    }

    /// Parses `LGSL,Description,Providing Tier` where the tier is `county/unitary`, `district/unitary` or `all`.
    pub fn from_csv(text: &str) -> Result<Self, LocalError> {
        let mut by_lgsl = HashMap::new();
        for fields in records(text).skip(1) {
            let [lgsl, description, tiers] = fields.as_slice() else {
                return Err(LocalError::Data(format!("expected 3 fields in {fields:?}")));
            };
            let lgsl =
                parse_u32(lgsl, "LGSL")?.ok_or_else(|| LocalError::Data("empty LGSL".into()))?;
            let tiers = match tiers.as_str() {
                "all" => vec![Tier::County, Tier::District, Tier::Unitary],
                other => other
                    .split('/')
                    .map(|t| match t {
                        "county" => Ok(Tier::County),
                        "district" => Ok(Tier::District),
                        "unitary" => Ok(Tier::Unitary),
                        bad => Err(LocalError::Data(format!("tier {bad:?}"))),
                    })
                    .collect::<Result<_, _>>()?,
            };
            by_lgsl.insert(lgsl, Service { lgsl, description: description.clone(), tiers });
        }
        Ok(Self { by_lgsl })
    }

    /// A service by LGSL code.
    pub fn get(&self, lgsl: u32) -> Option<&Service> {
        self.by_lgsl.get(&lgsl)
    }
}

/// An interaction from the LGIL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interaction {
    /// LGIL code.
    pub lgil: u32,
    /// Label.
    pub label: String,
}

/// The LGIL list.
#[derive(Debug, Clone, Default)]
pub struct Interactions {
    list: Vec<Interaction>,
}

impl Interactions {
    /// The shipped codes (those Local Links Manager's data uses).
    pub fn embedded() -> &'static Self {
        static DATA: OnceLock<Interactions> = OnceLock::new();
        DATA.get_or_init(|| Self::from_csv(include_str!("../../data/lgil.csv")).unwrap_or_default())
    }

    /// Parses `LGIL,Label` (the esd list's `Identifier,Label` columns fit too).
    pub fn from_csv(text: &str) -> Result<Self, LocalError> {
        let mut list = Vec::new();
        for fields in records(text).skip(1) {
            let [lgil, label, ..] = fields.as_slice() else {
                return Err(LocalError::Data(format!("expected 2 fields in {fields:?}")));
            };
            let lgil =
                parse_u32(lgil, "LGIL")?.ok_or_else(|| LocalError::Data("empty LGIL".into()))?;
            list.push(Interaction { lgil, label: label.clone() });
        }
        Ok(Self { list })
    }

    /// An interaction by code.
    pub fn get(&self, lgil: u32) -> Option<&Interaction> {
        self.list.iter().find(|i| i.lgil == lgil)
    }
}

/// A council's link for a service interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Authority slug.
    pub authority_slug: String,
    /// LGSL code.
    pub lgsl: u32,
    /// LGIL code.
    pub lgil: u32,
    /// The council's page.
    pub url: String,
}

/// Where service links come from.
pub trait LinkSource {
    /// Every link an authority has for a service.
    fn links(&self, authority_slug: &str, lgsl: u32) -> Vec<Link>;
}

/// Links held in memory.
#[derive(Debug, Clone, Default)]
pub struct LinkTable {
    links: HashMap<(String, u32), Vec<Link>>,
}

impl LinkTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a link.
    pub fn insert(&mut self, link: Link) {
        self.links.entry((link.authority_slug.clone(), link.lgsl)).or_default().push(link);
    }

    /// Parses `authority_slug,lgsl,lgil,url` lines (a header line is skipped).
    pub fn from_csv(text: &str) -> Result<Self, LocalError> {
        let mut table = Self::new();
        for fields in records(text).skip(1) {
            let [slug, lgsl, lgil, url] = fields.as_slice() else {
                return Err(LocalError::Data(format!("expected 4 fields in {fields:?}")));
            };
            table.insert(Link {
                authority_slug: slug.clone(),
                lgsl: parse_u32(lgsl, "lgsl")?
                    .ok_or_else(|| LocalError::Data("empty lgsl".into()))?,
                lgil: parse_u32(lgil, "lgil")?
                    .ok_or_else(|| LocalError::Data("empty lgil".into()))?,
                url: url.clone(),
            });
        }
        Ok(table)
    }
}

impl LinkSource for LinkTable {
    fn links(&self, authority_slug: &str, lgsl: u32) -> Vec<Link> {
        self.links.get(&(authority_slug.to_owned(), lgsl)).cloned().unwrap_or_default()
    }
}

/// Finds the local authority district (GSS code) of a postcode.
pub trait PostcodeAuthority {
    /// The GSS code, `Ok(None)` when the postcode is valid but unknown.
    fn gss_for_postcode(&self, postcode: &str) -> Result<Option<String>, LocalError>;
}

impl<F: Fn(&str) -> Option<String>> PostcodeAuthority for F {
    fn gss_for_postcode(&self, postcode: &str) -> Result<Option<String>, LocalError> {
        Ok(self(postcode))
    }
}

/// gaap-address's embedded postcode data (feature `address`).
#[cfg(feature = "address")]
#[derive(Debug, Clone, Copy, Default)]
pub struct AddressPostcodes;

#[cfg(feature = "address")]
impl PostcodeAuthority for AddressPostcodes {
    fn gss_for_postcode(&self, postcode: &str) -> Result<Option<String>, LocalError> {
        let parsed = gaap_address::Postcode::parse(postcode)
            .map_err(|_| LocalError::InvalidPostcode(postcode.to_owned()))?;
        Ok(gaap_address::admin_district(&parsed).map(str::to_owned))
    }
}

/// The outcome of a resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    /// The authority whose page it is (the county, after a parent fallback).
    pub authority: LocalAuthority,
    /// The authority the postcode is in.
    pub local_authority_slug: String,
    /// The page to send the user to.
    pub url: String,
    /// The link's LGIL; `None` when falling back to the homepage.
    pub lgil: Option<u32>,
    /// True when no link existed and this is the council's homepage.
    pub homepage_fallback: bool,
}

/// Postcode → authority → service URL.
#[derive(Debug)]
pub struct Resolver<'a, L, P> {
    authorities: &'a Authorities,
    services: &'a Services,
    links: L,
    postcodes: P,
}

impl<L: LinkSource, P: PostcodeAuthority> Resolver<'static, L, P> {
    /// A resolver over the shipped authorities and services.
    pub fn embedded(links: L, postcodes: P) -> Self {
        Self {
            authorities: Authorities::embedded(),
            services: Services::embedded(),
            links,
            postcodes,
        }
    }
}

impl<'a, L: LinkSource, P: PostcodeAuthority> Resolver<'a, L, P> {
    /// A resolver over given data.
    pub fn new(
        authorities: &'a Authorities,
        services: &'a Services,
        links: L,
        postcodes: P,
    ) -> Self {
        Self { authorities, services, links, postcodes }
    }

    /// Resolves a postcode for a service and, optionally, an interaction.
    pub fn resolve_postcode(
        &self,
        postcode: &str,
        lgsl: u32,
        lgil: Option<u32>,
    ) -> Result<Resolved, LocalError> {
        let compact: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() < 5
            || compact.len() > 7
            || !compact.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(LocalError::InvalidPostcode(postcode.to_owned()));
        }
        let gss = self
            .postcodes
            .gss_for_postcode(postcode)?
            .ok_or_else(|| LocalError::PostcodeNotFound(postcode.to_owned()))?;
        let authority = self.authorities.by_gss(&gss).ok_or(LocalError::NoAuthority(gss))?;
        self.resolve_authority(authority, lgsl, lgil)
    }

    /// Resolves an authority's link for a service (Local Links Manager's `LinkResolver`).
    pub fn resolve_authority(
        &self,
        authority: &LocalAuthority,
        lgsl: u32,
        lgil: Option<u32>,
    ) -> Result<Resolved, LocalError> {
        let service = self.services.get(lgsl).ok_or(LocalError::UnknownService(lgsl))?;
        // The authority that provides the service: a district's county for county services.
        let mut provider = authority;
        if !service.provided_by(provider.tier)
            && let Some(parent) = self.authorities.parent(provider)
            && service.provided_by(parent.tier)
        {
            provider = parent;
        }
        let link = match lgil {
            Some(lgil) => {
                let mut current = authority;
                let mut found =
                    self.links.links(&current.slug, lgsl).into_iter().find(|l| l.lgil == lgil);
                while found.is_none()
                    && let Some(parent) = self.authorities.parent(current)
                    && service.provided_by(parent.tier)
                {
                    current = parent;
                    found =
                        self.links.links(&current.slug, lgsl).into_iter().find(|l| l.lgil == lgil);
                }
                found.map(|l| (current, l))
            }
            None => {
                let mut links = self.links.links(&provider.slug, lgsl);
                links.sort_by_key(|l| l.lgil);
                let chosen = if links.len() == 1 {
                    links.pop()
                } else {
                    links.into_iter().find(|l| l.lgil != PROVIDING_INFORMATION_LGIL)
                };
                chosen.map(|l| (provider, l))
            }
        };
        Ok(match link {
            Some((owner, link)) => Resolved {
                authority: owner.clone(),
                local_authority_slug: authority.slug.clone(),
                url: link.url,
                lgil: Some(link.lgil),
                homepage_fallback: false,
            },
            None => Resolved {
                authority: provider.clone(),
                local_authority_slug: authority.slug.clone(),
                url: provider.homepage_url.clone(),
                lgil: None,
                homepage_fallback: true,
            },
        })
    }
}
