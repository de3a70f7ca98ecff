//! The JSON shapes, field for field as GOV.UK's apps send them.

use gaap_address::{Address, LatLng, Postcode};
use gaap_content::local::{Authorities, LocalAuthority, Resolved, Tier};
use serde::Serialize;

/// frontend `LocalAuthority#to_h` wrapped as `{"local_authority": …}`.
#[derive(Debug, Serialize)]
pub(crate) struct AuthorityBody<'a> {
    pub(crate) local_authority: AuthoritySummary<'a>,
}

/// frontend's `LocalAuthority#to_h`: blank fields left out, as `compact_blank` does.
#[derive(Debug, Serialize)]
pub(crate) struct AuthoritySummary<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    homepage_url: &'a str,
    tier: Tier,
    #[serde(skip_serializing_if = "str::is_empty")]
    slug: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<Box<AuthoritySummary<'a>>>,
}

impl<'a> AuthoritySummary<'a> {
    /// An authority, with its county when it is a district.
    pub(crate) fn new(authorities: &'a Authorities, la: &'a LocalAuthority) -> Self {
        let parent = match la.tier {
            Tier::District => authorities.parent(la).map(|p| Box::new(Self::plain(p))),
            Tier::County | Tier::Unitary => None,
        };
        Self { parent, ..Self::plain(la) }
    }

    fn plain(la: &'a LocalAuthority) -> Self {
        Self {
            name: &la.name,
            homepage_url: &la.homepage_url,
            tier: la.tier,
            slug: &la.slug,
            parent: None,
        }
    }
}

/// frontend's answer for a postcode split between councils.
#[derive(Debug, Serialize)]
pub(crate) struct AddressesBody {
    pub(crate) addresses: Vec<AddressChoice>,
}

/// One address and its council (frontend's `AddressListPresenter#addresses_with_authority_data`).
#[derive(Debug, Serialize)]
pub(crate) struct AddressChoice {
    address: String,
    local_authority_slug: String,
    local_authority_name: String,
}

impl AddressesBody {
    pub(crate) fn new(choices: &[(Address, &LocalAuthority)]) -> Self {
        let addresses = choices
            .iter()
            .map(|(a, la)| AddressChoice {
                address: a.single_line(),
                local_authority_slug: la.slug.clone(),
                local_authority_name: la.name.clone(),
            })
            .collect();
        Self { addresses }
    }
}

/// Local Links Manager's `/api/link` answer: the authority, and the link when there is one.
#[derive(Debug, Serialize)]
pub(crate) struct LinkBody<'a> {
    local_authority: LinkAuthority<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    local_interaction: Option<Interaction<'a>>,
}

/// Local Links Manager's `LocalAuthorityHashPresenter`: `snac` only when the council has one.
#[derive(Debug, Serialize)]
struct LinkAuthority<'a> {
    name: &'a str,
    homepage_url: &'a str,
    country_name: &'a str,
    tier: Tier,
    slug: &'a str,
    gss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    snac: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Interaction<'a> {
    lgsl_code: u32,
    lgil_code: u32,
    url: &'a str,
}

impl<'a> LinkBody<'a> {
    /// The resolver's answer: the authority whose link it is (the county after a fallback), and no
    /// `local_interaction` when the answer is the homepage.
    pub(crate) fn new(resolved: &'a Resolved, lgsl: u32) -> Self {
        let la = &resolved.authority;
        let local_interaction = match (resolved.homepage_fallback, resolved.lgil) {
            (false, Some(lgil)) => {
                Some(Interaction { lgsl_code: lgsl, lgil_code: lgil, url: &resolved.url })
            }
            _ => None,
        };
        Self {
            local_authority: LinkAuthority {
                name: &la.name,
                homepage_url: &la.homepage_url,
                country_name: &la.country_name,
                tier: la.tier,
                slug: &la.slug,
                gss: &la.gss,
                snac: la.snac.as_deref(),
            },
            local_interaction,
        }
    }
}

/// alphagov/locations-api's `GET /v1/locations` answer.
#[derive(Debug, Serialize)]
pub(crate) struct LocationsBody {
    average_latitude: Option<f64>,
    average_longitude: Option<f64>,
    results: Vec<Location>,
}

/// One address in locations-api's shape, plus what a form needs to store it: `uprn` (a string, as OS
/// Places sends it), the three address lines and the post town from Royal Mail's formatting rules.
#[derive(Debug, Serialize)]
struct Location {
    postcode: String,
    address: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    local_custodian_code: Option<u16>,
    uprn: String,
    line_1: String,
    line_2: String,
    line_3: String,
    post_town: String,
}

impl LocationsBody {
    /// The addresses at `postcode`: the average is over every address (or the postcode's own position
    /// when it has none), the results leave out Ordnance Survey's own records (custodian code 7655), as
    /// locations-api leaves out national authorities.
    pub(crate) fn new(postcode: Postcode, addresses: &[Address], centre: Option<LatLng>) -> Self {
        let positions: Vec<LatLng> = addresses.iter().filter_map(Address::lat_lng).collect();
        let average = if positions.is_empty() {
            centre
        } else {
            #[allow(clippy::cast_precision_loss)]
            let n = positions.len() as f64;
            Some(LatLng {
                lat: positions.iter().map(|p| p.lat).sum::<f64>() / n,
                lng: positions.iter().map(|p| p.lng).sum::<f64>() / n,
            })
        };
        let results = addresses
            .iter()
            .filter(|a| {
                a.local_custodian_code.map(u32::from)
                    != Some(gaap_content::local::ORDNANCE_SURVEY_CUSTODIAN_CODE)
            })
            .map(|a| {
                let at = a.lat_lng();
                let formatted = a.format();
                Location {
                    postcode: a.postcode.unwrap_or(postcode).to_string(),
                    address: a.single_line(),
                    latitude: at.map(|p| p.lat),
                    longitude: at.map(|p| p.lng),
                    local_custodian_code: a.local_custodian_code,
                    uprn: a.uprn.to_string(),
                    line_1: formatted.line_1,
                    line_2: formatted.line_2,
                    line_3: formatted.line_3,
                    post_town: formatted.post_town,
                }
            })
            .collect();
        Self {
            average_latitude: average.map(|p| p.lat),
            average_longitude: average.map(|p| p.lng),
            results,
        }
    }
}
