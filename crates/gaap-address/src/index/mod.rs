//! The in-process address index: postcode, UPRN and nearest lookups, typeahead search and batch matching.
//!
//! Addresses are held as rows of interned string ids, packed as deltas in blocks of eight (about 12 bytes an
//! address, whatever the text), so a national index of 30 million addresses fits in about 2 GB; [`Address`]
//! values are made on demand for the few rows a lookup returns. Addresses loaded from OS Places also keep the
//! records they came from, verbatim ([`Index::source_records`]), apart from the rows.

mod build;
mod load;
mod rows;
mod search;
mod sources;
mod store;
mod strings;
pub(crate) mod text;

use std::collections::HashMap;

use serde::Serialize;

use crate::rules::geo::{Coordinates, LatLng};
use crate::types::address::{Address, Language, NumberLabel, WelshNames};
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

pub use crate::types::source::{RecordView, SourceRecord, SourceValue};
pub use build::IndexBuilder;
pub use load::{EXAMPLES_PER_KIND, InputFormat, LoadNote, LoadReport, Loader, NoteKind};
pub(crate) use search::SearchIndex;
pub use search::{MatchOptions, MatchResult, SearchHit};
use strings::StringTable;

/// One postcode in the index, with or without addresses (Code-Point Open gives postcodes only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostcodeRecord {
    /// The postcode.
    pub postcode: Postcode,
    /// Its grid position (Code-Point centroid, or the mean of its addresses).
    pub coordinates: Option<Coordinates>,
    /// GSS code of the local authority district (`E09000033`).
    pub admin_district: Option<String>,
    /// GSS code of the electoral ward.
    pub ward: Option<String>,
    #[serde(skip)]
    pub(crate) first: u32,
    #[serde(skip)]
    pub(crate) count: u32,
}

/// Postcode facts to add alongside addresses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostcodeInfo {
    /// Grid position.
    pub coordinates: Option<Coordinates>,
    /// GSS code of the local authority district.
    pub admin_district: Option<String>,
    /// GSS code of the ward.
    pub ward: Option<String>,
}

pub(crate) const NONE32: u32 = u32::MAX;

/// Positions of a row's common text fields in [`Row::text`].
pub(crate) mod field {
    pub(crate) const ORGANISATION: usize = 0;
    pub(crate) const SUB_BUILDING: usize = 1;
    pub(crate) const BUILDING_NAME: usize = 2;
    pub(crate) const DEPENDENT_THOROUGHFARE: usize = 3;
    pub(crate) const THOROUGHFARE: usize = 4;
    pub(crate) const DOUBLE_DEPENDENT_LOCALITY: usize = 5;
    pub(crate) const DEPENDENT_LOCALITY: usize = 6;
    pub(crate) const POST_TOWN: usize = 7;
    pub(crate) const CLASSIFICATION: usize = 8;
    pub(crate) const GSS_CODE: usize = 9;
    pub(crate) const COUNT: usize = 10;
}

/// Positions of the rare text fields in [`Extra::text`].
pub(crate) mod extra {
    pub(crate) const DEPARTMENT: usize = 0;
    pub(crate) const PO_BOX: usize = 1;
    /// The code of a language we do not know.
    pub(crate) const LANGUAGE: usize = 2;
    /// Welsh names, in [`super::WELSH_FIELDS`] order.
    pub(crate) const WELSH: usize = 3;
    /// The building number's label when it has a suffix or a range (`92B`, `12-14`).
    pub(crate) const NUMBER: usize = 8;
    pub(crate) const COUNT: usize = 9;
}

/// The common fields that a Welsh twin may name differently, in [`WelshNames`] order.
pub(crate) const WELSH_FIELDS: [usize; 5] = [
    field::DEPENDENT_THOROUGHFARE,
    field::THOROUGHFARE,
    field::DOUBLE_DEPENDENT_LOCALITY,
    field::DEPENDENT_LOCALITY,
    field::POST_TOWN,
];

