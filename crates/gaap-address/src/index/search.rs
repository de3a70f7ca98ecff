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

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use fst::automaton::{Automaton, Str};
use fst::{IntoStreamer, Map, MapBuilder, Streamer};
use serde::Serialize;

use super::strings::StringTable;
use super::text::{allowed_edits, bounded_levenshtein, is_number_token, tokens};
use super::{Extra, Index, NONE32, PostcodeRecord, Row, WELSH_FIELDS, extra, field};
use crate::types::address::Address;
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

/// Most postings a typeahead query visits before it stops looking for more candidates.
const MAX_SCAN: usize = 200_000;
/// Most terms a prefix or fuzzy expansion may produce.
const MAX_EXPANSION: usize = 20_000;

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

/// Tokens of the premise and street only: what a messy address must account for. Also where the street's own
/// words start among them.
fn premise_tokens(a: &Address) -> (Vec<String>, usize) {
    // Keep reading order (joined-token matching looks at neighbours); drop repeats.
    let mut out: Vec<String> = Vec::with_capacity(10);
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |out: &mut Vec<String>, t: String| {
        if seen.insert(t.clone()) {
            out.push(t);
        }
    };
    for f in [&a.organisation, &a.sub_building, &a.building_name].into_iter().flatten() {
        tokens(f).for_each(|t| push(&mut out, t));
    }
    if let Some(label) = a.number_label() {
        tokens(&label).for_each(|t| push(&mut out, t));
    }
    let street_from = out.len();
    for f in [&a.dependent_thoroughfare, &a.thoroughfare].into_iter().flatten() {
        tokens(f).for_each(|t| push(&mut out, t));
    }
    (out, street_from)
}

impl SearchIndex {
    pub(crate) fn build(
        rows: &[Row],
        extras: &[Extra],
        strings: &StringTable,
        records: &[PostcodeRecord],
    ) -> Self {
        let mut terms = TermIds::default();
        // Each distinct string is tokenised once: (start, len) in `cache`.
        let mut cached: Vec<(u32, u32)> = vec![(NONE32, 0); strings.len() + 1];
        let mut cache: Vec<u32> = Vec::new();
        let mut numbers: HashMap<u32, u32> = HashMap::new();
        let postcode_terms: Vec<[u32; 2]> = records
            .iter()
            .map(|r| {
                let inward = r.postcode.inward();
                [
                    terms.id(r.postcode.outward()),
                    if inward.is_empty() { NONE32 } else { terms.id(inward) },
                ]
            })
            .collect();
        let mut doc_start: Vec<u32> = Vec::with_capacity(rows.len() + 1);
        let mut doc_terms: Vec<u32> = Vec::with_capacity(rows.len() * 10);
        let mut doc: Vec<u32> = Vec::with_capacity(32);
        let mut text_ids: Vec<u32> = Vec::with_capacity(16);
        doc_start.push(0);
        for r in rows {
            doc.clear();
            text_ids.clear();
            text_ids.extend(TERM_FIELDS.iter().map(|&f| r.text[f]));
            if let Some(x) = extras.get(r.extra as usize) {
                text_ids.push(x.text[extra::DEPARTMENT]);
                text_ids
                    .extend_from_slice(&x.text[extra::WELSH..extra::WELSH + WELSH_FIELDS.len()]);
                text_ids.push(x.text[extra::NUMBER]);
            }
            for &id in text_ids.iter().filter(|&&id| id != 0) {
                let Some(slot) = cached.get_mut(id as usize) else { continue };
                if slot.0 == NONE32 {
                    let start = cache.len() as u32;
                    for t in tokens(strings.get(id).unwrap_or_default()) {
                        cache.push(terms.id(&t));
                    }
                    *slot = (start, cache.len() as u32 - start);
                }
                let (start, len) = *slot;
                doc.extend_from_slice(&cache[start as usize..(start + len) as usize]);
            }
            if r.building_number != NONE32 {
                let n = r.building_number;
                doc.push(*numbers.entry(n).or_insert_with(|| terms.id(&n.to_string())));
            }
            if let Some(pc) = postcode_terms.get(r.postcode as usize) {
                doc.extend(pc.iter().copied().filter(|&t| t != NONE32));
            }
            doc.sort_unstable();
            doc.dedup();
            doc_terms.extend_from_slice(&doc);
            doc_start.push(doc_terms.len() as u32);
        }
        // Renumber terms in lexicographic order so the fst value is the term id.
        let mut sorted: Vec<(String, u32)> = terms.ids.into_iter().collect();
        sorted.sort_unstable();
        let mut remap = vec![0u32; sorted.len()];
        for (new, (_, old)) in sorted.iter().enumerate() {
            remap[*old as usize] = new as u32;
        }
        let renumber = |t: &mut u32| {
            if *t != NONE32 {
                *t = remap[*t as usize];
            }
        };
        doc_terms.iter_mut().for_each(renumber);
        cache.iter_mut().for_each(renumber);
        let mut postcode_terms: Vec<u32> = postcode_terms.into_iter().flatten().collect();
        postcode_terms.iter_mut().for_each(renumber);
        let mut numbers: Vec<(u32, u32)> = numbers.into_iter().collect();
        numbers.sort_unstable();
        numbers.iter_mut().for_each(|(_, t)| renumber(t));
        let mut string_term_start: Vec<u32> = Vec::with_capacity(cached.len() + 1);
        let mut string_terms: Vec<u32> = Vec::with_capacity(cache.len());
        for &(start, len) in &cached {
            string_term_start.push(string_terms.len() as u32);
            if start != NONE32 {
                string_terms.extend_from_slice(&cache[start as usize..(start + len) as usize]);
            }
        }
        string_term_start.push(string_terms.len() as u32);
        drop((remap, cached, cache));
        let mut term_text = StringTable::default();
        for (term, _) in &sorted {
            term_text.push(term);
        }
        drop(sorted);
        // The terms are unique and in order, so the dictionary cannot fail.
        let terms = dictionary(&term_text).unwrap_or_default();
        let rank_doc = rank_order(&doc_start);
        let (postings_start, postings) = invert(&doc_start, &doc_terms, &rank_doc, term_text.len());
        Self {
            terms,
            term_text,
            postings_start,
            postings,
            rank_doc,
            string_term_start,
            string_terms,
            numbers: numbers.iter().map(|n| n.0).collect(),
            number_terms: numbers.iter().map(|n| n.1).collect(),
            postcode_terms,
        }
    }

