use crate::IndexBuilder;
use crate::synth;

fn council(n: usize) -> crate::Index {
    let seeds = synth::seed_postcodes_for(n, 3);
    let mut b = IndexBuilder::new();
    synth::generate_with(&seeds, n, 3, |a| b.add_address(a));
    b.build()
}

proptest::proptest! {
    #[test]
    fn leapfrog_is_sorted_intersection(
        a in proptest::collection::btree_set(0u32..400, 0..120),
        b in proptest::collection::btree_set(0u32..400, 0..120),
        c in proptest::collection::btree_set(0u32..400, 0..120),
    ) {
        let lists: Vec<Vec<u32>> = [&a, &b, &c].iter().map(|s| s.iter().copied().collect()).collect();
        let refs: Vec<&[u32]> = lists.iter().map(Vec::as_slice).collect();
        let mut got = Vec::new();
        super::typeahead::leapfrog(&refs, |v| { got.push(v); true });
        let want: Vec<u32> = a.iter().filter(|v| b.contains(v) && c.contains(v)).copied().collect();
        proptest::prop_assert_eq!(got, want);
    }
}

#[test]
fn leapfrog_stops_when_asked() {
    let all: Vec<u32> = (0..100).collect();
    let evens: Vec<u32> = (0..100).step_by(2).collect();
    let mut seen = Vec::new();
    super::typeahead::leapfrog(&[&all, &evens], |v| {
        seen.push(v);
        seen.len() < 3
    });
    assert_eq!(seen, [0, 2, 4]);
    assert_eq!(super::typeahead::seek(&evens, 0, 51), 26);
    assert_eq!(super::typeahead::seek(&evens, 30, 0), 30);
    assert_eq!(super::typeahead::seek(&evens, 0, 1000), 50);
}

#[test]
fn stopping_early_changes_no_typeahead_result() {
    let index = council(20_000);
    let mut queries: Vec<String> = vec![
        "HIGH STR".into(),
        "STATION R".into(),
        "S".into(),
        "MAIN L".into(),
        "STAION ROAD".into(),
        "LONDON".into(),
        "FLAT 1 ".into(),
        "12 HIGH STREET".into(),
    ];
    for a in index.addresses().step_by(997) {
        let street = a.thoroughfare.clone().unwrap_or_default();
        queries.push(street.chars().take(5).collect());
        queries.push(a.single_line());
        if let Some(n) = a.building_number {
            queries.push(format!("{n} {}", &street[..street.len().min(4)]));
        }
    }
    for q in &queries {
        for limit in [1, 10] {
            let fast: Vec<(u64, f32)> = index
                .search_with(q, limit, true)
                .iter()
                .map(|h| (h.address.uprn.get(), h.score))
                .collect();
            let full: Vec<(u64, f32)> = index
                .search_with(q, limit, false)
                .iter()
                .map(|h| (h.address.uprn.get(), h.score))
                .collect();
            assert_eq!(fast, full, "query {q:?} limit {limit}");
        }
    }
}

#[test]
fn postcode_and_number_outweigh_an_added_house_name() {
    let index = council(20_000);
    let mut tried = 0;
    for a in index.addresses().filter(|a| {
        a.building_number.is_some()
            && a.sub_building.is_none()
            && a.building_name.is_none()
            && a.organisation.is_none()
    }) {
        let (Some(n), Some(street), Some(pc)) = (a.building_number, &a.thoroughfare, a.postcode)
        else {
            continue;
        };
        // The house name added to a numbered address must not carry the match to a named premise on the
        // same street elsewhere (when a house in the same postcode shares words with it, the input is
        // ambiguous, so those postcodes are skipped).
        let name = "The Old School";
        if index.by_postcode(&pc).iter().any(|b| {
            b.building_name.as_deref().is_some_and(|h| h.contains("OLD") || h.contains("SCHOOL"))
        }) {
            continue;
        }
        let input = format!("{name}, {n}, {street}, London, {pc}");
        let m = index.match_address(&input, super::MatchOptions::default());
        assert_eq!(m.best, Some(a.uprn), "{input}");
        tried += 1;
        if tried == 200 {
            break;
        }
    }
    assert_eq!(tried, 200);
}

