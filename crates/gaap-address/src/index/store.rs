//! The saved index file: the in-memory arrays written out in order and read back in large chunks on two
//! threads. Address rows stay packed as they are in memory, and `u32` arrays are delta-coded varints, so a
//! national index is small to read and small to hold.
//!
//! Layout (format version 6; fixed-width integers little-endian, every array prefixed by its `u64` length;
//! a *packed* `u32` array is its length, then groups of up to 65,536 values, each group its byte length
//! (`u64`) and the values as zigzag varint deltas from the one before, starting from 0):
//! - magic `GAAPADDR`, version `u32`;
//! - thirteen sections, in this order:
//!   1. strings: end offsets (`u64`s) and the UTF-8 blob; string ids are 1-based, 0 = absent;
//!   2. address rows: the row count, then the packed row bytes (`u64` length first) as the `rows` module
//!      describes, in blocks of 8 rows each coded from scratch: UPRN, parent UPRN, easting, northing,
//!      UDPRN, postcode record, building number, ten string ids (organisation, sub-building, building name,
//!      dependent thoroughfare, thoroughfare, double dependent locality, dependent locality, post town,
//!      classification, GSS code), extras index, custodian and language (0 EN, 1 CY, 2 other);
//!   3. extras, 52 bytes each: department, PO box, other language code, five Welsh names and the building
//!      number's label when it has a suffix or a range (`92B`, `12-14`) (string ids), source latitude and
//!      longitude (`f64`);
//!   4. postcodes: each as its text (`u8` length + bytes), easting, northing, district and ward ids, first row
//!      and row count; then the district and ward strings;
//!   5. rows in UPRN order (packed);
//!   6. the address and postcode grids: cell keys (`u64`s), cell starts and ids (packed) for each;
//!   7. the term strings, in order (the `fst` dictionary is rebuilt from them on load, so damaged bytes can never
//!      reach the automaton code);
//!   8. and 9. postings starts and postings (ranks; packed, like every `u32` array from here on);
//!   10. the terms of each string: starts by string id and term ids;
//!   11. building numbers (ascending) with their terms, then the outward and inward terms of each postcode;
//!   12. the rank-to-address permutation. An address's own terms are gathered from 10 and 11 when
//!       needed, so they are not stored per address;
//!   13. source records (kept verbatim from OS Places; all arrays empty for other inputs): their own strings
//!       (keys, texts and numbers' text, laid out as section 1), the row ids that have records (ascending),
//!       each such row's first record (and the record count at the end), each record's view (bytes: 0 DPA,
//!       1 LPI), ordinal, and first field (and the field count at the end), then each field's key (a string
//!       id) and value (a `u32`: the low two bits a kind, 0 a constant (0 `null`, 1 `false`, 2 `true`), 1 a
//!       string, 2 a number's text, 3 an array or object's JSON text; the rest a string id);
//! - the footer: the offset of each section (`u64`s), the counts of strings, rows, extras, postcodes, terms
//!   and source records (`u64`s), and `GAAPTOC5`.
//!
//! Version 5 differs only in its extras, 48 bytes each with no number label (its loaders dropped suffixes and
//! ranges); it is still read. Files of other versions are refused, with a message to rebuild them.
//!
//! Loading checks every id and range against the footer's counts, so a damaged file gives
//! [`Error::IndexFormat`], never a panic.

use std::io::{Read, Seek, SeekFrom, Write};

use fst::Map;

use super::rows::{Rows, get_varint, put_varint, unzigzag32, zigzag32};
use super::search::SearchIndex;
use super::sources::Sources;
use super::strings::StringTable;
use super::{Extra, Grid, Index, NONE32, PostcodeRecord, Row, coordinates, extra};
use crate::error::Error;
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

const MAGIC: &[u8; 8] = b"GAAPADDR";
const FOOTER_MAGIC: &[u8; 8] = b"GAAPTOC5";
const SECTIONS: usize = 13;
const COUNTS: usize = 6;
const FOOTER_LEN: usize = 8 * (SECTIONS + COUNTS) + 8;
const VERSION: u32 = 6;
/// The oldest version still read: its extras lack the number label.
const VERSION_5: u32 = 5;
const EXTRA_LEN: usize = 4 * extra::COUNT + 16;
/// Version 5's extras: one text slot fewer.
const EXTRA_LEN_5: usize = EXTRA_LEN - 4;
/// Bytes read or written per chunk.
const CHUNK: usize = 1 << 20;
/// Values per group of a packed `u32` array.
const GROUP: usize = 1 << 16;

