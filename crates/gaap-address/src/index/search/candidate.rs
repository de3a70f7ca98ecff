//! A candidate address as scoring reads it: each field's words once, in reading order.
//!
//! Matching builds a [`Candidate`] from the index's own term ids ([`Index::candidate`]): a field's words are its
//! string's terms, read from the dictionary, so scoring neither allocates nor tokenises an address again. Only a
//! lettered house read as a flat of its bare number (see `flat_of_lettered` in `scoring`) is an `Address` first;
//! [`AddressWords`] tokenises it the same way the index did.

use super::SearchIndex;
use crate::index::text::{is_number_token, tokens};
use crate::index::{Index, NONE32, Row, extra, field};
use crate::types::address::{Address, NumberLabel};
use crate::types::postcode::Postcode;

/// The words of one field in reading order (repeats kept), or `None` when the address lacks the field.
pub(super) type FieldWords<'a> = Option<Vec<&'a str>>;

/// A candidate's fields as words.
pub(super) struct Candidate<'a> {
    /// The premise and street words (organisation, sub-building, building name, number, dependent thoroughfare,
    /// thoroughfare) in reading order, each once: what a messy address must account for.
    pub(super) premise: Vec<&'a str>,
    /// Where the street's own words start in `premise`.
    pub(super) street_from: usize,
    pub(super) sub_building: FieldWords<'a>,
    pub(super) building_name: FieldWords<'a>,
    /// The number label's words (`12`, `12A`, `12` and `14` for `12-14`); empty without a building number.
    pub(super) number: Vec<&'a str>,
    /// The double dependent and dependent localities.
    pub(super) localities: [FieldWords<'a>; 2],
    /// The post town's words (empty without one).
    pub(super) town: Vec<&'a str>,
    /// A building number, or a building name that starts with a digit (`12A`).
    pub(super) has_house_number: bool,
    pub(super) postcode: Option<Postcode>,
    /// False when the address cannot read as a flat of a lettered house: it has a sub-building, or neither a
    /// number label beyond the bare number nor a name that is one number word.
    pub(super) may_be_lettered: bool,
}

/// The fields a [`Candidate`] is made of, before its premise words are gathered.
struct Fields<'a> {
    organisation: FieldWords<'a>,
    sub_building: FieldWords<'a>,
    building_name: FieldWords<'a>,
    number: Vec<&'a str>,
    dependent_thoroughfare: FieldWords<'a>,
    thoroughfare: FieldWords<'a>,
    localities: [FieldWords<'a>; 2],
    town: FieldWords<'a>,
    has_house_number: bool,
    postcode: Option<Postcode>,
    /// The number label is more than the bare number (a suffix or a range).
    labelled_number: bool,
}

impl<'a> Candidate<'a> {
    fn new(f: Fields<'a>) -> Self {
        fn push<'a>(premise: &mut Vec<&'a str>, words: &[&'a str]) {
            for &w in words {
                if !premise.contains(&w) {
                    premise.push(w);
                }
            }
        }
        let mut premise: Vec<&'a str> = Vec::with_capacity(10);
        for field in [&f.organisation, &f.sub_building, &f.building_name].into_iter().flatten() {
            push(&mut premise, field);
        }
        push(&mut premise, &f.number);
        let street_from = premise.len();
        for field in [&f.dependent_thoroughfare, &f.thoroughfare].into_iter().flatten() {
            push(&mut premise, field);
        }
        let one_number_word =
            f.building_name.as_ref().is_some_and(|w| w.len() == 1 && is_number_token(w[0]));
        let may_be_lettered = f.sub_building.is_none()
            && ((!f.number.is_empty() && f.labelled_number)
                || (f.number.is_empty() && one_number_word));
        Self {
            premise,
            street_from,
            sub_building: f.sub_building,
            building_name: f.building_name,
            number: f.number,
            localities: f.localities,
            town: f.town.unwrap_or_default(),
            has_house_number: f.has_house_number,
            postcode: f.postcode,
            may_be_lettered,
        }
    }
}

