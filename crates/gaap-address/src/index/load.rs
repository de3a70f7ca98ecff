//! Reading addresses and postcodes from AddressBase Premium / Plus CSV, OS Places JSON, Code-Point Open and the
//! gaap CSV.
//!
//! Each OS Places record is also kept verbatim, as a [`SourceRecord`] beside the address made from it (every
//! key in the response's order, with its JSON type, less the per-query `MATCH` and `MATCH_DESCRIPTION`).
//!
//! No value is dropped in silence. Each read gives a [`LoadReport`]: how many records and fields were taken,
//! merged (kept in another component or joined onto another record) and rejected, with the first few of
//! each kind. A bad record (no UPRN, a bad postcode in a postcodes-only file, a row of the wrong width) is
//! rejected and the rest of the file is still read; a header the loader does not know is refused whole.
//!
//! Building numbers are read as BS7666 holds them: `92B` is number 92 with suffix `B`, `12-14` a range, and
//! `Flat 3` in a number column is a sub-building. PAO/SAO columns (start number, start suffix, end number,
//! end suffix, text) are read wherever a source has them.
//!
//! The **gaap CSV** has a header row and these columns (any order; only `uprn` is required; any other column
//! is refused): `uprn, udprn, parent_uprn, organisation, department, sub_building, building_name,
//! building_number, po_box, dependent_thoroughfare, thoroughfare, double_dependent_locality, dependent_locality,
//! post_town, postcode, easting, northing, latitude, longitude, classification, local_custodian_code, gss_code,
//! language`, and the gazetteer (LLPG / BS7666) columns `sao_start_number, sao_start_suffix, sao_end_number,
//! sao_end_suffix, sao_text, pao_start_number, pao_start_suffix, pao_end_number, pao_end_suffix, pao_text,
//! street_description, locality, town_name, postcode_locator`, used for a component the PAF columns leave
//! empty. `building_number` may hold a suffix or a range (`92B`, `12-14`). Empty cells are absent values. A
//! postcodes-only gaap file (header `postcode, easting, northing, admin_district, ward`) is read the same way
//! when it has no `uprn` column.
//!
//! A **headed AddressBase** file (AddressBase Plus, or a flattened or council export) takes the same columns
//! under their AddressBase names as well (`rm_organisation_name`, `sub_building_name`, `x_coordinate`,
//! `class`, `welsh_post_town`...); the AddressBase Plus columns that are not address components (dates,
//! TOIDs, `rpc`...) are listed in the report as ignored.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use serde::Serialize;

use super::{IndexBuilder, PostcodeInfo};
use crate::error::Error;
use crate::rules::geo::{Coordinates, LatLng};
use crate::rules::premise::{Aon, Placed, place_number, place_pao, place_sao};
use crate::types::address::{Address, Language, WelshNames};
use crate::types::os_places::{PlacesResponse, noted};
use crate::types::postcode::Postcode;
use crate::types::source::{RawResults, SourceRecord};
use crate::types::uprn::Uprn;

mod premium;
use premium::Premium;

/// The input formats [`Loader`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputFormat {
    /// AddressBase Premium (mixed record types: 15 street descriptor, 21 BLPU, 24 LPI, 28 DPA, 31
    /// organisation, 32 classification) or a headed AddressBase Plus / flattened / council CSV; told apart
    /// by the first row.
    AddressBase,
    /// OS Places API JSON responses (one per file).
    OsPlaces,
    /// Code-Point Open CSV (10 columns, no header or the Code-Point header): postcodes with positions and
    /// admin codes, no addresses.
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

    /// The CLI name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::AddressBase => "addressbase",
            Self::OsPlaces => "os-places",
            Self::CodePoint => "codepoint",
            Self::GaapCsv => "gaap-csv",
        }
    }
}

