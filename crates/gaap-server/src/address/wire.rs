//! OS Places' response shape: the `header` block and `results` of one-key objects, `{"DPA":{…}}` or
//! `{"LPI":{…}}`, with OS's field names, order and types (UPRN and UDPRN are strings, coordinates floats,
//! LOCAL_CUSTODIAN_CODE an integer). Records loaded from OS Places are replayed as they came; the rest are
//! built from the index's addresses.

use gaap_address::{Address, Language, RecordView, SourceRecord};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use super::codes;
use super::params::{Lr, Srs};

/// Which view of an address a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Dpa,
    Lpi,
}

impl View {
    pub(crate) const fn key(self) -> &'static str {
        match self {
            Self::Dpa => "DPA",
            Self::Lpi => "LPI",
        }
    }
}

/// One result record: its fields in OS's order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub(crate) view: View,
    pub(crate) welsh: bool,
    /// The position of a loaded record in its source, to keep OS's order.
    pub(crate) ordinal: Option<u32>,
    pub(crate) fields: Vec<(String, Value)>,
}

impl Record {
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// A field's text, whether it is a string or a number.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn set(&mut self, name: &str, value: Value) {
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value,
            None => self.fields.push((name.to_owned(), value)),
        }
    }

    fn remove(&mut self, name: &str) {
        self.fields.retain(|(k, _)| k != name);
    }

    /// Rewrites the position for `output_srs`: BNG keeps X/Y as eastings and northings; any other system
    /// puts its own x and y in X_COORDINATE/Y_COORDINATE and in LNG/LAT, which is where OS's clients read
    /// them.
    pub(crate) fn project(&mut self, srs: Srs) {
        if srs == Srs::Bng {
            return;
        }
        let num = |v: Option<&Value>| v.and_then(Value::as_f64);
        let (Some(e), Some(n)) = (num(self.get("X_COORDINATE")), num(self.get("Y_COORDINATE")))
        else {
            return;
        };
        let (x, y) = srs.project(gaap_address::Coordinates::new(e, n));
        let round = |v: f64| {
            if srs.is_geographic() { (v * 1e7).round() / 1e7 } else { (v * 100.0).round() / 100.0 }
        };
        let (x, y) = (round(x), round(y));
        self.set("X_COORDINATE", f(x));
        self.set("Y_COORDINATE", f(y));
        self.set("LNG", f(x));
        self.set("LAT", f(y));
    }

    /// Sets MATCH (truncated to `precision` decimal places) and MATCH_DESCRIPTION.
    pub(crate) fn set_match(&mut self, score: f64, precision: u32) {
        let scale = 10f64.powi(precision.min(10) as i32);
        let truncated = (score.clamp(0.0, 1.0) * scale).floor() / scale;
        self.remove("MATCH");
        self.remove("MATCH_DESCRIPTION");
        self.fields.push(("MATCH".to_owned(), f(truncated)));
        self.fields
            .push(("MATCH_DESCRIPTION".to_owned(), codes::match_description(truncated).into()));
    }
}

fn f(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Fields<'a>(&'a [(String, Value)]);
        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.view.key(), &Fields(&self.fields))?;
        m.end()
    }
}

/// The `header` block; every field OS's schema requires.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Header {
    pub(crate) uri: String,
    pub(crate) query: String,
    pub(crate) offset: u32,
    pub(crate) totalresults: usize,
    pub(crate) format: &'static str,
    pub(crate) dataset: &'static str,
    pub(crate) lr: &'static str,
    pub(crate) maxresults: u32,
    pub(crate) matchprecision: u32,
    pub(crate) epoch: String,
    pub(crate) lastupdate: String,
    pub(crate) output_srs: String,
}

/// A whole response. `results` is left out when empty, as OS does.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Response {
    pub(crate) header: Header,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) results: Vec<Record>,
}

pub(crate) const fn lr_label(lr: Option<Lr>) -> &'static str {
    match lr {
        None => "EN,CY",
        Some(Lr::En) => "EN",
        Some(Lr::Cy) => "CY",
    }
}

