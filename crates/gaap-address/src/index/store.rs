//! The saved index file: a compact little-endian binary format read back in one pass.
//!
//! Layout (all integers little-endian):
//! - magic `GAAPADDR`, format version `u32` (currently 2);
//! - string table: `u32` count, then each string as `u32` length + UTF-8 bytes (components are interned, so
//!   repeated street, town and postcode text is stored once); string ids below are 1-based, 0 = absent;
//! - addresses: `u32` count, then fixed-width rows (UPRN `u64`, UDPRN `u32`, parent UPRN `u64`, 18 string ids,
//!   building number `u32`, E/N and lat/lng as `f64` with NaN = absent, custodian `u16`, language `u8`);
//! - postcodes: `u32` count, then rows (postcode id, E/N, district id, ward id, first address, address count);
//! - search: the `fst` term dictionary bytes, then the postings (ranks), the per-address term arrays and the
//!   rank-to-address permutation as `u32` slices.
//!
//! Loading parses the rows and rebuilds the small in-memory lookups (UPRN order, 1 km grids); the term
//! dictionary and postings are taken as they are.

use std::collections::HashMap;

use fst::{Map, Streamer};

use super::search::SearchIndex;
use super::{Index, PostcodeRecord};
use crate::error::Error;
use crate::rules::geo::{Coordinates, LatLng};
use crate::types::address::{Address, Language, WelshNames};
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

const MAGIC: &[u8; 8] = b"GAAPADDR";
const VERSION: u32 = 2;
const NONE32: u32 = u32::MAX;

#[derive(Default)]
struct Strings {
    ids: HashMap<String, u32>,
    list: Vec<String>,
}

impl Strings {
    fn id(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s else { return 0 };
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        self.list.push(s.to_owned());
        let id = self.list.len() as u32;
        self.ids.insert(s.to_owned(), id);
        id
    }
}

struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: Option<f64>) {
        self.0.extend_from_slice(&v.unwrap_or(f64::NAN).to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn u32s(&mut self, v: &[u32]) {
        self.u64(v.len() as u64);
        for x in v {
            self.u32(*x);
        }
    }
}

struct In<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end =
            self.at.checked_add(n).ok_or_else(|| Error::IndexFormat("length overflow".into()))?;
        let s = self
            .b
            .get(self.at..end)
            .ok_or_else(|| Error::IndexFormat("file is truncated".into()))?;
        self.at = end;
        Ok(s)
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.arr::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    fn f64(&mut self) -> Result<Option<f64>, Error> {
        let v = f64::from_le_bytes(self.arr()?);
        Ok((!v.is_nan()).then_some(v))
    }
    fn len(&mut self) -> Result<usize, Error> {
        let n = self.u64()?;
        usize::try_from(n).map_err(|_| Error::IndexFormat("length too large".into()))
    }
    fn bytes(&mut self) -> Result<&'a [u8], Error> {
        let n = self.len()?;
        self.take(n)
    }
    fn u32s(&mut self) -> Result<Vec<u32>, Error> {
        let n = self.len()?;
        let raw = self
            .take(n.checked_mul(4).ok_or_else(|| Error::IndexFormat("length overflow".into()))?)?;
        Ok(raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
}

fn text_fields(a: &Address) -> [Option<&str>; 18] {
    let w = a.welsh.as_ref();
    let lang = match &a.language {
        Language::Unknown(code) => Some(code.as_str()),
        _ => None,
    };
    [
        a.organisation.as_deref(),
        a.department.as_deref(),
        a.sub_building.as_deref(),
        a.building_name.as_deref(),
        a.po_box.as_deref(),
        a.dependent_thoroughfare.as_deref(),
        a.thoroughfare.as_deref(),
        a.double_dependent_locality.as_deref(),
        a.dependent_locality.as_deref(),
        a.post_town.as_deref(),
        a.classification.as_deref(),
        a.gss_code.as_deref(),
        lang,
        w.and_then(|w| w.dependent_thoroughfare.as_deref()),
        w.and_then(|w| w.thoroughfare.as_deref()),
        w.and_then(|w| w.double_dependent_locality.as_deref()),
        w.and_then(|w| w.dependent_locality.as_deref()),
        w.and_then(|w| w.post_town.as_deref()),
    ]
}

impl Index {
    /// Serialises the index (see the module docs for the format).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut strings = Strings::default();
        let mut rows = Out(Vec::with_capacity(self.addresses.len() * 128));
        rows.u32(self.addresses.len() as u32);
        for a in &self.addresses {
            rows.u64(a.uprn.get());
            rows.u32(a.udprn.unwrap_or(NONE32));
            rows.u64(a.parent_uprn.map_or(0, Uprn::get));
            let pc = a.postcode.map(|p| p.to_string());
            rows.u32(strings.id(pc.as_deref()));
            for f in text_fields(a) {
                rows.u32(strings.id(f));
            }
            rows.u32(a.building_number.unwrap_or(NONE32));
            rows.f64(a.coordinates.map(|c| c.easting));
            rows.f64(a.coordinates.map(|c| c.northing));
            rows.f64(a.source_lat_lng.map(|c| c.lat));
            rows.f64(a.source_lat_lng.map(|c| c.lng));
            rows.u16(a.local_custodian_code.unwrap_or(u16::MAX));
            rows.u8(match a.language {
                Language::En => 0,
                Language::Cy => 1,
                Language::Unknown(_) => 2,
            });
        }
        rows.u32(self.postcodes.len() as u32);
        for p in &self.postcodes {
            rows.u32(strings.id(Some(p.postcode.as_str())));
            rows.f64(p.coordinates.map(|c| c.easting));
            rows.f64(p.coordinates.map(|c| c.northing));
            rows.u32(strings.id(p.admin_district.as_deref()));
            rows.u32(strings.id(p.ward.as_deref()));
            rows.u32(p.first);
            rows.u32(p.count);
        }
        let s = &self.search;
        rows.bytes(s.terms.as_fst().as_bytes());
        rows.u32s(&s.postings_start);
        rows.u32s(&s.postings);
        rows.u32s(&s.doc_start);
        rows.u32s(&s.doc_terms);
        rows.u32s(&s.rank_doc);

        let mut out = Out(Vec::with_capacity(rows.0.len() + strings.list.len() * 16 + 16));
        out.0.extend_from_slice(MAGIC);
        out.u32(VERSION);
        out.u32(strings.list.len() as u32);
        for t in &strings.list {
            out.u32(t.len() as u32);
            out.0.extend_from_slice(t.as_bytes());
        }
        out.0.extend_from_slice(&rows.0);
        out.0
    }

    /// Writes the index to a file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn save(&self, path: &std::path::Path) -> Result<(), Error> {
        std::fs::write(path, self.to_bytes()).map_err(|e| Error::io(path.display(), e))
    }

    /// Opens a file written by [`Index::save`].
    ///
    /// # Errors
    /// [`Error::Io`] when unreadable, [`Error::IndexFormat`] when corrupt or from another version.
    pub fn open(path: &std::path::Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path.display(), e))?;
        Self::from_bytes(&bytes)
    }

    /// Reads the bytes of [`Index::to_bytes`].
    ///
    /// # Errors
    /// [`Error::IndexFormat`] when the bytes are not a valid index.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = In { b: bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(Error::IndexFormat("not a gaap address index (bad magic)".into()));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(Error::IndexFormat(format!(
                "format version {version}, expected {VERSION}"
            )));
        }
        let n_strings = r.u32()? as usize;
        let mut strings: Vec<String> = Vec::with_capacity(n_strings.min(bytes.len()));
        for _ in 0..n_strings {
            let len = r.u32()? as usize;
            let raw = r.take(len)?;
            strings.push(
                std::str::from_utf8(raw)
                    .map_err(|_| Error::IndexFormat("string is not UTF-8".into()))?
                    .to_owned(),
            );
        }
        let text = |id: u32| -> Result<Option<String>, Error> {
            if id == 0 {
                return Ok(None);
            }
            strings
                .get(id as usize - 1)
                .cloned()
                .map(Some)
                .ok_or_else(|| Error::IndexFormat(format!("string id {id} out of range")))
        };
        let parse_pc = |s: Option<String>| -> Result<Option<Postcode>, Error> {
            s.map(|s| {
                Postcode::parse_historic(&s)
                    .map_err(|e| Error::IndexFormat(format!("postcode {s:?}: {e}")))
            })
            .transpose()
        };
        let n_addr = r.u32()? as usize;
        let mut addresses: Vec<Address> = Vec::with_capacity(n_addr.min(bytes.len() / 64));
        for _ in 0..n_addr {
            let uprn = Uprn::new(r.u64()?).map_err(|e| Error::IndexFormat(e.to_string()))?;
            let mut a = Address::new(uprn);
            a.udprn = Some(r.u32()?).filter(|&v| v != NONE32);
            a.parent_uprn = Uprn::new(r.u64()?).ok();
            a.postcode = parse_pc(text(r.u32()?)?)?;
            let mut f: Vec<Option<String>> = Vec::with_capacity(18);
            for _ in 0..18 {
                f.push(text(r.u32()?)?);
            }
            let mut it = f.into_iter();
            let mut next = || it.next().flatten();
            a.organisation = next();
            a.department = next();
            a.sub_building = next();
            a.building_name = next();
            a.po_box = next();
            a.dependent_thoroughfare = next();
            a.thoroughfare = next();
            a.double_dependent_locality = next();
            a.dependent_locality = next();
            a.post_town = next();
            a.classification = next();
            a.gss_code = next();
            let unknown_lang = next();
            let welsh = WelshNames {
                dependent_thoroughfare: next(),
                thoroughfare: next(),
                double_dependent_locality: next(),
                dependent_locality: next(),
                post_town: next(),
            };
            if welsh != WelshNames::default() {
                a.welsh = Some(welsh);
            }
            a.building_number = Some(r.u32()?).filter(|&v| v != NONE32);
            a.coordinates = match (r.f64()?, r.f64()?) {
                (Some(e), Some(n)) => Some(Coordinates::new(e, n)),
                _ => None,
            };
            a.source_lat_lng = match (r.f64()?, r.f64()?) {
                (Some(lat), Some(lng)) => Some(LatLng { lat, lng }),
                _ => None,
            };
            a.local_custodian_code = Some(r.u16()?).filter(|&v| v != u16::MAX);
            a.language = match r.u8()? {
                0 => Language::En,
                1 => Language::Cy,
                _ => Language::Unknown(unknown_lang.unwrap_or_default()),
            };
            addresses.push(a);
        }
        let n_pc = r.u32()? as usize;
        let mut postcodes: Vec<PostcodeRecord> = Vec::with_capacity(n_pc.min(bytes.len() / 32));
        for _ in 0..n_pc {
            let postcode = parse_pc(text(r.u32()?)?)?
                .ok_or_else(|| Error::IndexFormat("postcode row without a postcode".into()))?;
            let coordinates = match (r.f64()?, r.f64()?) {
                (Some(e), Some(n)) => Some(Coordinates::new(e, n)),
                _ => None,
            };
            let admin_district = text(r.u32()?)?;
            let ward = text(r.u32()?)?;
            let first = r.u32()?;
            let count = r.u32()?;
            if first as usize + count as usize > addresses.len() {
                return Err(Error::IndexFormat("postcode address range out of bounds".into()));
            }
            postcodes.push(PostcodeRecord {
                postcode,
                coordinates,
                admin_district,
                ward,
                first,
                count,
            });
        }
        let fst_bytes = r.bytes()?.to_vec();
        let terms =
            Map::new(fst_bytes).map_err(|e| Error::IndexFormat(format!("term dictionary: {e}")))?;
        let mut term_text: Vec<String> = Vec::with_capacity(terms.len());
        let mut stream = terms.stream();
        while let Some((k, _)) = stream.next() {
            term_text.push(String::from_utf8_lossy(k).into_owned());
        }
        let postings_start = r.u32s()?;
        let postings = r.u32s()?;
        let doc_start = r.u32s()?;
        let doc_terms = r.u32s()?;
        let rank_doc = r.u32s()?;
        let mut seen = vec![false; addresses.len()];
        let permutation = rank_doc.len() == addresses.len()
            && rank_doc
                .iter()
                .all(|&d| seen.get_mut(d as usize).is_some_and(|s| !std::mem::replace(s, true)));
        let consistent = postings_start.len() == term_text.len() + 1
            && postings_start.last().is_some_and(|&e| e as usize == postings.len())
            && doc_start.len() == addresses.len() + 1
            && doc_start.last().is_some_and(|&e| e as usize == doc_terms.len())
            && postings.iter().all(|&d| (d as usize) < addresses.len())
            && doc_terms.iter().all(|&t| (t as usize) < term_text.len())
            && postings_start.windows(2).all(|w| w[0] <= w[1])
            && doc_start.windows(2).all(|w| w[0] <= w[1])
            && permutation;
        if !consistent {
            return Err(Error::IndexFormat("search arrays are inconsistent".into()));
        }
        let search = SearchIndex {
            terms,
            term_text,
            postings_start,
            postings,
            doc_start,
            doc_terms,
            rank_doc,
        };
        Ok(Self::assemble(addresses, postcodes, search))
    }
}
