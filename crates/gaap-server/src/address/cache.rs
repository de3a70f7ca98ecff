//! Rendered OS Places answers, kept by their query for the index in service. A lookup answer depends only
//! on the query and the index, so a repeated one is sent again as it was rendered; a reload starts a new
//! generation and the old answers are dropped. The cache holds at most its budget of bytes; past it, a
//! victim is drawn at random (a cyclic sweep over slightly more answers than fit would miss every time under
//! oldest-out-first). Key checks and rate limits run before it, so a cached answer costs a key the same as any
//! other.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// What an entry costs beyond its key and body: the map and queue slots.
const ENTRY_OVERHEAD: usize = 96;

/// One rendered answer.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub(crate) body: Bytes,
    pub(crate) xml: bool,
}

impl IntoResponse for Rendered {
    fn into_response(self) -> Response {
        let kind = if self.xml { "application/xml; charset=utf-8" } else { "application/json" };
        ([(header::CONTENT_TYPE, HeaderValue::from_static(kind))], self.body).into_response()
    }
}

#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    used: usize,
    map: HashMap<Box<str>, Rendered>,
    keys: VecDeque<Box<str>>,
    /// The state of the victim draw (xorshift).
    draw: u64,
}

impl Inner {
    /// A key's position to evict: uniform enough over the keys, and never the same sequence twice in a row.
    fn victim(&mut self) -> usize {
        let mut x = self.draw | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.draw = x;
        (x % self.keys.len().max(1) as u64) as usize
    }
}

/// The cache; a budget of 0 turns it off.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    budget: usize,
    inner: Mutex<Inner>,
}

impl Cache {
    pub(crate) fn new(budget_bytes: usize) -> Self {
        Self { budget: budget_bytes, inner: Mutex::new(Inner::default()) }
    }

    fn cost(key: &str, value: &Rendered) -> usize {
        key.len() + value.body.len() + ENTRY_OVERHEAD
    }

    /// The answer rendered for `key` on index `generation`.
    pub(crate) fn get(&self, generation: u64, key: &str) -> Option<Rendered> {
        if self.budget == 0 {
            return None;
        }
        let inner = self.inner.lock().ok()?;
        if inner.generation != generation {
            return None;
        }
        inner.map.get(key).cloned()
    }

    /// Keeps an answer, dropping the oldest ones past the budget, and everything of an older generation.
    pub(crate) fn put(&self, generation: u64, key: &str, value: Rendered) {
        let cost = Self::cost(key, &value);
        if cost > self.budget / 4 {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else { return };
        if inner.generation != generation {
            if generation < inner.generation {
                return;
            }
            *inner = Inner { generation, draw: inner.draw, ..Inner::default() };
        }
        if inner.map.contains_key(key) {
            return;
        }
        while inner.used + cost > self.budget && !inner.keys.is_empty() {
            let at = inner.victim();
            let Some(old) = inner.keys.swap_remove_back(at) else { break };
            if let Some(v) = inner.map.remove(&old) {
                inner.used -= Self::cost(&old, &v);
            }
        }
        inner.used += cost;
        inner.keys.push_back(key.into());
        inner.map.insert(key.into(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: usize) -> Rendered {
        Rendered { body: Bytes::from(vec![b'x'; n]), xml: false }
    }

    #[test]
    fn keeps_answers_within_the_budget() {
        let c = Cache::new(4 * (100 + ENTRY_OVERHEAD + 1));
        for k in ["a", "b", "c", "d"] {
            c.put(1, k, r(100));
        }
        assert!(["a", "b", "c", "d"].iter().all(|k| c.get(1, k).is_some()));
        c.put(1, "e", r(100));
        let kept = ["a", "b", "c", "d", "e"].iter().filter(|k| c.get(1, k).is_some()).count();
        assert_eq!(kept, 4, "one went to make room");
        assert!(c.get(1, "e").is_some(), "the new one is in");
        assert!(c.get(2, "e").is_none(), "another generation sees nothing");
        c.put(2, "f", r(100));
        assert!(
            c.get(2, "b").is_none() && c.get(2, "f").is_some(),
            "a new generation starts empty"
        );
        c.put(1, "late", r(10));
        assert!(c.get(1, "late").is_none(), "an answer from an older index is not kept");
        c.put(2, "huge", r(10_000));
        assert!(c.get(2, "huge").is_none(), "one answer may not take more than a quarter");
    }

    #[test]
    fn a_sweep_over_more_than_fits_still_hits() {
        let c = Cache::new(100 * (100 + ENTRY_OVERHEAD + 2));
        let keys: Vec<String> = (0..120).map(|i| format!("k{i}")).collect();
        let mut hits = 0;
        for _ in 0..20 {
            for k in &keys {
                if c.get(1, k).is_some() {
                    hits += 1;
                } else {
                    c.put(1, k, r(100));
                }
            }
        }
        assert!(hits > 20 * 120 / 2, "{hits} hits: random eviction keeps most of a sweep");
    }

    #[test]
    fn a_zero_budget_keeps_nothing() {
        let c = Cache::new(0);
        c.put(1, "a", r(1));
        assert!(c.get(1, "a").is_none());
    }
}
