//! Building an [`Index`]: addresses become compact rows as they arrive, so memory grows by about 100 bytes
//! per address (plus each distinct string once), not by the size of an [`Address`].

use std::collections::HashMap;

use super::search::SearchIndex;
use super::sources::PendingSources;
use super::strings::Interner;
use super::{
    Extra, Grid, Index, NONE32, PostcodeInfo, PostcodeRecord, Row, WELSH_FIELDS, coordinates,
    extra, field,
};
use crate::rules::geo::Coordinates;
use crate::types::address::{Address, Language, twin_names, twin_roles};
use crate::types::postcode::Postcode;
use crate::types::source::SourceRecord;

/// Collects addresses and postcodes, then builds an [`Index`].
#[derive(Default)]
pub struct IndexBuilder {
    strings: Interner,
    rows: Vec<Row>,
    extras: Vec<Extra>,
    slots: HashMap<Postcode, u32>,
    postcodes: Vec<(Postcode, PostcodeInfo)>,
    sources: PendingSources,
}

impl std::fmt::Debug for IndexBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexBuilder")
            .field("addresses", &self.rows.len())
            .field("postcodes", &self.postcodes.len())
            .field("strings", &self.strings.table.len())
            .field("source_records", &self.sources.len())
            .finish_non_exhaustive()
    }
}

