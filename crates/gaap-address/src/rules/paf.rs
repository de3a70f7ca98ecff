//! Royal Mail PAF address formatting (Programmer's Guide, as implemented by ideal-postcodes/uk-clear-addressing
//! `src/rules.ts`): which lines an address prints as, keyed on which of sub-building name, building name and
//! building number are present, including the Exception Rule.

use serde::Serialize;

/// The PAF elements formatting needs. Empty strings mean absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PafElements<'a> {
    /// Department name.
    pub department: &'a str,
    /// Organisation name.
    pub organisation: &'a str,
    /// Sub-building name (`Flat 1`).
    pub sub_building: &'a str,
    /// Building name (`Rose Cottage`, `12A`, `Victoria House 15-17`).
    pub building_name: &'a str,
    /// Building number as text; `"0"` means "merge sub-building and building name".
    pub building_number: &'a str,
    /// PO Box number.
    pub po_box: &'a str,
    /// Dependent thoroughfare.
    pub dependent_thoroughfare: &'a str,
    /// Thoroughfare.
    pub thoroughfare: &'a str,
    /// Double dependent locality.
    pub double_dependent_locality: &'a str,
    /// Dependent locality.
    pub dependent_locality: &'a str,
    /// Post town (printed upper case).
    pub post_town: &'a str,
    /// Postcode.
    pub postcode: &'a str,
}

/// A formatted address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Formatted {
    /// Every premise and locality line, top to bottom, not including post town and postcode.
    pub lines: Vec<String>,
    /// First line for a three-line form.
    pub line_1: String,
    /// Second line.
    pub line_2: String,
    /// Third line: any remaining lines joined with `", "`.
    pub line_3: String,
    /// The premise label (`Flat 1, Rose Cottage, 12`).
    pub premise: String,
    /// The number part (`12`, `15-17`, `12A`).
    pub number: String,
    /// The unit part (sub-building).
    pub unit: String,
    /// Post town, upper case.
    pub post_town: String,
    /// Postcode.
    pub postcode: String,
}

/// The Exception Rule: a name that is treated like a number (`1to1`, `100:1`, `12A`, `A`).
/// Regex `^(\d|\d.*\d|\d(.*\d)?[a-z]|[a-z])$`, case-insensitive.
#[must_use]
pub fn is_exception(name: &str) -> bool {
    let c: Vec<char> = name.chars().collect();
    match c.as_slice() {
        [] => false,
        [only] => only.is_ascii_alphanumeric(),
        [first, .., last] if first.is_ascii_digit() && last.is_ascii_digit() => true,
        [first, last] => first.is_ascii_digit() && last.is_ascii_alphabetic(),
        [first, .., penultimate, last] => {
            first.is_ascii_digit() && penultimate.is_ascii_digit() && last.is_ascii_alphabetic()
        }
    }
}

fn is_single_letter(s: &str) -> bool {
    let mut it = s.chars();
    matches!((it.next(), it.next()), (Some(c), None) if c.is_ascii_alphabetic())
}

/// `^(\d.*\D.*\d|\d+(.*\d+)?[a-z]|[a-z])$`, case-insensitive: the tail of `Victoria House 15-17`.
fn is_range(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    match c.as_slice() {
        [only] => only.is_ascii_alphabetic(),
        [first, middle @ .., last] if first.is_ascii_digit() && last.is_ascii_digit() => {
            middle.iter().any(|m| !m.is_ascii_digit())
        }
        [first, last] => first.is_ascii_digit() && last.is_ascii_alphabetic(),
        [first, .., penultimate, last] => {
            first.is_ascii_digit() && penultimate.is_ascii_digit() && last.is_ascii_alphabetic()
        }
        [] => false,
    }
}

const UNIT_PREFIXES: [&str; 7] =
    ["block", "building", "maisonette", "shop", "stall", "suite", "unit"];

/// True when the name starts with a unit prefix (`Unit 3`, `Back of 10A`), which blocks the range split.
/// Like the reference regex, there is no word boundary: `Units`, `Blocks` and `Shops` match too.
#[must_use]
pub fn has_unit_prefix(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let two_words = |head: &str| {
        lower
            .strip_prefix(head)
            .and_then(|r| r.strip_prefix(char::is_whitespace))
            .is_some_and(|r| r.starts_with("of"))
    };
    UNIT_PREFIXES.iter().any(|p| lower.starts_with(p)) || two_words("back") || two_words("rear")
}

/// Splits `Victoria House 15-17` into (`Victoria House`, `15-17`).
fn building_range(name: &str) -> Option<(String, String)> {
    let mut tokens: Vec<&str> = name.split(' ').collect();
    let range = tokens.pop().unwrap_or_default();
    if tokens.last().is_some_and(|t| is_single_letter(t)) {
        return None;
    }
    is_range(range).then(|| (tokens.join(" "), range.to_owned()))
}

fn format_elem(e: &str) -> String {
    if is_single_letter(e) { format!("{e},") } else { e.to_owned() }
}

