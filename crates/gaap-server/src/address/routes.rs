//! The handlers: check the key, parse the parameters, ask gaap-address, and write OS's response.

use std::borrow::Cow;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaap_address::{Coordinates, Uprn};
use serde_json::Value;

use super::cache::Rendered;
use super::error::PlacesError;
use super::params::{self, Common, Format, PostcodeQuery, RawQuery, Srs, Term};
use super::wire::{self, Header, Record, View};
use super::{query, xml};
use crate::ops::limit::Verdict;
use crate::state::{AppState, Loaded};

/// The OS Places paths.
pub(crate) fn router() -> Router<AppState> {
    let base = "/search/places/v1";
    Router::new()
        .route(&format!("{base}/postcode"), get(postcode).fallback(wrong_method))
        .route(&format!("{base}/uprn"), get(uprn).fallback(wrong_method))
        .route(&format!("{base}/find"), get(find).fallback(wrong_method))
        .route(&format!("{base}/nearest"), get(nearest).fallback(wrong_method))
        .route(&format!("{base}/bbox"), get(bbox).fallback(wrong_method))
        .route(&format!("{base}/radius"), get(radius).fallback(wrong_method))
        .route(&format!("{base}/polygon"), post(polygon).fallback(wrong_method))
}

async fn wrong_method(method: Method) -> PlacesError {
    PlacesError::method_not_allowed(method.as_str())
}

type Answer = Result<Response, PlacesError>;

/// What every request needs once its key has passed.
struct Ctx {
    loaded: Loaded,
    raw: RawQuery,
    common: Common,
}

/// Checks the request's key and its allowance, and takes the index in service. It reads only the key from
/// the query, so a cached answer is sent without parsing the rest.
fn admit(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Result<Loaded, PlacesError> {
    let from_query = query_key(uri.query());
    let key = from_query
        .as_deref()
        .or_else(|| headers.get("key").and_then(|v| v.to_str().ok()))
        .filter(|k| !k.is_empty());
    if key.is_none() && state.limiter.keys_required() {
        return Err(PlacesError::unauthorized(true));
    }
    // A request answered 503 while the index loads spends none of the key's allowance.
    let loaded = state.index.get().ok_or_else(PlacesError::unavailable)?;
    match state.limiter.check(key.unwrap_or_default()) {
        Verdict::Allowed => Ok(loaded),
        Verdict::UnknownKey => Err(PlacesError::unauthorized(false)),
        Verdict::Limited { retry_after } => Err(PlacesError::rate_limited(retry_after)),
    }
}

/// The first `key` in the query (names are case-insensitive), decoded.
fn query_key(query: Option<&str>) -> Option<Cow<'_, str>> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(name, _)| name.eq_ignore_ascii_case("key"))
        .map(|(_, value)| value)
}

/// Parses the parameters every resource shares; `paged` resources take `maxresults` and `offset`.
fn parse(loaded: Loaded, uri: &Uri, paged: bool) -> Result<Ctx, PlacesError> {
    let raw = RawQuery::parse(uri.query());
    let common = Common::parse(&raw, paged)?;
    Ok(Ctx { loaded, raw, common })
}

fn begin(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    paged: bool,
) -> Result<Ctx, PlacesError> {
    parse(admit(state, uri, headers)?, uri, paged)
}

/// How results are ordered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// As OS lists a lookup: English records, then the Welsh twins; loaded records in their source order.
    Lookup,
    /// As the query ranked them (best match, or nearest, first).
    Ranked,
}

fn term_matches(record: &Record<'_>, term: &Term) -> bool {
    let is =
        |field: &str, want: &str| record.text(field).is_some_and(|v| v.eq_ignore_ascii_case(want));
    match term {
        Term::Classification(pattern) => record
            .text("CLASSIFICATION_CODE")
            .is_some_and(|code| params::wildcard_match(pattern, &code)),
        Term::LogicalStatus(code) => is("LOGICAL_STATUS_CODE", code),
        // Only LPI records have an LPI status; the filter does not apply to DPA records.
        Term::LpiLogicalStatus(code) => {
            record.view != View::Lpi || is("LPI_LOGICAL_STATUS_CODE", code)
        }
        Term::Country(code) => is("COUNTRY_CODE", code),
    }
}

