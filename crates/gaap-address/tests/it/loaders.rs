//! Issue 17: every loader keeps every address component or says why, in every input shape.

use gaap_address::{
    Address, Index, InputFormat, LoadReport, Loader, MatchOptions, NoteKind, Postcode, Uprn,
};
use proptest::prelude::*;

fn pc(s: &str) -> Postcode {
    Postcode::parse(s).unwrap()
}

fn load(format: InputFormat, name: &str, text: &str) -> (Index, LoadReport) {
    let mut loader = Loader::new();
    let report = loader.read(format, name, text.as_bytes()).unwrap();
    let built = loader.into_builder().build();
    // Every check runs on the saved and reopened index too.
    (Index::from_bytes(&built.to_bytes()).unwrap(), report)
}

/// The fixture shapes: (file, format).
const SHAPES: [(&str, InputFormat); 6] = [
    ("gaap.csv", InputFormat::GaapCsv),
    ("council-llpg.csv", InputFormat::AddressBase),
    ("os-places-dpa.json", InputFormat::OsPlaces),
    ("os-places-lpi.json", InputFormat::OsPlaces),
    ("addressbase-plus.csv", InputFormat::AddressBase),
    ("addressbase-premium.csv", InputFormat::AddressBase),
];

/// The lines each fixture address prints as, by UPRN.
const EXPECTED: [(u64, &[&str]); 5] = [
    (900_000_000_101, &["92B COOMBE GARDENS", "HEAVITREE", "EXETER"]),
    (900_000_000_102, &["88A COOMBE GARDENS", "HEAVITREE", "EXETER"]),
    (900_000_000_103, &["12-14 HIGH STREET", "EXETER"]),
    (900_000_000_104, &["FLAT 3", "ROSE COURT", "7 HIGH STREET", "EXETER"]),
    (900_000_000_105, &["FLAT 4 HIGH STREET", "EXETER"]),
];

fn upper_lines(a: &Address) -> Vec<String> {
    a.lines().iter().map(|l| l.to_uppercase()).collect()
}

#[test]
fn every_shape_keeps_suffixes_ranges_and_flats_by_postcode_uprn_and_text() {
    for (file, format) in SHAPES {
        let (index, report) = load(format, file, &crate::data(&format!("loaders/{file}")));
        assert_eq!(
            (report.taken, report.rejected, report.fields_rejected),
            (5, 0, 0),
            "{file}: {report:?}"
        );
        // By postcode: the two suffixed numbers are two addresses, each with its own number.
        let coombe: Vec<Vec<String>> =
            index.by_postcode(&pc("EX1 2AB")).iter().map(upper_lines).collect();
        assert_eq!(coombe.len(), 2, "{file}");
        for (_, lines) in &EXPECTED[..2] {
            assert!(coombe.iter().any(|c| c == lines), "{file}: {coombe:?}");
        }
        assert_eq!(index.by_postcode(&pc("EX4 3LS")).len(), 3, "{file}");
        for (uprn, lines) in EXPECTED {
            let uprn = Uprn::new(uprn).unwrap();
            // By UPRN.
            let a = index.by_uprn(uprn).unwrap_or_else(|| panic!("{file}: {uprn} lost"));
            assert_eq!(upper_lines(&a), lines, "{file}: {a:?}");
            // By free text: typeahead and matching, with the postcode and without the town.
            let text = format!("{}, {}", lines[..lines.len() - 1].join(" "), a.postcode.unwrap());
            let hits = index.search(&text, 1);
            assert_eq!(hits.first().map(|h| h.address.uprn), Some(uprn), "{file}: search {text:?}");
            let m = index.match_address(&text.to_lowercase(), MatchOptions::default());
            assert_eq!(m.best, Some(uprn), "{file}: match {text:?}");
        }
        let ranged = index.by_uprn(Uprn::new(900_000_000_103).unwrap()).unwrap();
        assert_eq!(
            (ranged.building_number, ranged.building_number_end),
            (Some(12), Some(14)),
            "{file}"
        );
    }
}

