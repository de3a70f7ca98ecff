//! Which addresses each resource selects, before they become records: a postcode or its prefix, a UPRN,
//! free text, the nearest to a point, a box, a circle or a polygon. Spatial work is gaap-address's
//! (`Index::within`, `point_in_polygon`); this module only chooses and orders.

use gaap_address::{Address, Coordinates, Index, MatchOptions, Uprn, point_in_polygon};

use super::params::PostcodeQuery;

/// An address with its match score for this query (1.0 for every exact lookup).
pub(crate) type Scored = (Address, f64);

/// The most addresses a `find` scores.
const FIND_LIMIT: usize = 1000;

pub(crate) fn postcode(index: &Index, query: &PostcodeQuery) -> Vec<Scored> {
    match query {
        PostcodeQuery::Full(p) => index.by_postcode(p).into_iter().map(|a| (a, 1.0)).collect(),
        PostcodeQuery::Prefix(compact) => {
            let mut out = Vec::new();
            for record in index.postcodes_with_prefix(compact, usize::MAX) {
                let squashed: String =
                    record.postcode.as_str().chars().filter(|c| *c != ' ').collect();
                if squashed.starts_with(compact.as_str()) {
                    out.extend(index.by_postcode(&record.postcode).into_iter().map(|a| (a, 1.0)));
                }
            }
            out
        }
    }
}

pub(crate) fn uprn(index: &Index, uprn: Uprn) -> Vec<Scored> {
    index.by_uprn(uprn).into_iter().map(|a| (a, 1.0)).collect()
}

/// Free text: typeahead hits in score order, then the matcher's best candidate if typeahead missed it.
pub(crate) fn find(
    index: &Index,
    text: &str,
    within: Option<(Coordinates, Coordinates)>,
) -> Vec<Scored> {
    let mut out: Vec<Scored> = index
        .search(text, FIND_LIMIT)
        .into_iter()
        .map(|h| (h.address, f64::from(h.score)))
        .collect();
    let best = index.match_address(text, MatchOptions::default());
    if let Some(uprn) = best.best
        && !out.iter().any(|(a, _)| a.uprn == uprn)
        && let Some(a) = index.by_uprn(uprn)
    {
        out.push((a, f64::from(best.score)));
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
    }
    if let Some((min, max)) = within {
        out.retain(|(a, _)| a.coordinates.is_some_and(|c| inside(c, min, max)));
    }
    out
}

fn inside(c: Coordinates, min: Coordinates, max: Coordinates) -> bool {
    (min.easting..=max.easting).contains(&c.easting)
        && (min.northing..=max.northing).contains(&c.northing)
}

/// Addresses within `radius` metres of `at`, nearest first.
pub(crate) fn radius(index: &Index, at: Coordinates, radius: f64) -> Vec<Scored> {
    let min = Coordinates::new(at.easting - radius, at.northing - radius);
    let max = Coordinates::new(at.easting + radius, at.northing + radius);
    let mut hits: Vec<(Address, f64)> = index
        .within(min, max)
        .into_iter()
        .filter_map(|a| {
            let d = a.coordinates?.distance(&at);
            (d <= radius).then_some((a, d))
        })
        .collect();
    hits.sort_by(|a, b| a.1.total_cmp(&b.1));
    hits.into_iter().map(|(a, _)| (a, 1.0)).collect()
}

pub(crate) fn bbox(index: &Index, min: Coordinates, max: Coordinates) -> Vec<Scored> {
    index.within(min, max).into_iter().map(|a| (a, 1.0)).collect()
}

/// Addresses inside a polygon ring (grid positions).
pub(crate) fn polygon(index: &Index, ring: &[Coordinates]) -> Vec<Scored> {
    let (mut min, mut max) = (
        Coordinates::new(f64::INFINITY, f64::INFINITY),
        Coordinates::new(f64::NEG_INFINITY, f64::NEG_INFINITY),
    );
    for c in ring {
        min = Coordinates::new(min.easting.min(c.easting), min.northing.min(c.northing));
        max = Coordinates::new(max.easting.max(c.easting), max.northing.max(c.northing));
    }
    index
        .within(min, max)
        .into_iter()
        .filter(|a| a.coordinates.is_some_and(|c| point_in_polygon(c, ring)))
        .map(|a| (a, 1.0))
        .collect()
}
