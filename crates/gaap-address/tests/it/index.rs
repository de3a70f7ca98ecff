use gaap_address::{
    Coordinates, Index, IndexBuilder, InputFormat, Loader, MatchOptions, Postcode, Uprn, embedded,
    synth,
};

fn pc(s: &str) -> Postcode {
    Postcode::parse(s).unwrap()
}

#[test]
fn embedded_has_westminster_with_gss_and_synthetic_addresses() {
    let index = embedded();
    assert_eq!(index.postcode_count(), 13_136);
    let palace = pc("SW1A 1AA");
    assert_eq!(index.admin_district(&palace), Some("E09000033"));
    assert_eq!(gaap_address::admin_district(&palace), Some("E09000033"));
    assert_eq!(gaap_address::admin_district(&pc("M1 1AE")), None);
    let rec = index.postcode(&palace).unwrap();
    assert_eq!(rec.coordinates, Some(Coordinates::new(529_090.0, 179_645.0)));
    for a in index.addresses().take(500) {
        assert!(a.uprn.get() >= synth::FIRST_UPRN, "synthetic UPRN range");
    }
}

#[test]
fn lookup_by_postcode_uprn_and_nearest() {
    let index = embedded();
    let at = index.by_postcode(&pc("SW1A 1AA"));
    assert!(!at.is_empty());
    let first = &at[0];
    assert_eq!(index.by_uprn(first.uprn).as_ref(), Some(first));
    assert!(index.by_uprn(Uprn::new(1).unwrap()).is_none());
    let c = first.coordinates.unwrap();
    let (near, d) = index.nearest(c, 100.0).unwrap();
    assert!(d <= 0.001 || near.coordinates.unwrap().distance(&c) <= d);
    let (p, _) = index.nearest_postcode(Coordinates::new(529_090.0, 179_645.0), 50.0).unwrap();
    assert_eq!(p.postcode, pc("SW1A 1AA"));
    let prefixed = index.postcodes_with_prefix("SW1A 1", 5);
    assert!(!prefixed.is_empty() && prefixed.iter().all(|r| r.postcode.sector() == "SW1A 1"));
}

#[test]
fn typeahead_finds_with_typos_and_prefixes() {
    let index = embedded();
    let target = index
        .addresses()
        .find(|a| a.building_number.is_some() && a.thoroughfare.is_some())
        .unwrap();
    let street = target.thoroughfare.clone().unwrap();
    let n = target.building_number.unwrap();
    let exact = format!("{n} {street}");
    let hits = index.search(&exact, 10);
    assert!(hits.iter().any(|h| h.address.uprn == target.uprn), "{exact}");
    // A typo: one letter dropped from a long word, query typed in full.
    let mut words: Vec<String> = street.split(' ').map(str::to_owned).collect();
    if let Some(w) = words.iter_mut().find(|w| w.len() >= 5) {
        w.remove(2);
    }
    let typo =
        format!("{n} {} {}", words.join(" ").to_lowercase(), target.postcode.unwrap().outward());
    let hits = index.search(&typo, 20);
    assert!(hits.iter().any(|h| h.address.uprn == target.uprn), "{typo}");
    // A prefix: the last word cut short, as someone still typing.
    let mut prefix = format!("{} {n} {street}", target.postcode.unwrap().outward());
    prefix.truncate(prefix.len() - 2);
    let hits = index.search(&prefix, 20);
    assert!(hits.iter().any(|h| h.address.uprn == target.uprn), "{prefix}");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(index.search("zzzzqqq", 10).is_empty());
}

#[test]
fn matching_messy_strings() {
    let index = embedded();
    let target =
        index.addresses().find(|a| a.sub_building.is_some() && a.building_name.is_some()).unwrap();
    let clean = target.single_line();
    let r = index.match_address(&clean, MatchOptions::default());
    assert_eq!(r.uprn, Some(target.uprn), "{clean}");
    assert!(r.score > 0.9);
    let messy =
        clean.to_lowercase().replace("flat ", "flt ").replace(',', "").replace(" london", "");
    let r = index.match_address(&messy, MatchOptions::default());
    assert_eq!(r.best, Some(target.uprn), "{messy}");
    let junk = index.match_address("nowhere at all", MatchOptions { threshold: 0.8 });
    assert_eq!(junk.uprn, None);
    let batch = index.match_batch(&[clean.as_str(), "nowhere"], MatchOptions::default());
    assert_eq!(batch[0].uprn, Some(target.uprn));
    assert_eq!(batch[1].uprn, None);
}