#[test]
fn fixture_reports_say_what_was_merged_and_ignored() {
    let (_, gaap) = load(InputFormat::GaapCsv, "gaap.csv", &crate::data("loaders/gaap.csv"));
    // `Flat 4` in the number column is kept as the sub-building, and said so.
    assert_eq!(gaap.fields_merged, 1, "{gaap:?}");
    let note = gaap.examples.iter().find(|n| n.kind == NoteKind::FieldMerged).unwrap();
    assert_eq!(note.at, "gaap.csv:6");
    assert!(note.message.contains("Flat 4") && note.message.contains("sub-building"), "{note:?}");
    let premium_text = crate::data("loaders/addressbase-premium.csv");
    let (_, premium) = load(InputFormat::AddressBase, "abp.csv", &premium_text);
    // Header and trailer skipped; streets, BLPUs, the classification and the spare LPIs merged.
    assert_eq!((premium.records, premium.skipped), (17, 2), "{premium:?}");
    assert_eq!(premium.merged, 10, "{premium:?}");
    assert!(premium.ignored.iter().any(|i| i.contains("trailer")), "{premium:?}");
    let (_, plus) =
        load(InputFormat::AddressBase, "plus.csv", &crate::data("loaders/addressbase-plus.csv"));
    assert!(plus.ignored.iter().any(|i| i == "column rpc"), "{plus:?}");
    assert!(plus.fields_merged > 0, "the LPI columns repeat the PAF ones: {plus:?}");
}

#[test]
fn unknown_headers_are_refused_never_guessed() {
    let cases = [
        (InputFormat::GaapCsv, "uprn,postcode,house\n1,EX1 2AB,9\n", "\"house\""),
        // A name only AddressBase uses is not a gaap CSV column.
        (InputFormat::GaapCsv, "uprn,sub_building_name\n1,FLAT 1\n", "\"sub_building_name\""),
        (InputFormat::AddressBase, "UPRN,THOROUGHFARE,WHATEVER\n1,HIGH STREET,x\n", "\"WHATEVER\""),
        (InputFormat::GaapCsv, "uprn,postcode,postcode\n1,EX1 2AB,EX1 2AB\n", "\"postcode\""),
        (InputFormat::CodePoint, "pc,q,e,n\nEX1 2AB,10,1,2\n", "Code-Point Open header"),
    ];
    for (format, text, says) in cases {
        let err = Loader::new().read(format, "in.csv", text.as_bytes()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("in.csv") && msg.contains(says), "{msg}");
    }
    // Code-Point's own header is known, and its rows are read.
    let cp = "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,NHS_regional_HA_code,\
              NHS_HA_code,Admin_county_code,Admin_district_code,Admin_ward_code\n\
              \"EX1 2AB\",10,293500,92500,\"E92000001\",\"E19000001\",\"E18000010\",\"E10000008\",\"E07000041\",\"E05012345\"\n\
              \"EX1 2AC\",10,293500\n";
    let (index, report) = load(InputFormat::CodePoint, "cp.csv", cp);
    assert_eq!((report.records, report.taken, report.rejected), (2, 1, 1), "{report:?}");
    assert_eq!(report.examples[0].at, "cp.csv:3");
    assert_eq!(index.admin_district(&pc("EX1 2AB")), Some("E07000041"));
}