#[test]
fn padded_flat_numbers_match() {
    let index = council(5_000);
    let a = index
        .addresses()
        .find(|a| {
            a.sub_building.as_deref().is_some_and(|s| s.starts_with("FLAT "))
                && a.postcode.is_some()
        })
        .unwrap();
    let flat = a.sub_building.as_deref().unwrap().trim_start_matches("FLAT ");
    let input = a.single_line().replacen(&format!("FLAT {flat}"), &format!("Flat 00{flat}"), 1);
    assert_ne!(input, a.single_line());
    assert_eq!(
        index.match_address(&input, super::MatchOptions::default()).best,
        Some(a.uprn),
        "{input}"
    );
}

#[test]
fn number_suffixes_are_the_same_building_number() {
    assert_eq!(super::scoring::number_stem("52A"), "52");
    assert_eq!(super::scoring::number_stem("52"), "52");
    let terms = ["46", "52", "ALBERT", "ROW"];
    let (q, term) = super::model::ScoreModel::DEFAULT.best_quality("52A", &terms).unwrap();
    assert_eq!(term, "52");
    assert!(q < 1.0 && q > 0.0);
    assert!(super::model::ScoreModel::DEFAULT.best_quality("5", &terms).is_none());
}

#[test]
fn shortened_names_match_weakly() {
    let terms = ["GREENACRES", "HIGH", "STREET"];
    let (q, term) = super::model::ScoreModel::DEFAULT.best_quality("GREEN", &terms).unwrap();
    assert_eq!(term, "GREENACRES");
    assert!(q < 0.75);
    // Too short to say anything.
    assert!(super::model::ScoreModel::DEFAULT.best_quality("GRE", &terms).is_none());
}

fn pc(s: &str) -> crate::types::postcode::Postcode {
    crate::types::postcode::Postcode::parse(s).unwrap()
}

/// `(uprn, sub_building, building_name, number, street, postcode)`.
type Row<'a> = (u64, &'a str, &'a str, Option<u32>, &'a str, &'a str);