fn io(e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        Error::IndexFormat("file is truncated".into())
    } else {
        Error::IndexFormat(format!("read failed: {e}"))
    }
}

struct Out<W: Write> {
    w: W,
    buf: Vec<u8>,
    flushed: u64,
    sections: Vec<u64>,
}

impl<W: Write> Out<W> {
    fn flush_if_full(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.w.write_all(&self.buf)?;
            self.flushed += self.buf.len() as u64;
            self.buf.clear();
        }
        Ok(())
    }
    fn section(&mut self) {
        self.sections.push(self.flushed + self.buf.len() as u64);
    }
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.u64(b.len() as u64);
        for part in b.chunks(CHUNK) {
            self.buf.extend_from_slice(part);
            self.flush_if_full()?;
        }
        Ok(())
    }
    fn array<T: Copy, const N: usize>(
        &mut self,
        v: &[T],
        le: impl Fn(T) -> [u8; N],
    ) -> std::io::Result<()> {
        self.u64(v.len() as u64);
        for part in v.chunks(CHUNK / N) {
            for x in part {
                self.buf.extend_from_slice(&le(*x));
            }
            self.flush_if_full()?;
        }
        Ok(())
    }
    /// A packed `u32` array (see the module docs).
    fn u32s(&mut self, v: &[u32]) -> std::io::Result<()> {
        self.u64(v.len() as u64);
        let mut group = Vec::with_capacity(GROUP * 5);
        for part in v.chunks(GROUP) {
            group.clear();
            let mut prev = 0;
            for &x in part {
                put_varint(&mut group, zigzag32(x, prev));
                prev = x;
            }
            self.bytes(&group)?;
        }
        Ok(())
    }
    fn u64s(&mut self, v: &[u64]) -> std::io::Result<()> {
        self.array(v, u64::to_le_bytes)
    }
    fn strings(&mut self, t: &StringTable) -> std::io::Result<()> {
        self.u64s(&t.ends)?;
        self.bytes(t.blob.as_bytes())
    }
    fn finish(mut self) -> std::io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.w.flush()
    }
}

struct In<R: Read> {
    r: R,
    buf: Vec<u8>,
    /// Bytes left in the section: an array longer than this is refused before anything is allocated.
    left: u64,
}