/// A gaap CSV of `n` good addresses with a broken record after every ninth: a bad UPRN, no UPRN, a short row
/// or a row that is not UTF-8, in turn.
fn one_in_ten_broken(n: usize) -> (Vec<u8>, Vec<u64>) {
    let mut out = b"uprn,building_number,thoroughfare,post_town,postcode\n".to_vec();
    let mut good = Vec::new();
    for i in 0..n {
        let uprn = 900_000_001_000 + i as u64;
        out.extend_from_slice(
            format!("{uprn},{}B,COOMBE GARDENS,EXETER,EX1 2AB\n", i + 1).as_bytes(),
        );
        good.push(uprn);
        if i % 9 == 8 {
            let broken: &[u8] = match (i / 9) % 4 {
                0 => b"12x4,1,COOMBE GARDENS,EXETER,EX1 2AB\n",
                1 => b",1,COOMBE GARDENS,EXETER,EX1 2AB\n",
                2 => b"900000009999,1,COOMBE GARDENS\n",
                _ => b"900000009998,1,COOMBE \xff GARDENS,EXETER,EX1 2AB\n",
            };
            out.extend_from_slice(broken);
        }
    }
    (out, good)
}

#[test]
fn one_broken_record_in_ten_is_reported_and_no_good_one_is_lost() {
    let (csv, good) = one_in_ten_broken(180);
    let mut loader = Loader::new();
    let report = loader.read(InputFormat::GaapCsv, "broken.csv", csv.as_slice()).unwrap();
    assert_eq!((report.records, report.taken, report.rejected), (200, 180, 20), "{report:?}");
    assert!(!report.is_clean());
    let rejected: Vec<_> =
        report.examples.iter().filter(|n| n.kind == NoteKind::RecordRejected).collect();
    assert_eq!(rejected.len(), gaap_address::EXAMPLES_PER_KIND);
    // The first broken row is line 11 (header, nine good rows, then it).
    assert_eq!(rejected[0].at, "broken.csv:11");
    assert!(rejected[0].message.contains("12x4"), "{:?}", rejected[0]);
    assert!(rejected[2].message.contains("3 fields"), "{:?}", rejected[2]);
    let index = loader.into_builder().build();
    assert_eq!(index.len(), 180);
    for (i, uprn) in good.iter().enumerate() {
        let a = index.by_uprn(Uprn::new(*uprn).unwrap()).unwrap();
        assert_eq!(a.number_label(), Some(format!("{}B", i + 1)));
    }
}

#[test]
fn premium_rejects_what_it_cannot_join_and_keeps_the_rest() {
    let mut text = crate::data("loaders/addressbase-premium.csv");
    // A BLPU with no address, a classification of nothing, an unknown record type, a short DPA.
    text.push_str("21,\"I\",17,900000000199,1,2,2001-01-01,,1.0,2.0,50.0,-3.0,1,1105,\"E\",2001-01-01,,2016-01-01,2001-01-01,\"N\",\"EX4 3LS\",0\n");
    text.push_str(
        "32,\"I\",18,900000000198,1,\"RD04\",\"scheme\",1.0,2001-01-01,,2016-01-01,2001-01-01\n",
    );
    text.push_str("77,\"I\",19,900000000197\n");
    text.push_str("28,\"I\",20,900000000196,,1,,,,,1,,\"HIGH STREET\"\n");
    let (index, report) = load(InputFormat::AddressBase, "abp.csv", &text);
    assert_eq!(index.len(), 5);
    assert_eq!((report.taken, report.rejected), (5, 4), "{report:?}");
    let messages: Vec<&str> = report.examples.iter().map(|n| n.message.as_str()).collect();
    for says in [
        "record type \"77\"",
        "record type 28 has 13 fields",
        "classification RD04",
        "BLPU 900000000199",
    ] {
        assert!(messages.iter().any(|m| m.contains(says)), "{says}: {messages:?}");
    }
}

/// A number with an optional letter.
type Numbered = (u32, Option<char>);

/// One address's components, as the property test draws them.
#[derive(Debug, Clone)]
struct Drawn {
    uprn: u64,
    number: Option<(u32, Option<char>, Option<Numbered>)>,
    flat: Option<Numbered>,
    building: Option<String>,
    street: String,
    locality: Option<String>,
    town: String,
    postcode: &'static str,
}

const POSTCODES: [&str; 6] = ["EX1 2AB", "EX4 3LS", "SW1A 1AA", "M1 1AE", "CF10 1EP", "B33 8TH"];

