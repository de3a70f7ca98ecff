//! Source records: OS Places records kept verbatim through loading, building, saving and opening.

use std::collections::BTreeMap;
use std::fmt;

use gaap_address::{
    Index, IndexBuilder, InputFormat, Loader, RecordView, SourceRecord, SourceValue, Uprn,
    embedded, synth,
};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// A JSON object's entries in their order (serde_json's map sorts them).
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    out.push((k, map.next_value()?));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    results: Option<Vec<BTreeMap<String, Ordered>>>,
}

/// A fixture's records: view and fields (less MATCH and MATCH_DESCRIPTION), in the response's order.
fn fixture_records(text: &str) -> Vec<(RecordView, Vec<(String, Value)>)> {
    let r: Response = serde_json::from_str(text).unwrap();
    r.results
        .unwrap_or_default()
        .into_iter()
        .map(|one| {
            let (view, Ordered(fields)) = one.into_iter().next().unwrap();
            let view = match view.as_str() {
                "DPA" => RecordView::Dpa,
                "LPI" => RecordView::Lpi,
                other => panic!("view {other}"),
            };
            let fields = fields
                .into_iter()
                .filter(|(k, _)| k != "MATCH" && k != "MATCH_DESCRIPTION")
                .collect();
            (view, fields)
        })
        .collect()
}

