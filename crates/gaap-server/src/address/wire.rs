//! OS Places' response shape: the `header` block and `results` of one-key objects, `{"DPA":{…}}` or
//! `{"LPI":{…}}`, with OS's field names, order and types (UPRN and UDPRN are strings, coordinates floats,
//! LOCAL_CUSTODIAN_CODE an integer). Records loaded from OS Places are replayed as they came; the rest are
//! built from the index's addresses.
//!
//! A built record is not turned into a list of fields and then serialised: it keeps a reference to its
//! address, and its fields are written once, in OS's order, into whatever [`Sink`] asks for them (the
//! JSON writer, the XML writer, a filter's probe). The field rules live in one place, [`emit_dpa`] and
//! [`emit_lpi`], whichever way the record is written out.

use std::borrow::Cow;

use gaap_address::{Address, Coordinates, Language, NumberLabel, RecordView, SourceRecord};
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

/// A field's value: text, a number, or a loaded record's value replayed as it came.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field {
    Text(Cow<'static, str>),
    Float(f64),
    Json(Value),
}

impl Field {
    fn as_ref(&self) -> FieldRef<'_> {
        match self {
            Self::Text(t) => FieldRef::Text(t),
            Self::Float(x) => FieldRef::Float(*x),
            Self::Json(v) => FieldRef::Json(v),
        }
    }
}

/// A field's value as it is written out, borrowed from wherever it lives.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FieldRef<'a> {
    Text(&'a str),
    Float(f64),
    Int(u64),
    Json(&'a Value),
}

impl FieldRef<'_> {
    fn as_f64(self) -> Option<f64> {
        match self {
            Self::Float(x) => Some(x),
            Self::Int(n) => Some(n as f64),
            Self::Json(v) => v.as_f64(),
            Self::Text(_) => None,
        }
    }

    /// The value's text, whether it is a string or a number.
    pub(crate) fn text(self) -> Option<Cow<'static, str>> {
        match self {
            Self::Text(t) => Some(Cow::Owned(t.to_owned())),
            Self::Float(x) => Some(Cow::Owned(json_float(x))),
            Self::Int(n) => Some(Cow::Owned(n.to_string())),
            Self::Json(Value::String(s)) => Some(Cow::Owned(s.clone())),
            Self::Json(Value::Number(n)) => Some(Cow::Owned(n.to_string())),
            Self::Json(_) => None,
        }
    }
}

/// A float as JSON writes it (`1.0`, `529090.5`; `null` for what JSON cannot hold).
fn json_float(x: f64) -> String {
    serde_json::Number::from_f64(x).map_or_else(|| "null".to_owned(), |n| n.to_string())
}

/// Where a record's fields go, one at a time, in OS's order.
pub(crate) trait Sink {
    fn field(&mut self, name: &str, value: FieldRef<'_>);

    /// A field whose name is one of OS's own.
    fn known(&mut self, key: Key, value: FieldRef<'_>) {
        self.field(key.name, value);
    }
}

/// A field's name: OS's own (static) for built records, the source's for loaded ones.
pub(crate) type Name = Cow<'static, str>;

/// How a built record is written: the address it shows and what the request asked of it.
#[derive(Debug, Clone, Copy)]
struct Built<'a> {
    address: &'a Address,
    /// Shows the address's Welsh names (its `CY` twin).
    twin: bool,
    srs: Srs,
    /// MATCH and its decimal places, once set.
    matched: Option<(f64, u32)>,
}

#[derive(Debug, Clone)]
enum Body<'a> {
    Built(Built<'a>),
    Fields(Vec<(Name, Field)>),
}

/// One result record.
#[derive(Debug, Clone)]
pub(crate) struct Record<'a> {
    pub(crate) view: View,
    pub(crate) welsh: bool,
    /// The position of a loaded record in its source, to keep OS's order.
    pub(crate) ordinal: Option<u32>,
    body: Body<'a>,
}

/// Captures one named field's text.
struct Probe<'n> {
    name: &'n str,
    found: Option<Cow<'static, str>>,
}

impl Sink for Probe<'_> {
    fn field(&mut self, name: &str, value: FieldRef<'_>) {
        if self.found.is_none() && name == self.name {
            self.found = value.text();
        }
    }
}

