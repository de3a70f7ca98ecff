//! AddressBase Premium: its record types joined by UPRN (and streets by USRN) into addresses.

use std::collections::HashMap;

use super::{Line, NoteKind, Tally, opt};
use crate::index::IndexBuilder;
use crate::rules::geo::{Coordinates, LatLng};
use crate::rules::premise::{Aon, Placed, place_number, place_pao, place_sao};
use crate::types::address::{Address, Language, WelshNames, kept_before};
use crate::types::os_places::noted;
use crate::types::postcode::Postcode;
use crate::types::uprn::Uprn;

#[derive(Debug, Default)]
struct Blpu {
    coordinates: Option<Coordinates>,
    lat_lng: Option<LatLng>,
    custodian: Option<u16>,
    parent: Option<Uprn>,
    postcode: Option<Postcode>,
    line: u64,
}

/// An LPI (record 24) waiting for its street and BLPU.
#[derive(Debug)]
struct Lpi {
    /// Logical status: 1 approved, 3 alternative, 6 provisional, 8 historical; the lowest is preferred.
    status: u8,
    welsh: bool,
    usrn: Option<u64>,
    /// The premise, placed.
    address: Address,
    line: u64,
}

/// A street descriptor (record 15).
#[derive(Debug, Default)]
struct Street {
    description: Option<String>,
    locality: Option<String>,
    town: Option<String>,
}

/// Joins AddressBase Premium record types by UPRN (and streets by USRN).
#[derive(Debug, Default)]
pub(super) struct Premium {
    blpu: HashMap<Uprn, Blpu>,
    class: HashMap<Uprn, String>,
    organisation: HashMap<Uprn, String>,
    streets: HashMap<u64, Street>,
    welsh_streets: HashMap<u64, Street>,
    lpi: HashMap<Uprn, Lpi>,
    dpa: Vec<(Address, u64)>,
}

/// Record types that hold no address component, with what they are.
const PREMIUM_IGNORED: [(&str, &str); 6] = [
    ("10", "header"),
    ("11", "street"),
    ("23", "cross reference"),
    ("29", "metadata"),
    ("30", "successor"),
    ("99", "trailer"),
];

impl Premium {
    pub(super) fn row(&mut self, name: &str, row: &csv::StringRecord, tally: &mut Tally) {
        let at = Line(name, row.position().map_or(0, csv::Position::line));
        let get = |i: usize| row.get(i).and_then(opt);
        let kind = get(0).unwrap_or_default();
        if let Some((_, what)) = PREMIUM_IGNORED.iter().find(|(k, _)| *k == kind) {
            tally.report.skipped += 1;
            tally.ignore(format!("record type {kind} ({what})"));
            return;
        }
        let widths: &[usize] = match kind.as_str() {
            "15" => &[13],
            "21" => &[19, 22],
            "24" => &[26],
            "28" => &[29, 30],
            "31" => &[11],
            "32" => &[12],
            _ => {
                tally.reject(
                    &at,
                    format!("record type {kind:?} is not an AddressBase Premium type"),
                );
                return;
            }
        };
        if !widths.contains(&row.len()) {
            tally.reject(
                &at,
                format!("record type {kind} has {} fields, expected {widths:?}", row.len()),
            );
            return;
        }
        let mut notes: Vec<Placed> = Vec::new();
        if kind == "15" {
            let Some(usrn) = noted(get(3).as_deref(), "USRN", str::parse::<u64>, &mut notes) else {
                tally.reject(&at, "street descriptor without a USRN");
                return;
            };
            let street = Street { description: get(4), locality: get(5), town: get(6) };
            let welsh = get(8).is_some_and(|l| Language::from_code(&l) == Language::Cy);
            let map = if welsh { &mut self.welsh_streets } else { &mut self.streets };
            map.entry(usrn).or_insert(street);
            tally.report.merged += 1;
            return;
        }
        let uprn = match get(3).map(|u| Uprn::parse(&u)) {
            Some(Ok(u)) => u,
            Some(Err(e)) => {
                tally.reject(&at, format!("UPRN: {e}"));
                return;
            }
            None => {
                tally.reject(&at, "the record has no UPRN");
                return;
            }
        };
        match kind.as_str() {
            "21" => self.blpu(row, uprn, at.1, &mut notes),
            "32" => {
                if let Some(code) = get(5) {
                    self.class.entry(uprn).or_insert(code);
                }
                tally.report.merged += 1;
            }
            "31" => {
                if let Some(org) = get(5) {
                    self.organisation.entry(uprn).or_insert(org);
                }
                tally.report.merged += 1;
            }
            "24" => {
                self.lpi(row, uprn, at.1, &mut notes);
                tally.report.merged += 1;
            }
            _ => self.dpa(row, uprn, at.1, &mut notes),
        }
        tally.placed(&at, &mut notes);
    }