/// How a resource scores and orders what it selected.
#[derive(Clone, Copy)]
struct Scoring {
    /// Decimal places MATCH keeps.
    precision: u32,
    order: Order,
    /// Results scoring below this are left out (`minmatch`).
    min_match: Option<f64>,
}

/// Exact lookups: MATCH 1.0 to one place, in OS's lookup order.
const LOOKUP: Scoring = Scoring { precision: 1, order: Order::Lookup, min_match: None };

/// Turns the selected addresses into OS's response: records for the asked views and language, filtered,
/// ordered, paged, in JSON or XML.
fn finish(
    state: &AppState,
    ctx: &Ctx,
    uri: &Uri,
    query_echo: String,
    items: &[query::Scored],
    scoring: Scoring,
) -> Rendered {
    let Scoring { precision, order, min_match } = scoring;
    let index = &ctx.loaded.index;
    let c = &ctx.common;
    let with_sources = index.has_source_records();
    let mut records: Vec<(usize, Record<'_>)> = Vec::new();
    for (i, (address, score)) in items.iter().enumerate() {
        if min_match.is_some_and(|m| *score < m) {
            continue;
        }
        let sources = if with_sources { index.source_records(address.uprn) } else { Vec::new() };
        for mut r in wire::records(address, &sources, c.dataset.dpa, c.dataset.lpi, c.lr) {
            if !c.filters.all.iter().all(|any| any.iter().any(|t| term_matches(&r, t))) {
                continue;
            }
            r.project(c.output_srs);
            r.set_match(*score, precision);
            records.push((i, r));
        }
    }
    if order == Order::Lookup {
        records.sort_by_key(|(i, r)| (r.welsh, r.ordinal.unwrap_or(u32::MAX), *i));
    }
    let total = records.len();
    let start = (c.offset as usize).min(total);
    let end = start.saturating_add(c.maxresults as usize).min(total);
    let results: Vec<Record<'_>> = records.drain(start..end).map(|(_, r)| r).collect();
    let data_day = ctx.loaded.data_time.date();
    let echo = ctx.raw.echo();
    let header = Header {
        uri: format!(
            "{}{}{}{}",
            state.public_url,
            uri.path(),
            if echo.is_empty() { "" } else { "?" },
            echo
        ),
        query: query_echo,
        offset: c.offset,
        totalresults: total,
        format: match c.format {
            Format::Json => "JSON",
            Format::Xml => "XML",
        },
        dataset: c.dataset.label(),
        lr: wire::lr_label(c.lr),
        maxresults: c.maxresults,
        matchprecision: precision,
        epoch: format!(
            "{:04}{:02}{:02}",
            data_day.year(),
            u8::from(data_day.month()),
            data_day.day()
        ),
        lastupdate: format!(
            "{:04}-{:02}-{:02}",
            data_day.year(),
            u8::from(data_day.month()),
            data_day.day()
        ),
        output_srs: c.output_srs_label.clone(),
    };
    let response = wire::Response { header, results };
    match c.format {
        Format::Json => Rendered { body: Bytes::from(response.to_json()), xml: false },
        Format::Xml => Rendered { body: Bytes::from(xml::to_xml(&response)), xml: true },
    }
}

/// The cache key of a GET: its path and its raw query, less any `key` pair (an answer does not depend on
/// who asked). Two spellings of one query are two entries; each is still answered correctly.
fn cache_key(uri: &Uri) -> String {
    let query = uri.query().unwrap_or_default();
    let mut key = String::with_capacity(uri.path().len() + 1 + query.len());
    key.push_str(uri.path());
    key.push('?');
    for pair in query.split('&') {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        let is_key = url::form_urlencoded::parse(name.as_bytes())
            .next()
            .is_some_and(|(n, _)| n.eq_ignore_ascii_case("key"));
        if !is_key && !pair.is_empty() {
            key.push_str(pair);
            key.push('&');
        }
    }
    key
}

/// Answers from the cache, or parses the query and renders with `render`, and keeps the answer. A query
/// that fails to parse or render is never kept, so an answer found in the cache was valid when rendered.
fn cached(
    state: &AppState,
    loaded: Loaded,
    uri: &Uri,
    paged: bool,
    render: impl FnOnce(&Ctx) -> Result<Rendered, PlacesError>,
) -> Answer {
    let key = cache_key(uri);
    let generation = loaded.generation;
    if let Some(hit) = state.answers.get(generation, &key) {
        return Ok(hit.into_response());
    }
    let ctx = parse(loaded, uri, paged)?;
    let rendered = render(&ctx)?;
    state.answers.put(generation, &key, rendered.clone());
    Ok(rendered.into_response())
}

fn echo(name: &str, value: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new()).append_pair(name, value).finish()
}