impl<'a> Record<'a> {
    /// A record of the given fields, in the order given.
    #[cfg(test)]
    pub(crate) fn from_fields(view: View, welsh: bool, fields: Vec<(Name, Field)>) -> Self {
        Self { view, welsh, ordinal: None, body: Body::Fields(fields) }
    }

    fn built(view: View, address: &'a Address, twin: bool) -> Self {
        let welsh = twin || address.language == Language::Cy;
        Self {
            view,
            welsh,
            ordinal: None,
            body: Body::Built(Built { address, twin, srs: Srs::Bng, matched: None }),
        }
    }

    /// Writes every field, in OS's order, into `sink`.
    pub(crate) fn visit(&self, sink: &mut impl Sink) {
        match &self.body {
            Body::Built(b) => match self.view {
                View::Dpa => emit_dpa(b, sink),
                View::Lpi => emit_lpi(b, sink),
            },
            Body::Fields(fields) => {
                for (name, value) in fields {
                    sink.field(name, value.as_ref());
                }
            }
        }
    }

    /// A field's text, whether it is a string or a number.
    pub(crate) fn text(&self, name: &str) -> Option<Cow<'static, str>> {
        let mut probe = Probe { name, found: None };
        self.visit(&mut probe);
        probe.found
    }

    fn fields_mut(&mut self) -> Option<&mut Vec<(Name, Field)>> {
        match &mut self.body {
            Body::Fields(fields) => Some(fields),
            Body::Built(_) => None,
        }
    }

    /// Rewrites the position for `output_srs`: BNG keeps X/Y as eastings and northings; any other system
    /// puts its own x and y in X_COORDINATE/Y_COORDINATE and in LNG/LAT, which is where OS's clients read
    /// them.
    pub(crate) fn project(&mut self, srs: Srs) {
        if let Body::Built(b) = &mut self.body {
            b.srs = srs;
            return;
        }
        let Some(fields) = self.fields_mut() else { return };
        let num = |name: &str, fields: &[(Name, Field)]| {
            fields.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.as_ref().as_f64())
        };
        let (Some(e), Some(n)) = (num("X_COORDINATE", fields), num("Y_COORDINATE", fields)) else {
            return;
        };
        let Some((x, y)) = projected(srs, e, n) else { return };
        for (name, value) in [("X_COORDINATE", x), ("Y_COORDINATE", y), ("LNG", x), ("LAT", y)] {
            match fields.iter_mut().find(|(k, _)| k == name) {
                Some((_, v)) => *v = Field::Float(value),
                None => fields.push((Cow::Borrowed(name), Field::Float(value))),
            }
        }
    }

    /// Sets MATCH (truncated to `precision` decimal places) and MATCH_DESCRIPTION.
    pub(crate) fn set_match(&mut self, score: f64, precision: u32) {
        if let Body::Built(b) = &mut self.body {
            b.matched = Some((score, precision));
            return;
        }
        let Some(fields) = self.fields_mut() else { return };
        let truncated = truncated_match(score, precision);
        fields.retain(|(k, _)| k != "MATCH" && k != "MATCH_DESCRIPTION");
        fields.push((Cow::Borrowed("MATCH"), Field::Float(truncated)));
        fields.push((
            Cow::Borrowed("MATCH_DESCRIPTION"),
            Field::Text(Cow::Borrowed(codes::match_description(truncated))),
        ));
    }

    /// Appends the record as JSON, `{"DPA":{…}}`, exactly as serde_json writes it.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(self.view.key().as_bytes());
        out.extend_from_slice(b"\":{");
        let mut w = JsonFields { out, first: true };
        self.visit(&mut w);
        out.extend_from_slice(b"}}");
    }
}

/// The position in `srs`, rounded as OS rounds it: 7 places of a degree, or centimetres. `None` for BNG,
/// which keeps the record's own figures.
fn projected(srs: Srs, easting: f64, northing: f64) -> Option<(f64, f64)> {
    if srs == Srs::Bng {
        return None;
    }
    let (x, y) = srs.project(Coordinates::new(easting, northing));
    let round = |v: f64| {
        if srs.is_geographic() { (v * 1e7).round() / 1e7 } else { (v * 100.0).round() / 100.0 }
    };
    Some((round(x), round(y)))
}