    /// The sorted, distinct terms of an address: those of its strings, its number and its postcode.
    pub(crate) fn doc_terms(&self, r: &Row, extras: &[Extra], out: &mut Vec<u32>) {
        out.clear();
        let mut add = |id: u32| {
            let s = self.string_term_start.get(id as usize).copied().unwrap_or(0) as usize;
            let e = self.string_term_start.get(id as usize + 1).copied().unwrap_or(0) as usize;
            out.extend_from_slice(self.string_terms.get(s..e).unwrap_or_default());
        };
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
            && let Ok(i) = self.numbers.binary_search(&r.building_number)
            && let Some(&t) = self.number_terms.get(i)
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

    /// Terms matching a query token, with a quality in (0, 1].
    fn expand(&self, token: &str, prefix: bool) -> HashMap<u32, f32> {
        let mut out: HashMap<u32, f32> = HashMap::new();
        if let Some(id) = self.terms.get(token) {
            out.insert(id as u32, 1.0);
        }
        if prefix {
            let mut stream = self.terms.search(Str::new(token).starts_with()).into_stream();
            while let Some((_, id)) = stream.next() {
                out.entry(id as u32).or_insert(0.9);
                if out.len() >= MAX_EXPANSION {
                    break;
                }
            }
        }
        // Fuzzy expansion only when the token is not a term (or term prefix) as typed: building a Levenshtein
        // automaton costs far more than the exact and prefix look-ups.
        let edits = allowed_edits(token);
        if out.is_empty() && edits > 0 && !is_number_token(token) {
            let lev = BoundedEdits { query: token.as_bytes(), max: edits as u8, prefix };
            self.fuzzy_into(lev, token, edits as usize, prefix, &mut out);
        }
        out
    }

    /// For a token that is no term, near or exact: the rarer half of the split into two terms that is rarest
    /// (`CHARLOTTETOWER` gives `CHARLOTTE`), as words run together.
    fn split_joined(&self, token: &str) -> HashMap<u32, f32> {
        let mut best: Option<(usize, u32)> = None;
        if token.is_ascii() && token.len() >= 6 && !is_number_token(token) {
            for k in 3..=token.len() - 3 {
                let (Some(a), Some(b)) = (self.terms.get(&token[..k]), self.terms.get(&token[k..]))
                else {
                    continue;
                };
                let rarer = [a as u32, b as u32].into_iter().min_by_key(|&t| self.df(t));
                if let Some(t) = rarer
                    && best.is_none_or(|(df, _)| self.df(t) < df)
                {
                    best = Some((self.df(t), t));
                }
            }
        }
        best.map(|(_, t)| HashMap::from([(t, 0.9)])).unwrap_or_default()
    }

    fn fuzzy_into<A: Automaton>(
        &self,
        aut: A,
        token: &str,
        edits: usize,
        prefix: bool,
        out: &mut HashMap<u32, f32>,
    ) {
        let mut stream = self.terms.search(aut).into_stream();
        while let Some((key, id)) = stream.next() {
            let Ok(term) = std::str::from_utf8(key) else { continue };
            let d = if prefix {
                prefix_distance(token, term, edits)
            } else {
                bounded_levenshtein(token, term, edits)
            };
            if d <= edits {
                let q = 0.85 - 0.15 * d as f32;
                let e = out.entry(id as u32).or_insert(q);
                *e = e.max(q);
            }
            if out.len() >= MAX_EXPANSION {
                break;
            }
        }
    }
}

/// Calls `visit` with each value in every list (all sorted ascending), in ascending order, until it returns
/// false.
fn leapfrog(lists: &[&[u32]], mut visit: impl FnMut(u32) -> bool) {
    let mut at = vec![0usize; lists.len()];
    let mut target = 0u32;
    loop {
        let mut agreed = true;
        for (list, pos) in lists.iter().zip(at.iter_mut()) {
            *pos = seek(list, *pos, target);
            let Some(&v) = list.get(*pos) else { return };
            if v > target {
                target = v;
                agreed = false;
            }
        }
        if agreed {
            if !visit(target) {
                return;
            }
            let Some(next) = target.checked_add(1) else { return };
            target = next;
        }
    }
}

/// The first position at or after `from` whose value is at least `target` (galloping search).
fn seek(list: &[u32], from: usize, target: u32) -> usize {
    let rest = list.get(from..).unwrap_or_default();
    if rest.first().is_none_or(|&v| v >= target) {
        return from;
    }
    let (mut lo, mut step) = (0usize, 1usize);
    while lo + step < rest.len() && rest[lo + step] < target {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step + 1).min(rest.len());
    from + lo + rest[lo..hi].partition_point(|&v| v < target)
}

/// The term dictionary over terms in strictly ascending order; the value is the term id.
pub(crate) fn dictionary(terms: &StringTable) -> Result<Map<Vec<u8>>, fst::Error> {
    let mut b = MapBuilder::memory();
    for id in 1..=terms.len() as u32 {
        b.insert(terms.get(id).unwrap_or_default(), u64::from(id - 1))?;
    }
    b.into_inner().and_then(Map::new)
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

/// Temporary term ids, in order of first sight.
#[derive(Default)]
struct TermIds {
    ids: HashMap<String, u32>,
}

impl TermIds {
    fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(term.to_owned(), id);
        id
    }
}

/// A lazy Levenshtein automaton over bytes: the state is the current dynamic-programming row, so nothing is
/// built up front (the `fst` Levenshtein DFA costs milliseconds to construct). With `prefix`, a term matches
/// once any prefix of it is within `max` edits.
struct BoundedEdits<'q> {
    query: &'q [u8],
    max: u8,
    prefix: bool,
}

/// Longest query token fuzzy matching handles (the DP row lives in a fixed array, so no allocation per step).
const MAX_FUZZY_LEN: usize = 31;

impl Automaton for BoundedEdits<'_> {
    /// The row (first `query.len() + 1` cells used), and whether a prefix already matched.
    type State = Option<([u8; MAX_FUZZY_LEN + 1], bool)>;

    fn start(&self) -> Self::State {
        let n = self.query.len();
        if n > MAX_FUZZY_LEN {
            return None;
        }
        let mut row = [0u8; MAX_FUZZY_LEN + 1];
        for (i, cell) in row.iter_mut().enumerate().take(n + 1) {
            *cell = i as u8;
        }
        let done = self.prefix && row[n] <= self.max;
        Some((row, done))
    }

    fn is_match(&self, state: &Self::State) -> bool {
        state.as_ref().is_some_and(|(row, done)| *done || row[self.query.len()] <= self.max)
    }

    fn can_match(&self, state: &Self::State) -> bool {
        state.is_some()
    }

    fn will_always_match(&self, state: &Self::State) -> bool {
        state.as_ref().is_some_and(|(_, done)| *done)
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        let (row, done) = state.as_ref()?;
        if *done {
            return Some((*row, true));
        }
        let n = self.query.len();
        let mut next = [0u8; MAX_FUZZY_LEN + 1];
        next[0] = row[0].saturating_add(1);
        let mut best = next[0];
        for (j, &q) in self.query.iter().enumerate() {
            let substitute = row[j].saturating_add(u8::from(q != byte));
            let delete = row[j + 1].saturating_add(1);
            let insert = next[j].saturating_add(1);
            next[j + 1] = substitute.min(delete).min(insert);
            best = best.min(next[j + 1]);
        }
        if best > self.max {
            return None;
        }
        let done = self.prefix && next[n] <= self.max;
        Some((next, done))
    }
}

/// Smallest edit distance between `token` and any prefix of `term`.
fn prefix_distance(token: &str, term: &str, max: usize) -> usize {
    let n = token.chars().count();
    let chars: Vec<char> = term.chars().collect();
    let lo = n.saturating_sub(max);
    let hi = (n + max).min(chars.len());
    (lo..=hi)
        .map(|len| {
            let p: String = chars.iter().take(len).collect();
            bounded_levenshtein(token, &p, max)
        })
        .min()
        .unwrap_or(max + 1)
}

/// Address ids in rank order: fewest terms first, then by id.
pub(crate) fn rank_order(doc_start: &[u32]) -> Vec<u32> {
    // A counting sort by term count; ids ascend within each count.
    let len = |d: usize| (doc_start[d + 1] - doc_start[d]) as usize;
    let n = doc_start.len().saturating_sub(1);
    let longest = (0..n).map(len).max().unwrap_or(0);
    let mut next = vec![0u32; longest + 2];
    for d in 0..n {
        next[len(d) + 1] += 1;
    }
    for i in 1..next.len() {
        next[i] += next[i - 1];
    }
    let mut order = vec![0u32; n];
    for d in 0..n {
        let slot = &mut next[len(d)];
        order[*slot as usize] = d as u32;
        *slot += 1;
    }
    order
}

