//! Address rows packed into bytes, in memory and in the saved file: about 12 bytes an address instead of 96.
//!
//! Rows are coded in blocks of [`BLOCK`]. Each row is coded against the one before it in its block (the first
//! against [`BASE`]): a varint mask says which fields changed, then the UPRN, UDPRN and coordinates as
//! varint deltas and each changed field as a varint. Coordinates that are whole centimetres are stored as
//! centimetre deltas; any other value (or a NaN that is not the usual one) is stored as its 8 raw bytes, so
//! every row round-trips bit for bit. Reading row `i` decodes at most `BLOCK` rows.

use super::{NONE32, Row, field};

/// Rows per block: the most rows one random read decodes.
pub(crate) const BLOCK: usize = 8;

/// The row each block's first row is coded against.
const BASE: Row = Row {
    uprn: 0,
    parent_uprn: 0,
    easting: f64::NAN,
    northing: f64::NAN,
    udprn: NONE32,
    postcode: 0,
    building_number: NONE32,
    text: [0; field::COUNT],
    extra: NONE32,
    custodian: u16::MAX,
    language: 0,
};

/// Text fields in mask-bit order, the often-changing first so that a usual mask fits one byte.
const TEXT_BITS: [(u32, usize); field::COUNT] = [
    (0, field::SUB_BUILDING),
    (1, field::BUILDING_NAME),
    (3, field::ORGANISATION),
    (4, field::THOROUGHFARE),
    (6, field::CLASSIFICATION),
    (8, field::DEPENDENT_THOROUGHFARE),
    (9, field::DOUBLE_DEPENDENT_LOCALITY),
    (10, field::DEPENDENT_LOCALITY),
    (11, field::POST_TOWN),
    (12, field::GSS_CODE),
];
/// The text field of each mask bit (`usize::MAX` for the bits that are not text).
const TEXT_OF_BIT: [usize; 16] = {
    let mut out = [usize::MAX; 16];
    let mut k = 0;
    while k < TEXT_BITS.len() {
        out[TEXT_BITS[k].0 as usize] = TEXT_BITS[k].1;
        k += 1;
    }
    out
};
const NUMBER: u32 = 2;
const POSTCODE: u32 = 5;
const PARENT: u32 = 7;
const CUSTODIAN: u32 = 13;
const LANGUAGE: u32 = 14;
const EXTRA: u32 = 15;

/// Packed rows: the bytes, and where each block starts.
#[derive(Default, Clone, PartialEq, Eq)]
pub(crate) struct Rows {
    len: usize,
    block_starts: Vec<u64>,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows").field("len", &self.len).field("bytes", &self.bytes.len()).finish()
    }
}

impl Rows {
    pub(crate) fn pack(rows: &[Row]) -> Self {
        let mut out = Self { len: rows.len(), ..Self::default() };
        out.block_starts.reserve_exact(rows.len().div_ceil(BLOCK));
        out.bytes.reserve(rows.len() * 16);
        for block in rows.chunks(BLOCK) {
            out.block_starts.push(out.bytes.len() as u64);
            let mut prev = Cursor::new(0);
            for r in block {
                prev.put(r, &mut out.bytes);
            }
        }
        out.bytes.shrink_to_fit();
        out
    }

    /// Takes `len` rows packed by [`Rows::pack`] (the bytes of [`Rows::bytes`]), decoding every one and
    /// refusing the bytes unless each row passes `ok` and the last row ends exactly at the end.
    pub(crate) fn unpack(len: usize, bytes: Vec<u8>, ok: impl Fn(&Row) -> bool) -> Option<Self> {
        // Every row takes at least five bytes: its mask, UPRN, UDPRN and two coordinates.
        if len > bytes.len() / 5 {
            return None;
        }
        let mut block_starts = Vec::with_capacity(len.div_ceil(BLOCK));
        let mut cursor = Cursor::new(0);
        for i in 0..len {
            if i.is_multiple_of(BLOCK) {
                block_starts.push(cursor.at as u64);
                cursor = Cursor::new(cursor.at);
            }
            if !ok(&cursor.next(&bytes)?) {
                return None;
            }
        }
        (cursor.at == bytes.len()).then_some(Self { len, block_starts, bytes })
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) const fn len(&self) -> usize {
        self.len
    }

