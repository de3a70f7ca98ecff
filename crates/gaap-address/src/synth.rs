//! Deterministic synthetic addresses for tests, examples and benches: AddressBase-shaped records on real or
//! synthetic postcodes.
//!
//! The shape follows real streets. A street runs through one to four consecutive postcodes of a sector, its
//! house numbers continuing from one postcode to the next (odd side, even side or both), so each number is on
//! the street once. Its name is unique within its post town and postcode district (`SW1`) and Zipfian
//! nationally: `HIGH STREET` is in nearly every district, once, and a long tail (`GREAT PORTLAND STREET`)
//! names the rest. Each postcode has a main street and a side street, and houses, blocks of flats (`FLAT n`,
//! numbered within the block), named houses, lettered numbers (`12A` after 12) and organisations; building
//! and house names are unique on their street and in their postcode. A sector is in a dependent locality one
//! time in ten.
//!
//! Everything here is invented. UPRNs start at 900000000000, a range no real UPRN uses yet.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use crate::error::Error;
use crate::rules::geo::Coordinates;
use crate::types::address::Address;
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

/// First synthetic UPRN.
pub const FIRST_UPRN: u64 = 900_000_000_000;

/// A postcode to put addresses on.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedPostcode {
    /// The postcode.
    pub postcode: Postcode,
    /// Its centroid.
    pub coordinates: Option<Coordinates>,
    /// Local authority district GSS code.
    pub admin_district: Option<String>,
    /// The post town to use.
    pub post_town: String,
}

/// splitmix64: small, fast, and stable across versions (so a seed always gives the same data).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or_default()
    }
}

const STEMS: [&str; 120] = [
    "HIGH",
    "STATION",
    "MAIN",
    "PARK",
    "CHURCH",
    "LONDON",
    "VICTORIA",
    "GREEN",
    "MANOR",
    "KINGS",
    "QUEENS",
    "NEW",
    "MILL",
    "SCHOOL",
    "GEORGE",
    "ALBERT",
    "YORK",
    "WEST",
    "NORTH",
    "SOUTH",
    "EAST",
    "MARKET",
    "BRIDGE",
    "CASTLE",
    "WINDSOR",
    "GROVE",
    "OAK",
    "ELM",
    "ASH",
    "BEECH",
    "CEDAR",
    "WILLOW",
    "MAPLE",
    "CHESTNUT",
    "HOLLY",
    "ROSE",
    "MEADOW",
    "ORCHARD",
    "FARM",
    "HILLSIDE",
    "RIVERSIDE",
    "WOODLANDS",
    "SPRINGFIELD",
    "CHAPEL",
    "ABBEY",
    "PRIORY",
    "GRANGE",
    "HALL",
    "COURT",
    "FOREST",
    "VALLEY",
    "LAKE",
    "BROOK",
    "FIELD",
    "HEATH",
    "COMMON",
    "BARN",
    "DOVE",
    "SWAN",
    "ROBIN",
    "WREN",
    "LARK",
    "FALCON",
    "HERON",
    "BLENHEIM",
    "CAMBRIDGE",
    "OXFORD",
    "BEDFORD",
    "DEVONSHIRE",
    "PORTLAND",
    "GLOUCESTER",
    "WARWICK",
    "NELSON",
    "WELLINGTON",
    "MARLBOROUGH",
    "CHESTER",
    "RICHMOND",
    "HAMILTON",
    "CLARENCE",
    "SUSSEX",
    "KENT",
    "ESSEX",
    "SURREY",
    "NORFOLK",
    "DORSET",
    "CORNWALL",
    "BELGRAVE",
    "GROSVENOR",
    "MONTAGUE",
    "CAVENDISH",
    "BERKELEY",
    "SEYMOUR",
    "SALISBURY",
    "HARROW",
    "EDGWARE",
    "MARYLEBONE",
    "PADDINGTON",
    "BAYSWATER",
    "PIMLICO",
    "ECCLESTON",
    "ELIZABETH",
    "CHARLOTTE",
    "CAROLINE",
    "MARGARET",
    "EDWARD",
    "WILLIAM",
    "HENRY",
    "ARTHUR",
    "JAMES",
    "THOMAS",
    "FREDERICK",
    "AUGUSTUS",
    "PRINCES",
    "DUKE",
    "EARL",
    "BISHOPS",
    "ST JOHNS",
    "ST MARYS",
    "ST PAULS",
    "ST GEORGES",
];