fn invert(
    doc_start: &[u32],
    doc_terms: &[u32],
    rank_doc: &[u32],
    n_terms: usize,
) -> (Vec<u32>, Vec<u32>) {
    let mut counts = vec![0u32; n_terms + 1];
    for &t in doc_terms {
        counts[t as usize + 1] += 1;
    }
    for i in 1..counts.len() {
        counts[i] += counts[i - 1];
    }
    let starts = counts.clone();
    let mut fill = counts;
    let mut postings = vec![0u32; doc_terms.len()];
    for (rank, &doc) in rank_doc.iter().enumerate() {
        let doc = doc as usize;
        for &t in &doc_terms[doc_start[doc] as usize..doc_start[doc + 1] as usize] {
            postings[fill[t as usize] as usize] = rank as u32;
            fill[t as usize] += 1;
        }
    }
    (starts, postings)
}

/// One typeahead result.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// The address.
    pub address: Address,
    /// Relevance in (0, 1]: the share of the query matched, weighted by rarity and match quality.
    pub score: f32,
}

#[derive(PartialEq)]
struct Ranked {
    score: f32,
    len: usize,
    doc: u32,
}

impl Eq for Ranked {}
impl Ord for Ranked {
    // "Greater" = better: higher score, then shorter document, then earlier in postcode/premise order.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.len.cmp(&self.len))
            .then_with(|| other.doc.cmp(&self.doc))
    }
}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Options for [`Index::match_address`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchOptions {
    /// Scores below this give no UPRN. Default 0.8.
    pub threshold: f32,
}

impl Default for MatchOptions {
    fn default() -> Self {
        Self { threshold: 0.8 }
    }
}

/// The outcome of matching one messy string.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MatchResult {
    /// The best candidate's UPRN, or `None` when its score is under the threshold.
    pub uprn: Option<Uprn>,
    /// The best candidate's UPRN whatever its score.
    pub best: Option<Uprn>,
    /// Similarity in [0, 1].
    pub score: f32,
}

