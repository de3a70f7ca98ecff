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
    let sub = a.sub_building.trim();
    let name = a.building_name.trim();
    let mut number = a.building_number.trim();
    let merge = number == "0";
    if merge {
        number = "";
    }
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
    let prepend = |elems: &mut Vec<String>, premise: &str| match elems.last_mut() {
        Some(last) => *last = format!("{premise} {last}"),
        None => elems.push(premise.to_owned()),
    };
    let (premise, num, unit): (String, String, String);
    if !a.po_box.trim().is_empty() {
        premise = format!("PO Box {}", a.po_box.trim());
        elems.push(premise.clone());
        (num, unit) = (String::new(), String::new());
    } else {
        match (!sub.is_empty(), !name.is_empty(), !number.is_empty()) {
            (true, true, true) => {
                prepend(&mut elems, number);
                if is_exception(sub) {
                    premise = format!("{} {name}, {number}", format_elem(sub));
                    elems.push(format!("{} {name}", format_elem(sub)));
                } else {
                    premise = format!("{sub}, {name}, {number}");
                    elems.push(name.to_owned());
                    elems.push(sub.to_owned());
                }
                (num, unit) = (number.to_owned(), sub.to_owned());
            }
            (true, true, false) => {
                let mut n = String::new();
                if is_exception(name) {
                    premise = format!("{sub}, {name}");
                    n = name.to_owned();
                    prepend(&mut elems, name);
                    elems.push(sub.to_owned());
                } else if let Some((rname, range)) =
                    building_range(name).filter(|_| !has_unit_prefix(name))
                {
                    premise = format!("{sub}, {rname}, {range}");
                    prepend(&mut elems, &range);
                    if is_exception(sub) {
                        elems.push(format!("{} {rname}", format_elem(sub)));
                    } else {
                        elems.push(rname);
                        elems.push(sub.to_owned());
                    }
                    n = range;
                } else if is_exception(sub) {
                    premise = format!("{} {name}", format_elem(sub));
                    elems.push(premise.clone());
                } else if merge {
                    premise = format!("{sub}, {name}");
                    elems.push(premise.clone());
                } else {
                    premise = format!("{sub}, {name}");
                    elems.push(name.to_owned());
                    elems.push(sub.to_owned());
                }
                (num, unit) = (n, sub.to_owned());
            }
            (true, false, true) => {
                if is_single_letter(sub) {
                    premise = format!("{number}{sub}");
                    prepend(&mut elems, &premise);
                } else {
                    premise = format!("{sub}, {number}");
                    prepend(&mut elems, number);
                    elems.push(sub.to_owned());
                }
                (num, unit) = (number.to_owned(), sub.to_owned());
            }
            (true, false, false) => {
                premise = sub.to_owned();
                prepend(&mut elems, sub);
                (num, unit) = (String::new(), sub.to_owned());
            }
            (false, true, true) => {
                prepend(&mut elems, number);
                elems.push(name.to_owned());
                premise = format!("{name}, {number}");
                (num, unit) = (number.to_owned(), String::new());
            }
            (false, true, false) => {
                let mut n = String::new();
                if is_exception(name) {
                    premise = name.to_owned();
                    n = name.to_owned();
                    prepend(&mut elems, &format_elem(name));
                } else if let Some((rname, range)) =
                    building_range(name).filter(|_| !has_unit_prefix(name))
                {
                    premise = format!("{rname}, {range}");
                    prepend(&mut elems, &range);
                    elems.push(rname);
                    n = range;
                } else {
                    premise = name.to_owned();
                    elems.push(premise.clone());
                }
                (num, unit) = (n, String::new());
            }
            (false, false, true) => {
                prepend(&mut elems, number);
                premise = number.to_owned();
                (num, unit) = (number.to_owned(), String::new());
            }
            (false, false, false) => {
                premise = String::new();
                (num, unit) = (String::new(), String::new());
            }
        }
    }
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
        premise,
        number: num,
        unit,
        post_town: a.post_town.trim().to_uppercase(),
        postcode: t(a.postcode),
    }
}