const SUFFIXES: [&str; 20] = [
    "STREET", "ROAD", "LANE", "AVENUE", "CLOSE", "DRIVE", "WAY", "GARDENS", "PLACE", "CRESCENT",
    "GROVE", "TERRACE", "HILL", "SQUARE", "MEWS", "WALK", "ROW", "VIEW", "COURT", "PARADE",
];

const BUILDING_KINDS: [&str; 8] =
    ["HOUSE", "COURT", "MANSIONS", "LODGE", "TOWER", "APARTMENTS", "BUILDINGS", "POINT"];

const HOUSE_NAMES: [&str; 16] = [
    "ROSE COTTAGE",
    "THE OLD RECTORY",
    "IVY HOUSE",
    "THE COACH HOUSE",
    "ORCHARD COTTAGE",
    "THE LODGE",
    "HOLLY COTTAGE",
    "THE OLD SCHOOL",
    "MILL HOUSE",
    "THE GABLES",
    "WILLOW COTTAGE",
    "THE STABLES",
    "FOX COTTAGE",
    "THE BARN",
    "SUNNYSIDE",
    "GREENACRES",
];

const ORG_KINDS: [&str; 10] = [
    "LTD",
    "CAFE",
    "DENTAL PRACTICE",
    "SURGERY",
    "PHARMACY",
    "BAKERY",
    "SOLICITORS",
    "NURSERY",
    "STUDIO",
    "GALLERY",
];

const LOCALITIES: [&str; 12] = [
    "NEWTOWN",
    "UPPER GREEN",
    "LOWER END",
    "CHURCH END",
    "WESTFIELD",
    "EASTWOOD",
    "NORTHGATE",
    "SOUTHBANK",
    "HIGHFIELD",
    "BROOKSIDE",
    "MILLBROOK",
    "OAKWOOD",
];

/// Prefixes that make the long tail of street names (`GREAT PORTLAND STREET`), so a district of thousands of
/// streets still has a name for each.
const MODIFIERS: [&str; 5] = ["UPPER", "LOWER", "GREAT", "LITTLE", "OLD"];

/// Street names in Zipf rank order: rank 1 is the most common.
fn street_names() -> Vec<String> {
    let mut plain = Vec::with_capacity(STEMS.len() * SUFFIXES.len());
    // Interleave so the most common names pair common stems with common suffixes.
    for round in 0..SUFFIXES.len() {
        for (i, stem) in STEMS.iter().enumerate() {
            let suffix = SUFFIXES[(i + round) % SUFFIXES.len()];
            if *stem != suffix {
                plain.push(format!("{stem} {suffix}"));
            }
        }
    }
    let modified: Vec<String> =
        plain.iter().flat_map(|n| MODIFIERS.iter().map(move |m| format!("{m} {n}"))).collect();
    plain.extend(modified);
    plain
}

/// A Zipf(s = 1) sampler over `n` ranks.
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 1..=n {
            acc += 1.0 / r as f64;
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Self { cdf }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len().saturating_sub(1))
    }
}

/// Generates `count` addresses spread over `postcodes`, in their order. Deterministic for a given seed and
/// input.
#[must_use]
pub fn generate(postcodes: &[SeedPostcode], count: usize, seed: u64) -> Vec<Address> {
    let mut out = Vec::with_capacity(count);
    generate_with(postcodes, count, seed, |a| out.push(a));
    out
}

/// A street being laid along consecutive postcodes.
struct Street {
    name: String,
    /// The next odd and the next even house number.
    next: [u32; 2],
    /// The last number given out in this postcode, and how many lettered variants (`12A`) it has.
    last: Option<(u32, u8)>,
    /// Building and house names used on the street.
    names: HashSet<String>,
    /// Postcodes still to run through.
    postcodes_left: usize,
}

impl Street {
    /// The next house number: on one side (0 odd, 1 even) or, for `side` 2, the lower of the two.
    fn number(&mut self, rng: &mut Rng, side: usize) -> u32 {
        let s = if side < 2 { side } else { usize::from(self.next[1] < self.next[0]) };
        let n = self.next[s];
        // Now and then a number is missing (a gap in the street).
        self.next[s] += if rng.below(8) == 0 { 4 } else { 2 };
        self.last = Some((n, 0));
        n
    }

    /// `12A` after 12, `12B` after `12A`; else a new number with `A`.
    fn lettered(&mut self, rng: &mut Rng, side: usize) -> String {
        let (n, l) = match self.last {
            Some((n, l)) if l < 2 => (n, l + 1),
            _ => (self.number(rng, side), 1),
        };
        self.last = Some((n, l));
        format!("{n}{}", char::from(b'@' + l))
    }