#[test]
fn save_and_open_round_trip() {
    let index = embedded();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.idx");
    index.save(&path).unwrap();
    let back = Index::open(&path).unwrap();
    assert_eq!(back.len(), index.len());
    assert!(back.addresses().eq(index.addresses()));
    assert_eq!(back.postcodes(), index.postcodes());
    let q = "1 high street";
    let a: Vec<_> = index.search(q, 5).iter().map(|h| h.address.uprn).collect();
    let b: Vec<_> = back.search(q, 5).iter().map(|h| h.address.uprn).collect();
    assert_eq!(a, b);
    let mut bytes = index.to_bytes();
    bytes.truncate(bytes.len() / 2);
    assert!(Index::from_bytes(&bytes).is_err());
    assert!(Index::from_bytes(b"not an index").is_err());
}

#[test]
fn gaap_csv_and_codepoint_and_addressbase_inputs() {
    let csv = "uprn,building_number,thoroughfare,post_town,postcode,easting,northing,language,gss_code\n\
               000000199356,10,DOWNING STREET,LONDON,SW1A 2AA,530047,179951,EN,E09000033\n\
               199356,10,DOWNING STREET,LLUNDAIN,SW1A 2AA,530047,179951,CY,E09000033\n";
    let cp = "\"SW1A 2AA\",10,530047,179951,\"E92000001\",\"E19000003\",\"E18000007\",\"\",\"E09000033\",\"E05013806\"\n";
    // AddressBase Premium: a BLPU (21), a classification (32) and a DPA (28) record for one UPRN.
    let abp = "21,I,1,100023336956,1,2,2001-01-01,,530047.0,179951.0,51.5,-0.12,1,5990,E,2001-01-01,,2016-01-01,2001-01-01,D,SW1A 2AA,0\n\
               32,I,2,100023336956,1,RD04,AddressBase Premium Classification Scheme,1.0,2001-01-01,,2016-01-01,2001-01-01\n\
               28,I,3,100023336956,,23747771,PRIME MINISTER & FIRST LORD OF THE TREASURY,,,,10,,DOWNING STREET,,,LONDON,SW1A 2AA,S,1A,,,,,,,2016-01-01,2001-01-01,,2016-01-01,2001-01-01\n";
    let mut loader = Loader::new();
    assert_eq!(loader.read(InputFormat::GaapCsv, "a.csv", csv.as_bytes()).unwrap().taken, 2);
    assert_eq!(loader.read(InputFormat::CodePoint, "cp.csv", cp.as_bytes()).unwrap().taken, 1);
    assert_eq!(loader.read(InputFormat::AddressBase, "abp.csv", abp.as_bytes()).unwrap().taken, 1);
    let index = loader.into_builder().build();
    let at = index.by_postcode(&pc("SW1A 2AA"));
    assert_eq!(at.len(), 2, "UPRN-deduped, EN and CY merged");
    let ten = index.by_uprn(Uprn::new(199_356).unwrap()).unwrap();
    assert_eq!(ten.welsh.as_ref().unwrap().post_town.as_deref(), Some("LLUNDAIN"));
    assert_eq!(index.postcode(&pc("SW1A 2AA")).unwrap().ward.as_deref(), Some("E05013806"));
    let pm = index.by_uprn(Uprn::new(100_023_336_956).unwrap()).unwrap();
    assert_eq!(pm.udprn, Some(23_747_771));
    assert_eq!(pm.classification.as_deref(), Some("RD04"));
    assert_eq!(pm.local_custodian_code, Some(5990));
    assert_eq!(
        pm.lines(),
        ["PRIME MINISTER & FIRST LORD OF THE TREASURY", "10 DOWNING STREET", "LONDON"]
    );
    // A bad postcode is a value the load cannot keep: the address is kept without it, and the report says so.
    let bad = "uprn,postcode\n12,NOT A POSTCODE\n";
    let report = Loader::new().read(InputFormat::GaapCsv, "bad.csv", bad.as_bytes()).unwrap();
    assert_eq!((report.taken, report.fields_rejected), (1, 1));
    assert_eq!(report.examples[0].at, "bad.csv:2");
    assert!(report.examples[0].message.contains("NOT A POSTCODE"), "{report:?}");
}