/// A hand-made index.
fn small(rows: &[Row<'_>]) -> crate::Index {
    let mut b = IndexBuilder::new();
    for &(uprn, sub, name, number, street, postcode) in rows {
        let mut a =
            crate::types::address::Address::new(crate::types::uprn::Uprn::new(uprn).unwrap());
        a.sub_building = (!sub.is_empty()).then(|| sub.to_owned());
        a.building_name = (!name.is_empty()).then(|| name.to_owned());
        a.building_number = number;
        a.thoroughfare = Some(street.to_owned());
        a.post_town = Some("LONDON".into());
        a.postcode = Some(pc(postcode));
        b.add_address(a);
    }
    b.build()
}

fn best(index: &crate::Index, input: &str) -> u64 {
    index.match_address(input, super::MatchOptions::default()).best.unwrap().get()
}

#[test]
fn postcode_similarity_falls_with_distance() {
    let q = pc("W1K 1PZ");
    let tiers: Vec<f32> =
        ["W1K 1PZ", "W1K 1AL", "W1K 2PZ", "W1K 3AL", "W1B 3AL", "W2 3AL", "SW1A 1AA"]
            .iter()
            .map(|p| super::model::ScoreModel::DEFAULT.postcode_similarity(&q, &pc(p)))
            .collect();
    assert!(tiers.windows(2).all(|w| w[0] > w[1]), "{tiers:?}");
    assert!(super::scoring::within_one_edit(b"W1K 1PZ", b"W1K 2PZ"));
    assert!(super::scoring::within_one_edit(b"W1 1PZ", b"W1K 1PZ"));
    assert!(!super::scoring::within_one_edit(b"W1K 1PZ", b"W1K 2PA"));
}

#[test]
fn a_stated_flat_is_not_a_house_with_that_number() {
    let index = small(&[
        (1, "", "", Some(7), "VICTORIA WAY", "SW1Y 5HS"),
        (2, "FLAT 7", "NORFOLK LODGE", None, "VICTORIA WAY", "SW1Y 5HS"),
    ]);
    assert_eq!(best(&index, "Flat 7, Victoria Way, London, SW1Y 5HS"), 2);
    assert_eq!(best(&index, "7, Victoria Way, London, SW1Y 5HS"), 1);
}

#[test]
fn a_stated_flat_number_is_no_key_to_a_house_with_that_number() {
    let index = small(&[
        (1, "FLAT 1", "COMMON BUILDINGS", Some(3), "OLD BLENHEIM HILL", "W1H 6HL"),
        (2, "FLAT 1", "VALLEY LODGE", Some(1), "OLD BLENHEIM HILL", "W1H 6HL"),
        (3, "FLAT 3", "CORNWALL COURT", None, "LOWER CORNWALL STREET", "W1K 2RZ"),
        (4, "", "", Some(3), "LOWER CORNWALL STREET", "W1K 2RZ"),
        (5, "", "", Some(26), "OLD CAMBRIDGE DRIVE", "SW1Y 6LX"),
        (6, "", "26A", None, "OLD CAMBRIDGE DRIVE", "SW1Y 6LX"),
    ]);
    let flat_1 = "Flat 1, Common Buildings, The Gables, Old Blenheim Hill, London, W1H 6HL";
    assert_eq!(best(&index, flat_1), 1);
    assert_eq!(best(&index, "Flat 3, Cornwall Court, Lower Cornwallstreet, London, W1K 2RZ"), 3);
    // `26A` is a house number too.
    assert_eq!(best(&index, "Flat, 26, Old Cambridge Drive, London, SW1Y 6LX"), 5);
}

#[test]
fn a_comma_after_flat_makes_the_next_number_a_house_number() {
    let index = small(&[
        (1, "", "", Some(1), "ECCLESTON SQUARE", "SW1V 2LX"),
        (2, "FLAT 1", "HARROW POINT", None, "ECCLESTON SQUARE", "SW1V 2LX"),
    ]);
    assert_eq!(best(&index, "Flat, 1, Eccleston Square, London, SW1V 2LX"), 1);
    assert_eq!(best(&index, "Flat 1, Eccleston Square, London, SW1V 2LX"), 2);
}

#[test]
fn a_flat_number_is_a_key_only_with_its_block() {
    let index = small(&[
        (1, "FLAT 6", "SUSSEX POINT", None, "LOWER MARKET HILL", "W1J 5DQ"),
        (2, "FLAT 6", "MAPLE MANSIONS", None, "COMMON LANE", "W1J 9EE"),
        (3, "FLAT 1", "BROOK LODGE", None, "LITTLE MARYLEBONE COURT", "W1F 8WY"),
        (4, "FLAT 1", "GROVE LODGE", None, "UPPER SCHOOL ROW", "W1F 8GG"),
    ]);
    assert_eq!(best(&index, "Flat 6, Sussex Point, London, W1J 9EE"), 1);
    assert_eq!(best(&index, "Flat 6, Maple Mansions, London, W1J 9EE"), 2);
}

#[test]
fn a_floor_is_not_a_flat_number() {
    let index = small(&[
        (1, "FLAT 1", "QUEENS TOWER", Some(18), "HIGH STREET", "NW1 4SJ"),
        (2, "FLAT 4", "QUEENS TOWER", Some(18), "HIGH STREET", "NW1 4SJ"),
    ]);
    assert_eq!(best(&index, "1st Floor Flat 4, Queens Tower, 18, High Street, London, NW1 4SJ"), 2);
}

#[test]
fn a_house_number_outweighs_an_added_house_name_in_one_postcode() {
    let index = small(&[
        (1, "", "THE BARN", None, "HIGH STREET", "NW8 8TQ"),
        (2, "", "", Some(45), "HIGH STREET", "NW8 8TQ"),
        (3, "", "", Some(47), "HIGH STREET", "NW8 8TQ"),
    ]);
    assert_eq!(best(&index, "The Barn, 45, High Street, London, NW8 8TQ"), 2);
    assert_eq!(best(&index, "The Barn, High Street, London, NW8 8TQ"), 1);
}

#[test]
fn a_house_name_in_its_postcode_outweighs_the_stated_street_elsewhere() {
    let index = small(&[
        (1, "", "GREENACRES", None, "RIVERSIDE GARDENS", "W1B 5RZ"),
        (2, "", "", Some(3), "RIVERSIDE GARDENS", "W1B 5RZ"),
        (3, "", "GREENACRES", None, "MARKET CLOSE", "W1D 5NE"),
        (4, "", "", Some(5), "MARKET CLOSE", "W1D 5NE"),
    ]);
    assert_eq!(best(&index, "Greenacres, Market Close, London, W1B 5RZ"), 1);
    assert_eq!(best(&index, "Greenacres, Market Close, London, W1D 5NE"), 3);
}

#[test]
fn a_stated_flat_number_counts_against_another_flat() {
    let index = small(&[
        (1, "FLAT 6", "PADDINGTON BUILDINGS", Some(4), "GREAT GROSVENOR PARADE", "W1F 9NF"),
        (2, "FLAT 15", "PADDINGTON BUILDINGS", Some(4), "GREAT GROSVENOR PARADE", "W1F 9NF"),
    ]);
    let input = "Flat 15, Paddington Buildings, 4-6, Great Grosvenor Parade, London, W1F 9NF";
    assert_eq!(best(&index, input), 2);
    assert_eq!(
        best(&index, "Paddington Buildings, 4-6, Great Grosvenor Parade, London, W1F 9NF"),
        1
    );
}

#[test]
fn a_flat_and_a_house_number_are_two_numbers_even_when_equal() {
    let mut rows: Vec<Row<'_>> = vec![
        (1, "FLAT 2", "MANOR LODGE", Some(2), "BROOK AVENUE", "W1J 9EN"),
        (2, "FLAT 2", "MANOR TOWER", None, "NELSON DRIVE", "W1J 9BT"),
    ];
    // Other streets, so that words weigh as in a council.
    let name = |n: u32| match n % 20 {
        0 => "OAK LODGE",
        1 => "ASH TOWER",
        2 => "ELM HOUSE",
        _ => "",
    };
    rows.extend((1..=200).map(|n| (100 + u64::from(n), "", name(n), Some(n), "ELM ROW", "W2 1AB")));
    let index = small(&rows);
    assert_eq!(best(&index, "Flat 2, Manor Lodge, 2, London, W1J 9BT"), 1);
}