    /// A name from `make` used neither on this street nor in this postcode (`here`), recorded in both;
    /// `None` after a few tries.
    fn fresh_name(
        &mut self,
        rng: &mut Rng,
        here: &mut HashSet<String>,
        make: impl Fn(&mut Rng) -> String,
    ) -> Option<String> {
        for _ in 0..8 {
            let name = make(rng);
            if !here.contains(&name) && self.names.insert(name.clone()) {
                here.insert(name.clone());
                return Some(name);
            }
        }
        None
    }
}

/// Street names for new streets: Zipfian nationally, each used once per post town and postcode district.
struct Namer {
    names: Vec<String>,
    zipf: Zipf,
    /// Per (post town, district): a bit per name, set when used.
    used: HashMap<(String, String), Vec<u64>>,
}

impl Namer {
    fn new() -> Self {
        let names = street_names();
        let zipf = Zipf::new(names.len());
        Self { names, zipf, used: HashMap::new() }
    }

    fn street(&mut self, rng: &mut Rng, pc: &SeedPostcode) -> Street {
        let words = self.names.len().div_ceil(64);
        let key = (pc.post_town.clone(), pc.postcode.district().to_owned());
        let used = self.used.entry(key).or_insert_with(|| vec![0; words]);
        let free = |used: &[u64], r: usize| used[r / 64] & (1 << (r % 64)) == 0;
        // Popular names first; once those are taken, the first free one from a random start.
        let rank = (0..16)
            .map(|_| self.zipf.sample(rng))
            .find(|&r| free(used, r))
            .or_else(|| {
                let start = rng.below(self.names.len());
                (0..self.names.len())
                    .map(|i| (start + i) % self.names.len())
                    .find(|&r| free(used, r))
            })
            .unwrap_or_else(|| {
                // Every name is taken here (a district of thousands of streets): start reusing.
                used.fill(0);
                self.zipf.sample(rng)
            });
        used[rank / 64] |= 1 << (rank % 64);
        Street {
            name: self.names[rank].clone(),
            next: [1, 2],
            last: None,
            names: HashSet::new(),
            postcodes_left: 1 + rng.below(4),
        }
    }
}

/// As [`generate`], handing each address to `sink` instead of collecting (for national-scale output). Keeps
/// only the streets in hand and one bit per street name per district.
pub fn generate_with(
    postcodes: &[SeedPostcode],
    count: usize,
    seed: u64,
    mut sink: impl FnMut(Address),
) {
    if postcodes.is_empty() {
        return;
    }
    let mut rng = Rng::new(seed);
    let mut namer = Namer::new();
    let mut remaining = count;
    let mut uprn = FIRST_UPRN;
    let mut streets: [Option<Street>; 2] = [None, None];
    let mut sector = ("", "");
    let mut locality: Option<String> = None;
    for (i, pc) in postcodes.iter().enumerate() {
        if remaining == 0 {
            break;
        }
        // A random share of what is left, so sizes vary (0.3 to 1.7 times the mean).
        let left_pcs = postcodes.len() - i;
        let share = if left_pcs == 1 {
            remaining
        } else {
            let mean = remaining as f64 / left_pcs as f64;
            let want = (mean * 1.4f64.mul_add(rng.unit(), 0.3)).round().max(1.0) as usize;
            want.min(remaining)
        };
        remaining -= share;
        // Streets end with the sector; a sector is in a dependent locality one time in ten.
        if sector != (pc.post_town.as_str(), pc.postcode.sector()) {
            sector = (pc.post_town.as_str(), pc.postcode.sector());
            streets = [None, None];
            locality = (rng.below(10) == 0).then(|| rng.pick(&LOCALITIES).to_owned());
        }
        // The main street, and the side street (one address in five).
        let mut sides = [0; 2];
        for (street, side) in streets.iter_mut().zip(&mut sides) {
            if street.as_ref().is_none_or(|s| s.postcodes_left == 0) {
                *street = Some(namer.street(&mut rng, pc));
            }
            if let Some(s) = street {
                s.postcodes_left -= 1;
                s.last = None;
            }
            // Odd side, even side, or both.
            *side = rng.below(3);
        }
        // A block of flats being filled: its lane, name and number, and its last flat.
        let mut building: Option<(usize, String, Option<u32>, u32)> = None;
        let mut here = HashSet::new();
        for k in 0..share {
            uprn += 1;
            let Ok(id) = Uprn::new(uprn) else { break };
            let lane = building.as_ref().map_or(usize::from(k % 5 == 4), |b| b.0);
            let (Some(street), side) = (streets[lane].as_mut(), sides[lane]) else { break };
            let mut a = Address::new(id);
            a.postcode = Some(pc.postcode);
            a.post_town = Some(pc.post_town.clone());
            a.dependent_locality.clone_from(&locality);
            a.gss_code.clone_from(&pc.admin_district);
            a.thoroughfare = Some(street.name.clone());
            a.coordinates = pc.coordinates.map(|c| {
                Coordinates::new(
                    (rng.unit().mul_add(60.0, c.easting) - 30.0).round(),
                    (rng.unit().mul_add(60.0, c.northing) - 30.0).round(),
                )
            });
            let roll = rng.below(100);
            if let Some((_, name, num, flat)) = building.as_mut() {
                *flat += 1;
                a.sub_building = Some(format!("FLAT {flat}"));
                a.building_name = Some(name.clone());
                a.building_number = *num;
                a.classification = Some("RD06".into());
                if rng.below(6) == 0 {
                    building = None;
                }
            } else if roll < 62 {
                a.building_number = Some(street.number(&mut rng, side));
                a.classification = Some(if rng.below(3) == 0 { "RD03" } else { "RD04" }.into());
            } else if roll < 82
                && let Some(name) = street.fresh_name(&mut rng, &mut here, |r| {
                    format!("{} {}", r.pick(&STEMS), r.pick(&BUILDING_KINDS))
                })
            {
                let num = (rng.below(2) == 0).then(|| street.number(&mut rng, side));
                a.sub_building = Some("FLAT 1".into());
                a.building_name = Some(name.clone());
                a.building_number = num;
                a.classification = Some("RD06".into());
                building = Some((lane, name, num, 1));
            } else if (82..89).contains(&roll)
                && let Some(name) =
                    street.fresh_name(&mut rng, &mut here, |r| r.pick(&HOUSE_NAMES).to_owned())
            {
                a.building_name = Some(name);
                a.classification = Some("RD02".into());
            } else if roll < 95 {
                a.building_name = Some(street.lettered(&mut rng, side));
                a.classification = Some("RD04".into());
            } else {
                a.organisation = Some(format!("{} {}", rng.pick(&STEMS), rng.pick(&ORG_KINDS)));
                a.building_number = Some(street.number(&mut rng, side));
                a.classification = Some("CR".into());
            }
            sink(a);
        }
    }
}

