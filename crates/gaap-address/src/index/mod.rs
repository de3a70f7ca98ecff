//! The in-process address index: postcode, UPRN and nearest lookups, typeahead search and batch matching.

mod load;
mod search;
mod store;
pub(crate) mod text;

use std::collections::HashMap;

use serde::Serialize;

use crate::rules::geo::Coordinates;
use crate::types::address::{Address, Language};
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

pub use load::{InputFormat, Loader};
pub(crate) use search::SearchIndex;
pub use search::{MatchOptions, MatchResult, SearchHit};

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

/// Collects addresses and postcodes, then builds an [`Index`].
#[derive(Debug, Default)]
pub struct IndexBuilder {
    addresses: Vec<Address>,
    postcodes: HashMap<Postcode, PostcodeInfo>,
}

impl IndexBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an address. Duplicate UPRNs are merged at build time (a `CY` twin fills in the Welsh names).
    pub fn add_address(&mut self, address: Address) {
        self.addresses.push(address);
    }

    /// Adds postcode facts; later calls fill in fields still missing.
    pub fn add_postcode(&mut self, postcode: Postcode, info: PostcodeInfo) {
        let entry = self.postcodes.entry(postcode).or_default();
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
        self.addresses.len()
    }

    /// Builds the index: de-duplicates by UPRN (English record kept, Welsh merged in), sorts by postcode and
    /// premise, and builds the search structures.
    #[must_use]
    pub fn build(self) -> Index {
        let Self { addresses, mut postcodes } = self;
        let addresses = dedupe(addresses);
        for a in &addresses {
            if let Some(pc) = a.postcode {
                let entry = postcodes.entry(pc).or_default();
                if entry.admin_district.is_none() {
                    entry.admin_district.clone_from(&a.gss_code);
                }
            }
        }
        let mut addresses = addresses;
        addresses.sort_by(premise_order);
        let mut records: Vec<PostcodeRecord> = postcodes
            .into_iter()
            .map(|(postcode, info)| PostcodeRecord {
                postcode,
                coordinates: info.coordinates,
                admin_district: info.admin_district,
                ward: info.ward,
                first: 0,
                count: 0,
            })
            .collect();
        records.sort_by_key(|a| a.postcode);
        link_postcodes(&addresses, &mut records);
        let search = SearchIndex::build(&addresses);
        Index::assemble(addresses, records, search)
    }
}

fn dedupe(addresses: Vec<Address>) -> Vec<Address> {
    let mut by_uprn: HashMap<Uprn, usize> = HashMap::with_capacity(addresses.len());
    let mut out: Vec<Address> = Vec::with_capacity(addresses.len());
    for a in addresses {
        match by_uprn.get(&a.uprn) {
            Some(&i) => {
                let kept = &mut out[i];
                if kept.language == Language::Cy && a.language != Language::Cy {
                    let cy = std::mem::replace(kept, a);
                    kept.merge_welsh(&cy);
                } else if a.language == Language::Cy && kept.welsh.is_none() {
                    kept.merge_welsh(&a);
                }
            }
            None => {
                by_uprn.insert(a.uprn, out.len());
                out.push(a);
            }
        }
    }
    out
}

/// Postcode, then street, then number, then building name, then sub-building (numbers compared as numbers).
fn premise_order(a: &Address, b: &Address) -> std::cmp::Ordering {
    let key = |x: &Address| {
        (
            x.postcode,
            x.thoroughfare.clone(),
            x.building_number,
            natural(x.building_name.as_deref()),
            natural(x.sub_building.as_deref()),
            x.uprn,
        )
    };
    key(a).cmp(&key(b))
}