impl<R: Read> In<R> {
    fn fill(&mut self, n: usize) -> Result<&[u8], Error> {
        self.buf.resize(n, 0);
        self.r.read_exact(&mut self.buf).map_err(|e| io(&e))?;
        self.left = self.left.saturating_sub(n as u64);
        Ok(&self.buf)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.fill(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, Error> {
        Ok(le32(self.fill(4)?))
    }
    fn u64(&mut self) -> Result<u64, Error> {
        Ok(le64(self.fill(8)?))
    }
    fn f64(&mut self) -> Result<f64, Error> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// An array length, refused when `width`-byte items would not fit in memory.
    fn len(&mut self, width: usize) -> Result<usize, Error> {
        let n = self.u64()?;
        let fits = |bytes: u64| bytes <= self.left;
        match n.checked_mul(width as u64) {
            Some(bytes) if !fits(bytes) => Err(Error::IndexFormat("file is truncated".into())),
            Some(bytes) if bytes <= isize::MAX as u64 => Ok(n as usize),
            _ => Err(Error::IndexFormat(format!("array of {n} items is too large"))),
        }
    }
    /// Reads `n` fixed-width items in chunks, decoding each with `item`.
    fn items<T>(&mut self, width: usize, item: impl Fn(&[u8]) -> T) -> Result<Vec<T>, Error> {
        let n = self.len(width)?;
        let mut out: Vec<T> = Vec::new();
        let per_chunk = (CHUNK / width).max(1);
        let mut left = n;
        while left > 0 {
            let take = left.min(per_chunk);
            let chunk = self.fill(take * width)?;
            if out.capacity() == 0 {
                out.reserve_exact(n);
            }
            out.extend(chunk.chunks_exact(width).map(&item));
            left -= take;
        }
        Ok(out)
    }
    /// A packed `u32` array (see the module docs).
    fn u32s(&mut self) -> Result<Vec<u32>, Error> {
        let n = self.len(1)?;
        let mut out: Vec<u32> = Vec::with_capacity(n);
        while out.len() < n {
            let take = (n - out.len()).min(GROUP);
            let len = self.len(1)?;
            let group = self.fill(len)?;
            let (mut at, mut prev) = (0, 0);
            for _ in 0..take {
                prev = get_varint(group, &mut at)
                    .and_then(|d| unzigzag32(d, prev))
                    .ok_or_else(|| Error::IndexFormat("a packed array is damaged".into()))?;
                out.push(prev);
            }
            if at != len {
                return Err(Error::IndexFormat("a packed array is damaged".into()));
            }
        }
        Ok(out)
    }
    fn u64s(&mut self) -> Result<Vec<u64>, Error> {
        self.items(8, le64)
    }
    fn bytes(&mut self) -> Result<Vec<u8>, Error> {
        let mut left = self.len(1)?;
        let mut v: Vec<u8> = Vec::with_capacity(left);
        while left > 0 {
            let take = left.min(CHUNK);
            v.extend_from_slice(self.fill(take)?);
            left -= take;
        }
        Ok(v)
    }
    /// `u32`s that must all be below `n`.
    fn u32s_below(&mut self, n: usize) -> Result<Vec<u32>, Error> {
        let v = self.u32s()?;
        if v.iter().any(|&x| x as usize >= n) {
            return Err(Error::IndexFormat("an id is out of range".into()));
        }
        Ok(v)
    }
    fn grid(&mut self, n: usize) -> Result<Grid, Error> {
        let g = Grid { keys: self.u64s()?, starts: self.u32s()?, ids: self.u32s()? };
        if !g.is_consistent(n) {
            return Err(Error::IndexFormat("grids are inconsistent".into()));
        }
        Ok(g)
    }
    fn postcodes(&mut self, n_rows: usize) -> Result<Vec<PostcodeRecord>, Error> {
        let n = self.len(32)?;
        let mut postcodes: Vec<(PostcodeRecord, u32, u32)> = Vec::with_capacity(n);
        for _ in 0..n {
            let len = self.u8()? as usize;
            let text = String::from_utf8_lossy(self.fill(len)?).into_owned();
            let postcode = Postcode::parse_historic(&text)
                .map_err(|e| Error::IndexFormat(format!("postcode {text:?}: {e}")))?;
            let (e, n) = (self.f64()?, self.f64()?);
            let (district, ward) = (self.u32()?, self.u32()?);
            let (first, count) = (self.u32()?, self.u32()?);
            if first as usize + count as usize > n_rows {
                return Err(Error::IndexFormat("postcode address range out of bounds".into()));
            }
            let record = PostcodeRecord {
                postcode,
                coordinates: coordinates(e, n),
                admin_district: None,
                ward: None,
                first,
                count,
            };
            postcodes.push((record, district, ward));
        }
        let names = self.strings()?;
        let known = |id: u32| (id as usize) <= names.len();
        if !postcodes.iter().all(|(_, d, w)| known(*d) && known(*w)) {
            return Err(Error::IndexFormat("postcode district id out of range".into()));
        }
        let postcodes: Vec<PostcodeRecord> = postcodes
            .into_iter()
            .map(|(mut p, d, w)| {
                p.admin_district = names.get(d).map(str::to_owned);
                p.ward = names.get(w).map(str::to_owned);
                p
            })
            .collect();
        if !postcodes.windows(2).all(|w| w[0].postcode < w[1].postcode) {
            return Err(Error::IndexFormat("postcodes are not in order".into()));
        }
        Ok(postcodes)
    }
    fn strings(&mut self) -> Result<StringTable, Error> {
        let ends = self.u64s()?;
        let blob = String::from_utf8(self.bytes()?)
            .map_err(|_| Error::IndexFormat("strings are not UTF-8".into()))?;
        let t = StringTable { blob, ends };
        if !t.is_consistent() {
            return Err(Error::IndexFormat("string offsets are inconsistent".into()));
        }
        Ok(t)
    }
}

fn le32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

fn le64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

fn row_ok(r: &Row, n_strings: usize, n_postcodes: usize, n_extras: usize) -> bool {
    Uprn::new(r.uprn).is_ok()
        && (r.parent_uprn == 0 || Uprn::new(r.parent_uprn).is_ok())
        && (r.postcode == NONE32 || (r.postcode as usize) < n_postcodes)
        && (r.extra == NONE32 || (r.extra as usize) < n_extras)
        && r.text.iter().all(|&t| (t as usize) <= n_strings)
        && r.language <= 2
}

/// Writes an extra with its first `texts` text slots.
fn put_extra(out: &mut Vec<u8>, x: &Extra, texts: usize) {
    for &t in x.text.iter().take(texts) {
        out.extend_from_slice(&t.to_le_bytes());
    }
    out.extend_from_slice(&x.lat.to_le_bytes());
    out.extend_from_slice(&x.lng.to_le_bytes());
}

/// An extra of `texts` text slots (the rest stay absent).
fn get_extra(b: &[u8], texts: usize) -> Extra {
    let mut text = [0u32; extra::COUNT];
    for (k, t) in text.iter_mut().enumerate().take(texts) {
        *t = le32(&b[4 * k..]);
    }
    let at = 4 * texts;
    Extra { text, lat: f64::from_bits(le64(&b[at..])), lng: f64::from_bits(le64(&b[at + 8..])) }
}

impl Index {
    /// Writes the index (see the module docs for the format).
    ///
    /// # Errors
    /// Any error from `w`.
    pub fn write_to(&self, w: impl Write) -> std::io::Result<()> {
        self.write_version(w, VERSION)
    }

    /// Writes the index in format `version` (6, or 5 for tests of old files: no number labels).
    fn write_version(&self, w: impl Write, version: u32) -> std::io::Result<()> {
        let texts = if version == VERSION_5 { extra::COUNT - 1 } else { extra::COUNT };
        let mut out =
            Out { w, buf: Vec::with_capacity(CHUNK + 4096), flushed: 0, sections: Vec::new() };
        out.buf.extend_from_slice(MAGIC);
        out.u32(version);
        out.section();
        out.strings(&self.strings)?;
        out.section();
        out.u64(self.rows.len() as u64);
        out.bytes(self.rows.bytes())?;
        out.section();
        out.u64(self.extras.len() as u64);
        for x in &self.extras {
            put_extra(&mut out.buf, x, texts);
            out.flush_if_full()?;
        }
        out.section();
        out.u64(self.postcodes.len() as u64);
        let mut district_ids = super::strings::Interner::default();
        let mut districts: Vec<(u32, u32)> = Vec::with_capacity(self.postcodes.len());
        for p in &self.postcodes {
            districts.push((
                district_ids.id(p.admin_district.as_deref()),
                district_ids.id(p.ward.as_deref()),
            ));
        }
        let district_strings = district_ids.finish();
        for (p, (d, w)) in self.postcodes.iter().zip(&districts) {
            let text = p.postcode.as_str().as_bytes();
            out.buf.push(text.len() as u8);
            out.buf.extend_from_slice(text);
            let (e, n) = p.coordinates.map_or((f64::NAN, f64::NAN), |c| (c.easting, c.northing));
            out.f64(e);
            out.f64(n);
            out.u32(*d);
            out.u32(*w);
            out.u32(p.first);
            out.u32(p.count);
            out.flush_if_full()?;
        }
        out.strings(&district_strings)?;
        out.section();
        out.u32s(&self.by_uprn)?;
        out.section();
        for g in [&self.address_grid, &self.postcode_grid] {
            out.u64s(&g.keys)?;
            out.u32s(&g.starts)?;
            out.u32s(&g.ids)?;
        }
        let s = &self.search;
        out.section();
        out.strings(&s.term_text)?;
        out.section();
        out.u32s(&s.postings_start)?;
        out.section();
        out.u32s(&s.postings)?;
        out.section();
        out.u32s(&s.string_term_start)?;
        out.u32s(&s.string_terms)?;
        out.section();
        out.u32s(&s.numbers)?;
        out.u32s(&s.number_terms)?;
        out.u32s(&s.postcode_terms)?;
        out.section();
        out.u32s(&s.rank_doc)?;
        out.section();
        let src = &self.sources;
        out.strings(&src.strings)?;
        out.u32s(&src.rows)?;
        out.u32s(&src.row_start)?;
        out.bytes(&src.views)?;
        out.u32s(&src.ordinals)?;
        out.u32s(&src.field_start)?;
        out.u32s(&src.keys)?;
        out.u32s(&src.values)?;
        for at in std::mem::take(&mut out.sections) {
            out.u64(at);
        }
        for n in [
            self.strings.len(),
            self.rows.len(),
            self.extras.len(),
            self.postcodes.len(),
            s.term_text.len(),
            self.sources.len(),
        ] {
            out.u64(n as u64);
        }
        out.buf.extend_from_slice(FOOTER_MAGIC);
        out.finish()
    }

    /// The index as bytes (see the module docs for the format).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write_to(&mut v);
        v
    }

    /// Writes the index to a file: to a temporary file beside it first, then renamed into place.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn save(&self, path: &std::path::Path) -> Result<(), Error> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".partial");
        let tmp = std::path::PathBuf::from(tmp);
        let written = std::fs::File::create(&tmp).and_then(|f| {
            let mut w = std::io::BufWriter::with_capacity(CHUNK, f);
            self.write_to(&mut w)?;
            w.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()
        });
        written.and_then(|()| std::fs::rename(&tmp, path)).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path.display(), e)
        })
    }

    /// Opens a file written by [`Index::save`]. The large arrays are read on two threads.
    ///
    /// # Errors
    /// [`Error::Io`] when unreadable, [`Error::IndexFormat`] when corrupt or from another version.
    pub fn open(path: &std::path::Path) -> Result<Self, Error> {
        let size = std::fs::metadata(path).map_err(|e| Error::io(path.display(), e))?.len();
        Self::read(&Source::File(path), size)
    }

    /// Reads the bytes of [`Index::to_bytes`].
    ///
    /// # Errors
    /// [`Error::IndexFormat`] when the bytes are not a valid index.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::read(&Source::Bytes(bytes), bytes.len() as u64)
    }

    fn read(source: &Source<'_>, size: u64) -> Result<Self, Error> {
        let toc = Toc::read(source, size)?;
        let counts = toc.counts;
        let at = |k: usize| source.reader(toc.bounds[k], toc.bounds[k + 1]);
        // Rows, strings, postcodes, the UPRN order and the grids on this thread; the search arrays on another.
        let (front, back) = std::thread::scope(|scope| {
            let back = scope.spawn(|| read_search(&at, &counts));
            let front = read_front(&at, &toc);
            let back = back
                .join()
                .unwrap_or_else(|_| Err(Error::IndexFormat("index reader thread failed".into())));
            (front, back)
        });
        let front = front?;
        let (mut search, sources) = back?;
        let sizes = [
            front.strings.len(),
            front.rows.len(),
            front.extras.len(),
            front.postcodes.len(),
            front.term_text.len(),
            sources.len(),
        ];
        if sizes != counts {
            return Err(Error::IndexFormat(
                "section sizes disagree with the table of contents".into(),
            ));
        }
        (search.terms, search.term_text) = (front.terms, front.term_text);
        let index = Self {
            strings: front.strings,
            rows: front.rows,
            extras: front.extras,
            postcode_ids: front.postcode_ids,
            postcodes: front.postcodes,
            by_uprn: front.by_uprn,
            address_grid: front.address_grid,
            postcode_grid: front.postcode_grid,
            search,
            sources,
        };
        index.check()?;
        Ok(index)
    }

    /// The checks that need more than one section. Ids are all looked up with `get`, so these guard
    /// against wrong answers from a damaged file rather than against panics.
    fn check(&self) -> Result<(), Error> {
        let bad = |what: &str| Err(Error::IndexFormat(format!("{what} are inconsistent")));
        let n_strings = self.strings.len();
        if !self.extras.iter().all(|x| x.text.iter().all(|&t| (t as usize) <= n_strings)) {
            return bad("address extras");
        }
        let n = self.rows.len();
        if self.by_uprn.len() != n {
            return bad("UPRN order");
        }
        let s = &self.search;
        let n_terms = s.term_text.len();
        let consistent = s.terms.len() == n_terms
            && s.rank_doc.len() == n
            && s.postings_start.len() == n_terms + 1
            && s.postings_start.first() == Some(&0)
            && s.postings_start.last().is_some_and(|&e| e as usize == s.postings.len())
            && s.postings_start.windows(2).all(|w| w[0] <= w[1])
            && s.string_term_start.len() == n_strings + 2
            && s.string_term_start.first() == Some(&0)
            && s.string_term_start.last().is_some_and(|&e| e as usize == s.string_terms.len())
            && s.string_term_start.windows(2).all(|w| w[0] <= w[1])
            && s.numbers.len() == s.number_terms.len()
            && s.numbers.windows(2).all(|w| w[0] < w[1])
            && s.postcode_terms.len() == 2 * self.postcodes.len();
        if !consistent {
            return bad("search arrays");
        }
        Ok(())
    }
}