/// MATCH truncated to `precision` decimal places (at most 10).
fn truncated_match(score: f64, precision: u32) -> f64 {
    let scale = 10f64.powi(precision.min(10) as i32);
    (score.clamp(0.0, 1.0) * scale).floor() / scale
}

/// Writes `"NAME":value` pairs, comma-separated, as serde_json's compact writer does.
struct JsonFields<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl JsonFields<'_> {
    fn value(&mut self, value: FieldRef<'_>) {
        let out = &mut *self.out;
        match value {
            FieldRef::Text(t) => json_str(out, t),
            FieldRef::Float(x) => json_value(out, &x),
            FieldRef::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            FieldRef::Json(v) => json_value(out, v),
        }
    }
}

impl Sink for JsonFields<'_> {
    fn field(&mut self, name: &str, value: FieldRef<'_>) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        json_str(self.out, name);
        self.out.push(b':');
        self.value(value);
    }

    fn known(&mut self, key: Key, value: FieldRef<'_>) {
        self.out.extend_from_slice(key.json(self.first));
        self.first = false;
        self.value(value);
    }
}

/// A JSON string: copied as it is when nothing in it needs escaping (the usual case), else serde_json's
/// own escaping, so the bytes are the same either way.
fn json_str(out: &mut Vec<u8>, s: &str) {
    if may_need_escaping(s.as_bytes()) {
        json_value(out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether `bytes` may hold a byte JSON escapes: a control character, `"` or `\\`. Eight bytes at a time;
/// a false "yes" only sends the text the slower, exact way.
fn may_need_escaping(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS != 0;
    let has = |w: u64, b: u8| below(w ^ (ONES * u64::from(b)), 1);
    let word = |w: u64| below(w, 0x20) || has(w, b'"') || has(w, b'\\');
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        if word(u64::from_ne_bytes(eight)) {
            return true;
        }
    }
    // The last few bytes, padded with a letter to a whole word.
    let rest = chunks.remainder();
    let mut eight = [b'A'; 8];
    if let Some(head) = eight.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    word(u64::from_ne_bytes(eight))
}

fn json_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing our own values into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Puts a sink's fields into a serde map.
struct MapSink<M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

impl<M: SerializeMap> Sink for MapSink<M> {
    fn field(&mut self, name: &str, value: FieldRef<'_>) {
        if self.error.is_some() {
            return;
        }
        let done = match value {
            FieldRef::Text(t) => self.map.serialize_entry(name, t),
            FieldRef::Float(x) => self.map.serialize_entry(name, &x),
            FieldRef::Int(n) => self.map.serialize_entry(name, &n),
            FieldRef::Json(v) => self.map.serialize_entry(name, v),
        };
        self.error = done.err();
    }
}

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Fields<'r, 'a>(&'r Record<'a>);
        impl Serialize for Fields<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut sink = MapSink { map: s.serialize_map(None)?, error: None };
                self.0.visit(&mut sink);
                match sink.error {
                    Some(e) => Err(e),
                    None => sink.map.end(),
                }
            }
        }
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.view.key(), &Fields(self))?;
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
pub(crate) struct Response<'a> {
    pub(crate) header: Header,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) results: Vec<Record<'a>>,
}

impl Response<'_> {
    /// The response as JSON, byte for byte what serde_json writes for it, without building each record's
    /// fields first.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512 + self.results.len() * 768);
        out.extend_from_slice(b"{\"header\":");
        json_value(&mut out, &self.header);
        if !self.results.is_empty() {
            out.extend_from_slice(b",\"results\":[");
            for (i, record) in self.results.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                record.write_json(&mut out);
            }
            out.push(b']');
        }
        out.push(b'}');
        out
    }
}

pub(crate) const fn lr_label(lr: Option<Lr>) -> &'static str {
    match lr {
        None => "EN,CY",
        Some(Lr::En) => "EN",
        Some(Lr::Cy) => "CY",
    }
}

/// A loaded record, as it came.
pub(crate) fn from_source(source: &SourceRecord) -> Record<'static> {
    let fields: Vec<(Name, Field)> = source
        .fields
        .iter()
        .map(|(k, v)| (Cow::Owned(k.clone()), Field::Json(v.to_json())))
        .collect();
    let welsh = fields
        .iter()
        .any(|(k, v)| k == "LANGUAGE" && matches!(v, Field::Json(Value::String(s)) if s == "CY"));
    let view = match source.view {
        RecordView::Lpi => View::Lpi,
        _ => View::Dpa,
    };
    Record { view, welsh, ordinal: Some(source.ordinal), body: Body::Fields(fields) }
}