const AREAS: [(&str, &str); 40] = [
    ("AB", "ABERDEEN"),
    ("B", "BIRMINGHAM"),
    ("BA", "BATH"),
    ("BD", "BRADFORD"),
    ("BN", "BRIGHTON"),
    ("BS", "BRISTOL"),
    ("CB", "CAMBRIDGE"),
    ("CF", "CARDIFF"),
    ("CH", "CHESTER"),
    ("CV", "COVENTRY"),
    ("DE", "DERBY"),
    ("EH", "EDINBURGH"),
    ("EX", "EXETER"),
    ("G", "GLASGOW"),
    ("GL", "GLOUCESTER"),
    ("HU", "HULL"),
    ("IP", "IPSWICH"),
    ("L", "LIVERPOOL"),
    ("LE", "LEICESTER"),
    ("LS", "LEEDS"),
    ("M", "MANCHESTER"),
    ("NE", "NEWCASTLE UPON TYNE"),
    ("NG", "NOTTINGHAM"),
    ("NR", "NORWICH"),
    ("OX", "OXFORD"),
    ("PL", "PLYMOUTH"),
    ("PO", "PORTSMOUTH"),
    ("RG", "READING"),
    ("S", "SHEFFIELD"),
    ("SA", "SWANSEA"),
    ("SO", "SOUTHAMPTON"),
    ("ST", "STOKE-ON-TRENT"),
    ("SY", "SHREWSBURY"),
    ("TN", "TONBRIDGE"),
    ("TR", "TRURO"),
    ("WR", "WORCESTER"),
    ("YO", "YORK"),
    ("DH", "DURHAM"),
    ("LN", "LINCOLN"),
    ("CT", "CANTERBURY"),
];

