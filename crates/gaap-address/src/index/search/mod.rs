//! Typeahead search and batch matching over an `fst` term dictionary with postings lists.
//!
//! Terms are the normalised tokens of every address component and of the postcode's outward and inward codes.
//! A query token matches terms exactly, by prefix (the last token of a typeahead query) and within a bounded
//! Levenshtein distance (1 edit from 4 characters, 2 from 8; never for numbers). Typeahead needs every query
//! token to match; candidates come from the rarest token's postings and are checked against each document's own
//! term list, so common tokens (`ROAD`) never drive the scan.
//!
//! Postings hold *ranks*, not address ids: rank order is (number of terms, address id), which is exactly the
//! tie-break order of typeahead results. A typeahead scan therefore visits candidates best-first among equal
//! scores and stops as soon as it holds `limit` hits scoring the query's upper bound: a common query such as
//! `HIGH STR` touches a few dozen addresses instead of every HIGH STREET in the council.

// Scores are simple weighted sums; mul_add would not make them clearer.
#![allow(clippy::suboptimal_flops)]

//! The code is split by concern: [`dictionary`] builds the terms and postings and expands query tokens into
//! terms, [`typeahead`] answers [`Index::search`](crate::Index::search), [`retrieval`] finds the candidates of
//! [`Index::match_address`](crate::Index::match_address), [`scoring`] scores each one with the weights of
//! [`model::ScoreModel`], and [`batch`] spreads [`Index::match_batch`](crate::Index::match_batch) over the cores.

use fst::Map;

use super::strings::StringTable;
use super::{Extra, NONE32, Row, WELSH_FIELDS, extra, field};

mod batch;
mod candidate;
mod dictionary;
mod model;
mod retrieval;
mod scoring;
mod typeahead;

pub(crate) use dictionary::dictionary;
pub use retrieval::{MatchOptions, MatchResult};
pub use typeahead::SearchHit;

/// The term dictionary and postings.
pub(crate) struct SearchIndex {
    pub(crate) terms: Map<Vec<u8>>,
    /// Term text by term id + 1.
    pub(crate) term_text: StringTable,
    pub(crate) postings_start: Vec<u32>,
    /// Ranks (see the module notes), ascending within each term.
    pub(crate) postings: Vec<u32>,
    /// Address id of each rank.
    pub(crate) rank_doc: Vec<u32>,
    /// An address's terms are gathered from its strings' terms, its number's and its postcode's, so no
    /// per-address term list is stored: `string_terms[string_term_start[id]..string_term_start[id + 1]]`.
    pub(crate) string_term_start: Vec<u32>,
    pub(crate) string_terms: Vec<u32>,
    /// Building numbers (ascending) and their terms.
    pub(crate) numbers: Vec<u32>,
    pub(crate) number_terms: Vec<u32>,
    /// Outward and inward terms of each postcode record (`NONE32` when absent).
    pub(crate) postcode_terms: Vec<u32>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("terms", &self.term_text.len())
            .field("postings", &self.postings.len())
            .finish()
    }
}

impl SearchIndex {
    /// The sorted, distinct terms of an address: those of its strings, its number and its postcode.
    pub(crate) fn doc_terms(&self, r: &Row, extras: &[Extra], out: &mut Vec<u32>) {
        out.clear();
        let mut add = |id: u32| out.extend_from_slice(self.string_terms_of(id));
        for f in TERM_FIELDS {
            add(r.text[f]);
        }
        if let Some(x) = extras.get(r.extra as usize) {
            add(x.text[extra::DEPARTMENT]);
            for k in 0..WELSH_FIELDS.len() {
                add(x.text[extra::WELSH + k]);
            }
            add(x.text[extra::NUMBER]);
        }
        if r.building_number != NONE32
            && let Some(t) = self.number_term(r.building_number)
        {
            out.push(t);
        }
        let p = r.postcode as usize;
        if r.postcode != NONE32 {
            for k in [2 * p, 2 * p + 1] {
                if let Some(&t) = self.postcode_terms.get(k).filter(|&&t| t != NONE32) {
                    out.push(t);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// The text of a term.
    fn term(&self, id: u32) -> Option<&str> {
        self.term_text.get(id + 1)
    }

    /// The address id at a rank.
    fn doc_at(&self, rank: u32) -> u32 {
        self.rank_doc.get(rank as usize).copied().unwrap_or(u32::MAX)
    }

    fn df(&self, term: u32) -> usize {
        let s = self.postings_start.get(term as usize).copied().unwrap_or(0);
        let e = self.postings_start.get(term as usize + 1).copied().unwrap_or(s);
        (e - s) as usize
    }

    fn postings_of(&self, term: u32) -> &[u32] {
        let s = self.postings_start.get(term as usize).copied().unwrap_or(0) as usize;
        let e = self.postings_start.get(term as usize + 1).copied().unwrap_or(0) as usize;
        self.postings.get(s..e).unwrap_or_default()
    }

    fn docs(&self) -> usize {
        self.rank_doc.len()
    }

    fn idf(&self, df: usize) -> f32 {
        ((1.0 + self.docs() as f32) / (1.0 + df as f32)).ln() + 0.1
    }

    /// The idf of a word, as of one no address has when it is no term.
    fn word_idf(&self, word: &str) -> f32 {
        self.idf(self.terms.get(word).map_or(0, |id| self.df(id as u32)))
    }
}

/// The row fields whose words are search terms.
const TERM_FIELDS: [usize; 8] = [
    field::ORGANISATION,
    field::SUB_BUILDING,
    field::BUILDING_NAME,
    field::DEPENDENT_THOROUGHFARE,
    field::THOROUGHFARE,
    field::DOUBLE_DEPENDENT_LOCALITY,
    field::DEPENDENT_LOCALITY,
    field::POST_TOWN,
];

#[cfg(test)]
mod tests;