/// The names a record shows: the address's own, or its Welsh twin's where it has them.
struct Names<'a> {
    dependent_thoroughfare: Option<&'a str>,
    thoroughfare: Option<&'a str>,
    double_dependent_locality: Option<&'a str>,
    dependent_locality: Option<&'a str>,
    post_town: Option<&'a str>,
    language: &'a str,
}

impl<'a> Names<'a> {
    fn of(a: &'a Address, twin: bool) -> Self {
        let welsh = a.welsh.as_ref().filter(|_| twin);
        let pick = |en: &'a Option<String>, cy: Option<&'a Option<String>>| {
            cy.and_then(Option::as_deref).or(en.as_deref())
        };
        Self {
            dependent_thoroughfare: pick(
                &a.dependent_thoroughfare,
                welsh.map(|w| &w.dependent_thoroughfare),
            ),
            thoroughfare: pick(&a.thoroughfare, welsh.map(|w| &w.thoroughfare)),
            double_dependent_locality: pick(
                &a.double_dependent_locality,
                welsh.map(|w| &w.double_dependent_locality),
            ),
            dependent_locality: pick(&a.dependent_locality, welsh.map(|w| &w.dependent_locality)),
            post_town: pick(&a.post_town, welsh.map(|w| &w.post_town)),
            language: if welsh.is_some() { Language::Cy.code() } else { a.language.code() },
        }
    }
}

/// Writes fields into a sink, leaving out the ones with no value.
struct Out<'s, S: Sink>(&'s mut S);

impl<S: Sink> Out<'_, S> {
    fn s(&mut self, key: Key, value: Option<&str>) {
        if let Some(v) = value {
            self.0.known(key, FieldRef::Text(v));
        }
    }
    fn n(&mut self, key: Key, value: Option<u64>) {
        if let Some(v) = value {
            let mut buf = itoa::Buffer::new();
            self.0.known(key, FieldRef::Text(buf.format(v)));
        }
    }
    fn v(&mut self, key: Key, value: FieldRef<'_>) {
        self.0.known(key, value);
    }
}

/// A field name of OS's, with the bytes JSON writes before its value (`,"UPRN":`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    name: &'static str,
    json: &'static str,
}

impl Key {
    /// The JSON before the value: without the comma when it is the first field.
    fn json(self, first: bool) -> &'static [u8] {
        let bytes = self.json.as_bytes();
        if first { bytes.get(1..).unwrap_or_default() } else { bytes }
    }
}

/// The names of the fields built records have.
mod k {
    use super::Key;

    macro_rules! keys {
        ($($name:ident)*) => {
            $(pub(super) const $name: Key =
                Key { name: stringify!($name), json: concat!(",\"", stringify!($name), "\":") };)*
        };
    }

    keys! {
        ADDRESS ADMINISTRATIVE_AREA BUILDING_NAME BUILDING_NUMBER CLASSIFICATION_CODE CLASSIFICATION_CODE_DESCRIPTION
        COUNTRY_CODE COUNTRY_CODE_DESCRIPTION DEPARTMENT_NAME DEPENDENT_LOCALITY DEPENDENT_THOROUGHFARE_NAME DOUBLE_DEPENDENT_LOCALITY
        LANGUAGE LAT LNG LOCALITY_NAME LOCAL_CUSTODIAN_CODE LOCAL_CUSTODIAN_CODE_DESCRIPTION
        LOGICAL_STATUS_CODE LPI_LOGICAL_STATUS_CODE LPI_LOGICAL_STATUS_CODE_DESCRIPTION MATCH MATCH_DESCRIPTION ORGANISATION
        ORGANISATION_NAME PAO_TEXT PARENT_UPRN POSTAL_ADDRESS_CODE POSTAL_ADDRESS_CODE_DESCRIPTION POSTCODE
        POSTCODE_LOCATOR POST_TOWN PO_BOX_NUMBER SAO_TEXT STATUS STREET_DESCRIPTION
        SUB_BUILDING_NAME THOROUGHFARE_NAME TOWN_NAME UDPRN UPRN X_COORDINATE
        Y_COORDINATE SAO_START_NUMBER SAO_START_SUFFIX SAO_END_NUMBER SAO_END_SUFFIX PAO_START_NUMBER
        PAO_START_SUFFIX PAO_END_NUMBER PAO_END_SUFFIX
    }
}

