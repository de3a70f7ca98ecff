//! An address with its AddressBase / PAF components.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rules::geo::{Coordinates, LatLng};
use crate::rules::paf::{self, Formatted, PafElements};
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

/// The language of an address record. OS Places and AddressBase hold Welsh (`CY`) twins of some Welsh
/// addresses under the same UPRN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Language {
    /// English (`EN`).
    #[default]
    #[serde(rename = "EN")]
    En,
    /// Welsh (`CY`).
    #[serde(rename = "CY")]
    Cy,
    /// A code we do not know.
    #[serde(untagged)]
    Unknown(String),
}

impl Language {
    /// From an `EN` / `CY` code (any case).
    #[must_use]
    pub fn from_code(code: &str) -> Self {
        match code.trim().to_ascii_uppercase().as_str() {
            "EN" | "ENG" | "" => Self::En,
            "CY" | "CYM" => Self::Cy,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The two-letter code.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::En => "EN",
            Self::Cy => "CY",
            Self::Unknown(code) => code,
        }
    }
}

/// The Welsh-language version of the locality elements, when a record has one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WelshNames {
    /// Welsh dependent thoroughfare.
    pub dependent_thoroughfare: Option<String>,
    /// Welsh thoroughfare.
    pub thoroughfare: Option<String>,
    /// Welsh double dependent locality.
    pub double_dependent_locality: Option<String>,
    /// Welsh dependent locality.
    pub dependent_locality: Option<String>,
    /// Welsh post town.
    pub post_town: Option<String>,
}

/// One address: PAF / AddressBase components, position and administrative codes. Every component is optional
/// because OS Places and AddressBase omit absent ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Unique Property Reference Number.
    pub uprn: Uprn,
    /// Royal Mail Unique Delivery Point Reference Number.
    pub udprn: Option<u32>,
    /// Parent UPRN (a flat's building).
    pub parent_uprn: Option<Uprn>,
    /// Organisation name.
    pub organisation: Option<String>,
    /// Department name.
    pub department: Option<String>,
    /// Sub-building name (`FLAT 1`).
    pub sub_building: Option<String>,
    /// Building name.
    pub building_name: Option<String>,
    /// Building number.
    pub building_number: Option<u32>,
    /// PO Box number.
    pub po_box: Option<String>,
    /// Dependent thoroughfare.
    pub dependent_thoroughfare: Option<String>,
    /// Thoroughfare (street).
    pub thoroughfare: Option<String>,
    /// Double dependent locality.
    pub double_dependent_locality: Option<String>,
    /// Dependent locality.
    pub dependent_locality: Option<String>,
    /// Post town.
    pub post_town: Option<String>,
    /// Postcode.
    pub postcode: Option<Postcode>,
    /// British National Grid position.
    pub coordinates: Option<Coordinates>,
    /// Latitude/longitude as supplied by the source; see [`Address::lat_lng`] for a computed fallback.
    pub source_lat_lng: Option<LatLng>,
    /// AddressBase classification code (`RD04`, `CR`, `PP`).
    pub classification: Option<String>,
    /// Local custodian code: the council that maintains the record (`5990` is Westminster).
    pub local_custodian_code: Option<u16>,
    /// GSS code of the local authority district (`E09000033`).
    pub gss_code: Option<String>,
    /// Language of this record.
    pub language: Language,
    /// Welsh variants of the locality elements, merged in from a `CY` twin.
    pub welsh: Option<WelshNames>,
}

impl Address {
    /// An address with only a UPRN; fill the rest in with struct update syntax.
    #[must_use]
    pub const fn new(uprn: Uprn) -> Self {
        Self {
            uprn,
            udprn: None,
            parent_uprn: None,
            organisation: None,
            department: None,
            sub_building: None,
            building_name: None,
            building_number: None,
            po_box: None,
            dependent_thoroughfare: None,
            thoroughfare: None,
            double_dependent_locality: None,
            dependent_locality: None,
            post_town: None,
            postcode: None,
            coordinates: None,
            source_lat_lng: None,
            classification: None,
            local_custodian_code: None,
            gss_code: None,
            language: Language::En,
            welsh: None,
        }
    }

    /// Latitude/longitude: the source's if it gave one, else computed from the grid position (about 5 m).
    #[must_use]
    pub fn lat_lng(&self) -> Option<LatLng> {
        self.source_lat_lng.or_else(|| self.coordinates.map(|c| c.to_wgs84()))
    }

    /// Formats with the Royal Mail PAF rules.
    #[must_use]
    pub fn format(&self) -> Formatted {
        let number = self.building_number.map(|n| n.to_string()).unwrap_or_default();
        let postcode = self.postcode.map(|p| p.to_string()).unwrap_or_default();
        let elements = PafElements {
            department: s(&self.department),
            organisation: s(&self.organisation),
            sub_building: s(&self.sub_building),
            building_name: s(&self.building_name),
            building_number: &number,
            po_box: s(&self.po_box),
            dependent_thoroughfare: s(&self.dependent_thoroughfare),
            thoroughfare: s(&self.thoroughfare),
            double_dependent_locality: s(&self.double_dependent_locality),
            dependent_locality: s(&self.dependent_locality),
            post_town: s(&self.post_town),
            postcode: &postcode,
        };
        paf::format(&elements)
    }

    /// The address lines for display: premise and locality lines, then the post town (the postcode is separate).
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        let formatted = self.format();
        let mut lines = formatted.lines;
        if !formatted.post_town.is_empty() {
            lines.push(formatted.post_town);
        }
        lines
    }

    /// One line: the lines and postcode joined with `", "`.
    #[must_use]
    pub fn single_line(&self) -> String {
        let mut lines = self.lines();
        if let Some(pc) = self.postcode {
            lines.push(pc.to_string());
        }
        lines.join(", ")
    }

    /// Merges a Welsh (`CY`) twin of this record into `self.welsh`.
    pub fn merge_welsh(&mut self, cy: &Self) {
        let differs =
            |en: &Option<String>, cy: &Option<String>| if en == cy { None } else { cy.clone() };
        let names = WelshNames {
            dependent_thoroughfare: differs(
                &self.dependent_thoroughfare,
                &cy.dependent_thoroughfare,
            ),
            thoroughfare: differs(&self.thoroughfare, &cy.thoroughfare),
            double_dependent_locality: differs(
                &self.double_dependent_locality,
                &cy.double_dependent_locality,
            ),
            dependent_locality: differs(&self.dependent_locality, &cy.dependent_locality),
            post_town: differs(&self.post_town, &cy.post_town),
        };
        if names != WelshNames::default() {
            self.welsh = Some(names);
        }
    }
}

fn s(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or_default()
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.single_line())
    }
}