/// Every fixture that is an OS Places response, with its text.
fn fixtures() -> Vec<(String, String)> {
    let dir = format!("{}/tests/data/os-places", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names.into_iter().map(|n| (n.clone(), crate::data(&format!("os-places/{n}")))).collect()
}

/// True when a kept value is the fixture's value with its JSON type.
fn same_value(kept: &SourceValue, want: &Value) -> bool {
    match (kept, want) {
        (SourceValue::Null, Value::Null) => true,
        (SourceValue::Text(a), Value::String(b)) => a == b,
        (SourceValue::Bool(a), Value::Bool(b)) => a == b,
        (SourceValue::Number(a), Value::Number(b)) => {
            let back: serde_json::Number = serde_json::from_str(a).unwrap();
            back.as_f64() == b.as_f64() && back.as_i64() == b.as_i64()
        }
        _ => false,
    }
}

fn same_record(kept: &SourceRecord, view: RecordView, want: &[(String, Value)]) -> bool {
    kept.view == view
        && kept.fields.len() == want.len()
        && kept.fields.iter().zip(want).all(|((k, v), (wk, wv))| k == wk && same_value(v, wv))
}

fn uprn_of(fields: &[(String, Value)]) -> Uprn {
    let (_, v) = fields.iter().find(|(k, _)| k == "UPRN").unwrap();
    Uprn::parse(v.as_str().unwrap()).unwrap()
}

fn load_all() -> Index {
    let mut loader = Loader::new();
    for (name, text) in fixtures() {
        loader.read(InputFormat::OsPlaces, &name, text.as_bytes()).unwrap();
    }
    loader.into_builder().build()
}

/// Every record of every fixture comes back, field for field and in order, with its JSON types, from an index
/// saved and opened again; each fixture's records keep their order by ordinal.
#[test]
fn os_places_records_round_trip_verbatim() {
    let built = load_all();
    assert!(built.has_source_records());
    let index = Index::from_bytes(&built.to_bytes()).unwrap();
    assert!(index.has_source_records());
    let mut checked = 0;
    for (name, text) in fixtures() {
        let mut last_ordinal = None;
        for (view, fields) in fixture_records(&text) {
            let uprn = uprn_of(&fields);
            let kept = index.source_records(uprn);
            assert_eq!(kept, built.source_records(uprn), "{name} {uprn}");
            let found = kept.iter().find(|r| same_record(r, view, &fields));
            let found =
                found.unwrap_or_else(|| panic!("{name}: {uprn} {view:?} not kept: {kept:?}"));
            assert!(last_ordinal < Some(found.ordinal), "{name}: records out of order");
            last_ordinal = Some(found.ordinal);
            assert!(kept.windows(2).all(|w| w[0].ordinal < w[1].ordinal), "{name} {uprn}");
            checked += 1;
        }
    }
    assert!(checked > 600, "{checked}");
}

/// A postcode's records sorted by ordinal are OS's order: every English record, then the Welsh twins, each with
/// its own ADDRESS; the merged address is the one today's loader makes.
#[test]
fn welsh_twins_keep_their_own_records() {
    let mut loader = Loader::new();
    let text = crate::data("os-places/CH53QW-many-address-fields.json");
    loader.read(InputFormat::OsPlaces, "ch5", text.as_bytes()).unwrap();
    let index = loader.into_builder().build();
    let pc = gaap_address::Postcode::parse("CH5 3QW").unwrap();
    let addresses = index.by_postcode(&pc);
    assert_eq!(addresses.len(), 2);
    let mut records: Vec<SourceRecord> =
        addresses.iter().flat_map(|a| index.source_records(a.uprn)).collect();
    records.sort_by_key(|r| r.ordinal);
    let langs: Vec<&str> =
        records.iter().map(|r| r.get("LANGUAGE").and_then(SourceValue::as_text).unwrap()).collect();
    assert_eq!(langs, ["EN", "EN", "CY", "CY"]);
    let want: Vec<_> = fixture_records(&text);
    for (r, (view, fields)) in records.iter().zip(&want) {
        assert!(same_record(r, *view, fields));
    }
    let wellington = index.by_uprn(Uprn::new(200_002_515_110).unwrap()).unwrap();
    assert_eq!(wellington.post_town.as_deref(), Some("DEESIDE"));
    assert_eq!(wellington.welsh.unwrap().post_town.as_deref(), Some("GLANNAU DYFRDWY"));
}

/// The same response loaded twice keeps one copy of each record, with the first load's ordinals; the
/// addresses are those of a single load.
#[test]
fn a_response_loaded_twice_is_not_doubled() {
    let text = crate::data("os-places/BS44HW-organisation-name.json");
    let mut once = Loader::new();
    once.read(InputFormat::OsPlaces, "a", text.as_bytes()).unwrap();
    let once = once.into_builder().build();
    let mut twice = Loader::new();
    twice.read(InputFormat::OsPlaces, "a", text.as_bytes()).unwrap();
    twice.read(InputFormat::OsPlaces, "b", text.as_bytes()).unwrap();
    let twice = twice.into_builder().build();
    assert_eq!(once.addresses().collect::<Vec<_>>(), twice.addresses().collect::<Vec<_>>());
    for a in once.addresses() {
        let records = twice.source_records(a.uprn);
        assert_eq!(records.len(), 1);
        assert_eq!(records, once.source_records(a.uprn));
    }
}

/// DPA and LPI views of one UPRN, with nulls, booleans, unknown keys and a CY twin, all kept, in order; the
/// address is built as before.
#[test]
fn dpa_and_lpi_views_and_odd_values_are_kept() {
    let json = r#"{"header":{"totalresults":3},"results":[
        {"LPI":{"UPRN":"10023117655","ADDRESS":"1, FFORDD Y BRYN, TOWN","PAO_START_NUMBER":"1",
                "STREET_DESCRIPTION":"FFORDD Y BRYN","TOWN_NAME":"TOWN","POSTCODE_LOCATOR":"CH5 3QW",
                "X_COORDINATE":333730.33,"BLPU_STATE_CODE":null,"LANGUAGE":"CY","MATCH":1.0}},
        {"DPA":{"UPRN":"10023117655","UDPRN":"12345678","ADDRESS":"1, HILL ROAD, TOWN, CH5 3QW",
                "BUILDING_NUMBER":"1","THOROUGHFARE_NAME":"HILL ROAD","POST_TOWN":"TOWN","POSTCODE":"CH5 3QW",
                "X_COORDINATE":333730.0,"LOCAL_CUSTODIAN_CODE":6835,"NEW_FLAG":true,
                "LANGUAGE":"EN","MATCH":1.0,"MATCH_DESCRIPTION":"EXACT"}},
        {"LPI":{"UPRN":"10023117655","ADDRESS":"1, HILL ROAD, TOWN","LANGUAGE":"EN"}}]}"#;
    let mut loader = Loader::new();
    assert_eq!(loader.read(InputFormat::OsPlaces, "x", json.as_bytes()).unwrap().taken, 3);
    let built = loader.into_builder().build();
    let index = Index::from_bytes(&built.to_bytes()).unwrap();
    let uprn = Uprn::new(10_023_117_655).unwrap();
    let records = index.source_records(uprn);
    let views: Vec<_> = records.iter().map(|r| (r.view, r.ordinal)).collect();
    assert_eq!(views, [(RecordView::Lpi, 0), (RecordView::Dpa, 1), (RecordView::Lpi, 2)]);
    for (r, (view, fields)) in records.iter().zip(fixture_records(json)) {
        assert!(same_record(r, view, &fields), "{r:?}");
    }
    assert_eq!(records[0].get("BLPU_STATE_CODE"), Some(&SourceValue::Null));
    assert_eq!(records[0].get("X_COORDINATE"), Some(&SourceValue::Number("333730.33".into())));
    assert_eq!(records[1].get("NEW_FLAG"), Some(&SourceValue::Bool(true)));
    assert_eq!(records[1].get("UDPRN"), Some(&SourceValue::Text("12345678".into())));
    assert!(records[1].get("MATCH").is_none() && records[1].get("MATCH_DESCRIPTION").is_none());
    assert_eq!(
        serde_json::to_string(&records[2]).unwrap(),
        r#"{"LPI":{"UPRN":"10023117655","ADDRESS":"1, HILL ROAD, TOWN","LANGUAGE":"EN"}}"#
    );
    // The address is the first English record's, as without source records.
    let a = index.by_uprn(uprn).unwrap();
    assert_eq!(a.udprn, Some(12_345_678));
    assert_eq!(a.thoroughfare.as_deref(), Some("HILL ROAD"));
}