/// The DPA building name and number. PAF keeps only a plain number as the building number; one with a suffix
/// or a range (`92B`, `12-14`) is a building name, in front of any name the building has (`12A ROSE COURT`).
fn dpa_building(a: &Address) -> (Option<Cow<'_, str>>, Option<u32>) {
    let plain = a.building_number_suffix.is_none() && a.building_number_end.is_none();
    match (a.building_number, a.number_label()) {
        (Some(n), _) if plain => (a.building_name.as_deref().map(Cow::Borrowed), Some(n)),
        (_, Some(label)) => {
            let name = match a.building_name.as_deref() {
                Some(name) => format!("{label} {name}"),
                None => label,
            };
            (Some(Cow::Owned(name)), None)
        }
        _ => (a.building_name.as_deref().map(Cow::Borrowed), None),
    }
}

/// OS's `ADDRESS` for a DPA record: the elements joined by commas, the building number an element of its
/// own (`5, FLEET STREET, LIVERPOOL, L1 4AR`).
fn dpa_address_line(
    a: &Address,
    names: &Names<'_>,
    building_name: Option<&str>,
    building_number: Option<u32>,
) -> String {
    let mut number = itoa::Buffer::new();
    let po_box = a.po_box.as_ref().map(|p| format!("PO BOX {p}"));
    let parts = [
        a.department.as_deref(),
        a.organisation.as_deref(),
        a.sub_building.as_deref(),
        building_name,
        building_number.map(|n| number.format(n)),
        po_box.as_deref(),
        names.dependent_thoroughfare,
        names.thoroughfare,
        names.double_dependent_locality,
        names.dependent_locality,
        names.post_town,
        a.postcode.as_ref().map(|p| p.as_str()),
    ];
    join(parts)
}

/// The non-empty parts, joined by `, `.
fn join<'p>(parts: impl IntoIterator<Item = Option<&'p str>>) -> String {
    let mut line = String::with_capacity(96);
    for part in parts.into_iter().flatten().filter(|s| !s.is_empty()) {
        if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str(part);
    }
    line
}

/// The fields every built record has after its address: position (in the asked system), status,
/// classification, custodian, country.
fn common_tail<S: Sink>(out: &mut Out<'_, S>, b: &Built<'_>) {
    let a = b.address;
    if let Some((e, n)) = grid(a) {
        let (x, y) = projected(b.srs, e, n).unwrap_or((e, n));
        out.v(k::X_COORDINATE, FieldRef::Float(x));
        out.v(k::Y_COORDINATE, FieldRef::Float(y));
    }
    out.s(k::STATUS, codes::logical_status("1"));
    out.s(k::LOGICAL_STATUS_CODE, Some("1"));
    if let Some(code) = &a.classification {
        out.s(k::CLASSIFICATION_CODE, Some(code));
        out.s(k::CLASSIFICATION_CODE_DESCRIPTION, codes::classification(code));
    }
    let lcc =
        a.local_custodian_code.or_else(|| a.gss_code.as_deref().and_then(codes::custodian_for_gss));
    if let Some(lcc) = lcc {
        out.v(k::LOCAL_CUSTODIAN_CODE, FieldRef::Int(u64::from(lcc)));
        out.s(k::LOCAL_CUSTODIAN_CODE_DESCRIPTION, codes::custodian(lcc));
    }
    if let Some((code, desc)) = a.gss_code.as_deref().and_then(codes::country) {
        out.s(k::COUNTRY_CODE, Some(code));
        out.s(k::COUNTRY_CODE_DESCRIPTION, Some(desc));
    }
}

/// The grid position to the centimetre, as OS prints it.
fn grid(a: &Address) -> Option<(f64, f64)> {
    a.coordinates
        .map(|c| ((c.easting * 100.0).round() / 100.0, (c.northing * 100.0).round() / 100.0))
}