impl Index {
    /// Free-text typeahead: every token must match (the last one as a prefix), with typo tolerance.
    #[must_use]
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_with(query, limit, true)
    }

    /// [`Index::search`]; `early` stops the rank-order scan once nothing later can enter the top `limit`
    /// (turned off only by tests, to check that stopping early changes no result).
    fn search_with(&self, query: &str, limit: usize, early: bool) -> Vec<SearchHit> {
        let s = &self.search;
        let qt: Vec<String> = tokens(query).collect();
        if qt.is_empty() || limit == 0 {
            return Vec::new();
        }
        let last_is_prefix = !query.ends_with(char::is_whitespace);
        let mut expansions: Vec<HashMap<u32, f32>> = Vec::with_capacity(qt.len());
        for (i, t) in qt.iter().enumerate() {
            let e = s.expand(t, last_is_prefix && i + 1 == qt.len());
            if e.is_empty() {
                return Vec::new();
            }
            expansions.push(e);
        }
        let weights: Vec<f32> = expansions
            .iter()
            .map(|e| {
                let df =
                    e.iter().filter(|(_, q)| **q >= 0.9).map(|(t, _)| s.df(*t)).max().unwrap_or(1);
                s.idf(df)
            })
            .collect();
        let total: f32 = weights.iter().sum();
        // The best score any address could reach, summed in the same order as a real score so that an address
        // matching every token at its best quality scores exactly this.
        let mut upper = 0.0f32;
        for (i, e) in expansions.iter().enumerate() {
            upper += weights[i] * e.values().copied().fold(0.0f32, f32::max);
        }
        let upper = upper / total;
        let dfs: Vec<usize> =
            expansions.iter().map(|e| e.keys().map(|&t| s.df(t)).sum::<usize>()).collect();
        let Some(first) = (0..expansions.len()).min_by_key(|&i| dfs[i]) else { return Vec::new() };
        // A token matching through one term is compared by id, not hashed.
        let single: Vec<Option<u32>> = expansions
            .iter()
            .map(|e| if e.len() == 1 { e.keys().next().copied() } else { None })
            .collect();
        let mut heap: BinaryHeap<std::cmp::Reverse<Ranked>> = BinaryHeap::with_capacity(limit + 1);
        // Scores one candidate; false once nothing later in rank order can enter the top `limit`.
        let mut buf: Vec<u32> = Vec::with_capacity(32);
        let mut visit = |rank: u32| -> bool {
            let doc = s.doc_at(rank);
            let Some(row) = self.rows.get(doc as usize) else { return true };
            s.doc_terms(&row, &self.extras, &mut buf);
            let terms = buf.as_slice();
            let mut score = 0.0f32;
            for (i, e) in expansions.iter().enumerate() {
                let best = match single[i] {
                    Some(only) => {
                        if terms.contains(&only) {
                            e.get(&only).copied().unwrap_or(0.0)
                        } else {
                            0.0
                        }
                    }
                    None => terms.iter().filter_map(|t| e.get(t)).copied().fold(0.0f32, f32::max),
                };
                if best == 0.0 {
                    return true;
                }
                score += weights[i] * best;
            }
            let ranked = Ranked { score: score / total, len: terms.len(), doc };
            if heap.len() < limit {
                heap.push(std::cmp::Reverse(ranked));
            } else if heap.peek().is_some_and(|w| ranked > w.0) {
                heap.pop();
                heap.push(std::cmp::Reverse(ranked));
            }
            // Later ranks have more terms (or equal terms and a later id), so they lose every tie.
            !(early && heap.len() >= limit && heap.peek().is_some_and(|w| w.0.score >= upper))
        };
        // Tokens that match through one term are intersected list against list (leapfrog), so `28 MEADOW`
        // visits the few addresses with both words, not every address numbered 28.
        let mut lists: Vec<&[u32]> = single.iter().flatten().map(|&t| s.postings_of(t)).collect();
        let shortest = lists.iter().map(|l| l.len()).min().unwrap_or(usize::MAX);
        let merged: Vec<u32>;
        if single[first].is_none()
            && dfs[first] < shortest
            && dfs[first].saturating_mul(4) < s.docs()
        {
            let mut ranks: Vec<u32> = Vec::with_capacity(dfs[first].min(MAX_SCAN));
            for &t in expansions[first].keys() {
                ranks.extend_from_slice(s.postings_of(t));
                if ranks.len() >= MAX_SCAN {
                    break;
                }
            }
            ranks.sort_unstable();
            ranks.dedup();
            merged = ranks;
            lists.push(&merged);
        }
        if lists.is_empty() {
            // Only broad prefixes (`S`): walking every rank and checking terms beats merging thousands of lists.
            for rank in 0..s.docs() as u32 {
                if !visit(rank) {
                    break;
                }
            }
        } else {
            leapfrog(&lists, visit);
        }
        let mut out: Vec<Ranked> = heap.into_iter().map(|r| r.0).collect();
        out.sort_by(|a, b| b.cmp(a));
        out.into_iter()
            .filter_map(|r| Some(SearchHit { address: self.address(r.doc)?, score: r.score }))
            .collect()
    }

    /// Matches one messy address string to the best address, with a score in [0, 1].
    #[must_use]
    pub fn match_address(&self, input: &str, options: MatchOptions) -> MatchResult {
        let (postcode, rest) = extract_postcode(input);
        // Tokens, and which of them start a comma-separated part (`FLAT, 26` is a flat at number 26).
        let (mut qt, mut starts): (Vec<String>, Vec<bool>) = (Vec::new(), Vec::new());
        for part in rest.split(',') {
            for (k, t) in tokens(part).enumerate() {
                qt.push(t);
                starts.push(k == 0);
            }
        }
        let s = &self.search;
        let query = QueryProfile::new(s, &qt, &starts);
        let mut best: Option<(f32, u32)> = None;
        let mut seen: HashSet<u32> = HashSet::new();
        let mut buf: Vec<u32> = Vec::with_capacity(32);
        // Scores one address, given the words of its record.
        let score_of = |a: &Address, all: &[&str]| -> f32 {
            let (premise, street_from) = premise_tokens(a);
            let mut score = query.similarity(s, all, &premise, street_from, a)
                * query.number_agreement(&premise)
                * query.flat_role(a)
                * query.locality_said(a);
            match (postcode, a.postcode) {
                (Some(q), Some(d)) if q == d => {
                    // Postcode and house/flat numbers together name a premise, even when the street or a house
                    // name is wrong or added.
                    if query.same_numbers(&premise, a) {
                        // A house number is a stronger key than a flat number alone (every block has a flat 1),
                        // which names a flat only with its block.
                        let key = if has_house_number(a) {
                            HOUSE_KEY
                        } else if query.building_said(s, a) {
                            NUMBER_KEY
                        } else {
                            0.0
                        };
                        score += key * (1.0 - score);
                    } else if query.names_house(s, &premise, a) {
                        // So do postcode and a house name, when neither side has a number.
                        score += HOUSE_KEY * (1.0 - score);
                    }
                    score = PC_TEXT * score + (1.0 - PC_TEXT);
                }
                (Some(q), Some(d)) => {
                    let mut sim = postcode_similarity(&q, &d);
                    // Near the stated postcode, a house number and street still go a long way.
                    if sim >= PCS_OUTWARD && query.same_numbers(&premise, a) && has_house_number(a)
                    {
                        // Every word and number said, both ways: only the postcode's inward part is off, however
                        // far within the outward code.
                        if score >= EXACT_TEXT {
                            sim = sim.max(PCS_SECTOR);
                        }
                        score += NEAR_KEY * (1.0 - score);
                    }
                    score *= PC_OTHER + (0.95 - PC_OTHER) * sim;
                }
                (Some(_), None) => score *= 0.7,
                (None, _) => score *= 0.95,
            }
            score
        };
        // `row` is given when the caller has it already (a postcode's rows are read in one run).
        let mut consider = |doc: u32, row: Option<Row>, best: &mut Option<(f32, u32)>| {
            if !seen.insert(doc) {
                return;
            }
            let Some(row) = row.or_else(|| self.rows.get(doc as usize)) else { return };
            let a = self.materialise(&row);
            s.doc_terms(&row, &self.extras, &mut buf);
            let all: Vec<&str> = buf.iter().filter_map(|&t| s.term(t)).collect();
            let mut score = score_of(&a, &all);
            // `FLAT 2, 28` or `FIRST FLOOR FLAT, 28` for `28A`: a lettered house is often a flat of the house
            // with the bare number, and written as one.
            if query.states_flat
                && let Some((flat, label)) =
                    flat_of_lettered(&a, |l| query.tokens.iter().any(|(t, _)| *t == l))
                && let Some(number) = flat.building_number.map(|n| n.to_string())
                // The query says the bare number as a house's (`FLAT 1, ARTHUR WAY` is no flat of `1A`).
                && query.others.contains(&number.as_str())
            {
                let mut words: Vec<&str> = all.iter().copied().filter(|w| *w != label).collect();
                let premise = premise_tokens(&flat).0;
                words.extend(premise.iter().map(String::as_str));
                score = score.max(LETTERED_AS_FLAT * score_of(&flat, &words));
            }
            if best.is_none_or(|(b, bd)| score > b || (score == b && doc < bd)) {
                *best = Some((score, doc));
            }
        };
        if let Some(pc) = postcode
            && let Some(r) = self.postcode(&pc)
        {
            for (doc, row) in
                (r.first..).zip(self.rows.iter_from(r.first as usize).take(r.count as usize))
            {
                consider(doc, Some(row), &mut best);
            }
        }
        // A confident answer inside the stated postcode ends the search; otherwise (no postcode, a wrong one,
        // or a weak match) look for candidates by the rarest few tokens, exact or fuzzy.
        if best.is_none_or(|(b, _)| b < 0.95) {
            let mut expanded: Vec<(HashMap<u32, f32>, usize)> = qt
                .iter()
                .map(|t| {
                    let mut e = s.expand(t, false);
                    if e.is_empty() {
                        e = s.split_joined(t);
                    }
                    let df: usize = e.keys().map(|&id| s.df(id)).sum();
                    (e, df)
                })
                .filter(|(e, _)| !e.is_empty())
                .collect();
            expanded.sort_by_key(|(_, df)| *df);
            // Unless too common to help.
            expanded.retain(|(_, df)| *df <= 20_000);
            // The rarest three; when the best is still weak, the rarest six, in case an added house name's
            // rare words (`THE BARN`, `THE COACH HOUSE`) crowded out the street's.
            for rarest in [3, 6] {
                if rarest > 3 && (expanded.len() <= 3 || best.is_some_and(|(b, _)| b >= WEAK)) {
                    break;
                }
                let expanded = &expanded[..rarest.min(expanded.len())];
                let postings = expanded.iter().map(|(_, df)| df).sum();
                let mut hits: HashMap<u32, f32, BuildHasherDefault<IdHasher>> =
                    HashMap::with_capacity_and_hasher(postings, BuildHasherDefault::default());
                for (e, df) in expanded {
                    let w = s.idf(*df);
                    for (&t, &q) in e {
                        for &rank in s.postings_of(t) {
                            *hits.entry(s.doc_at(rank)).or_insert(0.0) += w * q;
                        }
                    }
                }
                let mut ranked: Vec<(u32, f32)> = hits.into_iter().collect();
                // The best few hits under the stated outward code, though rarer words (an added house name) match
                // more elsewhere.
                if let Some(q) = postcode {
                    let (lo, hi) = self.postcode_prefix_docs(q.outward());
                    // The query's house number breaks ties among a street's addresses.
                    let numbers: Vec<u32> = query
                        .others
                        .iter()
                        .filter_map(|t| t.parse().ok())
                        .filter(|&n| n != NONE32)
                        .collect();
                    let mut near: Vec<(u32, f32)> = Vec::new();
                    // Those with the query's house number also get slots of their own, however many others match
                    // rarer words (an added house name common nearby).
                    let mut numbered: Vec<(u32, f32)> = Vec::new();
                    for &(d, h) in ranked.iter().filter(|(d, _)| (lo..hi).contains(d)) {
                        let row = self.rows.get(d as usize);
                        if row.is_some_and(|r| numbers.contains(&r.building_number)) {
                            near.push((d, h + NEAR_NUMBER));
                            // Nearer the stated postcode first, among equal text hits (a block's flats share them).
                            let pc = row.and_then(|r| self.postcode_of(&r));
                            let pcs = pc.map_or(0.0, |p| postcode_similarity(&q, &p));
                            numbered.push((d, h + pcs));
                        } else {
                            near.push((d, h));
                        }
                    }
                    best_first(&mut near, NEAR);
                    best_first(&mut numbered, NEAR_NUMBERED);
                    near.extend(numbered);
                    near.extend(self.sector_hits(&q, &query, &ranked));
                    for &(doc, _) in &near {
                        consider(doc, None, &mut best);
                    }
                }
                // Among equally good text hits, prefer those nearest the stated postcode (it may carry a typo). Every
                // hit that could still reach the top is weighed: doc order is postcode order, so cutting first would
                // favour postcodes early in the alphabet.
                if let Some(q) = postcode {
                    let top = ranked.iter().map(|(_, h)| *h).fold(0.0f32, f32::max);
                    for (doc, h) in &mut ranked {
                        if *h + 0.5 >= top
                            && let Some(d) = self.row_postcode(*doc)
                        {
                            *h += 0.5 * postcode_similarity(&q, &d);
                        }
                    }
                }
                best_first(&mut ranked, 32);
                for (doc, _) in ranked {
                    consider(doc, None, &mut best);
                }
            }
        }
        let uprn = |doc: u32| self.rows.get(doc as usize).map(|r| Uprn::checked_before(r.uprn));
        match best.and_then(|(score, doc)| Some((score, uprn(doc)?))) {
            Some((score, uprn)) => MatchResult {
                uprn: (score >= options.threshold).then_some(uprn),
                best: Some(uprn),
                score,
            },
            None => MatchResult { uprn: None, best: None, score: 0.0 },
        }
    }

    /// The hits in the stated postcode's sector that share most of the query's words, common words too: `FLAT 1
    /// LONDON APARTMENTS` among a sector's hundred `APARTMENTS` when the stated unit is wrong.
    fn sector_hits(
        &self,
        stated: &Postcode,
        query: &QueryProfile<'_>,
        hits: &[(u32, f32)],
    ) -> Vec<(u32, f32)> {
        let s = &self.search;
        let (lo, hi) = self.postcode_prefix_docs_by(stated.sector(), Postcode::sector);
        let query_terms: Vec<(u32, f32)> = query
            .tokens
            .iter()
            .filter_map(|(t, w)| Some((u32::try_from(s.terms.get(t)?).ok()?, *w)))
            .collect();
        let mut in_sector: Vec<(u32, f32)> =
            hits.iter().filter(|(d, _)| (lo..hi).contains(d)).copied().collect();
        in_sector.sort_unstable_by_key(|&(d, _)| d);
        let mut terms: Vec<u32> = Vec::with_capacity(32);
        let mut sector: Vec<(u32, f32)> = Vec::with_capacity(in_sector.len());
        self.rows.visit_sorted(in_sector.iter().map(|&(d, h)| (d as usize, h)), |doc, hit, row| {
            s.doc_terms(&row, &self.extras, &mut terms);
            let shared: f32 =
                query_terms.iter().filter(|(id, _)| terms.contains(id)).map(|(_, w)| w).sum();
            // The rare-word hit score breaks ties.
            sector.push((doc as u32, shared + 0.01 * hit));
        });
        best_first(&mut sector, SECTOR_NEAR);
        sector
    }

    /// The run of doc ids `lo..hi` whose postcode has this outward code (docs are in postcode order).
    fn postcode_prefix_docs(&self, outward: &str) -> (u32, u32) {
        self.postcode_prefix_docs_by(outward, Postcode::outward)
    }

    /// The run of doc ids `lo..hi` whose postcode's `part` (outward code, sector) is `key`.
    fn postcode_prefix_docs_by(&self, key: &str, part: fn(&Postcode) -> &str) -> (u32, u32) {
        let n = self.search.docs() as u32;
        let cmp = |d: u32| -> Ordering {
            self.row_postcode(d).map_or(Ordering::Less, |p| {
                if part(&p) == key { Ordering::Equal } else { p.as_str().cmp(key) }
            })
        };
        let (mut lo, mut hi) = (0u32, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if cmp(mid) == Ordering::Less { lo = mid + 1 } else { hi = mid }
        }
        let start = lo;
        hi = n;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if cmp(mid) == Ordering::Greater { hi = mid } else { lo = mid + 1 }
        }
        (start, lo)
    }

    /// Matches many strings, spread over the available cores. Results are in input order.
    #[must_use]
    pub fn match_batch(&self, inputs: &[&str], options: MatchOptions) -> Vec<MatchResult> {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).max(1);
        if threads == 1 || inputs.len() < 64 {
            return inputs.iter().map(|i| self.match_address(i, options)).collect();
        }
        let chunk = inputs.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = inputs
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter().map(|i| self.match_address(i, options)).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        })
    }
}