    /// A BLPU (record 21): position, custodian, parent and postcode locator.
    fn blpu(&mut self, row: &csv::StringRecord, uprn: Uprn, line: u64, notes: &mut Vec<Placed>) {
        let get = |i: usize| row.get(i).and_then(opt);
        let num = |i: usize, field: &str, notes: &mut Vec<Placed>| {
            noted(get(i).as_deref(), field, str::parse::<f64>, notes)
        };
        // Layout with LATITUDE/LONGITUDE (ABP 3.x, 22 columns) or without (older, 19 columns).
        let (lat_lng, custodian, postcode) = if row.len() >= 22 {
            let ll = match (num(10, "LATITUDE", notes), num(11, "LONGITUDE", notes)) {
                (Some(lat), Some(lng)) => Some(LatLng { lat, lng }),
                _ => None,
            };
            (ll, get(13), get(20))
        } else {
            (None, get(11), get(17))
        };
        let coordinates = match (num(8, "X_COORDINATE", notes), num(9, "Y_COORDINATE", notes)) {
            (Some(x), Some(y)) => Some(Coordinates::new(x, y)),
            _ => None,
        };
        let blpu = Blpu {
            coordinates,
            lat_lng,
            custodian: noted(
                custodian.as_deref(),
                "LOCAL_CUSTODIAN_CODE",
                str::parse::<u16>,
                notes,
            ),
            parent: noted(get(7).as_deref(), "PARENT_UPRN", Uprn::parse, notes),
            postcode: noted(
                postcode.as_deref(),
                "POSTCODE_LOCATOR",
                Postcode::parse_historic,
                notes,
            ),
            line,
        };
        self.blpu.insert(uprn, blpu);
    }

    /// An LPI (record 24): kept when it comes before the UPRN's LPI so far (see [`kept_before`]).
    fn lpi(&mut self, row: &csv::StringRecord, uprn: Uprn, line: u64, notes: &mut Vec<Placed>) {
        let get = |i: usize| row.get(i).and_then(opt);
        let mut a = Address::new(uprn);
        let cells: Vec<Option<String>> = (11..=20).map(get).collect();
        place_sao(&mut a, &Aon::from_cells(&cells[..5]), notes);
        place_pao(&mut a, &Aon::from_cells(&cells[5..]), notes);
        let welsh = get(5).is_some_and(|l| Language::from_code(&l) == Language::Cy);
        let status = get(6).and_then(|s| s.parse().ok()).unwrap_or(u8::MAX);
        let lpi = Lpi {
            status,
            welsh,
            usrn: noted(get(21).as_deref(), "USRN", str::parse::<u64>, notes),
            address: a,
            line,
        };
        // One LPI per UPRN: English before Welsh, then the lowest status; the rest are merged.
        let better = |old: &Lpi| kept_before((lpi.welsh, lpi.status), (old.welsh, old.status));
        match self.lpi.get(&uprn) {
            Some(old) if !better(old) => {}
            _ => {
                self.lpi.insert(uprn, lpi);
            }
        }
    }

