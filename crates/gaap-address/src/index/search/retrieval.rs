//! Matching a messy address: the postcode in the text, and the candidates (the stated postcode's addresses,
//! then the postings of the query's rarest words), each scored by [`super::scoring`].

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use super::model::ScoreModel;
use super::scoring::{QueryProfile, Words};
use crate::index::text::tokens;
use crate::index::{Index, NONE32, Row};
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

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

/// One match in progress: the query, the best candidate so far and the candidates already scored.
struct Matcher<'a> {
    index: &'a Index,
    query: &'a QueryProfile<'a>,
    /// The best (score, doc) so far: a higher score, then a lower doc id, wins.
    best: Option<(f32, u32)>,
    seen: HashSet<u32>,
    buf: Vec<u32>,
}

impl Matcher<'_> {
    /// Scores a candidate once. `row` is given when the caller has it already (a postcode's rows are read in one
    /// run).
    fn consider(&mut self, doc: u32, row: Option<Row>) {
        if !self.seen.insert(doc) {
            return;
        }
        let index = self.index;
        let s = &index.search;
        let Some(row) = row.or_else(|| index.rows.get(doc as usize)) else { return };
        let candidate = index.candidate(&row);
        s.doc_terms(&row, &index.extras, &mut self.buf);
        let text: Vec<&str> = self.buf.iter().filter_map(|&t| s.term(t)).collect();
        let words = Words { ids: &self.buf, text: &text };
        let score = self.query.score_candidate(s, &candidate, &words, || index.materialise(&row));
        if self.best.is_none_or(|(b, bd)| score > b || (score == b && doc < bd)) {
            self.best = Some((score, doc));
        }
    }

    /// Every address in the stated postcode.
    fn in_stated_postcode(&mut self) {
        let index = self.index;
        if let Some(pc) = self.query.stated
            && let Some(r) = index.postcode(&pc)
        {
            for (doc, row) in
                (r.first..).zip(index.rows.iter_from(r.first as usize).take(r.count as usize))
            {
                self.consider(doc, Some(row));
            }
        }
    }

    /// The wider search (no postcode, a wrong one, or a weak match): candidates by the rarest few tokens, exact
    /// or fuzzy.
    fn wider(&mut self, qt: &[String]) {
        let m = &ScoreModel::DEFAULT;
        let index = self.index;
        let s = &index.search;
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
        expanded.retain(|(_, df)| *df <= m.too_common);
        // The rarest three; when the best is still weak, the rarest six, in case an added house name's
        // rare words (`THE BARN`, `THE COACH HOUSE`) crowded out the street's.
        for rarest in [3, 6] {
            if rarest > 3 && (expanded.len() <= 3 || self.best.is_some_and(|(b, _)| b >= m.weak)) {
                break;
            }
            let mut ranked = index.rare_word_hits(&expanded[..rarest.min(expanded.len())]);
            if let Some(q) = self.query.stated {
                for (doc, _) in index.near_stated(&q, self.query, &ranked) {
                    self.consider(doc, None);
                }
                // Among equally good text hits, prefer those nearest the stated postcode (it may carry a typo).
                // Every hit that could still reach the top is weighed: doc order is postcode order, so cutting
                // first would favour postcodes early in the alphabet.
                let top = ranked.iter().map(|(_, h)| *h).fold(0.0f32, f32::max);
                for (doc, h) in &mut ranked {
                    if *h + 0.5 >= top
                        && let Some(d) = index.row_postcode(*doc)
                    {
                        *h += 0.5 * m.postcode_similarity(&q, &d);
                    }
                }
            }
            best_first(&mut ranked, m.wider);
            for (doc, _) in ranked {
                self.consider(doc, None);
            }
        }
    }
}

/// A query's tokens, and which of them start a comma-separated part (`FLAT, 26` is a flat at number 26).
fn query_tokens(rest: &str) -> (Vec<String>, Vec<bool>) {
    let (mut qt, mut starts): (Vec<String>, Vec<bool>) = (Vec::new(), Vec::new());
    for part in rest.split(',') {
        for (k, t) in tokens(part).enumerate() {
            qt.push(t);
            starts.push(k == 0);
        }
    }
    (qt, starts)
}