/// The header and table of contents of an index file: where each section lies, the counts, and the extras'
/// layout of the file's version.
struct Toc {
    bounds: [u64; SECTIONS + 1],
    counts: [usize; COUNTS],
    extra_len: usize,
    extra_texts: usize,
}

impl Toc {
    fn read(source: &Source<'_>, size: u64) -> Result<Self, Error> {
        let truncated = || Error::IndexFormat("file is truncated".into());
        let footer_at = size.checked_sub(FOOTER_LEN as u64).ok_or_else(truncated)?;
        let mut head = source.reader(0, size)?;
        if head.fill(8)? != MAGIC {
            return Err(Error::IndexFormat("not a gaap address index (bad magic)".into()));
        }
        let version = head.u32()?;
        if version != VERSION && version != VERSION_5 {
            return Err(Error::IndexFormat(format!(
                "format version {version}, expected {VERSION} (or {VERSION_5}): rebuild the index with \
                 this version"
            )));
        }
        let (extra_len, extra_texts) = if version == VERSION_5 {
            (EXTRA_LEN_5, extra::COUNT - 1)
        } else {
            (EXTRA_LEN, extra::COUNT)
        };
        let mut foot = source.reader(footer_at, size)?;
        let mut bounds = [0u64; SECTIONS + 1];
        for b in bounds.iter_mut().take(SECTIONS) {
            *b = foot.u64()?;
        }
        bounds[SECTIONS] = footer_at;
        let mut counts = [0usize; COUNTS];
        for c in &mut counts {
            *c = usize::try_from(foot.u64()?).map_err(|_| truncated())?;
        }
        if foot.fill(8)? != FOOTER_MAGIC
            || bounds[0] != 12
            || !bounds.windows(2).all(|w| w[0] <= w[1])
        {
            return Err(Error::IndexFormat("table of contents is damaged".into()));
        }
        Ok(Self { bounds, counts, extra_len, extra_texts })
    }
}

