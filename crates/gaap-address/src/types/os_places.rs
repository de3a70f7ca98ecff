//! The OS Places API response shape (`/postcode`, `/uprn`, `/find`, `/nearest`): a header and, when anything
//! matched, a `results` array of one-key objects, `{"DPA": {...}}` or `{"LPI": {...}}`. Every field is optional:
//! OS omits absent elements, or sends `null`.

use serde::{Deserialize, Deserializer};

use crate::rules::geo::{Coordinates, LatLng};
use crate::rules::premise::{Aon, Placed, place_number, place_pao, place_sao};
use crate::types::address::{Address, Language, twin_roles};
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

/// A whole response.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlacesResponse {
    /// The header.
    #[serde(default)]
    pub header: PlacesHeader,
    /// The results; missing when nothing matched.
    #[serde(default)]
    pub results: Option<Vec<PlacesResult>>,
}

/// The response header (only the fields paging needs).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub struct PlacesHeader {
    /// Offset of the first result.
    #[serde(default)]
    pub offset: u32,
    /// Total results across all pages.
    #[serde(default)]
    pub totalresults: u32,
    /// Page size asked for.
    #[serde(default)]
    pub maxresults: u32,
}

/// One result: a Delivery Point Address or a Land and Property Identifier record.
#[derive(Debug, Clone, Deserialize)]
pub enum PlacesResult {
    /// Royal Mail PAF view.
    #[serde(rename = "DPA")]
    Dpa(Box<PlacesRecord>),
    /// BS7666 gazetteer view.
    #[serde(rename = "LPI")]
    Lpi(Box<PlacesRecord>),
}

fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|v| u32::try_from(v).ok()),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// The union of the DPA and LPI fields this crate reads.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PlacesRecord {
    #[serde(default, deserialize_with = "lenient_string")]
    pub uprn: Option<String>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub udprn: Option<u32>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub parent_uprn: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub organisation_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub organisation: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub department_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub sub_building_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub building_name: Option<String>,
    /// As given: a number, or a number with a suffix or a range (`92B`, `12-14`).
    #[serde(default, deserialize_with = "lenient_string")]
    pub building_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub po_box_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub dependent_thoroughfare_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub thoroughfare_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub double_dependent_locality: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub dependent_locality: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub post_town: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub x_coordinate: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub y_coordinate: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub lng: Option<f64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub classification_code: Option<String>,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub local_custodian_code: Option<u32>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub postal_address_code: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub language: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub r#match: Option<f64>,
    // LPI view.
    #[serde(default, deserialize_with = "lenient_string")]
    pub sao_start_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub sao_start_suffix: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub sao_end_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub sao_end_suffix: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub sao_text: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub pao_start_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub pao_start_suffix: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub pao_end_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub pao_end_suffix: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub pao_text: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub street_description: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub locality_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub town_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub postcode_locator: Option<String>,
}

impl PlacesResult {
    /// The record, whichever view it is.
    #[must_use]
    pub fn record(&self) -> &PlacesRecord {
        match self {
            Self::Dpa(r) | Self::Lpi(r) => r,
        }
    }

    /// Converts to an [`Address`]; `None` when the UPRN is missing or invalid.
    #[must_use]
    pub fn to_address(&self) -> Option<Address> {
        self.to_address_noted(&mut Vec::new()).ok()
    }

    /// Converts to an [`Address`], noting each value that could not be taken as it came; `Err` says why the
    /// record cannot be an address at all (no valid UPRN).
    pub(crate) fn to_address_noted(&self, notes: &mut Vec<Placed>) -> Result<Address, String> {
        match self {
            Self::Dpa(r) => r.dpa_address(notes),
            Self::Lpi(r) => r.lpi_address(notes),
        }
    }
}

/// Parses an optional value, noting one that does not parse.
pub(crate) fn noted<T, E: std::fmt::Display>(
    value: Option<&str>,
    field: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
    notes: &mut Vec<Placed>,
) -> Option<T> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    match parse(v) {
        Ok(t) => Some(t),
        Err(e) => {
            notes.push(Placed::Rejected(format!("{field} {v:?}: {e}")));
            None
        }
    }
}

