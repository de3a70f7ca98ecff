//! Typeahead: every query token must match; candidates are visited in rank order and the scan stops once
//! nothing later can enter the top results.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use serde::Serialize;

use crate::index::Index;
use crate::index::text::tokens;
use crate::types::address::Address;

/// Most postings a typeahead query visits before it stops looking for more candidates.
const MAX_SCAN: usize = 200_000;

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

impl Index {
    /// Free-text typeahead: every token must match (the last one as a prefix), with typo tolerance.
    #[must_use]
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_with(query, limit, true)
    }

    /// [`Index::search`]; `early` stops the rank-order scan once nothing later can enter the top `limit`
    /// (turned off only by tests, to check that stopping early changes no result).
    pub(super) fn search_with(&self, query: &str, limit: usize, early: bool) -> Vec<SearchHit> {
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
}

/// Calls `visit` with each value in every list (all sorted ascending), in ascending order, until it returns
/// false.
pub(super) fn leapfrog(lists: &[&[u32]], mut visit: impl FnMut(u32) -> bool) {
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
pub(super) fn seek(list: &[u32], from: usize, target: u32) -> usize {
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