/// Hashes a doc id with one multiplication: ids are ours, not an attacker's.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Keeps the best `n` hits, highest score first and then lowest doc id, without sorting the rest.
fn best_first(hits: &mut Vec<(u32, f32)>, n: usize) {
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if hits.len() > n {
        hits.select_nth_unstable_by(n, order);
        hits.truncate(n);
    }
    hits.sort_unstable_by(order);
}

/// The address's house numbers: its building number and any number in its name (`12A`).
fn house_numbers(a: &Address) -> Vec<String> {
    let named =
        a.building_name.as_deref().into_iter().flat_map(tokens).filter(|t| is_number_token(t));
    let number = a.number_label().into_iter().flat_map(|l| tokens(&l).collect::<Vec<_>>());
    number.chain(named).collect()
}

/// True when the address has a house number (`12`, or a lettered one as its name, `12A`).
fn has_house_number(a: &Address) -> bool {
    a.building_number.is_some()
        || a.building_name.as_deref().is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
}

/// Query tokens with their weights, for scoring candidates.
struct QueryProfile<'q> {
    tokens: Vec<(&'q str, f32)>,
    total: f32,
    /// Numbers the query gives as flat numbers (`FLAT 7`).
    flats: Vec<&'q str>,
    /// The query's other numbers.
    others: Vec<&'q str>,
    /// Numbers after a flat word and a comma (`FLAT, 26`): a flat with no number, in the house with this one.
    houses: Vec<&'q str>,
    /// True when the query says which flat or part of a house it is (`FLAT 2`, `FLAT B`, `FIRST FLOOR`, `REAR OF`).
    states_flat: bool,
}

/// Words that say an address is a part of a house.
const FLAT_WORDS: [&str; 5] = ["FLOOR", "MAISONETTE", "BASEMENT", "REAR", "OVER"];

/// Factor on the score of a lettered house read as a flat of the bare number (see [`flat_of_lettered`]): the
/// address as recorded, when it scores as well, comes first.
const LETTERED_AS_FLAT: f32 = 0.999;

/// A lettered house with no flat (`28A`, its letter in the number or the number in its name) read as a flat of
/// house `28`, with the label it drops. The flat is `FLAT A` when `said` says the query has the letter, else just
/// `FLAT`: a record that gives a flat number (`FLAT 2, 28`) names no letter, as `FLAT, 28` names none.
fn flat_of_lettered(a: &Address, said: impl Fn(&str) -> bool) -> Option<(Address, String)> {
    if a.sub_building.is_some() || a.building_number_end.is_some() {
        return None;
    }
    let (number, letter, label) = match (a.building_number, a.building_number_suffix.as_deref()) {
        (Some(n), Some(l)) => (n, l.to_owned(), a.number_label()?),
        (None, None) => {
            let name = a.building_name.as_deref()?;
            let mut words = tokens(name);
            let label = words.next().filter(|w| is_number_token(w))?;
            if words.next().is_some() {
                return None;
            }
            let stem = number_stem(&label);
            let letter = &label[stem.len()..];
            if letter.is_empty() || !letter.bytes().all(|b| b.is_ascii_alphabetic()) {
                return None;
            }
            (stem.parse().ok()?, letter.to_owned(), label.clone())
        }
        _ => return None,
    };
    let mut flat = a.clone();
    flat.sub_building =
        Some(if said(&letter) { format!("FLAT {letter}") } else { "FLAT".to_owned() });
    flat.building_number = Some(number);
    flat.building_number_suffix = None;
    if a.building_number.is_none() {
        flat.building_name = None;
    }
    Some((flat, label))
}

