//! Reading addresses and postcodes from AddressBase Premium / Plus CSV, OS Places JSON, Code-Point Open and the
//! gaap CSV.
//!
//! Each OS Places record is also kept verbatim, as a [`SourceRecord`] beside the address made from it (every
//! key in the response's order, with its JSON type, less the per-query `MATCH` and `MATCH_DESCRIPTION`).
//!
//! The **gaap CSV** has a header row and these columns (any order; unknown columns are ignored; only `uprn` is
//! required): `uprn, udprn, parent_uprn, organisation, department, sub_building, building_name,
//! building_number, po_box, dependent_thoroughfare, thoroughfare, double_dependent_locality, dependent_locality,
//! post_town, postcode, easting, northing, latitude, longitude, classification, local_custodian_code, gss_code,
//! language`. Empty cells are absent values. A postcodes-only gaap file (header `postcode, easting, northing,
//! admin_district, ward`) is read the same way when it has no `uprn` column.

use std::collections::HashMap;
use std::io::Read;

use super::{IndexBuilder, PostcodeInfo};
use crate::error::Error;
use crate::rules::geo::{Coordinates, LatLng};
use crate::types::address::{Address, Language, WelshNames};
use crate::types::os_places::PlacesResponse;
use crate::types::postcode::Postcode;
use crate::types::source::{RawResults, SourceRecord};
use crate::types::uprn::Uprn;

/// The input formats [`Loader`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputFormat {
    /// AddressBase Premium (mixed record types 21 BLPU, 24 LPI, 28 DPA, 32 classification) or a headed
    /// AddressBase Plus / flattened CSV; told apart by the first row.
    AddressBase,
    /// OS Places API JSON responses (one per file).
    OsPlaces,
    /// Code-Point Open CSV (no header, 10 columns): postcodes with positions and admin codes, no addresses.
    CodePoint,
    /// The gaap CSV (see the module docs).
    GaapCsv,
}

impl InputFormat {
    /// From the CLI name: `addressbase`, `os-places`, `codepoint` or `gaap-csv`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "addressbase" => Some(Self::AddressBase),
            "os-places" => Some(Self::OsPlaces),
            "codepoint" => Some(Self::CodePoint),
            "gaap-csv" => Some(Self::GaapCsv),
            _ => None,
        }
    }
}

