//! Source records ([`SourceRecord`]) held compactly: few addresses have them (only those loaded from OS Places),
//! so they live apart from the rows, keyed by row id, with their keys and values interned in a string table of
//! their own (the main table, and so the search terms, never see them).
//!
//! A value is one `u32`: the low two bits are its kind and the rest a number. Kind 0 is a constant (0 `null`,
//! 1 `false`, 2 `true`); kinds 1, 2 and 3 are a string id for a JSON string, a JSON number's text and an
//! array or object's JSON text.

use std::collections::HashSet;

use super::strings::{Interner, StringTable};
use crate::types::source::{RecordView, SourceRecord, SourceValue, parse_number};

const KIND_CONSTANT: u32 = 0;
const KIND_TEXT: u32 = 1;
const KIND_NUMBER: u32 = 2;
const KIND_JSON: u32 = 3;
const NULL: u32 = 0;
const FALSE: u32 = 1 << 2;
const TRUE: u32 = 2 << 2;
/// The largest string id a value can hold.
const MAX_ID: u32 = u32::MAX >> 2;

fn view_code(view: RecordView) -> u8 {
    match view {
        RecordView::Dpa => 0,
        RecordView::Lpi => 1,
    }
}

fn view_of(code: u8) -> Option<RecordView> {
    match code {
        0 => Some(RecordView::Dpa),
        1 => Some(RecordView::Lpi),
        _ => None,
    }
}

/// The source records of an index: a sparse CSR from row ids to records, and from records to fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sources {
    /// Keys, texts and numbers.
    pub(crate) strings: StringTable,
    /// Row ids that have records, ascending.
    pub(crate) rows: Vec<u32>,
    /// The first record of each of `rows`, and the record count at the end.
    pub(crate) row_start: Vec<u32>,
    /// Each record's view (0 DPA, 1 LPI).
    pub(crate) views: Vec<u8>,
    /// Each record's ordinal.
    pub(crate) ordinals: Vec<u32>,
    /// The first field of each record, and the field count at the end.
    pub(crate) field_start: Vec<u32>,
    /// Each field's key (a string id).
    pub(crate) keys: Vec<u32>,
    /// Each field's value (see the module docs).
    pub(crate) values: Vec<u32>,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            strings: StringTable::default(),
            rows: Vec::new(),
            row_start: vec![0],
            views: Vec::new(),
            ordinals: Vec::new(),
            field_start: vec![0],
            keys: Vec::new(),
            values: Vec::new(),
        }
    }
}

fn starts_ok(starts: &[u32], items: usize, end: usize) -> bool {
    starts.len() == items + 1
        && starts.first() == Some(&0)
        && starts.last().is_some_and(|&e| e as usize == end)
        && starts.windows(2).all(|w| w[0] <= w[1])
}

impl Sources {
    /// Number of records.
    pub(crate) fn len(&self) -> usize {
        self.views.len()
    }

    /// True when the arrays agree with each other, every row id is below `n_rows`, every string id is known
    /// and every number's text is a JSON number.
    pub(crate) fn is_consistent(&self, n_rows: usize) -> bool {
        let n_strings = self.strings.len();
        let n = self.views.len();
        let value_ok = |v: u32| {
            let (id, kind) = (v >> 2, v & 3);
            match kind {
                KIND_CONSTANT => v <= TRUE,
                KIND_NUMBER => self.strings.get(id).is_some_and(|t| parse_number(t).is_some()),
                _ => id != 0 && (id as usize) <= n_strings,
            }
        };
        self.rows.windows(2).all(|w| w[0] < w[1])
            && self.rows.last().is_none_or(|&r| (r as usize) < n_rows)
            && starts_ok(&self.row_start, self.rows.len(), n)
            && self.ordinals.len() == n
            && self.views.iter().all(|&v| view_of(v).is_some())
            && starts_ok(&self.field_start, n, self.keys.len())
            && self.values.len() == self.keys.len()
            && self.keys.iter().all(|&k| k != 0 && (k as usize) <= n_strings)
            && self.values.iter().all(|&v| value_ok(v))
    }

    /// The records of row `row`, in ordinal order (empty when none).
    pub(crate) fn of_row(&self, row: u32) -> Vec<SourceRecord> {
        let Ok(i) = self.rows.binary_search(&row) else { return Vec::new() };
        let (Some(&start), Some(&end)) = (self.row_start.get(i), self.row_start.get(i + 1)) else {
            return Vec::new();
        };
        (start..end).filter_map(|r| self.record(r as usize)).collect()
    }

    fn record(&self, r: usize) -> Option<SourceRecord> {
        let view = view_of(*self.views.get(r)?)?;
        let ordinal = *self.ordinals.get(r)?;
        let (start, end) =
            (*self.field_start.get(r)? as usize, *self.field_start.get(r + 1)? as usize);
        let keys = self.keys.get(start..end)?;
        let values = self.values.get(start..end)?;
        let fields = keys
            .iter()
            .zip(values)
            .filter_map(|(&k, &v)| Some((self.strings.get(k)?.to_owned(), self.value(v)?)))
            .collect();
        Some(SourceRecord { view, ordinal, fields })
    }

