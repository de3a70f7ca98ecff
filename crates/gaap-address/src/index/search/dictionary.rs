//! The term dictionary: building the terms and postings, and expanding a query token into terms (exact,
//! prefix, fuzzy, or two words run together).

use std::collections::HashMap;

use fst::automaton::{Automaton, Str};
use fst::{IntoStreamer, Map, MapBuilder, Streamer};

use super::{SearchIndex, TERM_FIELDS};
use crate::index::strings::StringTable;
use crate::index::text::{allowed_edits, bounded_levenshtein, is_number_token, tokens};
use crate::index::{Extra, NONE32, PostcodeRecord, Row, WELSH_FIELDS, extra};

/// Most terms a prefix or fuzzy expansion may produce.
const MAX_EXPANSION: usize = 20_000;

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

    /// Terms matching a query token, with a quality in (0, 1].
    pub(super) fn expand(&self, token: &str, prefix: bool) -> HashMap<u32, f32> {
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
    pub(super) fn split_joined(&self, token: &str) -> HashMap<u32, f32> {
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

/// The term dictionary over terms in strictly ascending order; the value is the term id.
pub(crate) fn dictionary(terms: &StringTable) -> Result<Map<Vec<u8>>, fst::Error> {
    let mut b = MapBuilder::memory();
    for id in 1..=terms.len() as u32 {
        b.insert(terms.get(id).unwrap_or_default(), u64::from(id - 1))?;
    }
    b.into_inner().and_then(Map::new)
}

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