/// Formats an address into lines following the PAF rules.
#[must_use]
pub fn format(a: &PafElements<'_>) -> Formatted {
    let t = |s: &str| s.trim().to_owned();
    // Bottom-up list: localities then premise lines; reversed at the end.
    let mut elems: Vec<String> = [
        a.dependent_locality,
        a.double_dependent_locality,
        a.thoroughfare,
        a.dependent_thoroughfare,
    ]
    .iter()
    .map(|s| t(s))
    .filter(|s| !s.is_empty())
    .collect();
    let premise = if a.po_box.trim().is_empty() {
        place_premise(&mut elems, a)
    } else {
        let text = format!("PO Box {}", a.po_box.trim());
        elems.push(text.clone());
        Premise { text, ..Premise::default() }
    };
    let organisation = a.organisation.trim();
    if !organisation.is_empty() {
        if !a.department.trim().is_empty() {
            elems.push(t(a.department));
        }
        elems.push(organisation.to_owned());
    }
    elems.reverse();
    let line_1 = elems.first().cloned().unwrap_or_default();
    let line_2 = elems.get(1).cloned().unwrap_or_default();
    let line_3 = elems.get(2..).map(|rest| rest.join(", ")).unwrap_or_default();
    Formatted {
        lines: elems,
        line_1,
        line_2,
        line_3,
        premise: premise.text,
        number: premise.number,
        unit: premise.unit,
        post_town: a.post_town.trim().to_uppercase(),
        postcode: t(a.postcode),
    }
}

/// An address's premise as [`Formatted`] gives it: the whole premise, its number and its unit.
#[derive(Default)]
struct Premise {
    text: String,
    number: String,
    unit: String,
}

impl Premise {
    fn new(text: String, number: &str, unit: &str) -> Self {
        Premise { text, number: number.to_owned(), unit: unit.to_owned() }
    }
}

/// Puts `premise` before the last (lowest) line, or makes it the first line when there is none.
fn prepend(elems: &mut Vec<String>, premise: &str) {
    match elems.last_mut() {
        Some(last) => *last = format!("{premise} {last}"),
        None => elems.push(premise.to_owned()),
    }
}

/// Places the sub-building, building name and building number (a number `0` merges the name's lines)
/// into the bottom-up lines.
fn place_premise(elems: &mut Vec<String>, a: &PafElements<'_>) -> Premise {
    let sub = a.sub_building.trim();
    let name = a.building_name.trim();
    let mut number = a.building_number.trim();
    let merge = number == "0";
    if merge {
        number = "";
    }
    match (!sub.is_empty(), !name.is_empty(), !number.is_empty()) {
        (true, true, true) => {
            prepend(elems, number);
            let text = if is_exception(sub) {
                elems.push(format!("{} {name}", format_elem(sub)));
                format!("{} {name}, {number}", format_elem(sub))
            } else {
                elems.push(name.to_owned());
                elems.push(sub.to_owned());
                format!("{sub}, {name}, {number}")
            };
            Premise::new(text, number, sub)
        }
        (true, true, false) => place_sub_and_name(elems, sub, name, merge),
        (true, false, true) => {
            let text = if is_single_letter(sub) {
                let text = format!("{number}{sub}");
                prepend(elems, &text);
                text
            } else {
                prepend(elems, number);
                elems.push(sub.to_owned());
                format!("{sub}, {number}")
            };
            Premise::new(text, number, sub)
        }
        (true, false, false) => {
            prepend(elems, sub);
            Premise::new(sub.to_owned(), "", sub)
        }
        (false, true, true) => {
            prepend(elems, number);
            elems.push(name.to_owned());
            Premise::new(format!("{name}, {number}"), number, "")
        }
        (false, true, false) => place_name(elems, name),
        (false, false, true) => {
            prepend(elems, number);
            Premise::new(number.to_owned(), number, "")
        }
        (false, false, false) => Premise::default(),
    }
}

/// A sub-building and a building name without a number: the name may be a number itself (an exception)
/// or end in a range (`Victoria House 15-17`).
fn place_sub_and_name(elems: &mut Vec<String>, sub: &str, name: &str, merge: bool) -> Premise {
    let mut n = String::new();
    let text;
    if is_exception(name) {
        text = format!("{sub}, {name}");
        n = name.to_owned();
        prepend(elems, name);
        elems.push(sub.to_owned());
    } else if let Some((rname, range)) = building_range(name).filter(|_| !has_unit_prefix(name)) {
        text = format!("{sub}, {rname}, {range}");
        prepend(elems, &range);
        if is_exception(sub) {
            elems.push(format!("{} {rname}", format_elem(sub)));
        } else {
            elems.push(rname);
            elems.push(sub.to_owned());
        }
        n = range;
    } else if is_exception(sub) {
        text = format!("{} {name}", format_elem(sub));
        elems.push(text.clone());
    } else if merge {
        text = format!("{sub}, {name}");
        elems.push(text.clone());
    } else {
        text = format!("{sub}, {name}");
        elems.push(name.to_owned());
        elems.push(sub.to_owned());
    }
    Premise { text, number: n, unit: sub.to_owned() }
}

/// A building name alone: a number itself (an exception), a name ending in a range, or a name.
fn place_name(elems: &mut Vec<String>, name: &str) -> Premise {
    let mut n = String::new();
    let text;
    if is_exception(name) {
        text = name.to_owned();
        n = name.to_owned();
        prepend(elems, &format_elem(name));
    } else if let Some((rname, range)) = building_range(name).filter(|_| !has_unit_prefix(name)) {
        text = format!("{rname}, {range}");
        prepend(elems, &range);
        elems.push(rname);
        n = range;
    } else {
        text = name.to_owned();
        elems.push(text.clone());
    }
    Premise { text, number: n, unit: String::new() }
}