/// One address as string ids and numbers. Absent values: 0 for string ids, [`NONE32`] for numbers and
/// indexes, NaN for coordinates, 0 for the parent UPRN and `u16::MAX` for the custodian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    pub(crate) uprn: u64,
    pub(crate) parent_uprn: u64,
    pub(crate) easting: f64,
    pub(crate) northing: f64,
    pub(crate) udprn: u32,
    /// Index into the postcode records (a temporary slot while building).
    pub(crate) postcode: u32,
    pub(crate) building_number: u32,
    pub(crate) text: [u32; field::COUNT],
    /// Index into the extras.
    pub(crate) extra: u32,
    pub(crate) custodian: u16,
    /// 0 English, 1 Welsh, 2 another code (kept in the extras).
    pub(crate) language: u8,
}

/// Fields few addresses have.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Extra {
    pub(crate) text: [u32; extra::COUNT],
    pub(crate) lat: f64,
    pub(crate) lng: f64,
}

impl Default for Extra {
    fn default() -> Self {
        Self { text: [0; extra::COUNT], lat: f64::NAN, lng: f64::NAN }
    }
}

/// A sorted spatial grid of 1 km cells: cell keys, the start of each cell's ids, and the ids.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Grid {
    pub(crate) keys: Vec<u64>,
    pub(crate) starts: Vec<u32>,
    pub(crate) ids: Vec<u32>,
}

const CELL: f64 = 1000.0;

fn cell_of(c: Coordinates) -> (i32, i32) {
    ((c.easting / CELL).floor() as i32, (c.northing / CELL).floor() as i32)
}

fn cell_key((x, y): (i32, i32)) -> u64 {
    (u64::from(x as u32) << 32) | u64::from(y as u32)
}

impl Grid {
    pub(crate) fn build(points: impl Iterator<Item = (u32, Coordinates)>) -> Self {
        let mut pairs: Vec<(u64, u32)> = points
            .filter(|(_, c)| c.easting.is_finite() && c.northing.is_finite())
            .map(|(id, c)| (cell_key(cell_of(c)), id))
            .collect();
        pairs.sort_unstable();
        let mut grid = Self::default();
        grid.ids.reserve_exact(pairs.len());
        for (key, id) in pairs {
            if grid.keys.last() != Some(&key) {
                grid.keys.push(key);
                grid.starts.push(grid.ids.len() as u32);
            }
            grid.ids.push(id);
        }
        grid.starts.push(grid.ids.len() as u32);
        grid
    }

    fn cell(&self, key: u64) -> &[u32] {
        let Ok(i) = self.keys.binary_search(&key) else { return &[] };
        let (s, e) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        self.ids.get(s..e).unwrap_or_default()
    }

    /// The ids in every cell that overlaps the closed box from `min` to `max`, in no particular order. Probes
    /// each cell of the box, or, when the box spans more cells than the grid holds, walks the grid's cells
    /// instead, so a huge box costs no more than a full pass.
    fn in_box(&self, min: Coordinates, max: Coordinates) -> impl Iterator<Item = u32> + '_ {
        let (x0, y0) = cell_of(min);
        let (x1, y1) = cell_of(max);
        let span = |a: i32, b: i32| u128::from(b.abs_diff(a)) + 1;
        let cells = if x1 < x0 || y1 < y0 { 0 } else { span(x0, x1) * span(y0, y1) };
        let walk = cells > self.keys.len() as u128;
        let probes: Vec<usize> = if walk {
            let inside = |k: u64| {
                let (x, y) = ((k >> 32) as u32 as i32, k as u32 as i32);
                (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
            };
            (0..self.keys.len()).filter(|&i| inside(self.keys[i])).collect()
        } else if cells == 0 {
            Vec::new()
        } else {
            (x0..=x1)
                .flat_map(|x| (y0..=y1).map(move |y| cell_key((x, y))))
                .filter_map(|key| self.keys.binary_search(&key).ok())
                .collect()
        };
        probes.into_iter().flat_map(move |i| {
            let (s, e) = (self.starts[i] as usize, self.starts[i + 1] as usize);
            self.ids.get(s..e).unwrap_or_default().iter().copied()
        })
    }