/// Feeds files into an [`IndexBuilder`].
///
/// OS Places records are also kept verbatim as [`SourceRecord`]s, numbered across every file this loader
/// reads, in read order.
#[derive(Debug, Default)]
pub struct Loader {
    builder: IndexBuilder,
    /// The next OS Places record's ordinal.
    ordinal: u32,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl Loader {
    /// An empty loader.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The builder, to add more or to build.
    #[must_use]
    pub fn into_builder(self) -> IndexBuilder {
        self.builder
    }

    /// Reads one input. `name` labels errors (a path).
    ///
    /// # Errors
    /// [`Error::Input`] for malformed rows (with the line), [`Error::Io`] for read failures.
    pub fn read(
        &mut self,
        format: InputFormat,
        name: &str,
        reader: impl Read,
    ) -> Result<usize, Error> {
        match format {
            InputFormat::GaapCsv => self.read_gaap_csv(name, reader),
            InputFormat::CodePoint => self.read_codepoint(name, reader),
            InputFormat::OsPlaces => self.read_os_places(name, reader),
            InputFormat::AddressBase => self.read_addressbase(name, reader),
        }
    }

    /// Reads a file by path.
    ///
    /// # Errors
    /// As [`Loader::read`].
    pub fn read_path(
        &mut self,
        format: InputFormat,
        path: &std::path::Path,
    ) -> Result<usize, Error> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path.display(), e))?;
        self.read(
            format,
            &path.display().to_string(),
            std::io::BufReader::with_capacity(1 << 20, file),
        )
    }

    fn read_gaap_csv(&mut self, name: &str, reader: impl Read) -> Result<usize, Error> {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers = rdr.headers().map_err(|e| Error::input(name, e))?.clone();
        let col: HashMap<String, usize> =
            headers.iter().enumerate().map(|(i, h)| (h.trim().to_ascii_lowercase(), i)).collect();
        let has_uprn = col.contains_key("uprn");
        let mut n = 0usize;
        let mut record = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(Error::input(name, e)),
            }
            let line = record.position().map_or(0, csv::Position::line);
            let get = |k: &str| col.get(k).and_then(|&i| record.get(i)).and_then(opt);
            let at = || format!("{name}:{line}");
            let num = |k: &str| -> Result<Option<f64>, Error> {
                get(k)
                    .map(|v| {
                        v.parse::<f64>()
                            .map_err(|_| Error::input(at(), format!("{k} is not a number")))
                    })
                    .transpose()
            };
            let coords = match (num("easting")?, num("northing")?) {
                (Some(e), Some(n)) => Some(Coordinates::new(e, n)),
                _ => None,
            };
            let postcode = get("postcode")
                .map(|p| {
                    Postcode::parse_historic(&p)
                        .map_err(|e| Error::input(at(), format!("postcode {p:?}: {e}")))
                })
                .transpose()?;
            if !has_uprn {
                if let Some(pc) = postcode {
                    self.builder.add_postcode(
                        pc,
                        PostcodeInfo {
                            coordinates: coords,
                            admin_district: get("admin_district"),
                            ward: get("ward"),
                        },
                    );
                    n += 1;
                }
                continue;
            }
            let uprn_text = get("uprn").ok_or_else(|| Error::input(at(), "uprn is empty"))?;
            let uprn = Uprn::parse(&uprn_text).map_err(|e| Error::input(at(), e))?;
            let mut a = Address::new(uprn);
            a.udprn = get("udprn").and_then(|v| v.parse().ok());
            a.parent_uprn = get("parent_uprn").and_then(|v| Uprn::parse(&v).ok());
            a.organisation = get("organisation");
            a.department = get("department");
            a.sub_building = get("sub_building");
            a.building_name = get("building_name");
            a.building_number = get("building_number")
                .map(|v| {
                    v.parse().map_err(|_| Error::input(at(), "building_number is not a number"))
                })
                .transpose()?;
            a.po_box = get("po_box");
            a.dependent_thoroughfare = get("dependent_thoroughfare");
            a.thoroughfare = get("thoroughfare");
            a.double_dependent_locality = get("double_dependent_locality");
            a.dependent_locality = get("dependent_locality");
            a.post_town = get("post_town");
            a.postcode = postcode;
            a.coordinates = coords;
            a.source_lat_lng = match (num("latitude")?, num("longitude")?) {
                (Some(lat), Some(lng)) => Some(LatLng { lat, lng }),
                _ => None,
            };
            a.classification = get("classification");
            a.local_custodian_code = get("local_custodian_code").and_then(|v| v.parse().ok());
            a.gss_code = get("gss_code");
            a.language = get("language").map(|l| Language::from_code(&l)).unwrap_or_default();
            if let (Some(pc), Some(gss)) = (a.postcode, a.gss_code.clone()) {
                self.builder.add_postcode(
                    pc,
                    PostcodeInfo { admin_district: Some(gss), ..PostcodeInfo::default() },
                );
            }
            self.builder.add_address(a);
            n += 1;
        }
        Ok(n)
    }

    fn read_codepoint(&mut self, name: &str, reader: impl Read) -> Result<usize, Error> {
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut n = 0usize;
        for row in rdr.records() {
            let row = row.map_err(|e| Error::input(name, e))?;
            let line = row.position().map_or(0, csv::Position::line);
            let Some(pc_text) = row.get(0) else { continue };
            if pc_text.eq_ignore_ascii_case("postcode") {
                continue;
            }
            let pc = Postcode::parse_historic(pc_text).map_err(|e| {
                Error::input(format!("{name}:{line}"), format!("postcode {pc_text:?}: {e}"))
            })?;
            let pqi: u32 = row.get(1).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
            let e: Option<f64> = row.get(2).and_then(|v| v.trim().parse().ok());
            let nn: Option<f64> = row.get(3).and_then(|v| v.trim().parse().ok());
            // PQI 90 means "no coordinates" (they are zero).
            let coordinates = match (e, nn) {
                (Some(e), Some(nn)) if pqi != 90 && (e, nn) != (0.0, 0.0) => {
                    Some(Coordinates::new(e, nn))
                }
                _ => None,
            };
            let admin_district = row.get(8).and_then(opt);
            let ward = row.get(9).and_then(opt);
            self.builder.add_postcode(pc, PostcodeInfo { coordinates, admin_district, ward });
            n += 1;
        }
        Ok(n)
    }

    fn read_os_places(&mut self, name: &str, mut reader: impl Read) -> Result<usize, Error> {
        let mut body = String::new();
        reader.read_to_string(&mut body).map_err(|e| Error::io(name, e))?;
        let response: PlacesResponse =
            serde_json::from_str(&body).map_err(|e| Error::input(name, e))?;
        // The same results again, each record verbatim and in its key order.
        let RawResults(raw) = serde_json::from_str(&body).map_err(|e| Error::input(name, e))?;
        let results = response.results.unwrap_or_default();
        if raw.len() != results.len() {
            return Err(Error::input(name, "the results could not be read verbatim"));
        }
        let mut n = 0usize;
        for (r, raw) in results.iter().zip(raw) {
            let ordinal = self.ordinal;
            self.ordinal = self.ordinal.saturating_add(1);
            if let Some(a) = r.to_address() {
                let record = SourceRecord { view: raw.view, ordinal, fields: raw.fields };
                self.builder.add_address_with_sources(a, vec![record]);
                n += 1;
            }
        }
        Ok(n)
    }

    fn read_addressbase(&mut self, name: &str, reader: impl Read) -> Result<usize, Error> {
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut records = rdr.records();
        let Some(first) = records.next() else { return Ok(0) };
        let first = first.map_err(|e| Error::input(name, e))?;
        let is_premium = first.get(0).is_some_and(|f| f.trim().parse::<u32>().is_ok());
        if !is_premium {
            return self.read_addressbase_plus(name, &first, records);
        }
        let mut premium = Premium::default();
        premium.row(&first);
        for row in records {
            let row = row.map_err(|e| Error::input(name, e))?;
            premium.row(&row);
        }
        let n = premium.dpa.len();
        for mut a in premium.dpa {
            if let Some(b) = premium.blpu.get(&a.uprn) {
                a.coordinates = b.coordinates;
                a.source_lat_lng = b.lat_lng;
                a.local_custodian_code = b.custodian;
                a.parent_uprn = a.parent_uprn.or(b.parent);
            }
            a.classification = premium.class.remove(&a.uprn);
            self.builder.add_address(a);
        }
        Ok(n)
    }

    fn read_addressbase_plus(
        &mut self,
        name: &str,
        header: &csv::StringRecord,
        records: csv::StringRecordsIter<'_, impl Read>,
    ) -> Result<usize, Error> {
        let col: HashMap<String, usize> =
            header.iter().enumerate().map(|(i, h)| (h.trim().to_ascii_lowercase(), i)).collect();
        let find = |names: &[&str]| names.iter().find_map(|n| col.get(*n).copied());
        let c_uprn = find(&["uprn"])
            .ok_or_else(|| Error::input(name, "AddressBase Plus header has no uprn column"))?;
        let c = |names: &[&str]| find(names);
        let cols = [
            c(&["udprn", "rm_udprn"]),
            c(&["parent_uprn"]),
            c(&["rm_organisation_name", "organisation_name"]),
            c(&["department_name"]),
            c(&["sub_building_name"]),
            c(&["building_name"]),
            c(&["building_number"]),
            c(&["po_box_number", "rm_po_box_number"]),
            c(&["dependent_thoroughfare", "dependent_thoroughfare_name"]),
            c(&["thoroughfare", "thoroughfare_name"]),
            c(&["double_dependent_locality"]),
            c(&["dependent_locality"]),
            c(&["post_town"]),
            c(&["postcode"]),
            c(&["x_coordinate", "x"]),
            c(&["y_coordinate", "y"]),
            c(&["latitude"]),
            c(&["longitude"]),
            c(&["class", "classification_code"]),
            c(&["local_custodian_code"]),
            c(&["postcode_locator"]),
        ];
        let mut n = 0usize;
        for row in records {
            let row = row.map_err(|e| Error::input(name, e))?;
            let line = row.position().map_or(0, csv::Position::line);
            let get = |i: Option<usize>| i.and_then(|i| row.get(i)).and_then(opt);
            let Some(uprn_text) = get(Some(c_uprn)) else { continue };
            let uprn =
                Uprn::parse(&uprn_text).map_err(|e| Error::input(format!("{name}:{line}"), e))?;
            let mut a = Address::new(uprn);
            a.udprn = get(cols[0]).and_then(|v| v.parse().ok());
            a.parent_uprn = get(cols[1]).and_then(|v| Uprn::parse(&v).ok());
            a.organisation = get(cols[2]);
            a.department = get(cols[3]);
            a.sub_building = get(cols[4]);
            a.building_name = get(cols[5]);
            a.building_number = get(cols[6]).and_then(|v| v.parse().ok());
            a.po_box = get(cols[7]);
            a.dependent_thoroughfare = get(cols[8]);
            a.thoroughfare = get(cols[9]);
            a.double_dependent_locality = get(cols[10]);
            a.dependent_locality = get(cols[11]);
            a.post_town = get(cols[12]);
            a.postcode = get(cols[13])
                .or_else(|| get(cols[20]))
                .and_then(|p| Postcode::parse_historic(&p).ok());
            a.coordinates = match (
                get(cols[14]).and_then(|v| v.parse().ok()),
                get(cols[15]).and_then(|v| v.parse().ok()),
            ) {
                (Some(x), Some(y)) => Some(Coordinates::new(x, y)),
                _ => None,
            };
            a.source_lat_lng = match (
                get(cols[16]).and_then(|v| v.parse().ok()),
                get(cols[17]).and_then(|v| v.parse().ok()),
            ) {
                (Some(lat), Some(lng)) => Some(LatLng { lat, lng }),
                _ => None,
            };
            a.classification = get(cols[18]);
            a.local_custodian_code = get(cols[19]).and_then(|v| v.parse().ok());
            self.builder.add_address(a);
            n += 1;
        }
        Ok(n)
    }
}