#[test]
fn words_run_together_still_find_their_address_under_a_wrong_postcode() {
    let mut rows: Vec<Row<'_>> = vec![
        (1, "FLAT 1", "CHARLOTTE TOWER", None, "HAMILTON LANE", "W1J 5HN"),
        (2, "FLAT 1", "DEVONSHIRE MANSIONS", None, "OLD ASH STREET", "W1J 5BN"),
    ];
    rows.extend(
        (1..=50)
            .map(|n| (100 + u64::from(n), "FLAT 1", "ELM TOWER", Some(n), "ELM ROW", "W1J 5AA")),
    );
    let index = small(&rows);
    assert_eq!(best(&index, "Flat 1, Charlottetower, London, W1J 5BN"), 1);
}

#[test]
fn an_exact_address_in_another_sector_outweighs_a_number_in_the_stated_postcode() {
    let mut rows: Vec<Row<'_>> = vec![
        (1, "", "", Some(2), "LITTLE CHAPEL AVENUE", "W1J 5PG"),
        (2, "", "", Some(2), "LOWER JAMES AVENUE", "W1J 0AT"),
    ];
    // `LITTLE`, `CHAPEL` and `AVENUE` are common words.
    let street = |n: u32| ["LITTLE ELM AVENUE", "CHAPEL ROW", "LOWER ASH AVENUE"][n as usize % 3];
    rows.extend((1..=90).map(|n| (100 + u64::from(n), "", "", Some(n), street(n), "W2 1AB")));
    let index = small(&rows);
    assert_eq!(best(&index, "2, Little Chapel Avenue, London, W1J 0AT"), 1);
    assert_eq!(best(&index, "2, Lower James Avenue, London, W1J 5PG"), 2);
}

#[test]
fn a_lettered_number_in_its_postcode_outweighs_the_bare_number_elsewhere() {
    let mut rows: Vec<Row<'_>> = vec![
        (1, "", "8A", None, "OLD DORSET WAY", "NW1 6HR"),
        (2, "", "", Some(8), "OAK WALK", "NW1 6JQ"),
    ];
    // Other streets, so that words weigh as in a council.
    let street = |n: u32| ["ELM ROW", "ASH ROW", "ELM LANE"][n as usize % 3];
    rows.extend((1..=90).map(|n| (100 + u64::from(n), "", "", Some(n), street(n), "W2 1AB")));
    let index = small(&rows);
    assert_eq!(best(&index, "8a, Oak Walk, London, NW1 6HR"), 1);
    assert_eq!(best(&index, "8, Oak Walk, London, NW1 6HR"), 2);
}