#[test]
fn synth_is_deterministic() {
    let seeds = synth::seed_postcodes_for(500, 7);
    let a = synth::generate(&seeds, 500, 7);
    let b = synth::generate(&seeds, 500, 7);
    assert_eq!(a, b);
    assert_eq!(a.len(), 500);
    let national = synth::synthetic_postcodes(20_000, 1);
    assert_eq!(national.len(), 20_000);
    let mut out = Vec::new();
    synth::write_gaap_csv(&a, &mut out).unwrap();
    let mut loader = Loader::new();
    assert_eq!(loader.read(InputFormat::GaapCsv, "synth", out.as_slice()).unwrap().taken, 500);
    let mut builder = IndexBuilder::new();
    for x in a {
        builder.add_address(x);
    }
    assert_eq!(builder.build().len(), 500);
}

/// Every component, including the rare ones kept outside the compact rows, survives build, save and open.
#[test]
fn every_component_round_trips() {
    let mut full = gaap_address::Address::new(Uprn::new(10_033_544_614).unwrap());
    full.udprn = Some(23_747_771);
    full.parent_uprn = Some(Uprn::new(10_033_544_600).unwrap());
    full.organisation = Some("CABINET OFFICE".into());
    full.department = Some("GOVERNMENT DIGITAL SERVICE".into());
    full.sub_building = Some("FLAT 10".into());
    full.building_name = Some("THE WHITE CHAPEL BUILDING".into());
    full.building_number = Some(10);
    full.po_box = Some("PO BOX 123".into());
    full.dependent_thoroughfare = Some("WHITECHAPEL MEWS".into());
    full.thoroughfare = Some("WHITECHAPEL HIGH STREET".into());
    full.double_dependent_locality = Some("ALDGATE EAST".into());
    full.dependent_locality = Some("ALDGATE".into());
    full.post_town = Some("LONDON".into());
    full.postcode = Some(pc("E1 8QS"));
    full.coordinates = Some(Coordinates::new(533_912.31, 181_404.5));
    full.source_lat_lng = Some(gaap_address::LatLng { lat: 51.515_21, lng: -0.071_45 });
    full.classification = Some("CO01".into());
    full.local_custodian_code = Some(5900);
    full.gss_code = Some("E09000030".into());
    full.welsh =
        Some(gaap_address::WelshNames { post_town: Some("LLUNDAIN".into()), ..Default::default() });
    let mut other = gaap_address::Address::new(Uprn::new(5).unwrap());
    other.language = gaap_address::Language::Unknown("GD".into());
    other.postcode = Some(pc("E1 8QS"));
    other.building_number = Some(2);
    let mut b = IndexBuilder::new();
    b.add_address(full.clone());
    b.add_address(other.clone());
    let index = b.build();
    let back = Index::from_bytes(&index.to_bytes()).unwrap();
    for i in [&index, &back] {
        assert_eq!(i.by_uprn(full.uprn).as_ref(), Some(&full));
        assert_eq!(i.by_uprn(other.uprn).as_ref(), Some(&other));
        assert_eq!(i.by_postcode(&pc("E1 8QS")).len(), 2);
        assert_eq!(i.admin_district(&pc("E1 8QS")), Some("E09000030"));
        assert_eq!(i.search("white chapel bui", 1)[0].address.uprn, full.uprn);
        assert_eq!(i.search("llundain", 1)[0].address.uprn, full.uprn);
    }
}