/// What became of the records and fields of one input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// The input's name (a path).
    pub file: String,
    /// Records read (rows, JSON results; a header row is not a record).
    pub records: usize,
    /// Records added to the index as an address or a postcode.
    pub taken: usize,
    /// Records joined onto another (an AddressBase Premium BLPU, LPI or classification onto its address).
    pub merged: usize,
    /// Records that could not be added; [`LoadReport::examples`] says why.
    pub rejected: usize,
    /// Records read and left aside because they hold no address component (headers, trailers, cross
    /// references), counted in [`LoadReport::ignored`].
    pub skipped: usize,
    /// Address components taken, over all taken records.
    pub fields_taken: usize,
    /// Values kept in another component or form than they came in (`Flat 3` in a number column), or that
    /// repeat a value kept (the LPI view of a row that also has the PAF view).
    pub fields_merged: usize,
    /// Values that could not be kept (a postcode that is not one, a suffix with no number).
    pub fields_rejected: usize,
    /// What was read but is not an address component: columns, record types.
    pub ignored: Vec<String>,
    /// The first few notes of each kind.
    pub examples: Vec<LoadNote>,
}

impl LoadReport {
    /// True when nothing was rejected (merges are not losses).
    #[must_use]
    pub const fn is_clean(&self) -> bool {
        self.rejected == 0 && self.fields_rejected == 0
    }
}

/// One thing a load did not take as it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadNote {
    /// What kind of thing.
    pub kind: NoteKind,
    /// Where: file and line, or file and result number.
    pub at: String,
    /// What happened and why.
    pub message: String,
}

/// The kinds of [`LoadNote`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoteKind {
    /// A record joined onto another.
    RecordMerged,
    /// A record not added.
    RecordRejected,
    /// A value kept elsewhere or in another form.
    FieldMerged,
    /// A value not kept.
    FieldRejected,
}

/// Examples kept per kind of note.
pub const EXAMPLES_PER_KIND: usize = 5;

/// Counts and examples for one input.
struct Tally {
    report: LoadReport,
    shown: [usize; 4],
    ignored: HashMap<String, usize>,
}

impl Tally {
    fn new(file: &str) -> Self {
        Self {
            report: LoadReport { file: file.to_owned(), ..LoadReport::default() },
            shown: [0; 4],
            ignored: HashMap::new(),
        }
    }

    /// Counts `n` of `kind`, keeping the message while there are few of that kind.
    fn note(
        &mut self,
        kind: NoteKind,
        n: usize,
        at: &dyn fmt::Display,
        message: impl FnOnce() -> String,
    ) {
        let r = &mut self.report;
        let (count, k) = match kind {
            NoteKind::RecordMerged => (&mut r.merged, 0),
            NoteKind::RecordRejected => (&mut r.rejected, 1),
            NoteKind::FieldMerged => (&mut r.fields_merged, 2),
            NoteKind::FieldRejected => (&mut r.fields_rejected, 3),
        };
        *count += n;
        if self.shown[k] < EXAMPLES_PER_KIND {
            self.shown[k] += 1;
            r.examples.push(LoadNote { kind, at: at.to_string(), message: message() });
        }
    }

    fn reject(&mut self, at: &dyn fmt::Display, message: impl fmt::Display) {
        self.note(NoteKind::RecordRejected, 1, at, || message.to_string());
    }

    fn placed(&mut self, at: &dyn fmt::Display, notes: &mut Vec<Placed>) {
        for p in notes.drain(..) {
            match p {
                Placed::Merged(m) => self.note(NoteKind::FieldMerged, 1, at, || m),
                Placed::Rejected(m) => self.note(NoteKind::FieldRejected, 1, at, || m),
            }
        }
    }

    fn took(&mut self, a: &Address) {
        self.report.taken += 1;
        self.report.fields_taken += components(a);
    }

    fn ignore(&mut self, what: String) {
        *self.ignored.entry(what).or_insert(0) += 1;
    }

    fn finish(mut self) -> LoadReport {
        let mut ignored: Vec<(String, usize)> = self.ignored.into_iter().collect();
        ignored.sort();
        self.report.ignored = ignored
            .into_iter()
            .map(|(what, n)| if n > 1 { format!("{what} ({n})") } else { what })
            .collect();
        self.report
    }
}