    pub(crate) const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Row `i`.
    pub(crate) fn get(&self, i: usize) -> Option<Row> {
        self.iter_from(i).next()
    }

    /// Calls `f` with each row named in `sorted` (ascending indexes, each with a value of the caller's), decoding
    /// each block at most once.
    pub(crate) fn visit_sorted<T>(
        &self,
        sorted: impl IntoIterator<Item = (usize, T)>,
        mut f: impl FnMut(usize, T, Row),
    ) {
        let mut it: Option<Iter<'_>> = None;
        for (i, value) in sorted {
            let reuse = it.as_ref().is_some_and(|it| it.next <= i && it.next / BLOCK == i / BLOCK);
            if !reuse {
                it = Some(self.iter_from(i));
            }
            let Some(iter) = it.as_mut() else { continue };
            while iter.next < i && iter.next().is_some() {}
            if iter.next == i
                && let Some(row) = iter.next()
            {
                f(i, value, row);
            }
        }
    }

    /// Rows from `i` on, in order.
    pub(crate) fn iter_from(&self, i: usize) -> Iter<'_> {
        let block = i / BLOCK;
        let start = self.block_starts.get(block).map_or(self.bytes.len(), |&s| s as usize);
        let mut it = Iter { rows: self, next: block * BLOCK, cursor: Cursor::new(start) };
        while it.next < i.min(self.len) {
            it.next();
        }
        it
    }

    pub(crate) fn iter(&self) -> Iter<'_> {
        self.iter_from(0)
    }
}

/// Rows in order, decoded one after another.
pub(crate) struct Iter<'a> {
    rows: &'a Rows,
    next: usize,
    cursor: Cursor,
}

impl Iterator for Iter<'_> {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        if self.next >= self.rows.len {
            return None;
        }
        if self.next.is_multiple_of(BLOCK) {
            self.cursor = Cursor::new(self.cursor.at);
        }
        self.next += 1;
        let row = self.cursor.next(&self.rows.bytes);
        if row.is_none() {
            self.next = self.rows.len;
        }
        row
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.rows.len - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The coding state inside one block: the previous row and the last whole-centimetre coordinates.
struct Cursor {
    at: usize,
    prev: Row,
    cm: [i64; 2],
}

impl Cursor {
    const fn new(at: usize) -> Self {
        Self { at, prev: BASE, cm: [0; 2] }
    }

    fn put(&mut self, r: &Row, out: &mut Vec<u8>) {
        let p = &self.prev;
        let mut mask = 0u64;
        for (bit, f) in TEXT_BITS {
            if r.text[f] != p.text[f] {
                mask |= 1 << bit;
            }
        }
        for (bit, changed) in [
            (NUMBER, r.building_number != p.building_number),
            (POSTCODE, r.postcode != p.postcode),
            (PARENT, r.parent_uprn != p.parent_uprn),
            (CUSTODIAN, r.custodian != p.custodian),
            (LANGUAGE, r.language != p.language),
            (EXTRA, r.extra != p.extra),
        ] {
            if changed {
                mask |= 1 << bit;
            }
        }
        put_varint(out, mask);
        put_varint(out, zigzag(r.uprn.wrapping_sub(p.uprn) as i64));
        put_varint(out, zigzag32(r.udprn, p.udprn));
        for (k, v) in [r.easting, r.northing].into_iter().enumerate() {
            match centimetres(v) {
                Some(c) => {
                    put_varint(out, 2 + zigzag(c - self.cm[k]));
                    self.cm[k] = c;
                }
                None if v.to_bits() == f64::NAN.to_bits() => put_varint(out, 0),
                None => {
                    put_varint(out, 1);
                    out.extend_from_slice(&v.to_bits().to_le_bytes());
                }
            }
        }
        for bit in (0..16).filter(|b| mask & (1 << b) != 0) {
            let v = match bit {
                NUMBER => u64::from(r.building_number.wrapping_add(1)),
                POSTCODE => zigzag32(r.postcode, p.postcode),
                PARENT => r.parent_uprn,
                CUSTODIAN => u64::from(r.custodian),
                LANGUAGE => u64::from(r.language),
                EXTRA => u64::from(r.extra.wrapping_add(1)),
                _ => TEXT_BITS
                    .iter()
                    .find(|(b, _)| *b == bit)
                    .map_or(0, |&(_, f)| u64::from(r.text[f])),
            };
            put_varint(out, v);
        }
        self.prev = *r;
    }