    /// True when the arrays agree with each other and every id is below `n`.
    pub(crate) fn is_consistent(&self, n: usize) -> bool {
        self.starts.len() == self.keys.len() + 1
            && self.keys.windows(2).all(|w| w[0] < w[1])
            && self.starts.windows(2).all(|w| w[0] <= w[1])
            && self.starts.first() == Some(&0)
            && self.starts.last().is_some_and(|&e| e as usize == self.ids.len())
            && self.ids.iter().all(|&i| (i as usize) < n)
    }

    /// The closest point within `radius` metres, using `pos` to look positions up.
    fn nearest(
        &self,
        at: Coordinates,
        radius: f64,
        pos: impl Fn(u32) -> Option<Coordinates>,
    ) -> Option<(u32, f64)> {
        let (cx, cy) = cell_of(at);
        let reach = (radius / CELL).ceil().clamp(1.0, 50.0) as i32;
        let mut best: Option<(u32, f64)> = None;
        for dx in -reach..=reach {
            for dy in -reach..=reach {
                for &id in self.cell(cell_key((cx.saturating_add(dx), cy.saturating_add(dy)))) {
                    let Some(p) = pos(id) else { continue };
                    let d = p.distance(&at);
                    if d <= radius && best.is_none_or(|(bid, bd)| d < bd || (d == bd && id < bid)) {
                        best = Some((id, d));
                    }
                }
            }
        }
        best
    }
}

/// The in-process address index. Build one with [`IndexBuilder`] or [`Loader`], save it with [`Index::save`]
/// and open it again with [`Index::open`].
pub struct Index {
    pub(crate) strings: StringTable,
    pub(crate) rows: rows::Rows,
    pub(crate) extras: Vec<Extra>,
    pub(crate) postcodes: Vec<PostcodeRecord>,
    /// Each postcode's place in `postcodes`: one probe instead of a binary search over large records.
    pub(crate) postcode_ids: HashMap<Postcode, u32>,
    /// Row ids in UPRN order.
    pub(crate) by_uprn: Vec<u32>,
    pub(crate) address_grid: Grid,
    pub(crate) postcode_grid: Grid,
    pub(crate) search: SearchIndex,
    /// Records kept verbatim from OS Places (empty for other inputs).
    pub(crate) sources: sources::Sources,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("addresses", &self.rows.len())
            .field("postcodes", &self.postcodes.len())
            .field("strings", &self.strings.len())
            .field("search", &self.search)
            .field("source_records", &self.sources.len())
            .finish_non_exhaustive()
    }
}

fn postcode_ids(records: &[PostcodeRecord]) -> HashMap<Postcode, u32> {
    records.iter().enumerate().map(|(i, r)| (r.postcode, i as u32)).collect()
}

fn coordinates(e: f64, n: f64) -> Option<Coordinates> {
    (!e.is_nan() && !n.is_nan()).then(|| Coordinates::new(e, n))
}

impl Index {
    /// Number of addresses (after UPRN de-duplication).
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no addresses (there may still be postcodes).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Number of postcodes.
    #[must_use]
    pub fn postcode_count(&self) -> usize {
        self.postcodes.len()
    }

    /// The address at position `i` in postcode and premise order (`0..len()`).
    #[must_use]
    pub fn get(&self, i: usize) -> Option<Address> {
        u32::try_from(i).ok().and_then(|i| self.address(i))
    }