/// The address components an address has.
fn components(a: &Address) -> usize {
    let text = [
        &a.organisation,
        &a.department,
        &a.sub_building,
        &a.building_name,
        &a.building_number_suffix,
        &a.building_number_end_suffix,
        &a.po_box,
        &a.dependent_thoroughfare,
        &a.thoroughfare,
        &a.double_dependent_locality,
        &a.dependent_locality,
        &a.post_town,
        &a.classification,
        &a.gss_code,
    ];
    let welsh = a.welsh.as_ref().map_or(0, |w| {
        [
            &w.dependent_thoroughfare,
            &w.thoroughfare,
            &w.double_dependent_locality,
            &w.dependent_locality,
            &w.post_town,
        ]
        .iter()
        .filter(|v| v.is_some())
        .count()
    });
    1 + text.iter().filter(|v| v.is_some()).count()
        + welsh
        + [
            a.udprn.is_some(),
            a.parent_uprn.is_some(),
            a.building_number.is_some(),
            a.building_number_end.is_some(),
            a.postcode.is_some(),
            a.coordinates.is_some(),
            a.source_lat_lng.is_some(),
            a.local_custodian_code.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count()
}

/// A place in an input: file and line.
struct Line<'a>(&'a str, u64);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0, self.1)
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

/// A column of a headed CSV, by what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    Uprn,
    Udprn,
    ParentUprn,
    Organisation,
    LaOrganisation,
    Department,
    SubBuilding,
    BuildingName,
    BuildingNumber,
    PoBox,
    DependentThoroughfare,
    Thoroughfare,
    DoubleDependentLocality,
    DependentLocality,
    PostTown,
    Postcode,
    Easting,
    Northing,
    Latitude,
    Longitude,
    Classification,
    Custodian,
    GssCode,
    Language,
    AdminDistrict,
    Ward,
    SaoStart,
    SaoStartSuffix,
    SaoEnd,
    SaoEndSuffix,
    SaoText,
    PaoStart,
    PaoStartSuffix,
    PaoEnd,
    PaoEndSuffix,
    PaoText,
    StreetDescription,
    Locality,
    TownName,
    PostcodeLocator,
    WelshDependentThoroughfare,
    WelshThoroughfare,
    WelshDoubleDependentLocality,
    WelshDependentLocality,
    WelshPostTown,
}

/// The gaap CSV's column names (also read in headed AddressBase files).
const GAAP_COLUMNS: [(&str, Col); 39] = [
    ("uprn", Col::Uprn),
    ("udprn", Col::Udprn),
    ("parent_uprn", Col::ParentUprn),
    ("organisation", Col::Organisation),
    ("department", Col::Department),
    ("sub_building", Col::SubBuilding),
    ("building_name", Col::BuildingName),
    ("building_number", Col::BuildingNumber),
    ("po_box", Col::PoBox),
    ("dependent_thoroughfare", Col::DependentThoroughfare),
    ("thoroughfare", Col::Thoroughfare),
    ("double_dependent_locality", Col::DoubleDependentLocality),
    ("dependent_locality", Col::DependentLocality),
    ("post_town", Col::PostTown),
    ("postcode", Col::Postcode),
    ("easting", Col::Easting),
    ("northing", Col::Northing),
    ("latitude", Col::Latitude),
    ("longitude", Col::Longitude),
    ("classification", Col::Classification),
    ("local_custodian_code", Col::Custodian),
    ("gss_code", Col::GssCode),
    ("language", Col::Language),
    ("admin_district", Col::AdminDistrict),
    ("ward", Col::Ward),
    ("sao_start_number", Col::SaoStart),
    ("sao_start_suffix", Col::SaoStartSuffix),
    ("sao_end_number", Col::SaoEnd),
    ("sao_end_suffix", Col::SaoEndSuffix),
    ("sao_text", Col::SaoText),
    ("pao_start_number", Col::PaoStart),
    ("pao_start_suffix", Col::PaoStartSuffix),
    ("pao_end_number", Col::PaoEnd),
    ("pao_end_suffix", Col::PaoEndSuffix),
    ("pao_text", Col::PaoText),
    ("street_description", Col::StreetDescription),
    ("locality", Col::Locality),
    ("town_name", Col::TownName),
    ("postcode_locator", Col::PostcodeLocator),
];