/// A damaged file is refused with an error, wherever the damage is; it never panics.
#[test]
fn damaged_files_are_refused() {
    // Synthetic addresses, and a few real OS Places records, so that the source records section has data.
    let mut loader = Loader::new();
    let os_places = crate::data("os-places/CH53QW-many-address-fields.json");
    loader.read(InputFormat::OsPlaces, "ch5", os_places.as_bytes()).unwrap();
    let mut b = loader.into_builder();
    for a in synth::generate(&synth::seed_postcodes_for(300, 4), 300, 4) {
        b.add_address(a);
    }
    let bytes = b.build().to_bytes();
    assert!(Index::from_bytes(&bytes).is_ok());
    let step = (bytes.len() / 500).max(1);
    for cut in (0..bytes.len()).step_by(step) {
        assert!(Index::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    // Flipped bytes either still describe a valid index or are refused; the read must not panic.
    let mut refused = 0;
    for at in (12..bytes.len()).step_by(step) {
        let mut bad = bytes.clone();
        bad[at] ^= 0xA5;
        if Index::from_bytes(&bad).is_err() {
            refused += 1;
        }
        let _ = Index::from_bytes(&bad).map(|i| {
            let _ = i.source_records(Uprn::new(200_002_515_110).unwrap());
            i.search("high st", 3)
        });
    }
    assert!(refused > 0);
}

/// Debug output of a builder or an index gives counts, never every address.
#[test]
fn debug_output_is_a_summary() {
    let mut b = IndexBuilder::new();
    for a in synth::generate(&synth::seed_postcodes_for(2_000, 5), 2_000, 5) {
        b.add_address(a);
    }
    let builder = format!("{b:?}");
    assert!(builder.contains("addresses: 2000"), "{builder}");
    let index = format!("{:?}", b.build());
    assert!(index.contains("addresses: 2000") && index.len() < 300, "{index}");
}

proptest::proptest! {
    /// Matching and typeahead take any text, however it mixes words, numbers, commas and postcodes: a score in
    /// [0, 1] and at most `limit` hits, never a panic.
    #[test]
    fn any_text_matches_and_searches_without_panicking(
        input in "(([Ff]lat|[0-9]{1,3}[A-Ca-c]?|[A-Za-z]{1,14}|SW1A ?1AA|W1[A-Z] ?[0-9][A-Z]{2}|,|é|\\PC{1,3}) ?){0,9}",
    ) {
        let index = embedded();
        let r = index.match_address(&input, MatchOptions::default());
        proptest::prop_assert!((0.0..=1.0).contains(&r.score), "score {}", r.score);
        proptest::prop_assert!(r.uprn.is_none() || r.uprn == r.best);
        proptest::prop_assert!(index.search(&input, 5).len() <= 5);
    }
}

/// The addresses of the embedded index inside a box, found by reading every one.
fn within_by_scan(index: &Index, min: Coordinates, max: Coordinates) -> Vec<gaap_address::Address> {
    index
        .addresses()
        .filter(|a| {
            a.coordinates.is_some_and(|c| {
                (min.easting..=max.easting).contains(&c.easting)
                    && (min.northing..=max.northing).contains(&c.northing)
            })
        })
        .collect()
}

/// A box query gives exactly the addresses a full scan finds, edges included, in index order; odd boxes
/// (inverted, NaN, enormous) are empty or whole without a panic.
#[test]
fn within_handles_edges_and_odd_boxes() {
    let index = embedded();
    let a = index.get(0).unwrap();
    let c = a.coordinates.unwrap();
    let on_point = index.within(c, c);
    assert!(on_point.iter().any(|x| x.uprn == a.uprn), "a zero-size box holds its own point");
    assert!(index.within(Coordinates::new(1.0, 1.0), Coordinates::new(0.0, 0.0)).is_empty());
    assert!(index.within(Coordinates::new(f64::NAN, 0.0), Coordinates::new(1e6, 1e6)).is_empty());
    let all = index
        .within(Coordinates::new(f64::NEG_INFINITY, -1e12), Coordinates::new(f64::INFINITY, 1e12));
    let placed = index.addresses().filter(|a| a.coordinates.is_some()).count();
    assert_eq!(all.len(), placed);
    let order: Vec<_> = all.iter().map(|a| a.uprn).collect();
    let scan: Vec<_> =
        index.addresses().filter(|a| a.coordinates.is_some()).map(|a| a.uprn).collect();
    assert_eq!(order, scan, "index order");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// `within` agrees with a full scan for any box over and around Westminster.
    #[test]
    fn within_matches_a_full_scan(
        e in 522_000.0f64..534_000.0,
        n in 175_000.0f64..184_000.0,
        w in 0.0f64..2_500.0,
        h in 0.0f64..2_500.0,
    ) {
        let index = embedded();
        let (min, max) = (Coordinates::new(e, n), Coordinates::new(e + w, n + h));
        let got: Vec<_> = index.within(min, max).into_iter().map(|a| a.uprn).collect();
        let want: Vec<_> = within_by_scan(index, min, max).into_iter().map(|a| a.uprn).collect();
        proptest::prop_assert_eq!(got, want);
    }
}