impl IndexBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&mut self, postcode: Postcode) -> u32 {
        let next = self.postcodes.len() as u32;
        let slot = *self.slots.entry(postcode).or_insert(next);
        if slot == next {
            self.postcodes.push((postcode, PostcodeInfo::default()));
        }
        slot
    }

    /// Adds an address. Duplicate UPRNs are merged at build time (a `CY` twin fills in the Welsh names).
    #[allow(
        clippy::needless_pass_by_value,
        reason = "callers hand over records they are done with"
    )]
    pub fn add_address(&mut self, address: Address) {
        self.add(&address);
    }

    /// Adds an address with the records it was made from, kept verbatim (see [`SourceRecord`]). When UPRNs are
    /// merged at build time, the merged address keeps every record of every duplicate, in ordinal order, less
    /// any with the same view and fields as one before it. The address itself is added as by
    /// [`IndexBuilder::add_address`], so the records change nothing else in the index.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "callers hand over records they are done with"
    )]
    pub fn add_address_with_sources(&mut self, address: Address, sources: Vec<SourceRecord>) {
        self.add(&address);
        for record in &sources {
            self.sources.add(address.uprn.get(), record);
        }
    }

    fn add(&mut self, a: &Address) {
        let postcode = a.postcode.map_or(NONE32, |p| self.slot(p));
        let s = &mut self.strings;
        let text = [
            &a.organisation,
            &a.sub_building,
            &a.building_name,
            &a.dependent_thoroughfare,
            &a.thoroughfare,
            &a.double_dependent_locality,
            &a.dependent_locality,
            &a.post_town,
            &a.classification,
            &a.gss_code,
        ]
        .map(|f| s.id(f.as_deref()));
        let mut x = Extra::default();
        x.text[extra::DEPARTMENT] = s.id(a.department.as_deref());
        x.text[extra::PO_BOX] = s.id(a.po_box.as_deref());
        if let Language::Unknown(code) = &a.language {
            x.text[extra::LANGUAGE] = s.id(Some(code));
        }
        if let Some(w) = &a.welsh {
            let names = [
                &w.dependent_thoroughfare,
                &w.thoroughfare,
                &w.double_dependent_locality,
                &w.dependent_locality,
                &w.post_town,
            ];
            for (k, name) in names.into_iter().enumerate() {
                x.text[extra::WELSH + k] = s.id(name.as_deref());
            }
        }
        let plain = a.building_number_suffix.is_none()
            && a.building_number_end.is_none()
            && a.building_number_end_suffix.is_none();
        if !plain {
            x.text[extra::NUMBER] = s.id(a.number_label().as_deref());
        }
        if let Some(ll) = a.source_lat_lng {
            (x.lat, x.lng) = (ll.lat, ll.lng);
        }
        let has_extra = x.text.iter().any(|&t| t != 0) || !x.lat.is_nan() || !x.lng.is_nan();
        let extra = if has_extra {
            self.extras.push(x);
            self.extras.len() as u32 - 1
        } else {
            NONE32
        };
        let (easting, northing) =
            a.coordinates.map_or((f64::NAN, f64::NAN), |c| (c.easting, c.northing));
        self.rows.push(Row {
            uprn: a.uprn.get(),
            parent_uprn: a.parent_uprn.map_or(0, |u| u.get()),
            easting,
            northing,
            udprn: a.udprn.unwrap_or(NONE32),
            postcode,
            building_number: a.building_number.unwrap_or(NONE32),
            text,
            extra,
            custodian: a.local_custodian_code.unwrap_or(u16::MAX),
            language: match a.language {
                Language::En => 0,
                Language::Cy => 1,
                Language::Unknown(_) => 2,
            },
        });
    }

    /// Adds postcode facts; later calls fill in fields still missing.
    pub fn add_postcode(&mut self, postcode: Postcode, info: PostcodeInfo) {
        let slot = self.slot(postcode) as usize;
        let Some((_, entry)) = self.postcodes.get_mut(slot) else { return };
        if entry.coordinates.is_none() {
            entry.coordinates = info.coordinates;
        }
        if entry.admin_district.is_none() {
            entry.admin_district = info.admin_district;
        }
        if entry.ward.is_none() {
            entry.ward = info.ward;
        }
    }

    /// Addresses added so far (before de-duplication).
    #[must_use]
    pub fn address_count(&self) -> usize {
        self.rows.len()
    }

    /// Builds the index: de-duplicates by UPRN (English record kept, Welsh merged in), sorts by postcode and
    /// premise, and builds the search structures.
    #[must_use]
    pub fn build(self) -> Index {
        let Self { strings, rows, mut extras, slots, mut postcodes, sources } = self;
        drop(slots);
        let rows = dedupe(rows, &mut extras);
        for r in &rows {
            if let Some((_, info)) = postcodes.get_mut(r.postcode as usize)
                && info.admin_district.is_none()
            {
                info.admin_district = strings.table.get(r.text[field::GSS_CODE]).map(str::to_owned);
            }
        }
        // Postcode slots in postcode order.
        let mut slot_to_record = vec![NONE32; postcodes.len()];
        let mut sorted: Vec<(Postcode, PostcodeInfo, u32)> = postcodes
            .into_iter()
            .enumerate()
            .map(|(slot, (postcode, info))| (postcode, info, slot as u32))
            .collect();
        sorted.sort_unstable_by_key(|x| x.0);
        let mut records: Vec<PostcodeRecord> = Vec::with_capacity(sorted.len());
        for (record, (postcode, info, slot)) in sorted.into_iter().enumerate() {
            slot_to_record[slot as usize] = record as u32;
            records.push(PostcodeRecord {
                postcode,
                coordinates: info.coordinates,
                admin_district: info.admin_district,
                ward: info.ward,
                first: 0,
                count: 0,
            });
        }
        let strings = strings.finish();
        let mut rows = rows;
        for r in &mut rows {
            if let Some(&record) = slot_to_record.get(r.postcode as usize) {
                r.postcode = record;
            }
        }
        let rows = premise_order(rows, &strings);
        link_postcodes(&rows, &mut records);
        let search = SearchIndex::build(&rows, &extras, &strings, &records);
        let mut by_uprn: Vec<u32> = (0..rows.len() as u32).collect();
        by_uprn.sort_unstable_by_key(|&i| rows[i as usize].uprn);
        let address_grid = Grid::build(
            rows.iter()
                .enumerate()
                .filter_map(|(i, r)| Some((i as u32, coordinates(r.easting, r.northing)?))),
        );
        let postcode_grid = Grid::build(
            records.iter().enumerate().filter_map(|(i, p)| Some((i as u32, p.coordinates?))),
        );
        let sources = sources.finish(|uprn| {
            let at = by_uprn.binary_search_by(|&i| rows[i as usize].uprn.cmp(&uprn)).ok()?;
            by_uprn.get(at).copied()
        });
        Index {
            strings,
            rows: super::rows::Rows::pack(&rows),
            extras,
            postcode_ids: super::postcode_ids(&records),
            postcodes: records,
            by_uprn,
            address_grid,
            postcode_grid,
            search,
            sources,
        }
    }
}

