//! An address with its AddressBase / PAF components.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rules::geo::{Coordinates, LatLng};
use crate::rules::paf::{self, Formatted, PafElements};
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

gaap_http::open_enum! {
    /// The language of an address record. OS Places and AddressBase hold Welsh (`CY`) twins of some Welsh
    /// addresses under the same UPRN. A code we do not know is kept in `Unknown`.
    #[derive(Default)]
    pub enum Language {
        /// English (`EN`).
        #[default]
        En = "EN",
        /// Welsh (`CY`).
        Cy = "CY",
    }
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

    /// The two-letter code (the wire string).
    #[must_use]
    pub fn code(&self) -> &str {
        self.as_str()
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
    /// Building number: the start of the range when the address has one (`12` in `12-14`, `92` in `92B`).
    pub building_number: Option<u32>,
    /// The letter after the building number (`B` in `92B`; BS7666 PAO start suffix).
    pub building_number_suffix: Option<String>,
    /// The end of a number range (`14` in `12-14`; BS7666 PAO end number).
    pub building_number_end: Option<u32>,
    /// The letter after the end of the range (`C` in `12-14C`; BS7666 PAO end suffix).
    pub building_number_end_suffix: Option<String>,
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
            building_number_suffix: None,
            building_number_end: None,
            building_number_end_suffix: None,
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
        let number = self.number_label().unwrap_or_default();
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

    /// The building number as printed, with its suffix and range: `12`, `92B`, `12-14`, `12A-14C`. `None`
    /// without a building number.
    #[must_use]
    pub fn number_label(&self) -> Option<String> {
        let start = self.building_number?;
        Some(
            NumberLabel {
                start,
                start_suffix: self.building_number_suffix.clone(),
                end: self.building_number_end,
                end_suffix: self.building_number_end_suffix.clone(),
            }
            .to_string(),
        )
    }

    /// Sets the building number, its suffix and its range from a label (see [`NumberLabel`]); `None` clears
    /// all four.
    pub fn set_number(&mut self, label: Option<NumberLabel>) {
        let label = label.map(|l| (l.start, l.start_suffix, l.end, l.end_suffix));
        let (start, start_suffix, end, end_suffix) = match label {
            Some((s, ss, e, es)) => (Some(s), ss, e, es),
            None => (None, None, None, None),
        };
        self.building_number = start;
        self.building_number_suffix = start_suffix;
        self.building_number_end = end;
        self.building_number_end_suffix = end_suffix;
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

    /// Merges a Welsh (`CY`) twin of this record into `self.welsh`: each of the twin's locality names that
    /// differs from this record's.
    pub fn merge_welsh(&mut self, cy: &Self) {
        let [
            dependent_thoroughfare,
            thoroughfare,
            double_dependent_locality,
            dependent_locality,
            post_town,
        ] = twin_names(self.locality_names(), cy.locality_names());
        let names = WelshNames {
            dependent_thoroughfare,
            thoroughfare,
            double_dependent_locality,
            dependent_locality,
            post_town,
        };
        if names != WelshNames::default() {
            self.welsh = Some(names);
        }
    }

    /// The five locality names a Welsh twin may give differently, in [`WelshNames`] order.
    fn locality_names(&self) -> [&Option<String>; 5] {
        [
            &self.dependent_thoroughfare,
            &self.thoroughfare,
            &self.double_dependent_locality,
            &self.dependent_locality,
            &self.post_town,
        ]
    }
}

/// The Welsh-twin rule, written once for every source that holds Welsh (`CY`) twins under one UPRN (OS Places
/// results, AddressBase Premium LPIs and the index builder): a record that is not Welsh is kept before a Welsh
/// one, then the one the source ranks first. True when a record ranked `a` is kept before one ranked `b`
/// (`welsh`, then the source's rank: its order, or an LPI's status).
pub(crate) fn kept_before<R: Ord + Copy>(a: (bool, R), b: (bool, R)) -> bool {
    a < b
}

/// The kept record of one UPRN's records (in the source's order, see [`kept_before`]) and its Welsh twin: the
/// first Welsh record besides the kept one. `None` for no records.
pub(crate) fn twin_roles<T: Copy + PartialEq>(
    records: &[T],
    is_welsh: impl Fn(T) -> bool,
) -> Option<(T, Option<T>)> {
    let mut kept: Option<(bool, usize)> = None;
    for (i, &r) in records.iter().enumerate() {
        let rank = (is_welsh(r), i);
        if kept.is_none_or(|k| kept_before(rank, k)) {
            kept = Some(rank);
        }
    }
    let kept = records.get(kept?.1).copied()?;
    let twin = records.iter().copied().find(|&r| r != kept && is_welsh(r));
    Some((kept, twin))
}

/// The names a Welsh twin adds to the kept record: each of the twin's names where it differs from the kept
/// record's, and the empty value where they agree.
pub(crate) fn twin_names<T: PartialEq + Clone + Default, const N: usize>(
    kept: [&T; N],
    twin: [&T; N],
) -> [T; N] {
    std::array::from_fn(|k| if kept[k] == twin[k] { T::default() } else { twin[k].clone() })
}

/// A building number with its suffix and range, as BS7666 holds a PAO or SAO number: `92B` is 92 with suffix
/// `B`; `12-14` is 12 to 14; `12A-14C` has both suffixes.
///
/// ```
/// use gaap_address::NumberLabel;
/// let l = NumberLabel::parse("12a - 14").unwrap();
/// assert_eq!((l.start, l.start_suffix.as_deref(), l.end, l.end_suffix.as_deref()), (12, Some("a"), Some(14), None));
/// assert_eq!(l.to_string(), "12a-14");
/// assert!(NumberLabel::parse("Flat 3").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumberLabel {
    /// The number (the start of a range).
    pub start: u32,
    /// The letter after it.
    pub start_suffix: Option<String>,
    /// The end of the range.
    pub end: Option<u32>,
    /// The letter after the end.
    pub end_suffix: Option<String>,
}

impl NumberLabel {
    /// Reads `12`, `92B`, `92 B`, `12-14`, `12 - 14`, `12–14`, `12 TO 14`, `12A-14C`. The suffix is one ASCII
    /// letter, kept in its case. `None` for anything else (`Flat 3`, `A12`, `12AB`, `1/2`, a number over
    /// `u32::MAX`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let upper = t.to_ascii_uppercase();
        let split = [" TO ", "-", "\u{2013}"].iter().find_map(|sep| {
            upper.find(sep).map(|i| (t.get(..i).unwrap_or_default(), t.get(i + sep.len()..)))
        });
        let (head, tail) = match split {
            Some((head, Some(tail))) => (head, Some(tail)),
            Some((_, None)) => return None,
            None => (t, None),
        };
        let (start, start_suffix) = number_and_suffix(head)?;
        let (end, end_suffix) = match tail {
            Some(tail) => {
                let (end, suffix) = number_and_suffix(tail)?;
                (Some(end), suffix)
            }
            None => (None, None),
        };
        Some(Self { start, start_suffix, end, end_suffix })
    }
}