const NUMBER_WEIGHT: f32 = 3.0;
/// Share of the score that text carries when the stated postcode is the address's own.
const PC_TEXT: f32 = 0.6;
/// Postcode factor floor for an address under a different postcode (rising to 0.95 as the postcodes agree).
const PC_OTHER: f32 = 0.6;
/// Share of the remaining gap closed when postcode and numbers agree exactly.
const NUMBER_KEY: f32 = 0.35;
/// As `NUMBER_KEY` when the numbers include a house number: a house name is added far more often than a number.
const HOUSE_KEY: f32 = 0.5;
/// As `HOUSE_KEY` for an address under the stated outward code but another postcode.
const NEAR_KEY: f32 = 0.35;
/// Factor when the query carries a number and the address has none (a house name with a number added).
const NUMBER_MISSING: f32 = 0.8;
/// Most weight one address word carries in what the query leaves out: a rare street word unsaid costs no more
/// than a common one.
const RECALL_CAP: f32 = 2.0;
/// Share of a street's weight forgiven when the query leaves the whole street out.
const STREET_UNSAID_DISCOUNT: f32 = 0.5;
/// Factor when the address has a locality the query does not mention.
const LOCALITY_UNSAID: f32 = 0.99;
/// Factor when the query's flat number is the address's house number.
const FLAT_AS_HOUSE: f32 = 0.8;
/// Factor when the query's numbers and the address's share only a building number, not its suffix.
const SUFFIX_ONLY: f32 = 0.85;
/// Factor when the query's numbers and the address's numbers are both present and share none.
const NUMBER_CONFLICT: f32 = 0.85;

impl<'q> QueryProfile<'q> {
    /// `starts` marks the tokens that open a comma-separated part of the query.
    fn new(s: &SearchIndex, qt: &'q [String], starts: &[bool]) -> Self {
        let tokens: Vec<(&str, f32)> = qt
            .iter()
            .map(|t| {
                let w = if is_number_token(t) { NUMBER_WEIGHT } else { s.word_idf(t).min(6.0) };
                (t.as_str(), w)
            })
            .collect();
        let total = tokens.iter().map(|(_, w)| w).sum();
        let (mut flats, mut others, mut houses) = (Vec::new(), Vec::new(), Vec::new());
        for (i, t) in qt.iter().enumerate().filter(|(_, t)| is_number_token(t)) {
            let after_flat = i > 0 && qt[i - 1] == "FLAT";
            if after_flat && starts[i] {
                houses.push(t.as_str());
            }
            if after_flat && !starts[i] { &mut flats } else { &mut others }.push(t.as_str());
        }
        // `FLAT 2`, `FLAT B`, `FIRST FLOOR FLAT`; the word `FLAT` alone (`FLAT, 26`) says too little.
        let flat_letter = (1..qt.len()).any(|i| {
            qt[i - 1] == "FLAT"
                && !starts[i]
                && qt[i].len() == 1
                && qt[i].bytes().all(|b| b.is_ascii_alphabetic())
        });
        let states_flat =
            !flats.is_empty() || flat_letter || qt.iter().any(|t| FLAT_WORDS.contains(&t.as_str()));
        Self { tokens, total, flats, others, houses, states_flat }
    }

    /// 1.0 when the address has no locality or the query mentions it; a little less otherwise (a locality is
    /// usually written when there is one).
    fn locality_said(&self, a: &Address) -> f32 {
        let mut any = false;
        for l in [&a.double_dependent_locality, &a.dependent_locality].into_iter().flatten() {
            any = true;
            if tokens(l).any(|t| self.tokens.iter().any(|(q, _)| *q == t)) {
                return 1.0;
            }
        }
        if any { LOCALITY_UNSAID } else { 1.0 }
    }

    /// False when the address has a building name and the query says less than half of it by word weight
    /// (`LODGE` does not say `GROVE LODGE`; a word of the post town said once is the town).
    fn building_said(&self, s: &SearchIndex, a: &Address) -> bool {
        let Some(name) = a.building_name.as_deref() else { return true };
        let town: Vec<String> =
            a.post_town.as_deref().map(|t| tokens(t).collect()).unwrap_or_default();
        let (mut said, mut all) = (0.0, 0.0);
        for n in tokens(name) {
            let w = s.word_idf(&n);
            let times = self
                .tokens
                .iter()
                .filter(|(q, _)| best_quality(q, &[n.as_str()]).is_some())
                .count();
            all += w;
            if times > usize::from(town.contains(&n)) {
                said += w;
            }
        }
        said >= 0.5 * all
    }

    /// True when the address is a house known by its name alone (no flat, no number), the query has no numbers
    /// either, and it says the name (see [`Self::building_said`]).
    fn names_house(&self, s: &SearchIndex, premise: &[String], a: &Address) -> bool {
        a.building_name.is_some()
            && a.sub_building.is_none()
            && !premise.iter().any(|p| is_number_token(p))
            && !self.tokens.iter().any(|(t, _)| is_number_token(t))
            && self.building_said(s, a)
    }

    /// 1.0 unless the query names a flat (`FLAT 7`) and the address is a house whose number is the flat's
    /// (`7 VICTORIA WAY`, `7A`): a flat number and a house number name different premises; or another numbered
    /// flat.
    fn flat_role(&self, a: &Address) -> f32 {
        if let Some(sub) = a.sub_building.as_deref()
            && !self.houses.is_empty()
        {
            // `FLAT, 26` is not flat 26.
            let house = house_numbers(a);
            let flat_only = |h: &&str| {
                tokens(sub).any(|t| t == *h)
                    && !house.iter().any(|n| number_stem(n) == number_stem(h))
            };
            if self.houses.iter().any(flat_only) {
                return FLAT_AS_HOUSE;
            }
        }
        if self.flats.is_empty() {
            return 1.0;
        }
        if let Some(sub) = a.sub_building.as_deref() {
            // `FLAT 15` is not flat 6 of the same block.
            let mut own = tokens(sub).filter(|t| is_number_token(t)).peekable();
            let other = own.peek().is_some() && !own.any(|t| self.flats.contains(&t.as_str()));
            return if other { NUMBER_CONFLICT } else { 1.0 };
        }
        let house = house_numbers(a);
        if self.flats.iter().any(|f| house.iter().any(|h| number_stem(h) == number_stem(f))) {
            FLAT_AS_HOUSE
        } else {
            1.0
        }
    }

    /// 1.0 unless the query carries a house or flat number that the address lacks: a different number in the
    /// same street is a different premise, whatever the rest of the text says; no number at all is weaker
    /// evidence against.
    fn number_agreement(&self, premise: &[String]) -> f32 {
        let query_numbers = || self.tokens.iter().map(|(t, _)| *t).filter(|t| is_number_token(t));
        if query_numbers().next().is_none() {
            return 1.0;
        }
        let mut own = premise.iter().filter(|t| is_number_token(t)).peekable();
        if own.peek().is_none() {
            return NUMBER_MISSING;
        }
        if query_numbers().any(|q| premise.iter().any(|p| p == q)) {
            1.0
        } else if query_numbers()
            .any(|q| premise.iter().any(|p| is_number_token(p) && number_stem(p) == number_stem(q)))
        {
            // `8` for `8A`: the same building number, but maybe another premise.
            SUFFIX_ONLY
        } else {
            NUMBER_CONFLICT
        }
    }