/// A loaded record, as it came.
pub(crate) fn from_source(source: &SourceRecord) -> Record {
    let fields: Vec<(String, Value)> =
        source.fields.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
    let welsh = fields.iter().any(|(k, v)| k == "LANGUAGE" && v.as_str() == Some("CY"));
    let view = match source.view {
        RecordView::Lpi => View::Lpi,
        _ => View::Dpa,
    };
    Record { view, welsh, ordinal: Some(source.ordinal), fields }
}

/// The address with its Welsh names in place of the English ones.
fn welsh_twin(a: &Address) -> Option<Address> {
    let w = a.welsh.as_ref()?;
    let mut cy = a.clone();
    let pick = |en: &mut Option<String>, cy: &Option<String>| {
        if cy.is_some() {
            en.clone_from(cy);
        }
    };
    pick(&mut cy.dependent_thoroughfare, &w.dependent_thoroughfare);
    pick(&mut cy.thoroughfare, &w.thoroughfare);
    pick(&mut cy.double_dependent_locality, &w.double_dependent_locality);
    pick(&mut cy.dependent_locality, &w.dependent_locality);
    pick(&mut cy.post_town, &w.post_town);
    cy.language = Language::Cy;
    Some(cy)
}

/// OS's `ADDRESS` for a DPA record: the elements joined by commas, the building number an element of its
/// own (`5, FLEET STREET, LIVERPOOL, L1 4AR`).
pub(crate) fn dpa_address_line(a: &Address) -> String {
    let number = a.building_number.map(|n| n.to_string());
    let postcode = a.postcode.map(|p| p.to_string());
    [
        &a.department,
        &a.organisation,
        &a.sub_building,
        &a.building_name,
        &number,
        &a.po_box.as_ref().map(|p| format!("PO BOX {p}")),
        &a.dependent_thoroughfare,
        &a.thoroughfare,
        &a.double_dependent_locality,
        &a.dependent_locality,
        &a.post_town,
        &postcode,
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(", ")
}

struct Builder(Vec<(String, Value)>);

impl Builder {
    fn s(&mut self, k: &str, v: Option<impl Into<String>>) {
        if let Some(v) = v {
            self.0.push((k.to_owned(), Value::String(v.into())));
        }
    }
    fn v(&mut self, k: &str, v: Value) {
        self.0.push((k.to_owned(), v));
    }
}

fn common_tail(b: &mut Builder, a: &Address) {
    if let Some(c) = a.coordinates {
        b.v("X_COORDINATE", f((c.easting * 100.0).round() / 100.0));
        b.v("Y_COORDINATE", f((c.northing * 100.0).round() / 100.0));
    }
    b.s("STATUS", codes::logical_status("1"));
    b.s("LOGICAL_STATUS_CODE", Some("1"));
    if let Some(code) = &a.classification {
        b.s("CLASSIFICATION_CODE", Some(code.as_str()));
        b.s("CLASSIFICATION_CODE_DESCRIPTION", codes::classification(code));
    }
    let lcc =
        a.local_custodian_code.or_else(|| a.gss_code.as_deref().and_then(codes::custodian_for_gss));
    if let Some(lcc) = lcc {
        b.v("LOCAL_CUSTODIAN_CODE", Value::from(lcc));
        b.s("LOCAL_CUSTODIAN_CODE_DESCRIPTION", codes::custodian(lcc));
    }
    if let Some((code, desc)) = a.gss_code.as_deref().and_then(codes::country) {
        b.s("COUNTRY_CODE", Some(code));
        b.s("COUNTRY_CODE_DESCRIPTION", Some(desc));
    }
}

/// A DPA record built from an index address.
pub(crate) fn dpa(a: &Address) -> Record {
    let mut b = Builder(Vec::with_capacity(32));
    b.s("UPRN", Some(a.uprn.to_string()));
    b.s("UDPRN", a.udprn.map(|u| u.to_string()));
    b.s("ADDRESS", Some(dpa_address_line(a)));
    b.s("ORGANISATION_NAME", a.organisation.as_deref());
    b.s("DEPARTMENT_NAME", a.department.as_deref());
    b.s("SUB_BUILDING_NAME", a.sub_building.as_deref());
    b.s("BUILDING_NAME", a.building_name.as_deref());
    b.s("BUILDING_NUMBER", a.building_number.map(|n| n.to_string()));
    b.s("PO_BOX_NUMBER", a.po_box.as_deref());
    b.s("DEPENDENT_THOROUGHFARE_NAME", a.dependent_thoroughfare.as_deref());
    b.s("THOROUGHFARE_NAME", a.thoroughfare.as_deref());
    b.s("DOUBLE_DEPENDENT_LOCALITY", a.double_dependent_locality.as_deref());
    b.s("DEPENDENT_LOCALITY", a.dependent_locality.as_deref());
    b.s("POST_TOWN", a.post_town.as_deref());
    b.s("POSTCODE", a.postcode.map(|p| p.to_string()));
    common_tail(&mut b, a);
    b.s("POSTAL_ADDRESS_CODE", Some("D"));
    b.s("POSTAL_ADDRESS_CODE_DESCRIPTION", codes::postal_address("D"));
    b.s("PARENT_UPRN", a.parent_uprn.map(|u| u.to_string()));
    b.s("LANGUAGE", Some(a.language.code()));
    Record { view: View::Dpa, welsh: a.language == Language::Cy, ordinal: None, fields: b.0 }
}

/// A BS7666 number: start number, start suffix, end number, end suffix.
type NumberParts = (u32, Option<String>, Option<u32>, Option<String>);

/// Splits `12A` or `12-14` into start number, start suffix, end number and end suffix.
fn number_parts(text: &str) -> Option<NumberParts> {
    let one = |t: &str| -> Option<(u32, Option<String>)> {
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let rest = t.get(digits.len()..)?.trim();
        let n = digits.parse().ok()?;
        let suffix = (!rest.is_empty()).then(|| rest.to_owned());
        if suffix.as_ref().is_some_and(|s| s.len() > 2 || !s.chars().all(char::is_alphabetic)) {
            return None;
        }
        Some((n, suffix))
    };
    match text.split_once('-') {
        Some((a, b)) => {
            let (s, ss) = one(a.trim())?;
            let (e, es) = one(b.trim())?;
            Some((s, ss, Some(e), es))
        }
        None => one(text.trim()).map(|(s, ss)| (s, ss, None, None)),
    }
}

/// An LPI record built from an index address (the BS7666 view: secondary and primary addressable objects,
/// street, locality, town).
pub(crate) fn lpi(a: &Address) -> Record {
    let mut b = Builder(Vec::with_capacity(32));
    b.s("UPRN", Some(a.uprn.to_string()));
    // SAO: the sub-building; PAO: the building name and/or number.
    let (sao_num, sao_text) = match a.sub_building.as_deref().map(|s| (s, number_parts(s))) {
        Some((_, Some(parts))) => (Some(parts), None),
        Some((s, None)) => (None, Some(s.to_owned())),
        None => (None, None),
    };
    let (pao_num, pao_text) = match (a.building_number, a.building_name.as_deref()) {
        (Some(n), name) => (Some((n, None, None, None)), name.map(str::to_owned)),
        (None, Some(name)) => match number_parts(name) {
            Some(parts) => (Some(parts), None),
            None => (None, Some(name.to_owned())),
        },
        (None, None) => (None, None),
    };
    let postcode = a.postcode.map(|p| p.to_string());
    let admin = a
        .local_custodian_code
        .or_else(|| a.gss_code.as_deref().and_then(codes::custodian_for_gss))
        .and_then(codes::custodian);
    let show = |p: &NumberParts| {
        let mut s = format!("{}{}", p.0, p.1.as_deref().unwrap_or_default());
        if let Some(e) = p.2 {
            s.push_str(&format!("-{e}{}", p.3.as_deref().unwrap_or_default()));
        }
        s
    };
    let street_line = match (&pao_num, &a.thoroughfare) {
        (Some(p), Some(t)) => Some(format!("{} {t}", show(p))),
        (Some(p), None) => Some(show(p)),
        (None, t) => t.clone(),
    };
    let address = [
        a.organisation.clone(),
        sao_num.as_ref().map(&show).or(sao_text.clone()),
        pao_text.clone(),
        street_line,
        a.dependent_locality.clone(),
        a.post_town.clone(),
        admin.clone(),
        postcode.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    b.s("ADDRESS", Some(address));
    b.s("ORGANISATION", a.organisation.as_deref());
    if let Some((s, ss, e, es)) = &sao_num {
        b.s("SAO_START_NUMBER", Some(s.to_string()));
        b.s("SAO_START_SUFFIX", ss.as_deref());
        b.s("SAO_END_NUMBER", e.map(|e| e.to_string()));
        b.s("SAO_END_SUFFIX", es.as_deref());
    }
    b.s("SAO_TEXT", sao_text.as_deref());
    if let Some((s, ss, e, es)) = &pao_num {
        b.s("PAO_START_NUMBER", Some(s.to_string()));
        b.s("PAO_START_SUFFIX", ss.as_deref());
        b.s("PAO_END_NUMBER", e.map(|e| e.to_string()));
        b.s("PAO_END_SUFFIX", es.as_deref());
    }
    b.s("PAO_TEXT", pao_text.as_deref());
    b.s("STREET_DESCRIPTION", a.thoroughfare.as_deref());
    b.s("LOCALITY_NAME", a.dependent_locality.as_deref());
    b.s("TOWN_NAME", a.post_town.as_deref());
    b.s("ADMINISTRATIVE_AREA", admin.as_deref());
    b.s("POSTCODE_LOCATOR", postcode);
    common_tail(&mut b, a);
    b.s("POSTAL_ADDRESS_CODE", Some("D"));
    b.s("POSTAL_ADDRESS_CODE_DESCRIPTION", codes::postal_address("D"));
    b.s("PARENT_UPRN", a.parent_uprn.map(|u| u.to_string()));
    b.s("LPI_LOGICAL_STATUS_CODE", Some("1"));
    b.s("LPI_LOGICAL_STATUS_CODE_DESCRIPTION", Some("APPROVED"));
    b.s("LANGUAGE", Some(a.language.code()));
    Record { view: View::Lpi, welsh: a.language == Language::Cy, ordinal: None, fields: b.0 }
}

/// Every record of one address for the asked views and language: the loaded ones when the address came
/// from OS Places, else built. With `lr` unset, English and Welsh records both; with `lr=CY`, the Welsh
/// record where there is one and the English one otherwise (so no address drops out).
pub(crate) fn records(
    a: &Address,
    sources: &[SourceRecord],
    dpa_on: bool,
    lpi_on: bool,
    lr: Option<Lr>,
) -> Vec<Record> {
    let mut all: Vec<Record> = if sources.is_empty() {
        let mut v = Vec::new();
        let cy = welsh_twin(a);
        for addr in std::iter::once(a).chain(cy.as_ref()) {
            if dpa_on {
                v.push(dpa(addr));
            }
            if lpi_on {
                v.push(lpi(addr));
            }
        }
        v
    } else {
        sources
            .iter()
            .map(from_source)
            .filter(|r| match r.view {
                View::Dpa => dpa_on,
                View::Lpi => lpi_on,
            })
            .collect()
    };
    match lr {
        None => {}
        Some(Lr::En) => all.retain(|r| !r.welsh),
        Some(Lr::Cy) => {
            for view in [View::Dpa, View::Lpi] {
                if all.iter().any(|r| r.view == view && r.welsh) {
                    all.retain(|r| r.view != view || r.welsh);
                }
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_parts_split_suffixes_and_ranges() {
        assert_eq!(number_parts("12A"), Some((12, Some("A".into()), None, None)));
        assert_eq!(number_parts("12-14"), Some((12, None, Some(14), None)));
        assert_eq!(number_parts("FLAT 3"), None);
        assert_eq!(number_parts("7"), Some((7, None, None, None)));
    }

    #[test]
    fn generated_records_carry_os_types() {
        let a = gaap_address::embedded().get(0).unwrap();
        let r = dpa(&a);
        assert!(r.get("UPRN").unwrap().is_string());
        assert!(r.get("X_COORDINATE").unwrap().is_f64());
        assert!(r.get("LOCAL_CUSTODIAN_CODE").is_none_or(Value::is_u64));
        let mut r2 = r.clone();
        r2.project(Srs::Wgs84);
        let lat = r2.get("LAT").and_then(Value::as_f64).unwrap();
        assert!((51.0..52.0).contains(&lat), "{lat}");
        r2.set_match(0.987_654, 2);
        assert_eq!(r2.get("MATCH").and_then(Value::as_f64), Some(0.98));
        let json = serde_json::to_value(&r).unwrap();
        assert!(json.get("DPA").is_some());
    }
}