/// A reader over section `k` of the file.
type SectionReader<'s> = In<Box<dyn Read + Send + 's>>;

/// The search arrays (all but the term dictionary, which the other thread reads) and the source records.
fn read_search<'s>(
    at: &(impl Fn(usize) -> Result<SectionReader<'s>, Error> + Sync),
    counts: &[usize; COUNTS],
) -> Result<(SearchIndex, Sources), Error> {
    let [_, n_rows, _, _, n_terms, _] = *counts;
    let mut terms_of = at(9)?;
    let mut numbers = at(10)?;
    let search = SearchIndex {
        terms: Map::default(),
        term_text: StringTable::default(),
        postings_start: at(7)?.u32s()?,
        postings: at(8)?.u32s_below(n_rows)?,
        string_term_start: terms_of.u32s()?,
        string_terms: terms_of.u32s_below(n_terms)?,
        numbers: numbers.u32s()?,
        number_terms: numbers.u32s_below(n_terms)?,
        postcode_terms: numbers.u32s()?,
        rank_doc: at(11)?.u32s_below(n_rows)?,
    };
    if search.postcode_terms.iter().any(|&x| x != NONE32 && x as usize >= n_terms) {
        return Err(Error::IndexFormat("an id is out of range".into()));
    }
    let mut src = at(12)?;
    let sources = Sources {
        strings: src.strings()?,
        rows: src.u32s()?,
        row_start: src.u32s()?,
        views: src.bytes()?,
        ordinals: src.u32s()?,
        field_start: src.u32s()?,
        keys: src.u32s()?,
        values: src.u32s()?,
    };
    if !sources.is_consistent(n_rows) {
        return Err(Error::IndexFormat("source records are inconsistent".into()));
    }
    Ok((search, sources))
}