/// A sort key that orders `FLAT 2` before `FLAT 10`.
fn natural(s: Option<&str>) -> Vec<(String, u64)> {
    let Some(s) = s else { return Vec::new() };
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

fn link_postcodes(addresses: &[Address], records: &mut [PostcodeRecord]) {
    let mut i = 0usize;
    while i < addresses.len() {
        let pc = addresses[i].postcode;
        let start = i;
        while i < addresses.len() && addresses[i].postcode == pc {
            i += 1;
        }
        if let Some(pc) = pc
            && let Ok(r) = records.binary_search_by(|r| r.postcode.cmp(&pc))
        {
            records[r].first = start as u32;
            records[r].count = (i - start) as u32;
            if records[r].coordinates.is_none() {
                let pts: Vec<Coordinates> =
                    addresses[start..i].iter().filter_map(|a| a.coordinates).collect();
                if !pts.is_empty() {
                    let n = pts.len() as f64;
                    records[r].coordinates = Some(Coordinates::new(
                        pts.iter().map(|p| p.easting).sum::<f64>() / n,
                        pts.iter().map(|p| p.northing).sum::<f64>() / n,
                    ));
                }
            }
        }
    }
}

/// 1 km grid cells for nearest-neighbour lookups.
#[derive(Debug, Default)]
struct Grid {
    cells: HashMap<(i32, i32), Vec<u32>>,
}

const CELL: f64 = 1000.0;

fn cell_of(c: Coordinates) -> (i32, i32) {
    ((c.easting / CELL).floor() as i32, (c.northing / CELL).floor() as i32)
}

impl Grid {
    fn build(points: impl Iterator<Item = (u32, Coordinates)>) -> Self {
        let mut cells: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
        for (id, c) in points {
            if c.easting.is_finite() && c.northing.is_finite() {
                cells.entry(cell_of(c)).or_default().push(id);
            }
        }
        Self { cells }
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
                let Some(ids) = self.cells.get(&(cx + dx, cy + dy)) else { continue };
                for &id in ids {
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
#[derive(Debug)]
pub struct Index {
    addresses: Vec<Address>,
    postcodes: Vec<PostcodeRecord>,
    by_uprn: Vec<u32>,
    address_grid: Grid,
    postcode_grid: Grid,
    pub(crate) search: SearchIndex,
}

impl Index {
    pub(crate) fn assemble(
        addresses: Vec<Address>,
        postcodes: Vec<PostcodeRecord>,
        search: SearchIndex,
    ) -> Self {
        let mut by_uprn: Vec<u32> = (0..addresses.len() as u32).collect();
        by_uprn.sort_by_key(|&i| addresses[i as usize].uprn);
        let address_grid = Grid::build(
            addresses.iter().enumerate().filter_map(|(i, a)| Some((i as u32, a.coordinates?))),
        );
        let postcode_grid = Grid::build(
            postcodes.iter().enumerate().filter_map(|(i, p)| Some((i as u32, p.coordinates?))),
        );
        Self { addresses, postcodes, by_uprn, address_grid, postcode_grid, search }
    }

    /// Number of addresses (after UPRN de-duplication).
    #[must_use]
    pub fn len(&self) -> usize {
        self.addresses.len()
    }

    /// True when there are no addresses (there may still be postcodes).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty()
    }

    /// Number of postcodes.
    #[must_use]
    pub fn postcode_count(&self) -> usize {
        self.postcodes.len()
    }

    /// All addresses, in postcode and premise order.
    #[must_use]
    pub fn addresses(&self) -> &[Address] {
        &self.addresses
    }

    /// All postcodes, sorted.
    #[must_use]
    pub fn postcodes(&self) -> &[PostcodeRecord] {
        &self.postcodes
    }

    /// The postcode's record, if the index knows it.
    #[must_use]
    pub fn postcode(&self, postcode: &Postcode) -> Option<&PostcodeRecord> {
        self.postcodes
            .binary_search_by(|r| r.postcode.cmp(postcode))
            .ok()
            .and_then(|i| self.postcodes.get(i))
    }

    /// The addresses at a postcode, in premise order: one per UPRN, Welsh names merged.
    #[must_use]
    pub fn by_postcode(&self, postcode: &Postcode) -> &[Address] {
        self.postcode(postcode)
            .and_then(|r| self.addresses.get(r.first as usize..(r.first + r.count) as usize))
            .unwrap_or_default()
    }

    /// The GSS code of the local authority district a postcode lies in, for finding the council.
    #[must_use]
    pub fn admin_district(&self, postcode: &Postcode) -> Option<&str> {
        self.postcode(postcode).and_then(|r| r.admin_district.as_deref())
    }

    /// The address with this UPRN.
    #[must_use]
    pub fn by_uprn(&self, uprn: Uprn) -> Option<&Address> {
        let i =
            self.by_uprn.binary_search_by(|&i| self.addresses[i as usize].uprn.cmp(&uprn)).ok()?;
        self.by_uprn.get(i).and_then(|&id| self.addresses.get(id as usize))
    }

    /// The closest address within `radius` metres, with its distance.
    #[must_use]
    pub fn nearest(&self, at: Coordinates, radius: f64) -> Option<(&Address, f64)> {
        let (id, d) = self
            .address_grid
            .nearest(at, radius, |i| self.addresses.get(i as usize).and_then(|a| a.coordinates))?;
        Some((self.addresses.get(id as usize)?, d))
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

    pub(crate) fn address(&self, id: u32) -> Option<&Address> {
        self.addresses.get(id as usize)
    }
}