#[test]
fn a_wrong_postcode_prefers_its_own_sector_however_many_matches_sort_first() {
    // Three hundred `8 HIGH STREET`s in postcodes that sort before the one meant.
    let letters = "ABDEFGHJLNPQRSTUWXYZ".as_bytes();
    let early: Vec<String> = letters
        .iter()
        .flat_map(|x| letters.iter().map(move |y| format!("AB1 1{}{}", *x as char, *y as char)))
        .take(300)
        .collect();
    let mut rows: Vec<Row<'_>> = early
        .iter()
        .zip(10..)
        .map(|(p, u)| (u, "", "", Some(8), "HIGH STREET", p.as_str()))
        .collect();
    rows.push((1, "", "", Some(8), "HIGH STREET", "W1K 1AL"));
    rows.push((2, "", "", Some(9), "MAIN LANE", "W1K 1PZ"));
    let index = small(&rows);
    assert_eq!(best(&index, "8, High Street, London, W1K 1PZ"), 1);
}

#[test]
fn a_wrong_postcode_still_finds_the_stated_number_on_a_long_street() {
    // Forty numbers of one street tie on its words; the one stated sorts last. Elsewhere, a hundred short
    // streets make `1` a common word.
    let mut rows: Vec<Row<'_>> =
        (2..=40).map(|n| (u64::from(n), "", "", Some(n), "NORFOLK HILL", "NW8 9AA")).collect();
    rows.push((1, "", "", Some(1), "NORFOLK HILL", "NW8 9QE"));
    rows.push((100, "FLAT 1", "BELGRAVE POINT", None, "PRIORY PARADE", "NW8 9UJ"));
    rows.push((101, "", "THE GABLES", None, "ELM ROW", "W2 1AA"));
    let streets: Vec<String> = (0..100u8)
        .map(|k| format!("{}{} LANE", char::from(b'A' + k / 10), char::from(b'A' + k % 10)))
        .collect();
    for (k, street) in (0..).zip(&streets) {
        rows.extend(
            (1..=3)
                .map(|n| (1000 + k * 3 + u64::from(n), "", "", Some(n), street.as_str(), "W2 1AB")),
        );
    }
    let index = small(&rows);
    assert_eq!(best(&index, "The Gables, 1, Norfolk Hill, London, NW8 9UJ"), 1);
}

#[test]
fn a_wrong_postcode_finds_the_stated_number_past_many_added_names_nearby() {
    // Twenty houses named `THE GABLES` under the stated outward code match the query's rarest words better
    // than the street with the stated number does, and so does a block of flats at number 1 there.
    let flats: Vec<String> = (1..=12).map(|k| format!("FLAT {k}")).collect();
    let mut rows: Vec<Row<'_>> = vec![
        (1, "", "", Some(1), "NORFOLK HILL", "NW8 9QE"),
        (2, "", "", Some(2), "NORFOLK HILL", "NW8 9QE"),
        (100, "FLAT 1", "BELGRAVE POINT", None, "PRIORY PARADE", "NW8 9UJ"),
    ];
    for (k, flat) in (0..).zip(&flats) {
        rows.push((110 + k, flat.as_str(), "NORFOLK MANSIONS", Some(1), "DUKE COURT", "NW8 0NH"));
    }
    let streets: Vec<String> = (0..20u8)
        .map(|k| format!("{}{} LANE", char::from(b'A' + k / 10), char::from(b'A' + k % 10)))
        .collect();
    for (k, street) in (0..).zip(&streets) {
        rows.push((200 + k, "", "THE GABLES", None, street.as_str(), "NW8 7AA"));
    }
    // More houses named `THE GABLES` elsewhere; `HILL` and `1` are common words.
    for k in 0..400 {
        let (name, number, street) = match k % 8 {
            0 | 1 => ("", Some(4), "NORFOLK ROAD"),
            2 | 3 => ("THE GABLES", None, "ELM ROW"),
            4..=6 => ("", Some(1), "HILL ROAD"),
            _ => ("", Some(5), "ELM ROW"),
        };
        rows.push((1000 + k, "", name, number, street, "W2 1AB"));
    }
    let index = small(&rows);
    assert_eq!(best(&index, "The Gables, 1, Norfolk Hill, London, NW8 9UJ"), 1);
}

#[test]
fn saved_index_keeps_rank_order() {
    let index = council(3_000);
    let back = crate::Index::from_bytes(&index.to_bytes()).unwrap();
    for q in ["HIGH STR", "STATION", "1 "] {
        let a: Vec<u64> = index.search(q, 10).iter().map(|h| h.address.uprn.get()).collect();
        let b: Vec<u64> = back.search(q, 10).iter().map(|h| h.address.uprn.get()).collect();
        assert_eq!(a, b, "{q}");
    }
}