/// `matchprecision` (1–10, default 1): the decimal places MATCH keeps.
fn precision(raw: &RawQuery) -> Result<u32, PlacesError> {
    match params::decimal(raw, "matchprecision", 1.0, 10.0)? {
        Some(p) if p.fract() == 0.0 => Ok(p as u32),
        Some(_) => {
            Err(PlacesError::invalid("matchprecision", "It must be a whole number from 1 to 10."))
        }
        None => Ok(1),
    }
}

async fn postcode(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Answer {
    let loaded = admit(&state, &uri, &headers)?;
    cached(&state, loaded, &uri, true, |ctx| {
        let text = ctx.raw.required("postcode")?;
        let q = PostcodeQuery::parse(text)?;
        let items = query::postcode(&ctx.loaded.index, &q);
        let echo = echo("postcode", text);
        Ok(finish(&state, ctx, &uri, echo, &items, LOOKUP))
    })
}

async fn uprn(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Answer {
    let loaded = admit(&state, &uri, &headers)?;
    cached(&state, loaded, &uri, false, |ctx| {
        let text = ctx.raw.required("uprn")?;
        let digits = text.trim();
        if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PlacesError::bad_request(
                "Parameter uprn contains invalid characters. Valid characters are numeric with a maximum of \
                 12 digits.",
            ));
        }
        // A well-formed number that is no UPRN (0, say) finds nothing, as OS answers it: 200 and no results.
        let items = digits
            .parse::<u64>()
            .ok()
            .and_then(|n| Uprn::new(n).ok())
            .map(|uprn| query::uprn(&ctx.loaded.index, uprn))
            .unwrap_or_default();
        let echo = echo("uprn", text);
        Ok(finish(&state, ctx, &uri, echo, &items, LOOKUP))
    })
}