/// One row per UPRN: the first English (or non-Welsh) record is kept, and the first Welsh twin's locality
/// names are merged into it where they differ. Rows stay in the order they were added.
fn dedupe(rows: Vec<Row>, extras: &mut Vec<Extra>) -> Vec<Row> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_unstable_by_key(|&i| (rows[i as usize].uprn, i));
    let mut keep = vec![false; rows.len()];
    let mut merged: Vec<(u32, Row)> = Vec::new();
    let mut start = 0usize;
    while start < order.len() {
        let uprn = rows[order[start] as usize].uprn;
        let mut end = start + 1;
        while end < order.len() && rows[order[end] as usize].uprn == uprn {
            end += 1;
        }
        let group = &order[start..end];
        let Some((kept, twin)) = twin_roles(group, |i| rows[i as usize].language == 1) else {
            start = end;
            continue;
        };
        keep[kept as usize] = true;
        let has_welsh = |r: &Row| {
            extras.get(r.extra as usize).is_some_and(|x| {
                x.text[extra::WELSH..extra::WELSH + WELSH_FIELDS.len()].iter().any(|&t| t != 0)
            })
        };
        if let Some(cy) = twin
            && !has_welsh(&rows[kept as usize])
        {
            let mut row = rows[kept as usize];
            let twin = rows[cy as usize];
            let names: [u32; 5] =
                twin_names(WELSH_FIELDS.map(|f| &row.text[f]), WELSH_FIELDS.map(|f| &twin.text[f]));
            if names.iter().any(|&t| t != 0) {
                let mut x = extras.get(row.extra as usize).copied().unwrap_or_default();
                x.text[extra::WELSH..extra::WELSH + 5].copy_from_slice(&names);
                if row.extra == NONE32 {
                    extras.push(x);
                    row.extra = extras.len() as u32 - 1;
                } else if let Some(slot) = extras.get_mut(row.extra as usize) {
                    *slot = x;
                }
                merged.push((kept, row));
            }
        }
        start = end;
    }
    drop(order);
    let mut rows = rows;
    for (i, row) in merged {
        rows[i as usize] = row;
    }
    let mut i = 0usize;
    rows.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    rows
}

/// Sorts rows by postcode, then street, then number, then building name, then sub-building (numbers inside
/// names compared as numbers, so `FLAT 2` comes before `FLAT 10`), then UPRN.
fn premise_order(rows: Vec<Row>, strings: &super::strings::StringTable) -> Vec<Row> {
    let n = strings.len();
    let mut ids: Vec<u32> = (1..=n as u32).collect();
    ids.sort_unstable_by(|&a, &b| strings.get(a).cmp(&strings.get(b)));
    let mut lex = vec![0u32; n + 1];
    for (rank, &id) in ids.iter().enumerate() {
        lex[id as usize] = rank as u32 + 1;
    }
    let mut named = vec![false; n + 1];
    for r in &rows {
        named[r.text[field::BUILDING_NAME] as usize] = true;
        named[r.text[field::SUB_BUILDING] as usize] = true;
    }
    let mut keyed: Vec<(Vec<(String, u64)>, u32)> = (1..=n as u32)
        .filter(|&id| named[id as usize])
        .map(|id| (natural(strings.get(id).unwrap_or_default()), id))
        .collect();
    keyed.sort_unstable();
    let mut nat = vec![0u32; n + 1];
    let mut rank = 0u32;
    for (i, (key, id)) in keyed.iter().enumerate() {
        if i == 0 || keyed[i - 1].0 != *key {
            rank += 1;
        }
        nat[*id as usize] = rank;
    }
    drop(keyed);
    let plus_one = |v: u32| if v == NONE32 { 0 } else { u64::from(v) + 1 };
    let mut keys: Vec<([u64; 4], u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = |k: usize| r.text[k] as usize;
            (
                [
                    (plus_one(r.postcode) << 32) | u64::from(lex[t(field::THOROUGHFARE)]),
                    plus_one(r.building_number),
                    (u64::from(nat[t(field::BUILDING_NAME)]) << 32)
                        | u64::from(nat[t(field::SUB_BUILDING)]),
                    r.uprn,
                ],
                i as u32,
            )
        })
        .collect();
    keys.sort_unstable();
    let sorted = keys.into_iter().map(|(_, i)| rows[i as usize]).collect();
    drop(rows);
    sorted
}

/// A sort key that orders `FLAT 2` before `FLAT 10`.
fn natural(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(num.unwrap_or(0).saturating_mul(10).saturating_add(u64::from(d)));
        } else {
            if let Some(n) = num.take() {
                out.push((std::mem::take(&mut text), n));
            }
            text.push(c);
        }
    }
    out.push((text, num.unwrap_or(0)));
    out
}

fn link_postcodes(rows: &[Row], records: &mut [PostcodeRecord]) {
    let mut i = 0usize;
    while i < rows.len() {
        let pc = rows[i].postcode;
        let start = i;
        let (mut e, mut n, mut k) = (0.0f64, 0.0f64, 0usize);
        while i < rows.len() && rows[i].postcode == pc {
            if let Some(c) = coordinates(rows[i].easting, rows[i].northing) {
                e += c.easting;
                n += c.northing;
                k += 1;
            }
            i += 1;
        }
        if let Some(r) = records.get_mut(pc as usize) {
            r.first = start as u32;
            r.count = (i - start) as u32;
            if r.coordinates.is_none() && k > 0 {
                r.coordinates = Some(Coordinates::new(e / k as f64, n / k as f64));
            }
        }
    }
}