    /// The next row, or `None` when the bytes are not a valid row.
    fn next(&mut self, bytes: &[u8]) -> Option<Row> {
        let at = &mut self.at;
        let mask = get_varint(bytes, at)?;
        if mask >> 16 != 0 {
            return None;
        }
        let p = &self.prev;
        let mut r = *p;
        r.uprn = p.uprn.wrapping_add(unzigzag(get_varint(bytes, at)?) as u64);
        r.udprn = unzigzag32(get_varint(bytes, at)?, p.udprn)?;
        let mut coordinate = |cm: &mut i64| -> Option<f64> {
            Some(match get_varint(bytes, at)? {
                0 => f64::NAN,
                1 => {
                    let raw = bytes.get(*at..*at + 8)?;
                    *at += 8;
                    f64::from_bits(u64::from_le_bytes(raw.try_into().ok()?))
                }
                d => {
                    *cm = cm.checked_add(unzigzag(d - 2))?;
                    *cm as f64 / 100.0
                }
            })
        };
        let [ce, cn] = &mut self.cm;
        r.easting = coordinate(ce)?;
        r.northing = coordinate(cn)?;
        let mut bits = mask;
        while bits != 0 {
            let bit = bits.trailing_zeros();
            bits &= bits - 1;
            let v = get_varint(bytes, at)?;
            match bit {
                NUMBER => r.building_number = u32::try_from(v).ok()?.wrapping_sub(1),
                POSTCODE => r.postcode = unzigzag32(v, p.postcode)?,
                PARENT => r.parent_uprn = v,
                CUSTODIAN => r.custodian = u16::try_from(v).ok()?,
                LANGUAGE => r.language = u8::try_from(v).ok()?,
                EXTRA => r.extra = u32::try_from(v).ok()?.wrapping_sub(1),
                _ => *r.text.get_mut(*TEXT_OF_BIT.get(bit as usize)?)? = u32::try_from(v).ok()?,
            }
        }
        self.prev = r;
        Some(r)
    }
}

/// `v` in whole centimetres, when that is exactly what it is.
fn centimetres(v: f64) -> Option<i64> {
    if !v.is_finite() || v.abs() >= 1e15 {
        return None;
    }
    let c = (v * 100.0).round() as i64;
    ((c as f64 / 100.0).to_bits() == v.to_bits()).then_some(c)
}

const fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

const fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A LEB128 varint at `*at`, or `None` when truncated or longer than a `u64`.
#[inline]
pub(crate) fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let first = *bytes.get(*at)?;
    if first < 0x80 {
        *at += 1;
        return Some(u64::from(first));
    }
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        let part = u64::from(b & 0x7f);
        if shift == 63 && part > 1 {
            return None;
        }
        v |= part << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// A delta to add with wrapping, for sequences of `u32`s.
pub(crate) const fn zigzag32(v: u32, prev: u32) -> u64 {
    zigzag(v as i64 - prev as i64)
}