/// `12`, `12A` or `12 A`.
fn number_and_suffix(text: &str) -> Option<(u32, Option<String>)> {
    let t = text.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let number = t.get(..digits).filter(|d| !d.is_empty())?.parse().ok()?;
    let rest = t.get(digits..).unwrap_or_default().trim_start();
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Some((number, None)),
        (Some(c), None) if c.is_ascii_alphabetic() => Some((number, Some(c.to_string()))),
        _ => None,
    }
}

impl fmt::Display for NumberLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.start, self.start_suffix.as_deref().unwrap_or_default())?;
        if let Some(end) = self.end {
            write!(f, "-{end}{}", self.end_suffix.as_deref().unwrap_or_default())?;
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::{Address, Language, kept_before, twin_names, twin_roles};
    use crate::index::IndexBuilder;
    use crate::types::uprn::Uprn;

    #[test]
    fn the_first_record_that_is_not_welsh_is_kept_and_the_first_other_welsh_one_is_its_twin() {
        let welsh = |c: char| c == 'c';
        assert_eq!(twin_roles(&['c', 'e', 'c', 'e'], welsh), Some(('e', Some('c'))));
        assert_eq!(twin_roles(&['e', 'x', 'c'], welsh), Some(('e', Some('c'))));
        assert_eq!(twin_roles(&['x', 'c'], welsh), Some(('x', Some('c'))));
        assert_eq!(twin_roles(&[1, 2], |i| i > 0), Some((1, Some(2))));
        assert_eq!(twin_roles(&['e', 'f'], welsh), Some(('e', None)));
        assert_eq!(twin_roles::<char>(&[], welsh), None);
        // An LPI's status ranks it after its language.
        assert!(kept_before((false, 8u8), (true, 1)));
        assert!(kept_before((true, 1u8), (true, 2)));
        assert!(!kept_before((false, 2u8), (false, 2)));
    }

    #[test]
    fn a_twin_gives_only_the_names_that_differ() {
        let (a, b, none) = (Some("HIGH STREET".to_owned()), Some("STRYD FAWR".to_owned()), None);
        assert_eq!(twin_names([&a, &a, &none], [&b, &a, &b]), [b.clone(), None, b]);
        assert_eq!(twin_names([&0u32, &5, &7], [&0, &6, &7]), [0, 6, 0]);
    }

    /// The OS Places merge and the index builder keep the same record and the same Welsh names.
    #[test]
    fn os_places_results_and_the_index_merge_a_twin_alike() {
        let uprn = Uprn::new(10_000_000_001).unwrap();
        let mut en = Address::new(uprn);
        en.thoroughfare = Some("HIGH STREET".into());
        en.post_town = Some("CARDIFF".into());
        let mut cy = en.clone();
        cy.language = Language::Cy;
        cy.thoroughfare = Some("STRYD FAWR".into());
        cy.post_town = Some("CAERDYDD".into());
        let mut other_cy = cy.clone();
        other_cy.post_town = Some("CAERDYDD ARALL".into());
        for (records, town) in [
            (vec![cy.clone(), en.clone(), other_cy.clone()], "CAERDYDD"),
            (vec![en.clone(), other_cy, cy], "CAERDYDD ARALL"),
        ] {
            let (kept, twin) =
                twin_roles(&[0usize, 1, 2], |i| records[i].language == Language::Cy).unwrap();
            let mut merged = records[kept].clone();
            merged.merge_welsh(&records[twin.unwrap()]);
            assert_eq!(merged.language, Language::En);
            let names = merged.welsh.clone().unwrap();
            assert_eq!(names.thoroughfare.as_deref(), Some("STRYD FAWR"));
            assert_eq!(names.post_town.as_deref(), Some(town));
            let mut b = IndexBuilder::new();
            for r in &records {
                b.add_address(r.clone());
            }
            let built = b.build().by_uprn(uprn).unwrap();
            assert_eq!(built.welsh, merged.welsh);
            assert_eq!(built.thoroughfare, en.thoroughfare);
        }
    }
}