/// What [`read_front`] reads.
struct Front {
    strings: StringTable,
    rows: Rows,
    extras: Vec<Extra>,
    postcodes: Vec<PostcodeRecord>,
    postcode_ids: std::collections::HashMap<Postcode, u32>,
    by_uprn: Vec<u32>,
    address_grid: Grid,
    postcode_grid: Grid,
    terms: Map<Vec<u8>>,
    term_text: StringTable,
}

/// Strings, rows, extras, postcodes, the UPRN order, the grids and the term dictionary.
fn read_front<'s>(
    at: &impl Fn(usize) -> Result<SectionReader<'s>, Error>,
    toc: &Toc,
) -> Result<Front, Error> {
    let [n_strings, n_rows, n_extras, n_postcodes, _, _] = toc.counts;
    let strings = at(0)?.strings()?;
    let mut packed = at(1)?;
    let n = usize::try_from(packed.u64()?)
        .map_err(|_| Error::IndexFormat("file is truncated".into()))?;
    let rows = Rows::unpack(n, packed.bytes()?, |r| row_ok(r, n_strings, n_postcodes, n_extras))
        .ok_or_else(|| Error::IndexFormat("address rows are inconsistent".into()))?;
    let extras = at(2)?.items(toc.extra_len, |b| get_extra(b, toc.extra_texts))?;
    let postcodes = at(3)?.postcodes(n_rows)?;
    let postcode_ids = super::postcode_ids(&postcodes);
    let by_uprn = at(4)?.u32s_below(n_rows)?;
    let mut g = at(5)?;
    let address_grid = g.grid(n_rows)?;
    let postcode_grid = g.grid(n_postcodes)?;
    let term_text = at(6)?.strings()?;
    let terms = super::search::dictionary(&term_text)
        .map_err(|e| Error::IndexFormat(format!("term dictionary: {e}")))?;
    Ok(Front {
        strings,
        rows,
        extras,
        postcodes,
        postcode_ids,
        by_uprn,
        address_grid,
        postcode_grid,
        terms,
        term_text,
    })
}