/// The AddressBase names of columns (AddressBase Plus and flattened exports).
const ADDRESSBASE_COLUMNS: [(&str, Col); 22] = [
    ("rm_udprn", Col::Udprn),
    ("rm_organisation_name", Col::Organisation),
    ("organisation_name", Col::Organisation),
    ("la_organisation", Col::LaOrganisation),
    ("department_name", Col::Department),
    ("sub_building_name", Col::SubBuilding),
    ("po_box_number", Col::PoBox),
    ("rm_po_box_number", Col::PoBox),
    ("dependent_thoroughfare_name", Col::DependentThoroughfare),
    ("thoroughfare_name", Col::Thoroughfare),
    ("x_coordinate", Col::Easting),
    ("x", Col::Easting),
    ("y_coordinate", Col::Northing),
    ("y", Col::Northing),
    ("class", Col::Classification),
    ("classification_code", Col::Classification),
    ("locality_name", Col::Locality),
    ("welsh_dependent_thoroughfare", Col::WelshDependentThoroughfare),
    ("welsh_thoroughfare", Col::WelshThoroughfare),
    ("welsh_double_dependent_locality", Col::WelshDoubleDependentLocality),
    ("welsh_dependent_locality", Col::WelshDependentLocality),
    ("welsh_post_town", Col::WelshPostTown),
];

/// AddressBase Plus columns that hold no address component: read and listed in the report as ignored.
const ADDRESSBASE_IGNORED: [&str; 41] = [
    "change_type",
    "state",
    "state_date",
    "rpc",
    "country",
    "la_start_date",
    "last_update_date",
    "entry_date",
    "legal_name",
    "alt_language_sao_text",
    "alt_language_pao_text",
    "usrn",
    "usrn_match_indicator",
    "area_name",
    "level",
    "official_flag",
    "os_address_toid",
    "os_address_toid_version",
    "os_roadlink_toid",
    "os_roadlink_toid_version",
    "os_topo_toid",
    "os_topo_toid_version",
    "voa_ct_record",
    "voa_ndr_record",
    "alt_language_street_description",
    "administrative_area",
    "postcode_type",
    "delivery_point_suffix",
    "addressbase_postal",
    "ward_code",
    "parish_code",
    "rm_start_date",
    "multi_occ_count",
    "voa_ndr_p_desc_code",
    "voa_ndr_scat_code",
    "alt_language",
    "blpu_state",
    "blpu_state_date",
    "logical_status",
    "start_date",
    "end_date",
];

/// Which headed CSV a file is: the gaap CSV, or AddressBase (which also knows the AddressBase names).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Gaap,
    AddressBase,
}

/// A headed CSV's columns: which holds what.
struct Columns {
    at: HashMap<Col, usize>,
    width: usize,
}

