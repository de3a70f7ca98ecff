//! Placing premise numbers from input cells into an [`Address`]: a number with a suffix (`92B`), a range
//! (`12-14`) or both become the building number, its suffix and its range end; BS7666 primary and secondary
//! addressable objects (PAO/SAO: start number and suffix, end number and suffix, text) become the PAF building
//! number and name and the sub-building. What cannot be placed is said, never dropped in silence.

use crate::types::address::{Address, NumberLabel};

/// What happened to one input value that was not simply taken as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placed {
    /// Kept, but in another component or another form (the message says where).
    Merged(String),
    /// Not kept (the message says why).
    Rejected(String),
}

/// Words that make a premise a flat or unit rather than a building number (`Flat 3` in a number column).
const UNIT_WORDS: [&str; 9] =
    ["FLAT", "FLATS", "APARTMENT", "APT", "UNIT", "SUITE", "ROOM", "STUDIO", "MAISONETTE"];

fn starts_with_unit_word(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
    let first = first.trim_end_matches(['.', ',']);
    UNIT_WORDS.contains(&first) && text.split_whitespace().nth(1).is_some()
}

/// Places a building-number cell. A number, suffixed number or range (`12`, `92B`, `12-14`) becomes the
/// number fields; a flat or unit (`Flat 3`) becomes the sub-building; any other text (`A12`, `12/14`) the
/// building name (PAF keeps premises that are not plain numbers there). A value that finds no free component
/// is rejected with the reason.
pub(crate) fn place_number(a: &mut Address, text: &str, notes: &mut Vec<Placed>) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if let Some(label) = NumberLabel::parse(text) {
        a.set_number(Some(label));
        return;
    }
    let (slot, what) = if starts_with_unit_word(text) {
        if a.sub_building.is_none() {
            (&mut a.sub_building, "the sub-building")
        } else {
            (&mut a.building_name, "the building name")
        }
    } else {
        (&mut a.building_name, "the building name")
    };
    if slot.is_none() {
        *slot = Some(text.to_owned());
        notes.push(Placed::Merged(format!(
            "building number {text:?} is not a number: kept as {what}"
        )));
    } else if slot.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(text)) {
        notes.push(Placed::Merged(format!("building number {text:?} repeats {what}")));
    } else {
        notes.push(Placed::Rejected(format!(
            "building number {text:?} is not a number, and {what} is already {:?}",
            slot.as_deref().unwrap_or_default()
        )));
    }
}

/// A BS7666 addressable object name (PAO or SAO) as its cells give it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Aon<'a> {
    pub(crate) start: Option<&'a str>,
    pub(crate) start_suffix: Option<&'a str>,
    pub(crate) end: Option<&'a str>,
    pub(crate) end_suffix: Option<&'a str>,
    pub(crate) text: Option<&'a str>,
}

fn cell(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

impl<'a> Aon<'a> {
    /// From cells in BS7666 order: start number, start suffix, end number, end suffix, text.
    pub(crate) fn from_cells(cells: &'a [Option<String>]) -> Self {
        let at = |k: usize| cells.get(k).and_then(Option::as_deref);
        Self { start: at(0), start_suffix: at(1), end: at(2), end_suffix: at(3), text: at(4) }
    }

    /// The number range, when there is one. `which` names the object in messages (`PAO`, `SAO`).
    fn label(&self, which: &str, notes: &mut Vec<Placed>) -> Option<NumberLabel> {
        let number = |v: Option<&str>, field: &str, notes: &mut Vec<Placed>| {
            let v = cell(v)?;
            match NumberLabel::parse(v) {
                Some(l) if l.end.is_none() => Some((l.start, l.start_suffix)),
                _ => {
                    notes.push(Placed::Rejected(format!("{which} {field} {v:?} is not a number")));
                    None
                }
            }
        };
        let suffix = |v: Option<&str>, field: &str, notes: &mut Vec<Placed>| {
            let v = cell(v)?;
            let mut chars = v.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => Some(v.to_owned()),
                _ => {
                    notes
                        .push(Placed::Rejected(format!("{which} {field} {v:?} is not one letter")));
                    None
                }
            }
        };
        let start = number(self.start, "start number", notes);
        let start_suffix = suffix(self.start_suffix, "start suffix", notes);
        let end = number(self.end, "end number", notes);
        let end_suffix = suffix(self.end_suffix, "end suffix", notes);
        // A suffix written into the number cell (`12A`) counts as the suffix when the suffix cell is empty.
        let (start, glued) = match start {
            Some((n, s)) => (Some(n), s),
            None => (None, None),
        };
        let start_suffix = start_suffix.or(glued);
        let (end, end_glued) = match end {
            Some((n, s)) => (Some(n), s),
            None => (None, None),
        };
        let end_suffix = end_suffix.or(end_glued);
        let (start, end) = match (start, end) {
            (None, Some(e)) => {
                notes.push(Placed::Merged(format!(
                    "{which} has an end number {e} but no start: kept as its number"
                )));
                (Some(e), None)
            }
            other => other,
        };
        let Some(start) = start else {
            if let Some(s) = start_suffix.or(end_suffix) {
                notes.push(Placed::Rejected(format!(
                    "{which} suffix {s:?} has no number to belong to"
                )));
            }
            return None;
        };
        let end = match (end, &end_suffix) {
            (None, Some(s)) => {
                notes.push(Placed::Merged(format!(
                    "{which} end suffix {s:?} has no end number: the range ends at {start}{s}"
                )));
                Some(start)
            }
            (end, _) => end,
        };
        Some(NumberLabel { start, start_suffix, end, end_suffix })
    }
}