    /// All addresses, in postcode and premise order. Each is made on demand from the compact rows.
    pub fn addresses(&self) -> impl ExactSizeIterator<Item = Address> + '_ {
        self.rows.iter().map(|r| self.materialise(&r))
    }

    /// All postcodes, sorted.
    #[must_use]
    pub fn postcodes(&self) -> &[PostcodeRecord] {
        &self.postcodes
    }

    /// The postcode's record, if the index knows it.
    #[must_use]
    pub fn postcode(&self, postcode: &Postcode) -> Option<&PostcodeRecord> {
        self.postcodes.get(*self.postcode_ids.get(postcode)? as usize)
    }

    /// The addresses at a postcode, in premise order: one per UPRN, Welsh names merged.
    #[must_use]
    pub fn by_postcode(&self, postcode: &Postcode) -> Vec<Address> {
        self.postcode(postcode)
            .map(|r| {
                let rows = self.rows.iter_from(r.first as usize).take(r.count as usize);
                rows.map(|row| self.materialise(&row)).collect()
            })
            .unwrap_or_default()
    }

    /// The GSS code of the local authority district a postcode lies in, for finding the council.
    #[must_use]
    pub fn admin_district(&self, postcode: &Postcode) -> Option<&str> {
        self.postcode(postcode).and_then(|r| r.admin_district.as_deref())
    }

    /// The address with this UPRN.
    #[must_use]
    pub fn by_uprn(&self, uprn: Uprn) -> Option<Address> {
        self.address(self.row_of(uprn.get())?)
    }

    /// The row id of the address with this UPRN.
    pub(crate) fn row_of(&self, uprn: u64) -> Option<u32> {
        let at = self
            .by_uprn
            .binary_search_by(|&i| {
                self.rows.get(i as usize).map_or(u64::MAX, |r| r.uprn).cmp(&uprn)
            })
            .ok()?;
        self.by_uprn.get(at).copied()
    }

    /// The records the address with this UPRN was loaded from, kept verbatim, in load order (see
    /// [`SourceRecord`]); empty when it has none (only OS Places inputs keep them).
    #[must_use]
    pub fn source_records(&self, uprn: Uprn) -> Vec<SourceRecord> {
        if self.sources.len() == 0 {
            return Vec::new();
        }
        self.row_of(uprn.get()).map(|row| self.sources.of_row(row)).unwrap_or_default()
    }

    /// True when any address has source records (the index was built from OS Places responses).
    #[must_use]
    pub fn has_source_records(&self) -> bool {
        self.sources.len() > 0
    }

    /// The closest address within `radius` metres, with its distance.
    #[must_use]
    pub fn nearest(&self, at: Coordinates, radius: f64) -> Option<(Address, f64)> {
        let (id, d) = self.address_grid.nearest(at, radius, |i| {
            self.rows.get(i as usize).and_then(|r| coordinates(r.easting, r.northing))
        })?;
        Some((self.address(id)?, d))
    }

    /// Every address whose grid position lies inside the closed box from `min` to `max` (edges included), in
    /// index (postcode and premise) order. Addresses without a position are never included; a box with a NaN
    /// corner, or with `min` above `max` on either axis, is empty. It reads only the 1 km cells the box overlaps.
    #[must_use]
    pub fn within(&self, min: Coordinates, max: Coordinates) -> Vec<Address> {
        self.within_ids(min, max).into_iter().filter_map(|id| self.address(id)).collect()
    }

    /// The row ids of [`Index::within`], ascending.
    pub(crate) fn within_ids(&self, min: Coordinates, max: Coordinates) -> Vec<u32> {
        let corners = [min.easting, min.northing, max.easting, max.northing];
        if corners.iter().any(|v| v.is_nan())
            || min.easting > max.easting
            || min.northing > max.northing
        {
            return Vec::new();
        }
        let inside = |c: Coordinates| {
            (min.easting..=max.easting).contains(&c.easting)
                && (min.northing..=max.northing).contains(&c.northing)
        };
        let mut ids: Vec<u32> = self
            .address_grid
            .in_box(min, max)
            .filter(|&id| {
                self.rows
                    .get(id as usize)
                    .and_then(|r| coordinates(r.easting, r.northing))
                    .is_some_and(inside)
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The closest postcode within `radius` metres, with its distance.
    #[must_use]
    pub fn nearest_postcode(&self, at: Coordinates, radius: f64) -> Option<(&PostcodeRecord, f64)> {
        let (id, d) = self
            .postcode_grid
            .nearest(at, radius, |i| self.postcodes.get(i as usize).and_then(|p| p.coordinates))?;
        Some((self.postcodes.get(id as usize)?, d))
    }

    /// Postcodes starting with `prefix`, in order, at most `limit`. A space in the prefix is significant
    /// (`B1 1` is a sector, `B11` a district); without one, each possible outward/inward split is tried.
    #[must_use]
    pub fn postcodes_with_prefix(&self, prefix: &str, limit: usize) -> Vec<&PostcodeRecord> {
        let words: Vec<String> = prefix.split_whitespace().map(str::to_ascii_uppercase).collect();
        let mut wants: Vec<String> = vec![words.join(" ")];
        if words.len() == 1 {
            let w = &words[0];
            for split in 2..=4.min(w.len().saturating_sub(1)) {
                if let (Some(out), Some(inw)) = (w.get(..split), w.get(split..)) {
                    wants.push(format!("{out} {inw}"));
                }
            }
        }
        let mut found: Vec<&PostcodeRecord> = Vec::new();
        for want in wants.iter().filter(|w| !w.is_empty()) {
            let start = self.postcodes.partition_point(|r| r.postcode.as_str() < want.as_str());
            found.extend(
                self.postcodes
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|r| r.postcode.as_str().starts_with(want.as_str()))
                    .take(limit),
            );
        }
        found.sort_by_key(|a| a.postcode);
        found.dedup_by(|a, b| a.postcode == b.postcode);
        found.truncate(limit);
        found
    }

    /// The address of row `id`.
    pub(crate) fn address(&self, id: u32) -> Option<Address> {
        self.rows.get(id as usize).map(|r| self.materialise(&r))
    }

    /// The postcode of row `id`, without making the whole address.
    pub(crate) fn row_postcode(&self, id: u32) -> Option<Postcode> {
        self.postcode_of(&self.rows.get(id as usize)?)
    }

    /// The postcode of a row already read.
    pub(crate) fn postcode_of(&self, r: &Row) -> Option<Postcode> {
        self.postcodes.get(r.postcode as usize).map(|p| p.postcode)
    }

    pub(crate) fn materialise(&self, r: &Row) -> Address {
        let text = |id: u32| self.strings.get(id).map(str::to_owned);
        let t = |k: usize| text(r.text[k]);
        // Rows hold UPRNs that were valid when added, and are checked again on load.
        let mut a = Address::new(Uprn::checked_before(r.uprn));
        a.udprn = (r.udprn != NONE32).then_some(r.udprn);
        a.parent_uprn = Uprn::new(r.parent_uprn).ok();
        a.organisation = t(field::ORGANISATION);
        a.sub_building = t(field::SUB_BUILDING);
        a.building_name = t(field::BUILDING_NAME);
        a.building_number = (r.building_number != NONE32).then_some(r.building_number);
        a.dependent_thoroughfare = t(field::DEPENDENT_THOROUGHFARE);
        a.thoroughfare = t(field::THOROUGHFARE);
        a.double_dependent_locality = t(field::DOUBLE_DEPENDENT_LOCALITY);
        a.dependent_locality = t(field::DEPENDENT_LOCALITY);
        a.post_town = t(field::POST_TOWN);
        a.classification = t(field::CLASSIFICATION);
        a.gss_code = t(field::GSS_CODE);
        a.postcode = self.postcode_of(r);
        a.coordinates = coordinates(r.easting, r.northing);
        a.local_custodian_code = (r.custodian != u16::MAX).then_some(r.custodian);
        let extra = self.extras.get(r.extra as usize);
        a.language = match r.language {
            0 => Language::En,
            1 => Language::Cy,
            _ => Language::Unknown(
                extra.and_then(|x| text(x.text[extra::LANGUAGE])).unwrap_or_default(),
            ),
        };
        if let Some(x) = extra {
            a.department = text(x.text[extra::DEPARTMENT]);
            a.po_box = text(x.text[extra::PO_BOX]);
            if !x.lat.is_nan() && !x.lng.is_nan() {
                a.source_lat_lng = Some(LatLng { lat: x.lat, lng: x.lng });
            }
            let w = |k: usize| text(x.text[extra::WELSH + k]);
            let welsh = WelshNames {
                dependent_thoroughfare: w(0),
                thoroughfare: w(1),
                double_dependent_locality: w(2),
                dependent_locality: w(3),
                post_town: w(4),
            };
            if welsh != WelshNames::default() {
                a.welsh = Some(welsh);
            }
            if let Some(label) = text(x.text[extra::NUMBER]).and_then(|l| NumberLabel::parse(&l)) {
                a.set_number(Some(label));
            }
        }
        a
    }
}
