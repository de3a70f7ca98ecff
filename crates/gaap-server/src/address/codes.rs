//! The descriptions OS Places prints beside its codes: classification, logical status, postal address,
//! country and the local custodian (the council). Records loaded from OS Places keep their own text; these
//! tables describe the records the server builds from other sources.

use std::sync::OnceLock;

const CLASSIFICATIONS: &str = include_str!("../../data/addressbase-classifications.csv");

/// The AddressBase classification scheme: 563 codes (see `data/NOTICE`).
pub(crate) fn classification(code: &str) -> Option<&'static str> {
    static TABLE: OnceLock<Table<String>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut rdr = csv::Reader::from_reader(CLASSIFICATIONS.as_bytes());
        Table::new(
            rdr.records()
                .filter_map(Result::ok)
                .filter_map(|r| Some((r.get(0)?.to_owned(), r.get(1)?.to_owned())))
                .collect(),
        )
    });
    table.get(code)
}

/// A lookup table built once and read on every record: sorted, searched by halves (a few comparisons of
/// short keys, cheaper than hashing them).
struct Table<K>(Vec<(K, String)>);

impl<K: Ord> Table<K> {
    fn new(mut rows: Vec<(K, String)>) -> Self {
        // A stable sort, then the first row of any repeated key is the one kept.
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.dedup_by(|later, first| later.0 == first.0);
        Self(rows)
    }

    fn get<Q>(&self, key: &Q) -> Option<&str>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = self.0.binary_search_by(|(k, _)| k.borrow().cmp(key)).ok()?;
        self.0.get(i).map(|(_, v)| v.as_str())
    }
}

/// `STATUS` for a `LOGICAL_STATUS_CODE`.
pub(crate) fn logical_status(code: &str) -> Option<&'static str> {
    match code {
        "1" => Some("APPROVED"),
        "3" => Some("ALTERNATIVE"),
        "5" => Some("CANDIDATE"),
        "6" => Some("PROVISIONAL"),
        "7" => Some("REJECTED"),
        "8" => Some("HISTORICAL"),
        "9" => Some("REJECTED"),
        _ => None,
    }
}

/// `POSTAL_ADDRESS_CODE_DESCRIPTION`.
pub(crate) fn postal_address(code: &str) -> Option<&'static str> {
    match code {
        "C" => Some("A record which is postal and has a parent record which is linked to PAF"),
        "D" => Some("A record which is linked to PAF"),
        "L" => Some("A record which is identified as postal based on Local Authority information"),
        "N" => Some("Not a postal address"),
        _ => None,
    }
}

/// `COUNTRY_CODE` and its description, from a GSS code's first letter.
pub(crate) fn country(gss: &str) -> Option<(&'static str, &'static str)> {
    match gss.chars().next()? {
        'E' => Some(("E", "This record is within England")),
        'W' => Some(("W", "This record is within Wales")),
        'S' => Some(("S", "This record is within Scotland")),
        'N' => Some(("N", "This record is within Northern Ireland")),
        'L' => Some(("L", "This record is within the Channel Islands")),
        'M' => Some(("M", "This record is within the Isle of Man")),
        _ => None,
    }
}

/// `LOCAL_CUSTODIAN_CODE_DESCRIPTION`: the council's name in capitals without the kind of council, as OS
/// writes it (`Flintshire County Council` is `FLINTSHIRE`), from gaap-content's authority list. OS's own
/// table differs for a few cities (`BRISTOL CITY`); records loaded from OS Places keep OS's text.
pub(crate) fn custodian(code: u16) -> Option<&'static str> {
    static TABLE: OnceLock<Table<u16>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut rows: Vec<(u16, String)> = Vec::new();
        if let Ok(os) = u16::try_from(gaap_content::local::ORDNANCE_SURVEY_CUSTODIAN_CODE) {
            rows.push((os, "ORDNANCE SURVEY".to_owned()));
        }
        rows.extend(gaap_content::local::Authorities::embedded().all().iter().filter_map(|a| {
            let code = u16::try_from(a.local_custodian_code?).ok()?;
            Some((code, os_name(&a.name)))
        }));
        Table::new(rows)
    });
    table.get(&code)
}

/// A council's name as OS writes it: capitals, without the kind of council.
fn os_name(name: &str) -> String {
    let short = [
        " Metropolitan Borough Council",
        " County Borough Council",
        " Borough Council",
        " District Council",
        " County Council",
        " City Council",
        " Council",
    ]
    .iter()
    .find_map(|suffix| name.strip_suffix(suffix))
    .unwrap_or(name);
    short.to_uppercase()
}

/// The local custodian code of the council with this GSS code, for addresses whose source gave only the
/// district.
pub(crate) fn custodian_for_gss(gss: &str) -> Option<u16> {
    let authority = gaap_content::local::Authorities::embedded().by_gss(gss)?;
    authority.local_custodian_code.and_then(|c| u16::try_from(c).ok())
}

/// `MATCH_DESCRIPTION` for a match score.
pub(crate) fn match_description(score: f64) -> &'static str {
    if score >= 1.0 {
        "EXACT"
    } else if score >= 0.7 {
        "GOOD"
    } else if score >= 0.4 {
        "FAIR"
    } else {
        "NO MATCH"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        assert_eq!(classification("PP"), Some("Property Shell"));
        assert_eq!(classification("CO01"), Some("Office / Work Studio"));
        assert_eq!(classification("ZZZZ"), None);
        assert_eq!(custodian(5990), Some("CITY OF WESTMINSTER"));
        assert_eq!(custodian(6835), Some("FLINTSHIRE"));
        assert_eq!(custodian(1625), Some("STROUD"));
        assert_eq!(custodian(7655), Some("ORDNANCE SURVEY"));
        assert_eq!(country("E09000033"), Some(("E", "This record is within England")));
        assert_eq!(logical_status("8"), Some("HISTORICAL"));
        assert_eq!(match_description(1.0), "EXACT");
    }

    #[test]
    fn tables_keep_the_first_row_of_a_repeated_key() {
        let t = Table::new(vec![(2, "b".into()), (1, "a".into()), (2, "second b".into())]);
        assert_eq!((t.get(&1), t.get(&2), t.get(&3)), (Some("a"), Some("b"), None));
    }
}