/// What follows LANGUAGE: the position again as LNG/LAT in any system but BNG, then MATCH.
fn ending<S: Sink>(out: &mut Out<'_, S>, b: &Built<'_>) {
    if let Some((x, y)) = grid(b.address).and_then(|(e, n)| projected(b.srs, e, n)) {
        out.v(k::LNG, FieldRef::Float(x));
        out.v(k::LAT, FieldRef::Float(y));
    }
    if let Some((score, precision)) = b.matched {
        let truncated = truncated_match(score, precision);
        out.v(k::MATCH, FieldRef::Float(truncated));
        out.s(k::MATCH_DESCRIPTION, Some(codes::match_description(truncated)));
    }
}

/// A DPA record's fields, built from an index address.
fn emit_dpa<S: Sink>(b: &Built<'_>, sink: &mut S) {
    let a = b.address;
    let names = Names::of(a, b.twin);
    let (building_name, building_number) = dpa_building(a);
    let building_name = building_name.as_deref();
    let mut out = Out(sink);
    out.n(k::UPRN, Some(a.uprn.get()));
    out.n(k::UDPRN, a.udprn.map(u64::from));
    out.s(k::ADDRESS, Some(&dpa_address_line(a, &names, building_name, building_number)));
    out.s(k::ORGANISATION_NAME, a.organisation.as_deref());
    out.s(k::DEPARTMENT_NAME, a.department.as_deref());
    out.s(k::SUB_BUILDING_NAME, a.sub_building.as_deref());
    out.s(k::BUILDING_NAME, building_name);
    out.n(k::BUILDING_NUMBER, building_number.map(u64::from));
    out.s(k::PO_BOX_NUMBER, a.po_box.as_deref());
    out.s(k::DEPENDENT_THOROUGHFARE_NAME, names.dependent_thoroughfare);
    out.s(k::THOROUGHFARE_NAME, names.thoroughfare);
    out.s(k::DOUBLE_DEPENDENT_LOCALITY, names.double_dependent_locality);
    out.s(k::DEPENDENT_LOCALITY, names.dependent_locality);
    out.s(k::POST_TOWN, names.post_town);
    out.s(k::POSTCODE, a.postcode.as_ref().map(|p| p.as_str()));
    common_tail(&mut out, b);
    out.s(k::POSTAL_ADDRESS_CODE, Some("D"));
    out.s(k::POSTAL_ADDRESS_CODE_DESCRIPTION, codes::postal_address("D"));
    out.n(k::PARENT_UPRN, a.parent_uprn.map(|u| u.get()));
    out.s(k::LANGUAGE, Some(names.language));
    ending(&mut out, b);
}

/// The SAO and PAO number fields: start number, start suffix, end number, end suffix.
const SAO: [Key; 4] =
    [k::SAO_START_NUMBER, k::SAO_START_SUFFIX, k::SAO_END_NUMBER, k::SAO_END_SUFFIX];
const PAO: [Key; 4] =
    [k::PAO_START_NUMBER, k::PAO_START_SUFFIX, k::PAO_END_NUMBER, k::PAO_END_SUFFIX];

fn bs7666<S: Sink>(out: &mut Out<'_, S>, names: [Key; 4], number: Option<&NumberLabel>) {
    let [start, start_suffix, end, end_suffix] = names;
    if let Some(n) = number {
        out.n(start, Some(u64::from(n.start)));
        out.s(start_suffix, n.start_suffix.as_deref());
        out.n(end, n.end.map(u64::from));
        out.s(end_suffix, n.end_suffix.as_deref());
    }
}