    fn value(&self, v: u32) -> Option<SourceValue> {
        let text = || self.strings.get(v >> 2).map(str::to_owned);
        Some(match (v & 3, v) {
            (KIND_CONSTANT, NULL) => SourceValue::Null,
            (KIND_CONSTANT, FALSE) => SourceValue::Bool(false),
            (KIND_CONSTANT, TRUE) => SourceValue::Bool(true),
            (KIND_TEXT, _) => SourceValue::Text(text()?),
            (KIND_NUMBER, _) => SourceValue::Number(text()?),
            (KIND_JSON, _) => SourceValue::Json(text()?),
            _ => return None,
        })
    }
}

/// A record waiting for the build: its fields are in [`PendingSources::fields`].
#[derive(Debug)]
struct Pending {
    uprn: u64,
    ordinal: u32,
    view: u8,
    start: usize,
    end: usize,
}

/// Source records as they arrive in an [`IndexBuilder`](super::IndexBuilder), interned at once.
#[derive(Debug, Default)]
pub(crate) struct PendingSources {
    strings: Interner,
    records: Vec<Pending>,
    /// (key, value) of every record's fields, in order.
    fields: Vec<(u32, u32)>,
}

impl PendingSources {
    /// Number of records added.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Adds a record of the address with this UPRN. A [`SourceValue::Number`] whose text is not a JSON number
    /// is kept as [`SourceValue::Text`], so a saved index always holds valid numbers.
    pub(crate) fn add(&mut self, uprn: u64, record: &SourceRecord) {
        let start = self.fields.len();
        for (key, value) in &record.fields {
            let key = self.strings.id(Some(key));
            let (kind, id) = match value {
                SourceValue::Null => (KIND_CONSTANT, 0),
                SourceValue::Bool(b) => (KIND_CONSTANT, if *b { 2 } else { 1 }),
                SourceValue::Text(t) => (KIND_TEXT, self.strings.id(Some(t))),
                SourceValue::Number(t) if parse_number(t).is_some() => {
                    (KIND_NUMBER, self.strings.id(Some(t)))
                }
                SourceValue::Number(t) => (KIND_TEXT, self.strings.id(Some(t))),
                SourceValue::Json(t) => (KIND_JSON, self.strings.id(Some(t))),
            };
            if id > MAX_ID || key > MAX_ID {
                // Over a billion distinct strings: the record cannot be held, so it is left out whole.
                self.fields.truncate(start);
                return;
            }
            self.fields.push((key, (id << 2) | kind));
        }
        let end = self.fields.len();
        let view = view_code(record.view);
        self.records.push(Pending { uprn, ordinal: record.ordinal, view, start, end });
    }

    /// The finished records. `row_of` gives the row id of a UPRN in the built index. Each row's records are put
    /// in ordinal order, and a record with the same view and fields as an earlier one of the same UPRN is
    /// dropped (the same response loaded twice).
    pub(crate) fn finish(self, row_of: impl Fn(u64) -> Option<u32>) -> Sources {
        let Self { strings, records, fields } = self;
        let mut order: Vec<u32> = (0..records.len() as u32).collect();
        order.sort_unstable_by_key(|&i| {
            let r = &records[i as usize];
            (r.uprn, r.ordinal, i)
        });
        // (row id, record index), rows in UPRN order for now.
        let mut kept: Vec<(u32, u32)> = Vec::with_capacity(order.len());
        let mut seen: HashSet<(u8, &[(u32, u32)])> = HashSet::new();
        let mut last_uprn = None;
        let mut row = None;
        for &i in &order {
            let r = &records[i as usize];
            if last_uprn != Some(r.uprn) {
                last_uprn = Some(r.uprn);
                row = row_of(r.uprn);
                seen.clear();
            }
            let Some(row) = row else { continue };
            let Some(body) = fields.get(r.start..r.end) else { continue };
            if seen.insert((r.view, body)) {
                kept.push((row, i));
            }
        }
        drop(seen);
        // Stable, so each row's records stay in ordinal order.
        kept.sort_by_key(|&(row, _)| row);
        let mut out = Sources { strings: strings.finish(), ..Sources::default() };
        for (row, i) in kept {
            let r = &records[i as usize];
            let Some(body) = fields.get(r.start..r.end) else { continue };
            let Ok(total) = u32::try_from(out.keys.len() + body.len()) else { break };
            if out.rows.last() != Some(&row) {
                out.rows.push(row);
                out.row_start.push(out.row_start.last().copied().unwrap_or(0));
            }
            out.views.push(r.view);
            out.ordinals.push(r.ordinal);
            out.keys.extend(body.iter().map(|&(k, _)| k));
            out.values.extend(body.iter().map(|&(_, v)| v));
            out.field_start.push(total);
            if let Some(last) = out.row_start.last_mut() {
                *last += 1;
            }
        }
        out
    }
}