fn word() -> impl Strategy<Value = String> {
    "[A-Z]{3,9}".prop_filter("not a unit word", |w| {
        !matches!(
            w.as_str(),
            "FLAT" | "FLATS" | "APARTMENT" | "APT" | "UNIT" | "SUITE" | "ROOM" | "STUDIO"
        )
    })
}

fn drawn() -> impl Strategy<Value = Drawn> {
    let suffix = proptest::option::of(proptest::char::range('A', 'H'));
    let number = proptest::option::of((
        1u32..2000,
        suffix.clone(),
        proptest::option::of((1u32..50, suffix.clone())),
    ));
    let flat = proptest::option::of((1u32..200, suffix));
    (
        1u64..999_999_999_999,
        number,
        flat,
        proptest::option::of(word().prop_map(|w| format!("{w} HOUSE"))),
        word().prop_map(|w| format!("{w} ROAD")),
        proptest::option::of(word()),
        word(),
        0..POSTCODES.len(),
    )
        .prop_map(|(uprn, number, flat, building, street, locality, town, p)| Drawn {
            uprn,
            // A range ends above its start.
            number: number.map(|(n, s, end)| (n, s, end.map(|(k, es)| (n + k, es)))),
            flat,
            building,
            street,
            locality,
            town,
            postcode: POSTCODES[p],
        })
        // PAF and BS7666 have no empty premise: a number, a flat or a name.
        .prop_filter("a premise", |d| {
            d.number.is_some() || d.flat.is_some() || d.building.is_some()
        })
}

fn label(d: &Drawn) -> String {
    d.number.map_or(String::new(), |(n, s, end)| {
        let mut l = format!("{n}{}", s.map(String::from).unwrap_or_default());
        if let Some((e, es)) = end {
            l.push_str(&format!("-{e}{}", es.map(String::from).unwrap_or_default()));
        }
        l
    })
}

fn flat_text(d: &Drawn) -> String {
    d.flat.map_or(String::new(), |(n, s)| {
        format!("FLAT {n}{}", s.map(String::from).unwrap_or_default())
    })
}

fn o(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or_default()
}

fn c(s: Option<char>) -> String {
    s.map(String::from).unwrap_or_default()
}

/// The gazetteer's five PAO and five SAO cells.
fn aons(d: &Drawn) -> [String; 10] {
    let (sn, ss) = d.flat.map_or((String::new(), String::new()), |(n, s)| (n.to_string(), c(s)));
    let (pn, ps, pe, pes) = d.number.map_or(Default::default(), |(n, s, end)| {
        let (e, es) = end.map_or((String::new(), String::new()), |(e, es)| (e.to_string(), c(es)));
        (n.to_string(), c(s), e, es)
    });
    let sao_text = if d.flat.is_some() { "FLAT".to_owned() } else { String::new() };
    [
        sn,
        ss,
        String::new(),
        String::new(),
        sao_text,
        pn,
        ps,
        pe,
        pes,
        d.building.clone().unwrap_or_default(),
    ]
}

fn csv_line(cells: &[String]) -> String {
    cells.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(",") + "\n"
}