/// Filler addresses under another postcode, so that words weigh as in a council.
fn with_filler<'a>(mut rows: Vec<Row<'a>>) -> crate::Index {
    let street = |n: u32| ["ELM ROW", "ASH ROW", "ELM LANE"][n as usize % 3];
    rows.extend((1..=90).map(|n| (100 + u64::from(n), "", "", Some(n), street(n), "W2 1AB")));
    small(&rows)
}

#[test]
fn a_stated_flat_at_a_number_is_its_lettered_house_before_the_bare_one() {
    let mut index = with_filler(vec![
        (1, "", "", Some(28), "EAST BUDDLE STREET", "EX1 1AN"),
        (2, "", "28A", None, "EAST BUDDLE STREET", "EX1 1AN"),
        (3, "", "", Some(30), "EAST BUDDLE STREET", "EX1 1AN"),
        (4, "", "28B", None, "EAST BUDDLE STREET", "EX1 1AN"),
    ]);
    // A flat number or a floor names no letter: either lettered house, not the bare one.
    for input in [
        "Flat 2, 28, East Buddle Street, Exeter, EX1 1AN",
        "First Floor Flat, 28, East Buddle Street, Exeter, EX1 1AN",
    ] {
        assert!([2, 4].contains(&best(&index, input)), "{input}");
    }
    // A letter said is that house.
    assert_eq!(best(&index, "Flat B, 28, East Buddle Street, Exeter, EX1 1AN"), 4);
    assert_eq!(best(&index, "Flat A, 28, East Buddle Street, Exeter, EX1 1AN"), 2);
    // Without a flat word, the bare number is the bare house.
    assert_eq!(best(&index, "28, East Buddle Street, Exeter, EX1 1AN"), 1);
    assert_eq!(best(&index, "28a, East Buddle Street, Exeter, EX1 1AN"), 2);
    // The letter held as the number's suffix reads the same way; a flat that is recorded stays first.
    let mut b = IndexBuilder::new();
    let mut add = |uprn: u64, sub: Option<&str>, number: u32, suffix: Option<&str>| {
        let mut a =
            crate::types::address::Address::new(crate::types::uprn::Uprn::new(uprn).unwrap());
        a.sub_building = sub.map(str::to_owned);
        a.building_number = Some(number);
        a.building_number_suffix = suffix.map(str::to_owned);
        a.thoroughfare = Some("NEW BELMONT STREET".into());
        a.post_town = Some("EXETER".into());
        a.postcode = Some(pc("EX4 1EH"));
        b.add_address(a);
    };
    add(11, None, 23, None);
    add(12, None, 23, Some("A"));
    add(13, None, 25, None);
    add(14, Some("FLAT 1"), 25, None);
    add(15, None, 25, Some("A"));
    for n in 1..=60 {
        add(100 + u64::from(n), None, 100 + n, None);
    }
    index = b.build();
    assert_eq!(best(&index, "Flat B, 23, New Belmont St, Exeter, EX4 1EH"), 12);
    assert_eq!(best(&index, "23, New Belmont St, Exeter, EX4 1EH"), 11);
    assert_eq!(best(&index, "Flat 1, 25, New Belmont St, Exeter, EX4 1EH"), 14);
}

#[test]
fn an_added_house_name_common_elsewhere_does_not_crowd_out_the_street() {
    let streets: Vec<String> = (0..40).map(|n| format!("FIELD {n} LANE")).collect();
    let flats: Vec<String> = (1..=50).map(|n| format!("FLAT {n}")).collect();
    let mut rows: Vec<Row<'_>> = Vec::new();
    // Forty houses called THE BARN: their two words are rarer than the street's.
    rows.extend(
        streets
            .iter()
            .enumerate()
            .map(|(i, st)| (300 + i as u64, "", "THE BARN", None, st.as_str(), "W3 1AB")),
    );
    rows.extend(
        (1..=60).map(|n| (400 + u64::from(n), "", "", Some(n), "WEST BUDDLE COURT", "W1T 1HZ")),
    );
    rows.extend(flats.iter().enumerate().map(|(i, f)| {
        (500 + i as u64, f.as_str(), "LYNDHURST COURT", Some(25), "WEST BUDDLE COURT", "W1T 1HZ")
    }));
    // Numbers 2 and 25 on every other street, as in a town.
    for (i, st) in streets.iter().enumerate() {
        rows.push((600 + i as u64, "", "", Some(2), st.as_str(), "W3 1AB"));
        rows.push((700 + i as u64, "", "", Some(25), st.as_str(), "W3 1AB"));
    }
    let index = with_filler(rows);
    assert_eq!(
        best(&index, "Flat 2, Lyndhurst Court, The Barn, 25, West Buddle Court, London"),
        501
    );
}