async fn find(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Answer {
    let loaded = admit(&state, &uri, &headers)?;
    cached(&state, loaded, &uri, true, |ctx| {
        let text = ctx.raw.required("query")?;
        let min_match = params::decimal(&ctx.raw, "minmatch", 0.1, 1.0)?;
        let precision = precision(&ctx.raw)?;
        let within = params::bbox(&ctx.raw, Srs::Bng)?;
        let items = query::find(&ctx.loaded.index, text, within);
        let echo = echo("query", text);
        Ok(finish(
            &state,
            ctx,
            &uri,
            echo,
            &items,
            Scoring { precision, order: Order::Ranked, min_match },
        ))
    })
}

/// `radius`, 0.01–1000 metres, default 100.
fn radius_param(raw: &RawQuery) -> Result<f64, PlacesError> {
    Ok(params::decimal(raw, "radius", 0.01, 1000.0)?.unwrap_or(100.0))
}

async fn nearest(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Answer {
    let loaded = admit(&state, &uri, &headers)?;
    cached(&state, loaded, &uri, false, |ctx| {
        let at = params::point(&ctx.raw, "point", ctx.common.srs)?;
        let r = radius_param(&ctx.raw)?;
        let mut items = query::radius(&ctx.loaded.index, at, r);
        // The closest address that passes the filters: keep the nearest few, `finish` filters, then one wins.
        let c = &ctx.common;
        if !c.filters.is_empty() {
            let index = &ctx.loaded.index;
            let with_sources = index.has_source_records();
            items.retain(|(a, _)| {
                let sources = if with_sources { index.source_records(a.uprn) } else { Vec::new() };
                wire::records(a, &sources, c.dataset.dpa, c.dataset.lpi, c.lr)
                    .iter()
                    .any(|r| c.filters.all.iter().all(|any| any.iter().any(|t| term_matches(r, t))))
            });
        }
        items.truncate(1);
        let echo = echo("point", ctx.raw.get("point").unwrap_or_default());
        Ok(finish(&state, ctx, &uri, echo, &items, LOOKUP))
    })
}

async fn bbox(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Answer {
    let loaded = admit(&state, &uri, &headers)?;
    cached(&state, loaded, &uri, true, |ctx| {
        ctx.raw.required("bbox")?;
        let (min, max) =
            params::bbox(&ctx.raw, ctx.common.srs)?.ok_or_else(|| PlacesError::missing("bbox"))?;
        let area = (max.easting - min.easting) * (max.northing - min.northing);
        if area > params::MAX_BBOX_AREA {
            return Err(PlacesError::invalid(
                "bbox",
                "The box must cover at most 1 km² (1,000,000 square metres).",
            ));
        }
        let items = query::bbox(&ctx.loaded.index, min, max);
        let echo = echo("bbox", ctx.raw.get("bbox").unwrap_or_default());
        Ok(finish(&state, ctx, &uri, echo, &items, LOOKUP))
    })
}

async fn radius(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Answer {
    let loaded = admit(&state, &uri, &headers)?;
    cached(&state, loaded, &uri, true, |ctx| {
        let at = params::point(&ctx.raw, "point", ctx.common.srs)?;
        let r = radius_param(&ctx.raw)?;
        let items = query::radius(&ctx.loaded.index, at, r);
        let echo = echo("point", ctx.raw.get("point").unwrap_or_default());
        Ok(finish(&state, ctx, &uri, echo, &items, Scoring { order: Order::Ranked, ..LOOKUP }))
    })
}

/// The largest area a polygon's bounding box may cover: 25 km². OS documents no figure; this bounds the
/// work one request can ask for.
const MAX_POLYGON_BOX: f64 = 25_000_000.0;
/// The most vertices a polygon may have.
const MAX_VERTICES: usize = 10_000;

/// Reads a GeoJSON Polygon or MultiPolygon (bare, or as a Feature's `geometry`) into grid rings.
fn polygon_rings(body: &Value, srs: Srs) -> Result<Vec<Vec<Coordinates>>, PlacesError> {
    let bad = |why: &str| PlacesError::bad_request(format!("Requested polygon is invalid. {why}"));
    let geometry = match body.get("geometry") {
        Some(g) if g.is_object() => g,
        Some(_) => return Err(bad("'geometry' must be a GeoJSON geometry object.")),
        None => body,
    };
    let kind = geometry.get("type").and_then(Value::as_str).unwrap_or_default();
    let coords = geometry.get("coordinates").ok_or_else(|| bad("It has no 'coordinates'."))?;
    let polygons: Vec<&Value> = match kind {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords
            .as_array()
            .ok_or_else(|| bad("MultiPolygon coordinates must be an array of polygons."))?
            .iter()
            .collect(),
        _ => return Err(bad("The geometry must be a Polygon or MultiPolygon.")),
    };
    let mut rings = Vec::new();
    let mut vertices = 0usize;
    for p in polygons {
        // The outer ring of each polygon; holes are not subtracted.
        let ring = p
            .as_array()
            .and_then(|r| r.first())
            .and_then(Value::as_array)
            .ok_or_else(|| bad("Each polygon must have an outer ring of [x, y] positions."))?;
        vertices += ring.len();
        if vertices > MAX_VERTICES {
            return Err(bad("It has more than 10,000 vertices."));
        }
        let mut points = Vec::with_capacity(ring.len());
        for pos in ring {
            let xy = pos
                .as_array()
                .filter(|a| a.len() >= 2)
                .and_then(|a| Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?)));
            let (a, b) = xy.ok_or_else(|| bad("Every position must be [x, y] numbers."))?;
            let c = srs.to_bng(a, b);
            if !c.easting.is_finite() || !c.northing.is_finite() {
                return Err(bad("A position is outside the coordinate system."));
            }
            points.push(c);
        }
        if points.len() < 3 {
            return Err(bad("A ring needs at least three positions."));
        }
        let (mut min, mut max) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
        for c in &points {
            min = (min.0.min(c.easting), min.1.min(c.northing));
            max = (max.0.max(c.easting), max.1.max(c.northing));
        }
        if (max.0 - min.0) * (max.1 - min.1) > MAX_POLYGON_BOX {
            return Err(bad("Its bounding box must cover at most 25 km²."));
        }
        rings.push(points);
    }
    if rings.is_empty() {
        return Err(bad("It has no polygons."));
    }
    Ok(rings)
}

async fn polygon(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let ctx = begin(&state, &uri, &headers, true)?;
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if !json_type {
        return Err(PlacesError::bad_request(
            "Requested polygon must be sent as a JSON body with Content-Type: application/json",
        ));
    }
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        PlacesError::bad_request(format!("Requested polygon is not valid JSON: {e}"))
    })?;
    let rings = polygon_rings(&value, ctx.common.srs)?;
    let mut items: Vec<query::Scored> = Vec::new();
    for ring in &rings {
        for hit in query::polygon(&ctx.loaded.index, ring) {
            if !items.iter().any(|(a, _)| a.uprn == hit.0.uprn) {
                items.push(hit);
            }
        }
    }
    let echo = String::from("polygon");
    Ok(finish(&state, &ctx, &uri, echo, &items, LOOKUP).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_leaves_out_every_spelling_of_the_key() {
        let key = |q: &str| cache_key(&format!("/search/places/v1/postcode?{q}").parse().unwrap());
        let plain = key("postcode=SW1A%201AA");
        assert_eq!(plain, "/search/places/v1/postcode?postcode=SW1A%201AA&");
        for q in [
            "key=a&postcode=SW1A%201AA",
            "postcode=SW1A%201AA&KEY=b",
            "%6Bey=c&postcode=SW1A%201AA&key",
            "postcode=SW1A%201AA&&Key=d=e",
        ] {
            assert_eq!(key(q), plain, "{q}");
        }
        assert_ne!(key("postcode=SW1A%201AA&format=XML"), plain);
        assert_ne!(key("postcode=SW1A%201AA&keys=1"), plain, "only `key` itself is left out");
        assert_eq!(query_key(Some("a=1&KEY=x%20y&key=z")).as_deref(), Some("x y"));
        assert_eq!(query_key(Some("keyx=1")), None);
        assert_eq!(query_key(None), None);
    }

    #[test]
    fn polygons_in_each_shape() {
        let square = serde_json::json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]]});
        assert_eq!(polygon_rings(&square, Srs::Bng).unwrap()[0].len(), 5);
        let feature = serde_json::json!({"type": "Feature", "geometry": square});
        assert_eq!(polygon_rings(&feature, Srs::Bng).unwrap().len(), 1);
        let multi = serde_json::json!({"type": "MultiPolygon", "coordinates": [square["coordinates"], square["coordinates"]]});
        assert_eq!(polygon_rings(&multi, Srs::Bng).unwrap().len(), 2);
        for bad in [
            serde_json::json!({"type": "Point", "coordinates": [1, 2]}),
            serde_json::json!({"type": "Polygon"}),
            serde_json::json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),
            serde_json::json!({"type": "Polygon", "coordinates": [[["a", 0], [1, 1], [2, 2]]]}),
            serde_json::json!({"type": "x", "geometry": 5}),
            serde_json::json!({"type": "Polygon", "coordinates": [[[0, 0], [100000, 0], [100000, 100000], [0, 0]]]}),
        ] {
            let e = polygon_rings(&bad, Srs::Bng).unwrap_err();
            assert_eq!(e.status.as_u16(), 400, "{bad}");
            assert!(e.message.contains("polygon"), "{}", e.message);
        }
    }
}