impl Index {
    /// Matches one messy address string to the best address, with a score in [0, 1].
    #[must_use]
    pub fn match_address(&self, input: &str, options: MatchOptions) -> MatchResult {
        let m = &ScoreModel::DEFAULT;
        let (stated, rest) = extract_postcode(input);
        let (qt, starts) = query_tokens(&rest);
        let query = QueryProfile::new(&self.search, &qt, &starts, stated, m);
        let mut matcher = Matcher {
            index: self,
            query: &query,
            best: None,
            seen: HashSet::new(),
            buf: Vec::with_capacity(32),
        };
        matcher.in_stated_postcode();
        // A confident answer inside the stated postcode ends the search.
        if matcher.best.is_none_or(|(b, _)| b < m.confident) {
            matcher.wider(&qt);
        }
        let uprn = |doc: u32| self.rows.get(doc as usize).map(|r| Uprn::checked_before(r.uprn));
        match matcher.best.and_then(|(score, doc)| Some((score, uprn(doc)?))) {
            Some((score, uprn)) => MatchResult {
                uprn: (score >= options.threshold).then_some(uprn),
                best: Some(uprn),
                score,
            },
            None => MatchResult { uprn: None, best: None, score: 0.0 },
        }
    }

    /// Addresses sharing the given rare query words, with their summed idf-weighted match quality.
    fn rare_word_hits(&self, expanded: &[(HashMap<u32, f32>, usize)]) -> Vec<(u32, f32)> {
        let s = &self.search;
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
        hits.into_iter().collect()
    }

    /// The best few hits under the stated outward code, though rarer words (an added house name) match more
    /// elsewhere, then those with the query's house number, then the sector's best by shared words.
    fn near_stated(
        &self,
        q: &Postcode,
        query: &QueryProfile<'_>,
        ranked: &[(u32, f32)],
    ) -> Vec<(u32, f32)> {
        let m = &ScoreModel::DEFAULT;
        let (lo, hi) = self.postcode_prefix_docs(q.outward());
        // The query's house number breaks ties among a street's addresses.
        let numbers: Vec<u32> =
            query.others.iter().filter_map(|t| t.parse().ok()).filter(|&n| n != NONE32).collect();
        let mut near: Vec<(u32, f32)> = Vec::new();
        // Those with the query's house number also get slots of their own, however many others match
        // rarer words (an added house name common nearby).
        let mut numbered: Vec<(u32, f32)> = Vec::new();
        for &(d, h) in ranked.iter().filter(|(d, _)| (lo..hi).contains(d)) {
            let row = self.rows.get(d as usize);
            if row.is_some_and(|r| numbers.contains(&r.building_number)) {
                near.push((d, h + m.near_number));
                // Nearer the stated postcode first, among equal text hits (a block's flats share them).
                let pc = row.and_then(|r| self.postcode_of(&r));
                let pcs = pc.map_or(0.0, |p| m.postcode_similarity(q, &p));
                numbered.push((d, h + pcs));
            } else {
                near.push((d, h));
            }
        }
        best_first(&mut near, m.near);
        best_first(&mut numbered, m.near_numbered);
        near.extend(numbered);
        near.extend(self.sector_hits(q, query, ranked));
        near
    }

    /// The hits in the stated postcode's sector that share most of the query's words, common words too: `FLAT 1
    /// LONDON APARTMENTS` among a sector's hundred `APARTMENTS` when the stated unit is wrong.
    pub(super) fn sector_hits(
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
        best_first(&mut sector, ScoreModel::DEFAULT.sector_near);
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
}

/// Hashes a doc id with one multiplication: ids are ours, not an attacker's.
#[derive(Default)]
pub(super) struct IdHasher(u64);

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
pub(super) fn best_first(hits: &mut Vec<(u32, f32)>, n: usize) {
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if hits.len() > n {
        hits.select_nth_unstable_by(n, order);
        hits.truncate(n);
    }
    hits.sort_unstable_by(order);
}

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