#[test]
fn a_lettered_flat_id_is_that_flat() {
    let index = with_filler(vec![
        (1, "FLAT 1", "WINDSOR POINT", None, "ROBIN LANE", "NW8 8AG"),
        (2, "FLAT 2", "WINDSOR POINT", None, "ROBIN LANE", "NW8 8AG"),
    ]);
    assert_eq!(best(&index, "Flat A2, Windsor Point, Robin Lane, London, NW8 8AG"), 2);
    assert_eq!(super::scoring::letter_prefixed("B12"), Some("12"));
    assert_eq!(super::scoring::letter_prefixed("12"), None);
    assert_eq!(super::scoring::letter_prefixed("AB2"), None);
}

#[test]
fn a_street_left_out_whole_costs_less_than_a_name_half_said() {
    // The stated postcode is wrong; the exact block elsewhere in the sector has a long street, the other
    // candidate says the query's words across its name and street.
    let index = with_filler(vec![
        (1, "FLAT 6", "HEATH COURT", None, "UPPER EAST GARDENS", "W10 4LP"),
        (2, "FLAT 6", "CASTLE COURT", None, "HEATH VIEW", "W10 4DT"),
        (3, "", "", Some(3), "FOX LANE", "W10 4BD"),
    ]);
    assert_eq!(best(&index, "Flat 6, Heath Court, London, W10 4BD"), 1);
}

#[test]
fn words_run_together_match_a_field_whose_words_repeat() {
    // `COURT` is both the name's word and the street's: the premise keeps it once.
    let index = with_filler(vec![
        (1, "FLAT 1", "GREEN COURT", None, "JAMES COURT", "W1K 2LD"),
        (2, "FLAT 1", "EDGWARE POINT", None, "JAMES COURT", "W1K 2LA"),
    ]);
    assert_eq!(best(&index, "Flat 1, Jamescourt, London, W1K 2LD"), 1);
}

#[test]
fn a_lettered_number_in_the_stated_postcode_outweighs_the_bare_number_on_the_stated_street() {
    let index = with_filler(vec![
        (1, "", "2A", None, "MARLBOROUGH PARADE", "W1G 8UE"),
        (2, "", "", Some(2), "GREAT VICTORIA WALK", "W1G 8JJ"),
    ]);
    assert_eq!(best(&index, "2a, Great Victoria Walk, London, W1G 8UE"), 1);
}

#[test]
fn sector_hits_rank_by_the_query_words_they_share() {
    let mut rows: Vec<Row<'_>> =
        vec![(1, "FLAT 1", "LONDON APARTMENTS", None, "ASH PLACE", "W1C 2BU")];
    let names = ["CLARENCE APARTMENTS", "KING APARTMENTS", "ROSE APARTMENTS"];
    rows.extend(
        (0..30u32).map(|n| {
            (10 + u64::from(n), "FLAT 2", names[n as usize % 3], None, "OAK ROW", "W1C 2AA")
        }),
    );
    // Another sector: never among the hits.
    rows.push((50, "FLAT 1", "LONDON APARTMENTS", None, "ASH PLACE", "W1C 3AA"));
    let index = with_filler(rows);
    let stated = pc("W1C 2DQ");
    let qt: Vec<String> = crate::index::text::tokens("FLAT 1 LONDON APARTMENTS LONDON").collect();
    let starts = vec![false; qt.len()];
    let query = super::scoring::QueryProfile::new(
        &index.search,
        &qt,
        &starts,
        Some(stated),
        &super::model::ScoreModel::DEFAULT,
    );
    let hits: Vec<(u32, f32)> = (0..index.rows.len() as u32).map(|d| (d, 1.0)).collect();
    let found = index.sector_hits(&stated, &query, &hits);
    assert_eq!(found.len(), super::model::ScoreModel::DEFAULT.sector_near);
    let uprn = |d: u32| index.rows.get(d as usize).map(|r| r.uprn);
    assert_eq!(uprn(found[0].0), Some(1));
    assert!(found.iter().all(|&(d, _)| uprn(d) != Some(50)));
}