#[derive(Debug, Default)]
struct Blpu {
    coordinates: Option<Coordinates>,
    lat_lng: Option<LatLng>,
    custodian: Option<u16>,
    parent: Option<Uprn>,
}

/// Joins AddressBase Premium record types by UPRN.
#[derive(Debug, Default)]
struct Premium {
    blpu: HashMap<Uprn, Blpu>,
    class: HashMap<Uprn, String>,
    dpa: Vec<Address>,
}

impl Premium {
    fn row(&mut self, row: &csv::StringRecord) {
        let get = |i: usize| row.get(i).and_then(opt);
        let num = |i: usize| get(i).and_then(|v| v.parse::<f64>().ok());
        let Some(uprn) = get(3).and_then(|u| Uprn::parse(&u).ok()) else { return };
        match get(0).as_deref() {
            Some("21") => {
                // Layout with LATITUDE/LONGITUDE (ABP 3.x, 22 columns) or without (older, 19 columns).
                let (lat_lng, custodian) = if row.len() >= 22 {
                    let ll = match (num(10), num(11)) {
                        (Some(lat), Some(lng)) => Some(LatLng { lat, lng }),
                        _ => None,
                    };
                    (ll, get(13))
                } else {
                    (None, get(11))
                };
                let coordinates = match (num(8), num(9)) {
                    (Some(x), Some(y)) => Some(Coordinates::new(x, y)),
                    _ => None,
                };
                self.blpu.insert(
                    uprn,
                    Blpu {
                        coordinates,
                        lat_lng,
                        custodian: custodian.and_then(|c| c.parse().ok()),
                        parent: get(7).and_then(|p| Uprn::parse(&p).ok()),
                    },
                );
            }
            Some("32") => {
                if let Some(code) = get(5) {
                    self.class.entry(uprn).or_insert(code);
                }
            }
            Some("28") => {
                // ABP 3.x adds DELIVERY_POINT_SUFFIX after POSTCODE_TYPE (30 columns; older files have 29).
                let shift = usize::from(row.len() >= 30);
                let mut a = Address::new(uprn);
                a.parent_uprn = get(4).and_then(|p| Uprn::parse(&p).ok());
                a.udprn = get(5).and_then(|v| v.parse().ok());
                a.organisation = get(6);
                a.department = get(7);
                a.sub_building = get(8);
                a.building_name = get(9);
                a.building_number = get(10).and_then(|v| v.parse().ok());
                a.dependent_thoroughfare = get(11);
                a.thoroughfare = get(12);
                a.double_dependent_locality = get(13);
                a.dependent_locality = get(14);
                a.post_town = get(15);
                a.postcode = get(16).and_then(|p| Postcode::parse_historic(&p).ok());
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
                self.dpa.push(a);
            }
            _ => {}
        }
    }
}