/// Places a primary addressable object: its numbers become the building number, suffix and range, its text
/// the building name.
pub(crate) fn place_pao(a: &mut Address, pao: &Aon<'_>, notes: &mut Vec<Placed>) {
    if let Some(text) = cell(pao.text) {
        a.building_name = Some(text.to_owned());
    }
    if let Some(label) = pao.label("PAO", notes) {
        a.set_number(Some(label));
    }
}

/// Places a secondary addressable object as the sub-building: its text, then its number range (`FLAT 3`,
/// `3A`, `BASEMENT 1-2`).
pub(crate) fn place_sao(a: &mut Address, sao: &Aon<'_>, notes: &mut Vec<Placed>) {
    let label = sao.label("SAO", notes).map(|l| l.to_string());
    let parts: Vec<String> = cell(sao.text).map(str::to_owned).into_iter().chain(label).collect();
    if !parts.is_empty() {
        a.sub_building = Some(parts.join(" "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::uprn::Uprn;

    fn blank() -> Address {
        Address::new(Uprn::new(1).unwrap())
    }

    #[test]
    fn numbers_suffixes_ranges_and_flats_are_placed() {
        let mut notes = Vec::new();
        let mut a = blank();
        place_number(&mut a, "92B", &mut notes);
        assert_eq!((a.building_number, a.building_number_suffix.as_deref()), (Some(92), Some("B")));
        let mut a = blank();
        place_number(&mut a, "12-14", &mut notes);
        assert_eq!((a.building_number, a.building_number_end), (Some(12), Some(14)));
        assert!(notes.is_empty());
        let mut a = blank();
        place_number(&mut a, "Flat 3", &mut notes);
        assert_eq!(a.sub_building.as_deref(), Some("Flat 3"));
        assert!(matches!(&notes[..], [Placed::Merged(_)]));
        let mut a = blank();
        a.building_name = Some("ROSE COURT".into());
        place_number(&mut a, "A12", &mut notes);
        assert!(matches!(notes.last(), Some(Placed::Rejected(m)) if m.contains("A12")));
    }

    #[test]
    fn pao_and_sao_keep_every_part() {
        let mut notes = Vec::new();
        let mut a = blank();
        let pao = Aon {
            start: Some("12"),
            start_suffix: Some("A"),
            end: Some("14"),
            end_suffix: Some("C"),
            text: Some("ROSE COURT"),
        };
        let sao = Aon { start: Some("3"), end: Some("4"), text: Some("FLAT"), ..Aon::default() };
        place_pao(&mut a, &pao, &mut notes);
        place_sao(&mut a, &sao, &mut notes);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(a.number_label().as_deref(), Some("12A-14C"));
        assert_eq!(a.building_name.as_deref(), Some("ROSE COURT"));
        assert_eq!(a.sub_building.as_deref(), Some("FLAT 3-4"));
        let mut b = blank();
        place_pao(
            &mut b,
            &Aon { start: Some("x"), start_suffix: Some("B"), ..Aon::default() },
            &mut notes,
        );
        assert_eq!(b.building_number, None);
        assert_eq!(notes.iter().filter(|n| matches!(n, Placed::Rejected(_))).count(), 2);
    }
}