impl PlacesRecord {
    fn common(&self, notes: &mut Vec<Placed>) -> Result<Address, String> {
        let uprn = match self.uprn.as_deref() {
            None => return Err("the record has no UPRN".into()),
            Some(u) => Uprn::parse(u).map_err(|e| format!("UPRN {u:?}: {e}"))?,
        };
        let mut a = Address::new(uprn);
        a.parent_uprn = noted(self.parent_uprn.as_deref(), "PARENT_UPRN", Uprn::parse, notes);
        a.coordinates = match (self.x_coordinate, self.y_coordinate) {
            (Some(x), Some(y)) => Some(Coordinates::new(x, y)),
            _ => None,
        };
        a.source_lat_lng = match (self.lat, self.lng) {
            (Some(lat), Some(lng)) => Some(LatLng { lat, lng }),
            _ => None,
        };
        a.classification.clone_from(&self.classification_code);
        a.local_custodian_code = self.local_custodian_code.and_then(|c| u16::try_from(c).ok());
        a.language = self.language.as_deref().map(Language::from_code).unwrap_or_default();
        Ok(a)
    }

    fn dpa_address(&self, notes: &mut Vec<Placed>) -> Result<Address, String> {
        let mut a = self.common(notes)?;
        a.udprn = self.udprn;
        a.organisation = self.organisation_name.clone();
        a.department.clone_from(&self.department_name);
        a.sub_building.clone_from(&self.sub_building_name);
        a.building_name.clone_from(&self.building_name);
        if let Some(n) = &self.building_number {
            place_number(&mut a, n, notes);
        }
        a.po_box.clone_from(&self.po_box_number);
        a.dependent_thoroughfare.clone_from(&self.dependent_thoroughfare_name);
        a.thoroughfare.clone_from(&self.thoroughfare_name);
        a.double_dependent_locality.clone_from(&self.double_dependent_locality);
        a.dependent_locality.clone_from(&self.dependent_locality);
        a.post_town.clone_from(&self.post_town);
        a.postcode = noted(self.postcode.as_deref(), "POSTCODE", Postcode::parse_historic, notes);
        Ok(a)
    }

    fn lpi_address(&self, notes: &mut Vec<Placed>) -> Result<Address, String> {
        let mut a = self.common(notes)?;
        a.organisation.clone_from(&self.organisation);
        let sao = Aon {
            start: self.sao_start_number.as_deref(),
            start_suffix: self.sao_start_suffix.as_deref(),
            end: self.sao_end_number.as_deref(),
            end_suffix: self.sao_end_suffix.as_deref(),
            text: self.sao_text.as_deref(),
        };
        let pao = Aon {
            start: self.pao_start_number.as_deref(),
            start_suffix: self.pao_start_suffix.as_deref(),
            end: self.pao_end_number.as_deref(),
            end_suffix: self.pao_end_suffix.as_deref(),
            text: self.pao_text.as_deref(),
        };
        place_sao(&mut a, &sao, notes);
        place_pao(&mut a, &pao, notes);
        a.thoroughfare.clone_from(&self.street_description);
        a.dependent_locality.clone_from(&self.locality_name);
        a.post_town.clone_from(&self.town_name);
        a.postcode = noted(
            self.postcode_locator.as_deref(),
            "POSTCODE_LOCATOR",
            Postcode::parse_historic,
            notes,
        );
        Ok(a)
    }
}

/// Converts results to addresses, one per UPRN in first-seen order, with `CY` twins merged into the `EN` record
/// (the Welsh-twin rule of [`Address::merge_welsh`]'s callers: the first record that is not Welsh is kept, and
/// the first Welsh one besides it is merged in).
#[must_use]
pub fn merge_results(results: &[PlacesResult]) -> Vec<Address> {
    let addresses: Vec<Address> = results.iter().filter_map(PlacesResult::to_address).collect();
    // Each UPRN's records, in first-seen order.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut seen: std::collections::HashMap<Uprn, usize> = std::collections::HashMap::new();
    for (i, a) in addresses.iter().enumerate() {
        match seen.entry(a.uprn) {
            std::collections::hash_map::Entry::Occupied(g) => groups[*g.get()].push(i),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(groups.len());
                groups.push(vec![i]);
            }
        }
    }
    groups
        .iter()
        .filter_map(|group| {
            let (kept, twin) = twin_roles(group, |i| addresses[i].language == Language::Cy)?;
            let mut a = addresses[kept].clone();
            if let Some(cy) = twin {
                a.merge_welsh(&addresses[cy]);
            }
            Some(a)
        })
        .collect()
}