/// The address written in every input shape: (name, format, text).
fn shapes(d: &Drawn) -> Vec<(&'static str, InputFormat, String)> {
    let (flat, number) = (flat_text(d), label(d));
    let locality = o(&d.locality).to_owned();
    let paf = [flat.clone(), d.building.clone().unwrap_or_default(), number.clone()];
    let gaap = format!(
        "uprn,sub_building,building_name,building_number,thoroughfare,dependent_locality,post_town,postcode\n{}",
        csv_line(
            &[
                &[d.uprn.to_string()],
                &paf[..],
                &[d.street.clone(), locality.clone(), d.town.clone(), d.postcode.into()]
            ]
            .concat()
        )
    );
    let lpi_cells = aons(d);
    let council = format!(
        "UPRN,SAO_START_NUMBER,SAO_START_SUFFIX,SAO_END_NUMBER,SAO_END_SUFFIX,SAO_TEXT,PAO_START_NUMBER,\
         PAO_START_SUFFIX,PAO_END_NUMBER,PAO_END_SUFFIX,PAO_TEXT,STREET_DESCRIPTION,LOCALITY,TOWN_NAME,POSTCODE_LOCATOR\n{}",
        csv_line(
            &[
                &[d.uprn.to_string()],
                &lpi_cells[..],
                &[d.street.clone(), locality.clone(), d.town.clone(), d.postcode.into()]
            ]
            .concat()
        )
    );
    let plus = format!(
        "UPRN,CLASS,RPC,SUB_BUILDING_NAME,BUILDING_NAME,BUILDING_NUMBER,SAO_START_NUMBER,SAO_START_SUFFIX,\
         SAO_END_NUMBER,SAO_END_SUFFIX,SAO_TEXT,PAO_START_NUMBER,PAO_START_SUFFIX,PAO_END_NUMBER,PAO_END_SUFFIX,\
         PAO_TEXT,STREET_DESCRIPTION,THOROUGHFARE,DEPENDENT_LOCALITY,LOCALITY,TOWN_NAME,POST_TOWN,POSTCODE,POSTCODE_LOCATOR\n{}",
        csv_line(
            &[
                &[d.uprn.to_string(), "RD04".into(), "1".into()],
                &paf[..],
                &lpi_cells[..],
                &[
                    d.street.clone(),
                    d.street.clone(),
                    locality.clone(),
                    locality.clone(),
                    d.town.clone(),
                    d.town.clone(),
                    d.postcode.into(),
                    d.postcode.into(),
                ],
            ]
            .concat()
        )
    );
    let json = |view: &str, fields: serde_json::Value| {
        let mut map = serde_json::Map::new();
        for (k, v) in fields.as_object().unwrap() {
            if v.as_str() != Some("") {
                map.insert(k.clone(), v.clone());
            }
        }
        serde_json::json!({"header": {"totalresults": 1}, "results": [{view: map}]}).to_string()
    };
    let dpa = json(
        "DPA",
        serde_json::json!({
            "UPRN": d.uprn.to_string(), "SUB_BUILDING_NAME": flat, "BUILDING_NAME": o(&d.building),
            "BUILDING_NUMBER": number, "THOROUGHFARE_NAME": d.street, "DEPENDENT_LOCALITY": locality,
            "POST_TOWN": d.town, "POSTCODE": d.postcode,
        }),
    );
    let l = &lpi_cells;
    let lpi = json(
        "LPI",
        serde_json::json!({
            "UPRN": d.uprn.to_string(), "SAO_START_NUMBER": l[0], "SAO_START_SUFFIX": l[1], "SAO_TEXT": l[4],
            "PAO_START_NUMBER": l[5], "PAO_START_SUFFIX": l[6], "PAO_END_NUMBER": l[7], "PAO_END_SUFFIX": l[8],
            "PAO_TEXT": l[9], "STREET_DESCRIPTION": d.street, "LOCALITY_NAME": locality, "TOWN_NAME": d.town,
            "POSTCODE_LOCATOR": d.postcode,
        }),
    );
    // AddressBase Premium, as a DPA (record 28) and, apart, as an LPI (24) with its street (15).
    let blpu = csv_line(
        &[
            "21",
            "I",
            "1",
            &d.uprn.to_string(),
            "1",
            "2",
            "2001-01-01",
            "",
            "293500.0",
            "92500.0",
            "50.7",
            "-3.5",
            "1",
            "1105",
            "E",
            "2001-01-01",
            "",
            "2016-01-01",
            "2001-01-01",
            "D",
            d.postcode,
            "0",
        ]
        .map(String::from),
    );
    let mut dpa_row: Vec<String> = vec![
        "28".into(),
        "I".into(),
        "2".into(),
        d.uprn.to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    dpa_row.extend(paf.iter().cloned());
    dpa_row.extend([
        String::new(),
        d.street.clone(),
        String::new(),
        locality.clone(),
        d.town.clone(),
        d.postcode.into(),
    ]);
    dpa_row.resize(30, String::new());
    let premium_dpa = format!("{blpu}{}", csv_line(&dpa_row));
    let street = csv_line(
        &[
            "15",
            "I",
            "3",
            "14200001",
            &d.street,
            &locality,
            &d.town,
            "DEVON",
            "ENG",
            "2001-01-01",
            "",
            "2016-01-01",
            "2001-01-01",
        ]
        .map(String::from),
    );
    let mut lpi_row: Vec<String> = [
        "24",
        "I",
        "4",
        &d.uprn.to_string(),
        "L1",
        "ENG",
        "1",
        "2001-01-01",
        "",
        "2016-01-01",
        "2001-01-01",
    ]
    .map(String::from)
    .to_vec();
    lpi_row.extend(lpi_cells.iter().cloned());
    lpi_row.extend(["14200001", "1", "", "", "Y"].map(String::from));
    let premium_lpi = format!("{street}{blpu}{}", csv_line(&lpi_row));
    // The same council file under the gaap CSV's (lower-case) column names.
    let body = council.find('\n').unwrap_or_default();
    let council_lower = format!("{}{}", council[..body].to_lowercase(), &council[body..]);
    vec![
        ("gaap csv", InputFormat::GaapCsv, gaap),
        ("council csv", InputFormat::AddressBase, council),
        ("council csv as gaap csv", InputFormat::GaapCsv, council_lower),
        ("addressbase plus", InputFormat::AddressBase, plus),
        ("os places dpa", InputFormat::OsPlaces, dpa),
        ("os places lpi", InputFormat::OsPlaces, lpi),
        ("addressbase premium dpa", InputFormat::AddressBase, premium_dpa),
        ("addressbase premium lpi", InputFormat::AddressBase, premium_lpi),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any address, written in any input shape and loaded back (through a saved index), keeps its number,
    /// suffix, range, flat, building name, street, locality, town and postcode.
    #[test]
    fn every_shape_round_trips_every_component(d in drawn()) {
        for (shape, format, text) in shapes(&d) {
            let (index, report) = load(format, shape, &text);
            prop_assert!(report.is_clean(), "{shape}: {report:?}\n{text}");
            prop_assert_eq!(report.taken, 1, "{}: {:?}", shape, report);
            let a = index.by_uprn(Uprn::new(d.uprn).unwrap()).unwrap();
            let number = d.number.map(|(n, s, end)| (n, s.map(String::from), end.map(|e| e.0), end.and_then(|e| e.1).map(String::from)));
            let got = a.building_number.map(|n| (n, a.building_number_suffix.clone(), a.building_number_end, a.building_number_end_suffix.clone()));
            prop_assert_eq!(got, number, "{}: {:?}", shape, a);
            prop_assert_eq!(a.sub_building.clone(), d.flat.map(|_| flat_text(&d)), "{}", shape);
            prop_assert_eq!(a.building_name.clone(), d.building.clone(), "{}", shape);
            prop_assert_eq!(a.thoroughfare.as_deref(), Some(d.street.as_str()), "{}", shape);
            prop_assert_eq!(a.dependent_locality.clone(), d.locality.clone(), "{}", shape);
            prop_assert_eq!(a.post_town.as_deref(), Some(d.town.as_str()), "{}", shape);
            prop_assert_eq!(a.postcode, Some(pc(d.postcode)), "{}", shape);
            // And it prints with its whole number.
            if d.number.is_some() {
                let line = a.lines().join(", ");
                prop_assert!(line.contains(&format!("{} {}", label(&d), d.street)), "{}: {}", shape, line);
            }
        }
    }
}