/// An LPI record's fields, built from an index address (the BS7666 view: secondary and primary
/// addressable objects, street, locality, town).
fn emit_lpi<S: Sink>(b: &Built<'_>, sink: &mut S) {
    let a = b.address;
    let names = Names::of(a, b.twin);
    let mut out = Out(sink);
    out.n(k::UPRN, Some(a.uprn.get()));
    // SAO: the sub-building; PAO: the building number (with its suffix and range) and/or name.
    let (sao_num, sao_text) = match a.sub_building.as_deref() {
        Some(s) => match NumberLabel::parse(s) {
            Some(label) => (Some(label), None),
            None => (None, Some(s)),
        },
        None => (None, None),
    };
    let (pao_num, pao_text) = match (a.building_number, a.building_name.as_deref()) {
        (Some(start), name) => (
            Some(NumberLabel {
                start,
                start_suffix: a.building_number_suffix.clone(),
                end: a.building_number_end,
                end_suffix: a.building_number_end_suffix.clone(),
            }),
            name,
        ),
        (None, Some(name)) => match NumberLabel::parse(name) {
            Some(label) => (Some(label), None),
            None => (None, Some(name)),
        },
        (None, None) => (None, None),
    };
    let postcode = a.postcode.as_ref().map(|p| p.as_str());
    let admin = a
        .local_custodian_code
        .or_else(|| a.gss_code.as_deref().and_then(codes::custodian_for_gss))
        .and_then(codes::custodian);
    let street_line = match (&pao_num, names.thoroughfare) {
        (Some(p), Some(t)) => Some(format!("{p} {t}")),
        (Some(p), None) => Some(p.to_string()),
        (None, t) => t.map(str::to_owned),
    };
    let sao_shown = sao_num.as_ref().map(NumberLabel::to_string);
    let address = join([
        a.organisation.as_deref(),
        sao_shown.as_deref().or(sao_text),
        pao_text,
        street_line.as_deref(),
        names.dependent_locality,
        names.post_town,
        admin,
        postcode,
    ]);
    out.s(k::ADDRESS, Some(&address));
    out.s(k::ORGANISATION, a.organisation.as_deref());
    bs7666(&mut out, SAO, sao_num.as_ref());
    out.s(k::SAO_TEXT, sao_text);
    bs7666(&mut out, PAO, pao_num.as_ref());
    out.s(k::PAO_TEXT, pao_text);
    out.s(k::STREET_DESCRIPTION, names.thoroughfare);
    out.s(k::LOCALITY_NAME, names.dependent_locality);
    out.s(k::TOWN_NAME, names.post_town);
    out.s(k::ADMINISTRATIVE_AREA, admin);
    out.s(k::POSTCODE_LOCATOR, postcode);
    common_tail(&mut out, b);
    out.s(k::POSTAL_ADDRESS_CODE, Some("D"));
    out.s(k::POSTAL_ADDRESS_CODE_DESCRIPTION, codes::postal_address("D"));
    out.n(k::PARENT_UPRN, a.parent_uprn.map(|u| u.get()));
    out.s(k::LPI_LOGICAL_STATUS_CODE, Some("1"));
    out.s(k::LPI_LOGICAL_STATUS_CODE_DESCRIPTION, Some("APPROVED"));
    out.s(k::LANGUAGE, Some(names.language));
    ending(&mut out, b);
}