/// Where the saved bytes are: a file (each section read through its own handle) or memory.
enum Source<'a> {
    File(&'a std::path::Path),
    Bytes(&'a [u8]),
}

impl Source<'_> {
    fn reader(&self, start: u64, end: u64) -> Result<In<Box<dyn Read + Send + '_>>, Error> {
        let truncated = || Error::IndexFormat("file is truncated".into());
        let len = end.checked_sub(start).ok_or_else(truncated)?;
        let r: Box<dyn Read + Send + '_> = match self {
            Self::File(path) => {
                let mut f = std::fs::File::open(path).map_err(|e| Error::io(path.display(), e))?;
                f.seek(SeekFrom::Start(start)).map_err(|e| Error::io(path.display(), e))?;
                Box::new(std::io::BufReader::with_capacity(CHUNK, f.take(len)))
            }
            Self::Bytes(b) => {
                let (s, e) = (usize::try_from(start), usize::try_from(end));
                let slice = match (s, e) {
                    (Ok(s), Ok(e)) => b.get(s..e).ok_or_else(truncated)?,
                    _ => return Err(truncated()),
                };
                Box::new(slice)
            }
        };
        Ok(In { r, buf: Vec::with_capacity(CHUNK), left: len })
    }
}

#[cfg(test)]
mod tests {
    use crate::index::IndexBuilder;
    use crate::types::address::{Address, NumberLabel, WelshNames};
    use crate::types::postcode::Postcode;
    use crate::types::uprn::Uprn;

    #[test]
    fn version_5_files_still_open_and_other_versions_are_refused() {
        let mut a = Address::new(Uprn::new(7).unwrap());
        a.set_number(NumberLabel::parse("92B"));
        a.thoroughfare = Some("COOMBE GARDENS".into());
        a.postcode = Some(Postcode::parse("EX1 2AB").unwrap());
        a.welsh = Some(WelshNames { post_town: Some("CAERWYSG".into()), ..WelshNames::default() });
        let mut b = IndexBuilder::new();
        b.add_address(a.clone());
        let index = b.build();
        let mut v5 = Vec::new();
        index.write_version(&mut v5, super::VERSION_5).unwrap();
        let old = crate::Index::from_bytes(&v5).unwrap();
        let back = old.by_uprn(a.uprn).unwrap();
        // Version 5 had no number label: the number and every other component are still there.
        assert_eq!(back.building_number, Some(92));
        assert_eq!(back.building_number_suffix, None);
        assert_eq!(back.welsh, a.welsh);
        let now = crate::Index::from_bytes(&index.to_bytes()).unwrap();
        assert_eq!(now.by_uprn(a.uprn), Some(a));
        let mut v4 = index.to_bytes();
        v4[8..12].copy_from_slice(&4u32.to_le_bytes());
        let err = crate::Index::from_bytes(&v4).err().unwrap().to_string();
        assert!(err.contains("format version 4") && err.contains("rebuild"), "{err}");
    }
}