    /// True when the query carries numbers and they are exactly the address's own (as sets), in their roles:
    /// a stated flat number (`FLAT 7`) is the address's flat's, and the address's house number is not stated
    /// as a flat's. The counts agree too.
    fn same_numbers(&self, premise: &[String], a: &Address) -> bool {
        let sub: Vec<String> =
            a.sub_building.as_deref().map(|s| tokens(s).collect()).unwrap_or_default();
        if !self.flats.iter().all(|f| sub.iter().any(|t| t == f)) {
            return false;
        }
        let house = house_numbers(a);
        if !house.iter().all(|h| self.others.contains(&h.as_str())) {
            return false;
        }
        // As many numbers on each side: `FLAT 2, 2` is not flat 2 of a block without a house number.
        let own = sub.iter().filter(|t| is_number_token(t)).count() + house.len();
        if own != self.flats.len() + self.others.len() {
            return false;
        }
        let mut any = false;
        for (q, _) in self.tokens.iter().filter(|(t, _)| is_number_token(t)) {
            if !premise.iter().any(|p| p == q) {
                return false;
            }
            any = true;
        }
        any && premise
            .iter()
            .filter(|p| is_number_token(p))
            .all(|p| self.tokens.iter().any(|(q, _)| q == p))
    }

    /// Harmonic mean of how much of the query the address explains and how much of the address's premise and
    /// street the query mentions.
    fn similarity(
        &self,
        s: &SearchIndex,
        all: &[&str],
        premise: &[String],
        street_from: usize,
        a: &Address,
    ) -> f32 {
        let mut matched = 0.0f32;
        let mut used: Vec<(&str, f32)> = Vec::with_capacity(self.tokens.len() + 2);
        for (t, w) in &self.tokens {
            if let Some((q, term)) = best_quality(t, all) {
                matched += w * q;
                used.push((term, q));
            } else if let Some((first, second)) = joined_words(t, premise) {
                // Two words run together (`MONTAGUELODGE`).
                matched += w * 0.9;
                used.push((first, 0.9));
                used.push((second, 0.9));
            }
        }
        let precision = if self.total > 0.0 { matched / self.total } else { 0.0 };
        // A word of the post town said once (`LONDON`) is the town, not the street (`LONDON DRIVE`).
        let town: Vec<String> =
            a.post_town.as_deref().map(|t| tokens(t).collect()).unwrap_or_default();
        let mut covered = 0.0f32;
        let mut premise_total = 0.0f32;
        // The street's own words (not also in the premise): how much they weigh and whether any is said.
        let (mut street_weight, mut street_said) = (0.0f32, false);
        for (i, p) in premise.iter().enumerate() {
            let w = if is_number_token(p) { NUMBER_WEIGHT } else { s.word_idf(p).min(RECALL_CAP) };
            premise_total += w;
            let q =
                used.iter().filter(|(term, _)| term == p).map(|(_, q)| *q).fold(0.0f32, f32::max);
            if i >= street_from && !is_number_token(p) {
                street_weight += w;
                street_said |= q > 0.0;
            }
            if town.contains(p) && self.tokens.iter().filter(|(t, _)| t == p).count() < 2 {
                continue;
            }
            covered += w * q;
        }
        // A street left out whole is one common slip, whatever its length; one said in part is rarer.
        if !street_said {
            premise_total -= STREET_UNSAID_DISCOUNT * street_weight;
        }
        let recall = if premise_total > 0.0 { covered / premise_total } else { precision };
        // F-beta with beta = 0.5: what the query says counts more than what it leaves out.
        let b2 = 0.25;
        let denominator = b2 * precision + recall;
        if denominator == 0.0 { 0.0 } else { (1.0 + b2) * precision * recall / denominator }
    }
}

/// 1.0 for the same postcode. A wrong postcode is most often another unit in the same sector, then one keying
/// slip anywhere, then another sector of the same outward code; the further apart, the lower.
fn postcode_similarity(a: &Postcode, b: &Postcode) -> f32 {
    if a == b {
        return 1.0;
    }
    if a.sector() == b.sector() {
        return PCS_SECTOR;
    }
    if within_one_edit(a.as_str().as_bytes(), b.as_str().as_bytes()) {
        PCS_SLIP
    } else if a.outward() == b.outward() {
        PCS_OUTWARD
    } else if a.district() == b.district() {
        PCS_DISTRICT
    } else if a.area() == b.area() {
        PCS_AREA
    } else {
        0.0
    }
}

/// True when one substitution, insertion or deletion turns `a` into `b` (or they are equal).
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let head = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[head..].iter().skip(1).eq(long[head..].iter().skip(1))
    } else {
        short[head..] == long[head + 1..]
    }
}

/// Text score of an address whose words and numbers the query says exactly, and no others.
const EXACT_TEXT: f32 = 0.999;

/// A best score under this after the wider search's first round asks for a second, on more of the query's words.
const WEAK: f32 = 0.8;

/// Candidates under the stated outward code always considered in the wider search.
const NEAR: usize = 16;
/// Added to the hit score of a candidate under the stated outward code with the query's house number.
const NEAR_NUMBER: f32 = 1.0;
/// Candidates under the stated outward code with the query's house number always considered besides.
const NEAR_NUMBERED: usize = 8;
/// Candidates in the stated sector sharing most query words, always considered besides.
const SECTOR_NEAR: usize = 8;

/// [`postcode_similarity`] of another unit in the same sector (`W1K 1AL` for `W1K 1PZ`).
const PCS_SECTOR: f32 = 0.9;
/// One character off elsewhere (`W1K 2PZ`, `W2K 1PZ`).
const PCS_SLIP: f32 = 0.85;
/// Same outward code, another sector.
const PCS_OUTWARD: f32 = 0.7;
/// Same district, another sub-district (`SW1A`, `SW1W`).
const PCS_DISTRICT: f32 = 0.5;
/// Same area (`SW`).
const PCS_AREA: f32 = 0.3;

/// The best match quality of a query token among terms: exact 1.0, fuzzy less.
fn best_quality<'t>(token: &str, terms: &[&'t str]) -> Option<(f32, &'t str)> {
    if let Some(exact) = terms.iter().find(|t| **t == token) {
        return Some((1.0, exact));
    }
    let mut best: Option<(f32, &'t str)> = None;
    let number = is_number_token(token);
    let edits = if number { 0 } else { allowed_edits(token) as usize };
    for &term in terms {
        let q = if term == token {
            1.0
        } else if number && is_number_token(term) && number_stem(term) == number_stem(token) {
            // `52A` for `52` (a suffix added or dropped): the same building number.
            NUMBER_SUFFIX
        } else if letter_prefixed(token) == Some(term) {
            // `A2` for flat `2`: a block's letter written before the flat number.
            LETTER_PREFIXED
        } else if edits > 0 {
            let d = bounded_levenshtein(token, term, edits);
            if d <= edits {
                0.9 - 0.15 * d as f32
            } else if term.len() > token.len() && term.starts_with(token) {
                // A shortened name (`GREEN` for `GREENACRES`).
                SHORTENED
            } else {
                continue;
            }
        } else {
            continue;
        };
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, term));
        }
    }
    best
}

/// The two premise words that `token` runs together (`MONTAGUELODGE`).
fn joined_words<'p>(token: &str, premise: &'p [String]) -> Option<(&'p str, &'p str)> {
    let splits = |p: &[String]| {
        token.len() == p[0].len() + p[1].len()
            && token.starts_with(p[0].as_str())
            && token.ends_with(p[1].as_str())
    };
    if let Some(pair) = premise.windows(2).find(|p| splits(p)) {
        return Some((pair[0].as_str(), pair[1].as_str()));
    }
    // Premise words are deduplicated, so neighbours in a field may not be neighbours here (`JAMES COURT` after
    // `GREEN COURT`): any second word will do.
    premise.iter().filter(|p| token.len() > p.len() && token.starts_with(p.as_str())).find_map(
        |first| {
            let rest = &token[first.len()..];
            premise
                .iter()
                .find(|p| p.as_str() == rest)
                .map(|second| (first.as_str(), second.as_str()))
        },
    )
}