/// Records given to the builder by hand are kept as given; a number that is not JSON is kept as text, so the
/// saved index still opens.
#[test]
fn builder_takes_records_by_hand() {
    let mut b = IndexBuilder::new();
    let uprn = Uprn::new(100_023_336_956).unwrap();
    let record = |ordinal: u32, n: &str| SourceRecord {
        view: RecordView::Dpa,
        ordinal,
        fields: vec![
            ("UPRN".into(), SourceValue::Text("100023336956".into())),
            ("N".into(), SourceValue::Number(n.into())),
        ],
    };
    b.add_address_with_sources(
        gaap_address::Address::new(uprn),
        vec![record(7, "1e3"), record(3, "not json")],
    );
    b.add_address(gaap_address::Address::new(Uprn::new(5).unwrap()));
    let index = Index::from_bytes(&b.build().to_bytes()).unwrap();
    let got = index.source_records(uprn);
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].ordinal, got[1].ordinal), (3, 7));
    assert_eq!(got[0].get("N"), Some(&SourceValue::Text("not json".into())));
    assert_eq!(got[1].get("N"), Some(&SourceValue::Number("1e3".into())));
    assert!(index.source_records(Uprn::new(5).unwrap()).is_empty());
    assert!(index.source_records(Uprn::new(6).unwrap()).is_empty());
}

/// Indexes from other inputs have no source records, and say so.
#[test]
fn other_inputs_have_no_source_records() {
    let index = embedded();
    assert!(!index.has_source_records());
    let first = index.get(0).unwrap();
    assert!(index.source_records(first.uprn).is_empty());
    let mut b = IndexBuilder::new();
    for a in synth::generate(&synth::seed_postcodes_for(20, 1), 20, 1) {
        b.add_address(a);
    }
    let opened = Index::from_bytes(&b.build().to_bytes()).unwrap();
    assert!(!opened.has_source_records());
}

/// Damage anywhere in the source records section is refused or read without a panic.
#[test]
fn damaged_source_records_are_refused() {
    let bytes = load_all().to_bytes();
    // The footer: 13 section offsets, 6 counts and the magic.
    let footer = bytes.len() - 8 - 6 * 8 - 13 * 8;
    let at = |k: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[footer + 8 * k..footer + 8 * k + 8]);
        u64::from_le_bytes(b) as usize
    };
    let (start, end) = (at(12), footer);
    assert!(end - start > 1000);
    let step = ((end - start) / 200).max(1);
    let uprns: Vec<Uprn> = load_all().addresses().map(|a| a.uprn).collect();
    let mut refused = 0;
    for pos in (start..end).step_by(step) {
        assert!(
            Index::from_bytes(&[&bytes[..pos], &bytes[end..]].concat()).is_err(),
            "cut at {pos}"
        );
        let mut bad = bytes.clone();
        bad[pos] ^= 0xA5;
        match Index::from_bytes(&bad) {
            Err(_) => refused += 1,
            Ok(index) => {
                for &u in uprns.iter().step_by(7) {
                    let _ = index.source_records(u);
                }
            }
        }
    }
    assert!(refused > 0);
}