impl Index {
    /// The candidate at `r`, its words read from the term dictionary.
    pub(super) fn candidate(&self, r: &Row) -> Candidate<'_> {
        let s = &self.search;
        let words = |id: u32| -> FieldWords<'_> {
            self.strings
                .get(id)
                .map(|_| s.string_terms_of(id).iter().filter_map(|&t| s.term(t)).collect())
        };
        let field = |k: usize| words(r.text[k]);
        let label = self.extras.get(r.extra as usize).map_or(0, |x| x.text[extra::NUMBER]);
        // A label the row keeps (a suffix or a range) is the address's number, as `materialise` reads it.
        let labelled_number = r.building_number != NONE32
            && self.strings.get(label).is_some_and(|l| NumberLabel::parse(l).is_some());
        let number = if r.building_number == NONE32 {
            Vec::new()
        } else if labelled_number {
            words(label).unwrap_or_default()
        } else {
            s.number_term(r.building_number).and_then(|t| s.term(t)).into_iter().collect()
        };
        let has_house_number = r.building_number != NONE32
            || self
                .strings
                .get(r.text[field::BUILDING_NAME])
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()));
        Candidate::new(Fields {
            organisation: field(field::ORGANISATION),
            sub_building: field(field::SUB_BUILDING),
            building_name: field(field::BUILDING_NAME),
            number,
            dependent_thoroughfare: field(field::DEPENDENT_THOROUGHFARE),
            thoroughfare: field(field::THOROUGHFARE),
            localities: [field(field::DOUBLE_DEPENDENT_LOCALITY), field(field::DEPENDENT_LOCALITY)],
            town: field(field::POST_TOWN),
            has_house_number,
            postcode: self.postcode_of(r),
            labelled_number,
        })
    }
}

impl SearchIndex {
    /// The terms of string `id`, in reading order.
    pub(super) fn string_terms_of(&self, id: u32) -> &[u32] {
        let s = self.string_term_start.get(id as usize).copied().unwrap_or(0) as usize;
        let e = self.string_term_start.get(id as usize + 1).copied().unwrap_or(0) as usize;
        self.string_terms.get(s..e).unwrap_or_default()
    }

    /// The term of a building number.
    pub(super) fn number_term(&self, n: u32) -> Option<u32> {
        let i = self.numbers.binary_search(&n).ok()?;
        self.number_terms.get(i).copied()
    }
}

/// An address's words, owned: tokenised as the index tokenises its strings, for an address that is not a row.
pub(super) struct AddressWords {
    fields: [Option<Vec<String>>; 8],
    number: Vec<String>,
    has_house_number: bool,
    postcode: Option<Postcode>,
    labelled_number: bool,
}

impl AddressWords {
    pub(super) fn of(a: &Address) -> Self {
        let words = |f: &Option<String>| f.as_deref().map(|t| tokens(t).collect());
        let labelled_number = a.building_number.is_some()
            && (a.building_number_suffix.is_some()
                || a.building_number_end.is_some()
                || a.building_number_end_suffix.is_some());
        Self {
            fields: [
                words(&a.organisation),
                words(&a.sub_building),
                words(&a.building_name),
                words(&a.dependent_thoroughfare),
                words(&a.thoroughfare),
                words(&a.double_dependent_locality),
                words(&a.dependent_locality),
                words(&a.post_town),
            ],
            number: a.number_label().map(|l| tokens(&l).collect()).unwrap_or_default(),
            has_house_number: a.building_number.is_some()
                || a.building_name
                    .as_deref()
                    .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit())),
            postcode: a.postcode,
            labelled_number,
        }
    }

    /// The candidate these words make.
    pub(super) fn candidate(&self) -> Candidate<'_> {
        let field = |k: usize| -> FieldWords<'_> {
            self.fields[k].as_ref().map(|w| w.iter().map(String::as_str).collect())
        };
        Candidate::new(Fields {
            organisation: field(0),
            sub_building: field(1),
            building_name: field(2),
            number: self.number.iter().map(String::as_str).collect(),
            dependent_thoroughfare: field(3),
            thoroughfare: field(4),
            localities: [field(5), field(6)],
            town: field(7),
            has_house_number: self.has_house_number,
            postcode: self.postcode,
            labelled_number: self.labelled_number,
        })
    }
}
