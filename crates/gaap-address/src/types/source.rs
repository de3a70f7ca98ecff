//! Source records: OS Places records kept verbatim, field for field, beside the [`Address`] made from them, so
//! that a server can give back exactly what OS gave (every field, in OS's key order, with OS's JSON types).
//!
//! [`Address`]: crate::types::address::Address

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// One record as an OS Places response gave it, kept verbatim.
///
/// `fields` keeps the source's key order and every key it had, except the per-query `MATCH` and
/// `MATCH_DESCRIPTION`, which are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceRecord {
    /// Which view of the address the record is.
    pub view: RecordView,
    /// The record's position in the whole load (a counter across every file one
    /// [`Loader`](crate::index::Loader) read, in read order): sorting one postcode's records by it gives OS's
    /// order back.
    pub ordinal: u32,
    /// The fields, in the source's order.
    pub fields: Vec<(String, SourceValue)>,
}

/// The two views OS Places gives of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordView {
    /// The Royal Mail PAF view: `{"DPA": {...}}`.
    Dpa,
    /// The BS7666 gazetteer view: `{"LPI": {...}}`.
    Lpi,
}

impl RecordView {
    /// The key OS wraps the record in: `DPA` or `LPI`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Dpa => "DPA",
            Self::Lpi => "LPI",
        }
    }

    /// From the key OS wraps the record in (`DPA` or `LPI`, exactly).
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "DPA" => Some(Self::Dpa),
            "LPI" => Some(Self::Lpi),
            _ => None,
        }
    }
}

/// One field's value, with its JSON type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceValue {
    /// JSON `null`.
    Null,
    /// A JSON string.
    Text(String),
    /// A JSON number, as its JSON text (`"333730.33"`, `"6835"`; serde_json writes a float with no fraction
    /// as `"529090.0"`). Always valid JSON number text when it comes from a loader or an index.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON array or object (OS Places records have none), as its compact JSON text.
    Json(String),
}

impl SourceValue {
    /// From a parsed JSON value.
    #[must_use]
    pub fn from_json(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(*b),
            serde_json::Value::Number(n) => Self::Number(n.to_string()),
            serde_json::Value::String(s) => Self::Text(s.clone()),
            other @ (serde_json::Value::Array(_) | serde_json::Value::Object(_)) => {
                Self::Json(other.to_string())
            }
        }
    }

    /// As a JSON value. A [`SourceValue::Number`] or [`SourceValue::Json`] whose text does not parse (only
    /// possible when built by hand) becomes `null`.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Null => serde_json::Value::Null,
            Self::Bool(b) => serde_json::Value::Bool(*b),
            Self::Text(s) => serde_json::Value::String(s.clone()),
            Self::Number(text) => parse_number(text).map_or(serde_json::Value::Null, Into::into),
            Self::Json(text) => serde_json::from_str(text).unwrap_or(serde_json::Value::Null),
        }
    }

    /// The text of a string or a number (`"6835"` for either `"6835"` or `6835`), `None` otherwise.
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) | Self::Number(s) => Some(s),
            _ => None,
        }
    }
}

/// The JSON number `text` spells, if it is exactly one.
pub(crate) fn parse_number(text: &str) -> Option<serde_json::Number> {
    serde_json::from_str::<serde_json::Number>(text).ok()
}

/// Serialises as the JSON value it holds (see [`SourceValue::to_json`]).
impl Serialize for SourceValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => s.serialize_unit(),
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Text(t) => s.serialize_str(t),
            Self::Number(_) | Self::Json(_) => self.to_json().serialize(s),
        }
    }
}

impl SourceRecord {
    /// The value of field `key`, if the record has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&SourceValue> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// The fields of a source record, in order.
struct Fields<'a>(&'a [(String, SourceValue)]);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Serialises in OS's shape, `{"DPA": {fields in order}}` or `{"LPI": {...}}` (the ordinal is not written).
impl Serialize for SourceRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(std::iter::once((self.view.key(), Fields(&self.fields))))
    }
}

/// Keys that belong to one query, not to the record.
const PER_QUERY: [&str; 2] = ["MATCH", "MATCH_DESCRIPTION"];

/// A record's fields as read from JSON, in the source's order, less the per-query keys. A key given twice
/// keeps its first place and its last value, as a JSON object would.
struct OrderedFields(Vec<(String, SourceValue)>);