/// Every record of one address for the asked views and language: the loaded ones when the address came
/// from OS Places, else built. With `lr` unset, English and Welsh records both; with `lr=CY`, the Welsh
/// record where there is one and the English one otherwise (so no address drops out).
pub(crate) fn records<'a>(
    a: &'a Address,
    sources: &[SourceRecord],
    dpa_on: bool,
    lpi_on: bool,
    lr: Option<Lr>,
) -> Vec<Record<'a>> {
    let mut all: Vec<Record<'a>> = if sources.is_empty() {
        let mut v = Vec::new();
        let twins: &[bool] = if a.welsh.is_some() { &[false, true] } else { &[false] };
        for &twin in twins {
            if dpa_on {
                v.push(Record::built(View::Dpa, a, twin));
            }
            if lpi_on {
                v.push(Record::built(View::Lpi, a, twin));
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
    fn the_escape_check_finds_every_byte_json_escapes() {
        for b in 0u8..=0x7f {
            let must = b < 0x20 || b == b'"' || b == b'\\';
            for at in 0..20 {
                let mut text = vec![b'A'; 20];
                text[at] = b;
                if must {
                    assert!(may_need_escaping(&text), "{b} at {at}");
                }
            }
        }
        // Text with nothing to escape takes the fast way, whatever its length or script.
        for text in ["SIÂN'S CAFÉ, 12 HEOL Y FRENHINES", "FLAT 2, 10 DOWNING STREET", "A", ""] {
            assert!(!may_need_escaping(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn suffixes_and_ranges_are_a_building_name_in_dpa_and_pao_parts_in_lpi() {
        let mut a = gaap_address::embedded().get(0).unwrap();
        a.building_name = None;
        a.sub_building = Some("FLAT 2".into());
        a.set_number(NumberLabel::parse("12A-14C"));
        let dpa = serde_json::to_value(Record::built(View::Dpa, &a, false)).unwrap()["DPA"].clone();
        assert_eq!(dpa["BUILDING_NAME"], "12A-14C");
        assert!(dpa.get("BUILDING_NUMBER").is_none(), "{dpa}");
        assert!(dpa["ADDRESS"].as_str().unwrap().starts_with("FLAT 2, 12A-14C, "), "{dpa}");
        let lpi = serde_json::to_value(Record::built(View::Lpi, &a, false)).unwrap()["LPI"].clone();
        assert_eq!(
            (
                &lpi["PAO_START_NUMBER"],
                &lpi["PAO_START_SUFFIX"],
                &lpi["PAO_END_NUMBER"],
                &lpi["PAO_END_SUFFIX"]
            ),
            (&"12".into(), &"A".into(), &"14".into(), &"C".into())
        );
        assert_eq!(lpi["SAO_TEXT"], "FLAT 2");
        // A plain number stays the building number; a named building keeps its name beside a suffixed number.
        a.set_number(NumberLabel::parse("7"));
        let dpa = serde_json::to_value(Record::built(View::Dpa, &a, false)).unwrap()["DPA"].clone();
        assert_eq!((&dpa["BUILDING_NUMBER"], dpa.get("BUILDING_NAME")), (&"7".into(), None));
        a.set_number(NumberLabel::parse("92B"));
        a.building_name = Some("ROSE COURT".into());
        let dpa = serde_json::to_value(Record::built(View::Dpa, &a, false)).unwrap()["DPA"].clone();
        assert_eq!(dpa["BUILDING_NAME"], "92B ROSE COURT");
    }

    #[test]
    fn generated_records_carry_os_types() {
        let a = gaap_address::embedded().get(0).unwrap();
        let r = Record::built(View::Dpa, &a, false);
        let json = serde_json::to_value(&r).unwrap();
        let d = &json["DPA"];
        assert!(
            d["UPRN"].is_string()
                && d["X_COORDINATE"].is_f64()
                && d["LOCAL_CUSTODIAN_CODE"].is_u64(),
            "{d}"
        );
        assert_eq!(d["LOCAL_CUSTODIAN_CODE_DESCRIPTION"], "CITY OF WESTMINSTER");
        let mut r2 = r;
        r2.project(Srs::Wgs84);
        r2.set_match(0.987_654, 2);
        let d = serde_json::to_value(&r2).unwrap()["DPA"].clone();
        let lat = d["LAT"].as_f64().unwrap();
        assert!((51.0..52.0).contains(&lat), "{lat}");
        assert_eq!(d["MATCH"].as_f64(), Some(0.98));
        assert_eq!(d["MATCH_DESCRIPTION"], "GOOD");
    }

    #[test]
    fn the_json_writer_writes_what_serde_json_writes() {
        let mut a = gaap_address::embedded().get(0).unwrap();
        a.organisation = Some("\"QUOTED\" \\ & <TAB\t>".into());
        a.welsh = Some(gaap_address::WelshNames {
            thoroughfare: Some("STRYD Y FRENHINES".into()),
            ..Default::default()
        });
        for (view, twin, srs) in [
            (View::Dpa, false, Srs::Bng),
            (View::Lpi, true, Srs::Wgs84),
            (View::Dpa, true, Srs::WebMercator),
        ] {
            let mut r = Record::built(view, &a, twin);
            r.project(srs);
            r.set_match(0.75, 3);
            let mut mine = Vec::new();
            r.write_json(&mut mine);
            assert_eq!(String::from_utf8(mine).unwrap(), serde_json::to_string(&r).unwrap());
        }
        let header = Header {
            uri: "u".into(),
            query: "q".into(),
            offset: 0,
            totalresults: 1,
            format: "JSON",
            dataset: "DPA",
            lr: "EN,CY",
            maxresults: 100,
            matchprecision: 1,
            epoch: "e".into(),
            lastupdate: "l".into(),
            output_srs: "EPSG:27700".into(),
        };
        let response = Response { header, results: vec![Record::built(View::Dpa, &a, false)] };
        assert_eq!(response.to_json(), serde_json::to_vec(&response).unwrap());
        let empty = Response { results: vec![], ..response };
        assert_eq!(empty.to_json(), serde_json::to_vec(&empty).unwrap());
    }
}