const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// `count` synthetic but validly-formed postcodes across 40 real areas, with invented positions inside Great
/// Britain and synthetic district codes (`E99xxxxxx`, a range no real GSS code uses).
#[must_use]
pub fn synthetic_postcodes(count: usize, seed: u64) -> Vec<SeedPostcode> {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut out = Vec::with_capacity(count);
    let per_area = count.div_ceil(AREAS.len()).max(1);
    for (ai, (area, town)) in AREAS.iter().enumerate() {
        let (ce, cn) =
            (rng.unit().mul_add(450_000.0, 100_000.0), rng.unit().mul_add(850_000.0, 50_000.0));
        let mut made = 0usize;
        'area: for district in 1..=99u32 {
            for sector in 0..=9u32 {
                for u1 in UNIT_LETTERS {
                    for u2 in UNIT_LETTERS.iter().step_by(3) {
                        if made >= per_area || out.len() >= count {
                            break 'area;
                        }
                        let text =
                            format!("{area}{district} {sector}{}{}", *u1 as char, *u2 as char);
                        let Ok(postcode) = Postcode::parse(&text) else { continue };
                        let coordinates = Coordinates::new(
                            rng.unit()
                                .mul_add(2_000.0, f64::from(district).mul_add(300.0, ce))
                                .round(),
                            rng.unit()
                                .mul_add(2_000.0, f64::from(sector).mul_add(300.0, cn))
                                .round(),
                        );
                        out.push(SeedPostcode {
                            postcode,
                            coordinates: Some(coordinates),
                            admin_district: Some(format!("E99{:06}", ai * 100 + district as usize)),
                            post_town: (*town).to_owned(),
                        });
                        made += 1;
                    }
                }
            }
        }
    }
    out
}

/// The gaap CSV header, in the order [`write_gaap_csv`] writes.
pub const GAAP_CSV_HEADER: [&str; 23] = [
    "uprn",
    "udprn",
    "parent_uprn",
    "organisation",
    "department",
    "sub_building",
    "building_name",
    "building_number",
    "po_box",
    "dependent_thoroughfare",
    "thoroughfare",
    "double_dependent_locality",
    "dependent_locality",
    "post_town",
    "postcode",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "classification",
    "local_custodian_code",
    "gss_code",
    "language",
];

/// Writes addresses as gaap CSV.
///
/// # Errors
/// [`Error::Io`] when writing fails.
pub fn write_gaap_csv(addresses: &[Address], out: impl Write) -> Result<(), Error> {
    let mut w = GaapCsvWriter::new(out)?;
    for a in addresses {
        w.write(a)?;
    }
    w.finish()
}

fn csv_io(e: csv::Error) -> Error {
    Error::io("gaap CSV output", std::io::Error::other(e))
}

/// Writes gaap CSV one address at a time.
#[derive(Debug)]
pub struct GaapCsvWriter<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> GaapCsvWriter<W> {
    /// Writes the header.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    pub fn new(out: W) -> Result<Self, Error> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(GAAP_CSV_HEADER).map_err(csv_io)?;
        Ok(Self { w })
    }

    /// Flushes.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    pub fn finish(mut self) -> Result<(), Error> {
        self.w.flush().map_err(|e| Error::io("gaap CSV output", e))
    }

    /// Writes one address.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    pub fn write(&mut self, a: &Address) -> Result<(), Error> {
        let w = &mut self.w;
        let io = csv_io;
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        let n = |o: Option<f64>| o.map(|v| v.to_string()).unwrap_or_default();
        let ll = a.source_lat_lng;
        w.write_record([
            a.uprn.to_string(),
            a.udprn.map(|v| v.to_string()).unwrap_or_default(),
            a.parent_uprn.map(|v| v.to_string()).unwrap_or_default(),
            s(&a.organisation),
            s(&a.department),
            s(&a.sub_building),
            s(&a.building_name),
            a.number_label().unwrap_or_default(),
            s(&a.po_box),
            s(&a.dependent_thoroughfare),
            s(&a.thoroughfare),
            s(&a.double_dependent_locality),
            s(&a.dependent_locality),
            s(&a.post_town),
            a.postcode.map(|p| p.to_string()).unwrap_or_default(),
            n(a.coordinates.map(|c| c.easting)),
            n(a.coordinates.map(|c| c.northing)),
            n(ll.map(|c| c.lat)),
            n(ll.map(|c| c.lng)),
            s(&a.classification),
            a.local_custodian_code.map(|v| v.to_string()).unwrap_or_default(),
            s(&a.gss_code),
            a.language.code().to_owned(),
        ])
        .map_err(io)
    }
}

/// The postcodes to use for `addresses` synthetic addresses: the embedded real Westminster postcodes when they
/// are enough for about 17 addresses each (council scale), else synthetic national-shaped ones.
#[must_use]
pub fn seed_postcodes_for(addresses: usize, seed: u64) -> Vec<SeedPostcode> {
    let wanted = addresses.div_ceil(17).max(1);
    let embedded = crate::embedded::seed_postcodes();
    if wanted <= embedded.len() {
        // A deterministic spread over the council rather than the first few in sort order.
        let step = (embedded.len() / wanted).max(1);
        embedded.into_iter().step_by(step).take(wanted).collect()
    } else {
        synthetic_postcodes(wanted, seed)
    }
}