impl<'de> Deserialize<'de> for OrderedFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OS Places record object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields: Vec<(String, SourceValue)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: serde_json::Value = map.next_value()?;
                    if PER_QUERY.contains(&key.as_str()) {
                        continue;
                    }
                    let value = SourceValue::from_json(&value);
                    match fields.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => fields.push((key, value)),
                    }
                }
                Ok(OrderedFields(fields))
            }
        }
        d.deserialize_map(V)
    }
}

/// One element of a response's `results`: `{"DPA": {...}}` or `{"LPI": {...}}`.
pub(crate) struct RawResult {
    pub(crate) view: RecordView,
    pub(crate) fields: Vec<(String, SourceValue)>,
}

impl<'de> Deserialize<'de> for RawResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawResult;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with one key, DPA or LPI")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::invalid_length(0, &self));
                };
                let view = RecordView::from_key(&key)
                    .ok_or_else(|| de::Error::unknown_variant(&key, &["DPA", "LPI"]))?;
                let OrderedFields(fields) = map.next_value()?;
                if map.next_key::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(2, &self));
                }
                Ok(RawResult { view, fields })
            }
        }
        d.deserialize_map(V)
    }
}

/// The `results` of a response, each record verbatim.
#[derive(Default)]
pub(crate) struct RawResults(pub(crate) Vec<RawResult>);

impl<'de> Deserialize<'de> for RawResults {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawResults;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OS Places response")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut results = RawResults::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "results" {
                        let list: Option<ResultList> = map.next_value()?;
                        results.0 = list.map(|l| l.0).unwrap_or_default();
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                Ok(results)
            }
        }
        d.deserialize_map(V)
    }
}

struct ResultList(Vec<RawResult>);

impl<'de> Deserialize<'de> for ResultList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResultList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of results")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(r) = seq.next_element::<RawResult>()? {
                    out.push(r);
                }
                Ok(ResultList(out))
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_order_and_types_and_lose_match() {
        let json = r#"{"header":{"totalresults":1},"results":[{"LPI":{"UPRN":"1","Z":null,"MATCH":1.0,
            "A":529090.0,"B":6835,"MATCH_DESCRIPTION":"EXACT","C":true,"D":[1,{"x":2}],"Z":"again"}}]}"#;
        let RawResults(results) = serde_json::from_str(json).unwrap();
        assert_eq!(results.len(), 1);
        let first = results.into_iter().next().unwrap();
        assert_eq!(first.view, RecordView::Lpi);
        let keys: Vec<&str> = first.fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["UPRN", "Z", "A", "B", "C", "D"]);
        let record = SourceRecord { view: first.view, ordinal: 0, fields: first.fields };
        assert_eq!(record.get("Z"), Some(&SourceValue::Text("again".into())));
        assert_eq!(record.get("A"), Some(&SourceValue::Number("529090.0".into())));
        assert_eq!(record.get("B"), Some(&SourceValue::Number("6835".into())));
        assert_eq!(record.get("C"), Some(&SourceValue::Bool(true)));
        assert_eq!(record.get("D"), Some(&SourceValue::Json(r#"[1,{"x":2}]"#.into())));
        let out = serde_json::to_string(&record).unwrap();
        assert_eq!(
            out,
            r#"{"LPI":{"UPRN":"1","Z":"again","A":529090.0,"B":6835,"C":true,"D":[1,{"x":2}]}}"#
        );
    }

    #[test]
    fn missing_or_null_results_are_empty_and_bad_views_are_refused() {
        for json in [r#"{"header":{}}"#, r#"{"results":null}"#, r#"{"results":[]}"#] {
            let RawResults(r) = serde_json::from_str(json).unwrap();
            assert!(r.is_empty(), "{json}");
        }
        for json in [
            r#"{"results":[{"XYZ":{}}]}"#,
            r#"{"results":[{}]}"#,
            r#"{"results":[{"DPA":{},"LPI":{}}]}"#,
        ] {
            assert!(serde_json::from_str::<RawResults>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn numbers_turn_back_into_equal_json_numbers() {
        let v = SourceValue::Number("333730.33".into());
        assert_eq!(v.to_json(), serde_json::json!(333_730.33));
        assert_eq!(SourceValue::Number("not a number".into()).to_json(), serde_json::Value::Null);
        assert_eq!(SourceValue::Number("6835".into()).as_text(), Some("6835"));
    }
}