/// The inverse of [`zigzag32`], or `None` when the result is not a `u32`.
pub(crate) fn unzigzag32(v: u64, prev: u32) -> Option<u32> {
    u32::try_from(i64::from(prev).checked_add(unzigzag(v))?).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn row() -> impl Strategy<Value = Row> {
        let coordinate = prop_oneof![
            (0i64..70_000_000).prop_map(|c| c as f64 / 100.0),
            any::<f64>(),
            Just(f64::NAN),
            Just(-0.0),
        ];
        let id = prop_oneof![Just(0u32), 0u32..50, any::<u32>()];
        (
            (0u64..1_000_000_000_000, prop_oneof![Just(0u64), any::<u64>()]),
            (coordinate.clone(), coordinate),
            (any::<u32>(), 0u32..5, prop_oneof![Just(NONE32), 0u32..300, any::<u32>()]),
            proptest::array::uniform10(id),
            (prop_oneof![Just(NONE32), any::<u32>()], any::<u16>(), 0u8..3),
        )
            .prop_map(
                |((uprn, parent_uprn), (easting, northing), (udprn, postcode, number), text, x)| {
                    Row {
                        uprn,
                        parent_uprn,
                        easting,
                        northing,
                        udprn,
                        postcode,
                        building_number: number,
                        text,
                        extra: x.0,
                        custodian: x.1,
                        language: x.2,
                    }
                },
            )
    }

    fn same(a: &Row, b: &Row) -> bool {
        a.easting.to_bits() == b.easting.to_bits()
            && a.northing.to_bits() == b.northing.to_bits()
            && Row { easting: 0.0, northing: 0.0, ..*a }
                == Row { easting: 0.0, northing: 0.0, ..*b }
    }

    proptest! {
        #[test]
        fn rows_round_trip_bit_for_bit(rows in proptest::collection::vec(row(), 0..80), probe in 0usize..80) {
            let packed = Rows::pack(&rows);
            prop_assert_eq!(packed.len(), rows.len());
            prop_assert!(packed.iter().zip(&rows).all(|(a, b)| same(&a, b)));
            prop_assert_eq!(packed.iter().count(), rows.len());
            match rows.get(probe) {
                Some(want) => prop_assert!(packed.get(probe).is_some_and(|got| same(&got, want))),
                None => prop_assert!(packed.get(probe).is_none()),
            }
            let again = Rows::unpack(rows.len(), packed.bytes().to_vec(), |_| true);
            prop_assert_eq!(again.as_ref(), Some(&packed));
        }

        #[test]
        fn visiting_sorted_rows_gives_each_asked_row_with_its_value(
            rows in proptest::collection::vec(row(), 0..80),
            asked in proptest::collection::btree_set(0usize..90, 0..30),
        ) {
            let packed = Rows::pack(&rows);
            let mut seen = Vec::new();
            packed.visit_sorted(asked.iter().map(|&i| (i, i * 10)), |i, value, got| {
                seen.push((i, value, rows.get(i).is_some_and(|want| same(&got, want))));
            });
            let want: Vec<(usize, usize, bool)> =
                asked.iter().filter(|&&i| i < rows.len()).map(|&i| (i, i * 10, true)).collect();
            prop_assert_eq!(seen, want);
        }

        #[test]
        fn damaged_rows_never_panic(
            rows in proptest::collection::vec(row(), 1..40),
            at in any::<usize>(),
            byte in any::<u8>(),
        ) {
            let mut bytes = Rows::pack(&rows).bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = byte;
            if let Some(r) = Rows::unpack(rows.len(), bytes, |_| true) {
                prop_assert_eq!(r.iter().count(), rows.len());
            }
        }

        #[test]
        fn varints_round_trip(v in any::<u64>()) {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            let mut at = 0;
            prop_assert_eq!(get_varint(&out, &mut at), Some(v));
            prop_assert_eq!(at, out.len());
        }
    }

    #[test]
    fn a_typical_row_takes_few_bytes() {
        let mut rows = Vec::new();
        for i in 0..1_600u32 {
            let mut text = [0; field::COUNT];
            text[field::THOROUGHFARE] = 7;
            text[field::POST_TOWN] = 3;
            rows.push(Row {
                uprn: 100_000 + u64::from(i),
                parent_uprn: 0,
                easting: 530_000.0 + f64::from(i % 40),
                northing: 180_000.0 + f64::from(i % 30),
                udprn: NONE32,
                postcode: i / 17,
                building_number: i % 90 + 1,
                text,
                extra: NONE32,
                custodian: 5990,
                language: 0,
            });
        }
        let packed = Rows::pack(&rows);
        assert!(packed.bytes().len() < 12 * rows.len(), "{} bytes", packed.bytes().len());
    }
}