    /// A DPA (record 28): the PAF address, with its Welsh names.
    fn dpa(&mut self, row: &csv::StringRecord, uprn: Uprn, line: u64, notes: &mut Vec<Placed>) {
        let get = |i: usize| row.get(i).and_then(opt);
        // "28": the DPA. ABP 3.x adds DELIVERY_POINT_SUFFIX after POSTCODE_TYPE (30 columns; older
        // files have 29).
        let shift = usize::from(row.len() >= 30);
        let mut a = Address::new(uprn);
        a.parent_uprn = noted(get(4).as_deref(), "PARENT_ADDRESSABLE_UPRN", Uprn::parse, notes);
        a.udprn = noted(get(5).as_deref(), "UDPRN", str::parse::<u32>, notes);
        a.organisation = get(6);
        a.department = get(7);
        a.sub_building = get(8);
        a.building_name = get(9);
        if let Some(n) = get(10) {
            place_number(&mut a, &n, notes);
        }
        a.dependent_thoroughfare = get(11);
        a.thoroughfare = get(12);
        a.double_dependent_locality = get(13);
        a.dependent_locality = get(14);
        a.post_town = get(15);
        a.postcode = noted(get(16).as_deref(), "POSTCODE", Postcode::parse_historic, notes);
        let welsh = WelshNames {
            dependent_thoroughfare: get(18 + shift),
            thoroughfare: get(19 + shift),
            double_dependent_locality: get(20 + shift),
            dependent_locality: get(21 + shift),
            post_town: get(22 + shift),
        };
        if welsh != WelshNames::default() {
            a.welsh = Some(welsh);
        }
        a.po_box = get(23 + shift);
        self.dpa.push((a, line));
    }

    /// Adds the DPAs, and an address from the LPI of each UPRN that has none, with their BLPUs.
    pub(super) fn finish(mut self, name: &str, builder: &mut IndexBuilder, tally: &mut Tally) {
        let mut with_address: std::collections::HashSet<Uprn> = std::collections::HashSet::new();
        let join = |a: &mut Address, b: Option<&Blpu>, class: &mut HashMap<Uprn, String>| {
            if let Some(b) = b {
                a.coordinates = b.coordinates;
                a.source_lat_lng = b.lat_lng;
                a.local_custodian_code = b.custodian;
                a.parent_uprn = a.parent_uprn.or(b.parent);
                a.postcode = a.postcode.or(b.postcode);
            }
            a.classification = class.remove(&a.uprn);
        };
        for (mut a, _) in std::mem::take(&mut self.dpa) {
            let uprn = a.uprn;
            join(&mut a, self.blpu.get(&uprn), &mut self.class);
            with_address.insert(uprn);
            tally.took(&a);
            builder.add_address(a);
        }
        let mut lpis: Vec<(Uprn, Lpi)> = std::mem::take(&mut self.lpi).into_iter().collect();
        lpis.sort_unstable_by_key(|(_, l)| l.line);
        for (uprn, lpi) in lpis {
            if with_address.contains(&uprn) {
                continue;
            }
            let mut a = lpi.address;
            a.organisation = self.organisation.get(&uprn).cloned();
            let streets = if lpi.welsh { &self.welsh_streets } else { &self.streets };
            match lpi.usrn.and_then(|u| streets.get(&u).or_else(|| self.streets.get(&u))) {
                Some(st) => {
                    a.thoroughfare.clone_from(&st.description);
                    a.dependent_locality.clone_from(&st.locality);
                    a.post_town.clone_from(&st.town);
                }
                None => tally.note(NoteKind::FieldRejected, 1, &Line(name, lpi.line), || {
                    format!(
                        "LPI street {:?} has no street descriptor (record 15) in this file: the address \
                         has no street",
                        lpi.usrn
                    )
                }),
            }
            if lpi.welsh {
                a.language = Language::Cy;
            }
            join(&mut a, self.blpu.get(&uprn), &mut self.class);
            with_address.insert(uprn);
            // Counted as merged when read; it is the address itself.
            tally.report.merged -= 1;
            tally.took(&a);
            builder.add_address(a);
        }
        let mut classes: Vec<(Uprn, String)> =
            std::mem::take(&mut self.class).into_iter().collect();
        classes.sort_unstable();
        tally.report.merged -= classes.len();
        for (uprn, code) in classes {
            tally.reject(
                &format!("{name}: UPRN {uprn}"),
                format!("classification {code} (record 32) belongs to no address in this file"),
            );
        }
        let mut orphans: Vec<(&Uprn, &Blpu)> =
            self.blpu.iter().filter(|(u, _)| !with_address.contains(u)).collect();
        orphans.sort_unstable_by_key(|(_, b)| b.line);
        let joined = self.blpu.len() - orphans.len();
        tally.report.merged += joined;
        for (uprn, b) in orphans {
            tally.reject(
                &Line(name, b.line),
                format!("BLPU {uprn} has no DPA or LPI record in this file: no address to index"),
            );
        }
    }
}