/// Quality of `A2` for `2`.
const LETTER_PREFIXED: f32 = 0.9;

/// The number of a token that is one letter and then digits (`2` of `A2`).
fn letter_prefixed(t: &str) -> Option<&str> {
    let rest = t.strip_prefix(|c: char| c.is_ascii_alphabetic())?;
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// The leading digits of a number token (`52` of `52A`).
fn number_stem(t: &str) -> &str {
    let end = t.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(t.len());
    &t[..end]
}

/// Quality of a query word that is the start of a longer word in the address.
const SHORTENED: f32 = 0.5;

/// Quality of a number matching with its suffix added or dropped.
const NUMBER_SUFFIX: f32 = 0.6;

/// The words of `input` but those at `skip`, joined again with a comma where the input had one between them.
fn rest_of(input: &str, words: &[&str], skip: &[usize]) -> String {
    let at = |w: &str| w.as_ptr() as usize - input.as_ptr() as usize;
    let mut out = String::new();
    let mut end = 0;
    for (j, w) in words.iter().enumerate().filter(|(j, _)| !skip.contains(j)) {
        if j > 0 && !out.is_empty() {
            out.push_str(if input[end..at(w)].contains(',') { ", " } else { " " });
        }
        out.push_str(w);
        end = at(w) + w.len();
    }
    out
}

/// Finds a postcode in free text (fixing O/0 and I/1), and returns it with the text that is left.
pub(crate) fn extract_postcode(input: &str) -> (Option<Postcode>, String) {
    let words: Vec<&str> =
        input.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    // Try "OUT IN" pairs from the end, then single compact tokens.
    for i in (0..words.len()).rev() {
        if i + 1 < words.len() {
            let pair = format!("{} {}", words[i], words[i + 1]);
            if let Ok(pc) =
                Postcode::parse_fixed(&pair).or_else(|_| Postcode::parse_historic(&pair))
                && pc.inward().len() == 3
            {
                return (Some(pc), rest_of(input, &words, &[i, i + 1]));
            }
        }
        let w = words[i];
        if (5..=7).contains(&w.len())
            && let Ok(pc) = Postcode::parse_fixed(w)
        {
            return (Some(pc), rest_of(input, &words, &[i]));
        }
    }
    (None, input.to_owned())
}

#[cfg(test)]
mod tests {
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
            super::leapfrog(&refs, |v| { got.push(v); true });
            let want: Vec<u32> = a.iter().filter(|v| b.contains(v) && c.contains(v)).copied().collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn leapfrog_stops_when_asked() {
        let all: Vec<u32> = (0..100).collect();
        let evens: Vec<u32> = (0..100).step_by(2).collect();
        let mut seen = Vec::new();
        super::leapfrog(&[&all, &evens], |v| {
            seen.push(v);
            seen.len() < 3
        });
        assert_eq!(seen, [0, 2, 4]);
        assert_eq!(super::seek(&evens, 0, 51), 26);
        assert_eq!(super::seek(&evens, 30, 0), 30);
        assert_eq!(super::seek(&evens, 0, 1000), 50);
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
            let (Some(n), Some(street), Some(pc)) =
                (a.building_number, &a.thoroughfare, a.postcode)
            else {
                continue;
            };
            // The house name added to a numbered address must not carry the match to a named premise on the
            // same street elsewhere (when a house in the same postcode shares words with it, the input is
            // ambiguous, so those postcodes are skipped).
            let name = "The Old School";
            if index.by_postcode(&pc).iter().any(|b| {
                b.building_name
                    .as_deref()
                    .is_some_and(|h| h.contains("OLD") || h.contains("SCHOOL"))
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
        assert_eq!(super::number_stem("52A"), "52");
        assert_eq!(super::number_stem("52"), "52");
        let terms = ["46", "52", "ALBERT", "ROW"];
        let (q, term) = super::best_quality("52A", &terms).unwrap();
        assert_eq!(term, "52");
        assert!(q < 1.0 && q > 0.0);
        assert!(super::best_quality("5", &terms).is_none());
    }

    #[test]
    fn shortened_names_match_weakly() {
        let terms = ["GREENACRES", "HIGH", "STREET"];
        let (q, term) = super::best_quality("GREEN", &terms).unwrap();
        assert_eq!(term, "GREENACRES");
        assert!(q < 0.75);
        // Too short to say anything.
        assert!(super::best_quality("GRE", &terms).is_none());
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
                .map(|p| super::postcode_similarity(&q, &pc(p)))
                .collect();
        assert!(tiers.windows(2).all(|w| w[0] > w[1]), "{tiers:?}");
        assert!(super::within_one_edit(b"W1K 1PZ", b"W1K 2PZ"));
        assert!(super::within_one_edit(b"W1 1PZ", b"W1K 1PZ"));
        assert!(!super::within_one_edit(b"W1K 1PZ", b"W1K 2PA"));
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
        assert_eq!(
            best(&index, "Flat 3, Cornwall Court, Lower Cornwallstreet, London, W1K 2RZ"),
            3
        );
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
        assert_eq!(
            best(&index, "1st Floor Flat 4, Queens Tower, 18, High Street, London, NW1 4SJ"),
            2
        );
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
        rows.extend(
            (1..=200).map(|n| (100 + u64::from(n), "", name(n), Some(n), "ELM ROW", "W2 1AB")),
        );
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
            (1..=50).map(|n| {
                (100 + u64::from(n), "FLAT 1", "ELM TOWER", Some(n), "ELM ROW", "W1J 5AA")
            }),
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
        let street =
            |n: u32| ["LITTLE ELM AVENUE", "CHAPEL ROW", "LOWER ASH AVENUE"][n as usize % 3];
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
            rows.extend((1..=3).map(|n| {
                (1000 + k * 3 + u64::from(n), "", "", Some(n), street.as_str(), "W2 1AB")
            }));
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
            rows.push((
                110 + k,
                flat.as_str(),
                "NORFOLK MANSIONS",
                Some(1),
                "DUKE COURT",
                "NW8 0NH",
            ));
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
            (
                500 + i as u64,
                f.as_str(),
                "LYNDHURST COURT",
                Some(25),
                "WEST BUDDLE COURT",
                "W1T 1HZ",
            )
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
        assert_eq!(super::letter_prefixed("B12"), Some("12"));
        assert_eq!(super::letter_prefixed("12"), None);
        assert_eq!(super::letter_prefixed("AB2"), None);
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
        rows.extend((0..30u32).map(|n| {
            (10 + u64::from(n), "FLAT 2", names[n as usize % 3], None, "OAK ROW", "W1C 2AA")
        }));
        // Another sector: never among the hits.
        rows.push((50, "FLAT 1", "LONDON APARTMENTS", None, "ASH PLACE", "W1C 3AA"));
        let index = with_filler(rows);
        let stated = pc("W1C 2DQ");
        let qt: Vec<String> = super::tokens("FLAT 1 LONDON APARTMENTS LONDON").collect();
        let starts = vec![false; qt.len()];
        let query = super::QueryProfile::new(&index.search, &qt, &starts);
        let hits: Vec<(u32, f32)> = (0..index.rows.len() as u32).map(|d| (d, 1.0)).collect();
        let found = index.sector_hits(&stated, &query, &hits);
        assert_eq!(found.len(), super::SECTOR_NEAR);
        let uprn = |d: u32| index.rows.get(d as usize).map(|r| r.uprn);
        assert_eq!(uprn(found[0].0), Some(1));
        assert!(found.iter().all(|&(d, _)| uprn(d) != Some(50)));
    }
}