impl Columns {
    /// Reads a header, refusing a column it does not know or two columns that hold the same thing.
    fn new(
        name: &str,
        header: &csv::StringRecord,
        dialect: Dialect,
        tally: &mut Tally,
    ) -> Result<Self, Error> {
        let mut at = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            let key = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
            let known = GAAP_COLUMNS
                .iter()
                .chain(if dialect == Dialect::AddressBase { &ADDRESSBASE_COLUMNS[..] } else { &[] })
                .find(|(n, _)| *n == key)
                .map(|&(_, c)| c);
            match known {
                Some(c) => {
                    if at.insert(c, i).is_some() {
                        return Err(Error::input(
                            name,
                            format!("column {h:?} gives a value another column already gives"),
                        ));
                    }
                }
                None if dialect == Dialect::AddressBase
                    && ADDRESSBASE_IGNORED.contains(&key.as_str()) =>
                {
                    tally.ignore(format!("column {key}"));
                }
                None => {
                    let names: Vec<&str> = GAAP_COLUMNS.iter().map(|(n, _)| *n).collect();
                    let also = if dialect == Dialect::AddressBase {
                        ", their AddressBase names and the AddressBase Plus columns"
                    } else {
                        ""
                    };
                    return Err(Error::input(
                        name,
                        format!(
                            "unknown column {h:?} in the header; the known columns are {}{also}",
                            names.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(Self { at, width: header.len() })
    }

    fn get(&self, row: &csv::StringRecord, c: Col) -> Option<String> {
        self.at.get(&c).and_then(|&i| row.get(i)).and_then(opt)
    }
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

    /// Reads one input. `name` labels errors and notes (a path). A bad record is rejected and counted in the
    /// report; the rest of the input is still read.
    ///
    /// # Errors
    /// [`Error::Input`] for an input that cannot be read as `format` at all (a header it does not know, JSON
    /// that does not parse), [`Error::Io`] for read failures.
    pub fn read(
        &mut self,
        format: InputFormat,
        name: &str,
        reader: impl Read,
    ) -> Result<LoadReport, Error> {
        let mut tally = Tally::new(name);
        match format {
            InputFormat::GaapCsv => self.read_headed(name, reader, Dialect::Gaap, &mut tally)?,
            InputFormat::CodePoint => self.read_codepoint(name, reader, &mut tally)?,
            InputFormat::OsPlaces => self.read_os_places(name, reader, &mut tally)?,
            InputFormat::AddressBase => self.read_addressbase(name, reader, &mut tally)?,
        }
        Ok(tally.finish())
    }

    /// Reads a file by path.
    ///
    /// # Errors
    /// As [`Loader::read`].
    pub fn read_path(
        &mut self,
        format: InputFormat,
        path: &std::path::Path,
    ) -> Result<LoadReport, Error> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path.display(), e))?;
        self.read(
            format,
            &path.display().to_string(),
            std::io::BufReader::with_capacity(1 << 20, file),
        )
    }

    /// The next row of a CSV: `Ok(None)` at the end; a row that is not valid UTF-8 is rejected and skipped.
    fn next_row(
        name: &str,
        rdr: &mut csv::Reader<impl Read>,
        row: &mut csv::StringRecord,
        tally: &mut Tally,
    ) -> Result<Option<()>, Error> {
        loop {
            match rdr.read_record(row) {
                Ok(false) => return Ok(None),
                Ok(true) => return Ok(Some(())),
                Err(e) if e.is_io_error() => return Err(Error::input(name, e)),
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    tally.report.records += 1;
                    tally.reject(&Line(name, line), e);
                }
            }
        }
    }

    fn read_headed(
        &mut self,
        name: &str,
        reader: impl Read,
        dialect: Dialect,
        tally: &mut Tally,
    ) -> Result<(), Error> {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let header = rdr.headers().map_err(|e| Error::input(name, e))?.clone();
        let cols = Columns::new(name, &header, dialect, tally)?;
        self.read_headed_rows(name, &cols, &mut rdr, tally)
    }

    fn read_headed_rows(
        &mut self,
        name: &str,
        cols: &Columns,
        rdr: &mut csv::Reader<impl Read>,
        tally: &mut Tally,
    ) -> Result<(), Error> {
        let has_uprn = cols.at.contains_key(&Col::Uprn);
        let mut row = csv::StringRecord::new();
        let mut notes: Vec<Placed> = Vec::new();
        while Self::next_row(name, rdr, &mut row, tally)?.is_some() {
            tally.report.records += 1;
            let at = Line(name, row.position().map_or(0, csv::Position::line));
            if row.len() != cols.width {
                tally.reject(&at, format!("{} fields, the header has {}", row.len(), cols.width));
                continue;
            }
            let get = |c: Col| cols.get(&row, c);
            if has_uprn {
                self.take_headed_address(&get, &at, &mut notes, tally);
            } else {
                self.take_headed_postcode(&get, &at, &mut notes, tally);
            }
        }
        Ok(())
    }

    /// A row of a file without a `uprn` column: a postcode, with its coordinates, district and ward.
    fn take_headed_postcode(
        &mut self,
        get: &impl Fn(Col) -> Option<String>,
        at: &Line<'_>,
        notes: &mut Vec<Placed>,
        tally: &mut Tally,
    ) {
        let Some(pc) =
            required(get(Col::Postcode), "postcode", Postcode::parse_historic, at, tally)
        else {
            return;
        };
        let coordinates = headed_coordinates(get, notes);
        tally.placed(at, notes);
        let info = PostcodeInfo {
            coordinates,
            admin_district: get(Col::AdminDistrict),
            ward: get(Col::Ward),
        };
        self.builder.add_postcode(pc, info);
        tally.report.taken += 1;
        tally.report.fields_taken += 1;
    }

    /// A row of a file with a `uprn` column: one address.
    fn take_headed_address(
        &mut self,
        get: &impl Fn(Col) -> Option<String>,
        at: &Line<'_>,
        notes: &mut Vec<Placed>,
        tally: &mut Tally,
    ) {
        let Some(uprn) = required(get(Col::Uprn), "uprn", Uprn::parse, at, tally) else {
            return;
        };
        let mut a = Address::new(uprn);
        a.udprn = noted(get(Col::Udprn).as_deref(), "udprn", str::parse::<u32>, notes);
        a.parent_uprn = noted(get(Col::ParentUprn).as_deref(), "parent_uprn", Uprn::parse, notes);
        a.organisation = get(Col::Organisation).or_else(|| get(Col::LaOrganisation));
        a.department = get(Col::Department);
        a.po_box = get(Col::PoBox);
        let mut repeated = headed_premise(&mut a, get, notes);
        let postcode = headed_localities(&mut a, get, &mut repeated);
        a.postcode = noted(postcode.as_deref(), "postcode", Postcode::parse_historic, notes);
        a.coordinates = headed_coordinates(get, notes);
        a.source_lat_lng = match (
            noted(get(Col::Latitude).as_deref(), "latitude", str::parse::<f64>, notes),
            noted(get(Col::Longitude).as_deref(), "longitude", str::parse::<f64>, notes),
        ) {
            (Some(lat), Some(lng)) => Some(LatLng { lat, lng }),
            _ => None,
        };
        a.classification = get(Col::Classification);
        a.local_custodian_code =
            noted(get(Col::Custodian).as_deref(), "local_custodian_code", str::parse::<u16>, notes);
        a.gss_code = get(Col::GssCode);
        a.language = get(Col::Language).map(|l| Language::from_code(&l)).unwrap_or_default();
        let welsh = WelshNames {
            dependent_thoroughfare: get(Col::WelshDependentThoroughfare),
            thoroughfare: get(Col::WelshThoroughfare),
            double_dependent_locality: get(Col::WelshDoubleDependentLocality),
            dependent_locality: get(Col::WelshDependentLocality),
            post_town: get(Col::WelshPostTown),
        };
        if welsh != WelshNames::default() {
            a.welsh = Some(welsh);
        }
        tally.placed(at, notes);
        if repeated > 0 {
            tally.note(NoteKind::FieldMerged, repeated, at, || {
                "the gazetteer (LPI) columns repeat components the PAF columns give; the PAF \
                 ones are kept"
                    .to_owned()
            });
        }
        if let (Some(pc), Some(gss)) = (a.postcode, a.gss_code.clone()) {
            self.builder.add_postcode(
                pc,
                PostcodeInfo { admin_district: Some(gss), ..PostcodeInfo::default() },
            );
        }
        tally.took(&a);
        self.builder.add_address(a);
    }

    fn read_codepoint(
        &mut self,
        name: &str,
        reader: impl Read,
        tally: &mut Tally,
    ) -> Result<(), Error> {
        const HEADER: [&str; 10] = [
            "postcode",
            "positional_quality_indicator",
            "eastings",
            "northings",
            "country_code",
            "nhs_regional_ha_code",
            "nhs_ha_code",
            "admin_county_code",
            "admin_district_code",
            "admin_ward_code",
        ];
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut row = csv::StringRecord::new();
        let mut first = true;
        let mut notes: Vec<Placed> = Vec::new();
        while Self::next_row(name, &mut rdr, &mut row, tally)?.is_some() {
            let at = Line(name, row.position().map_or(0, csv::Position::line));
            let pc_text = row.get(0).unwrap_or_default().trim().trim_start_matches('\u{feff}');
            if std::mem::take(&mut first) && Postcode::parse_historic(pc_text).is_err() {
                // A header row: only Code-Point's own.
                let names: Vec<String> = row
                    .iter()
                    .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
                    .collect();
                if names != HEADER {
                    return Err(Error::input(
                        name,
                        format!(
                            "the first row is neither a postcode record nor the Code-Point Open header \
                             ({}); is this a Code-Point Open file?",
                            HEADER.join(",")
                        ),
                    ));
                }
                continue;
            }
            tally.report.records += 1;
            if row.len() != HEADER.len() {
                tally.reject(
                    &at,
                    format!("{} fields, Code-Point Open has {}", row.len(), HEADER.len()),
                );
                continue;
            }
            let pc = match Postcode::parse_historic(pc_text) {
                Ok(pc) => pc,
                Err(e) => {
                    tally.reject(&at, format!("postcode {pc_text:?}: {e}"));
                    continue;
                }
            };
            let pqi = noted(row.get(1), "positional quality", str::parse::<u32>, &mut notes);
            let e = noted(row.get(2), "eastings", str::parse::<f64>, &mut notes);
            let n = noted(row.get(3), "northings", str::parse::<f64>, &mut notes);
            // PQI 90 means "no coordinates" (they are zero).
            let coordinates = match (e, n) {
                (Some(e), Some(n)) if pqi != Some(90) && (e, n) != (0.0, 0.0) => {
                    Some(Coordinates::new(e, n))
                }
                _ => None,
            };
            tally.placed(&at, &mut notes);
            let admin_district = row.get(8).and_then(opt);
            let ward = row.get(9).and_then(opt);
            self.builder.add_postcode(pc, PostcodeInfo { coordinates, admin_district, ward });
            tally.report.taken += 1;
            tally.report.fields_taken += 1 + usize::from(coordinates.is_some()) + 2;
        }
        Ok(())
    }

    fn read_os_places(
        &mut self,
        name: &str,
        mut reader: impl Read,
        tally: &mut Tally,
    ) -> Result<(), Error> {
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
        let mut notes: Vec<Placed> = Vec::new();
        for (i, (r, raw)) in results.iter().zip(raw).enumerate() {
            let ordinal = self.ordinal;
            self.ordinal = self.ordinal.saturating_add(1);
            tally.report.records += 1;
            let at = format!("{name}: result {}", i + 1);
            match r.to_address_noted(&mut notes) {
                Ok(a) => {
                    tally.placed(&at, &mut notes);
                    tally.took(&a);
                    let record = SourceRecord { view: raw.view, ordinal, fields: raw.fields };
                    self.builder.add_address_with_sources(a, vec![record]);
                }
                Err(why) => {
                    notes.clear();
                    tally.reject(&at, why);
                }
            }
        }
        Ok(())
    }

    fn read_addressbase(
        &mut self,
        name: &str,
        reader: impl Read,
        tally: &mut Tally,
    ) -> Result<(), Error> {
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut first = csv::StringRecord::new();
        if Self::next_row(name, &mut rdr, &mut first, tally)?.is_none() {
            return Ok(());
        }
        let is_premium = first.get(0).is_some_and(|f| f.trim().parse::<u32>().is_ok());
        if !is_premium {
            let cols = Columns::new(name, &first, Dialect::AddressBase, tally)?;
            return self.read_headed_rows(name, &cols, &mut rdr, tally);
        }
        let mut premium = Premium::default();
        let mut row = first;
        loop {
            tally.report.records += 1;
            premium.row(name, &row, tally);
            if Self::next_row(name, &mut rdr, &mut row, tally)?.is_none() {
                break;
            }
        }
        premium.finish(name, &mut self.builder, tally);
        Ok(())
    }
}

/// A value a row cannot go without: parsed, or the row rejected as `FIELD is empty` or
/// `FIELD "TEXT": ERROR`.
fn required<T, E: fmt::Display>(
    text: Option<String>,
    field: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
    at: &Line<'_>,
    tally: &mut Tally,
) -> Option<T> {
    let Some(text) = text else {
        tally.reject(at, format!("{field} is empty"));
        return None;
    };
    match parse(&text) {
        Ok(value) => Some(value),
        Err(e) => {
            tally.reject(at, format!("{field} {text:?}: {e}"));
            None
        }
    }
}

/// A headed row's easting and northing, when both are there and numbers.
fn headed_coordinates(
    get: &impl Fn(Col) -> Option<String>,
    notes: &mut Vec<Placed>,
) -> Option<Coordinates> {
    match (
        noted(get(Col::Easting).as_deref(), "easting", str::parse::<f64>, notes),
        noted(get(Col::Northing).as_deref(), "northing", str::parse::<f64>, notes),
    ) {
        (Some(e), Some(n)) => Some(Coordinates::new(e, n)),
        _ => None,
    }
}

/// Places a headed row's premise from the PAF columns, or else from the gazetteer (LPI) ones; the
/// number of LPI premise cells the PAF columns made redundant.
fn headed_premise(
    a: &mut Address,
    get: &impl Fn(Col) -> Option<String>,
    notes: &mut Vec<Placed>,
) -> usize {
    let paf_premise = [Col::SubBuilding, Col::BuildingName, Col::BuildingNumber];
    let lpi_premise = [
        Col::SaoStart,
        Col::SaoStartSuffix,
        Col::SaoEnd,
        Col::SaoEndSuffix,
        Col::SaoText,
        Col::PaoStart,
        Col::PaoStartSuffix,
        Col::PaoEnd,
        Col::PaoEndSuffix,
        Col::PaoText,
    ];
    let filled = |group: &[Col]| group.iter().filter(|&&c| get(c).is_some()).count();
    if filled(&paf_premise) > 0 {
        a.sub_building = get(Col::SubBuilding);
        a.building_name = get(Col::BuildingName);
        if let Some(n) = get(Col::BuildingNumber) {
            place_number(a, &n, notes);
        }
        filled(&lpi_premise)
    } else {
        let cells: Vec<Option<String>> = lpi_premise.iter().map(|&c| get(c)).collect();
        place_sao(a, &Aon::from_cells(&cells[..5]), notes);
        place_pao(a, &Aon::from_cells(&cells[5..]), notes);
        0
    }
}

/// Places a headed row's thoroughfares, localities and post town, each from its PAF column or else the
/// gazetteer's, counting in `repeated` the gazetteer cells a PAF one made redundant; the postcode's text,
/// chosen the same way.
fn headed_localities(
    a: &mut Address,
    get: &impl Fn(Col) -> Option<String>,
    repeated: &mut usize,
) -> Option<String> {
    let either = |paf: Option<String>, lpi: Col, repeated: &mut usize| match paf {
        Some(v) => {
            *repeated += usize::from(get(lpi).is_some());
            Some(v)
        }
        None => get(lpi),
    };
    a.dependent_thoroughfare = get(Col::DependentThoroughfare);
    a.thoroughfare = either(get(Col::Thoroughfare), Col::StreetDescription, repeated);
    a.double_dependent_locality = get(Col::DoubleDependentLocality);
    let dependent = get(Col::DependentLocality);
    a.dependent_locality = if dependent.is_some() || a.double_dependent_locality.is_some() {
        *repeated += usize::from(get(Col::Locality).is_some());
        dependent
    } else {
        get(Col::Locality)
    };
    a.post_town = either(get(Col::PostTown), Col::TownName, repeated);
    either(get(Col::Postcode), Col::PostcodeLocator, repeated)
}
