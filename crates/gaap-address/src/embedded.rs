//! The embedded default: real Code-Point Open postcodes for the City of Westminster (E09000033) with
//! synthetic addresses on them. See `data/NOTICE` for the licence and attribution.

use std::sync::OnceLock;

use crate::index::{Index, IndexBuilder, PostcodeInfo};
use crate::rules::geo::Coordinates;
use crate::synth::{self, SeedPostcode};
use crate::types::postcode::Postcode;

/// The GSS code of the embedded council area: City of Westminster.
pub const EMBEDDED_DISTRICT: &str = "E09000033";

const POSTCODES_CSV: &str = include_str!("../data/westminster-postcodes.csv");
const SEED: u64 = 2026;
const ADDRESSES_PER_POSTCODE: usize = 3;

/// The embedded postcodes with their grid positions, as synthesis seeds.
pub(crate) fn seed_postcodes() -> Vec<SeedPostcode> {
    POSTCODES_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split(',');
            let postcode = Postcode::parse(f.next()?).ok()?;
            let e: f64 = f.next()?.trim().parse().ok()?;
            let n: f64 = f.next()?.trim().parse().ok()?;
            Some(SeedPostcode {
                postcode,
                coordinates: Some(Coordinates::new(e, n)),
                admin_district: Some(EMBEDDED_DISTRICT.to_owned()),
                post_town: "LONDON".to_owned(),
            })
        })
        .collect()
}

/// The embedded real postcodes (13,136 in Westminster), sorted.
#[must_use]
pub fn embedded_postcodes() -> Vec<Postcode> {
    seed_postcodes().into_iter().map(|s| s.postcode).collect()
}

/// The embedded index, built once on first use: every Westminster postcode (real, Code-Point Open) with
/// three synthetic addresses each on average.
pub fn embedded() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let seeds = seed_postcodes();
        let mut builder = IndexBuilder::new();
        for s in &seeds {
            builder.add_postcode(
                s.postcode,
                PostcodeInfo {
                    coordinates: s.coordinates,
                    admin_district: s.admin_district.clone(),
                    ward: None,
                },
            );
        }
        for a in synth::generate(&seeds, seeds.len() * ADDRESSES_PER_POSTCODE, SEED) {
            builder.add_address(a);
        }
        builder.build()
    })
}

/// The local authority district GSS code for a postcode in the embedded data (`E09000033` for any Westminster
/// postcode), so a service can find the council. `None` outside the embedded area; build an [`Index`] from
/// Code-Point Open for national coverage and use [`Index::admin_district`].
#[must_use]
pub fn admin_district(postcode: &Postcode) -> Option<&'static str> {
    static SET: OnceLock<Vec<Postcode>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        let mut v = embedded_postcodes();
        v.sort();
        v
    });
    set.binary_search(postcode).ok().map(|_| EMBEDDED_DISTRICT)
}
