//! OS Places query parameters, parsed and checked as OS documents them. Each failure is a 400 in OS's
//! envelope whose message names the parameter.

use gaap_address::{Coordinates, LatLng, Postcode};

use super::error::PlacesError;

/// The raw query: every `name=value` pair, names lower-cased (OS's parameter names are case-insensitive),
/// repeated names kept in order (`fq` may repeat).
#[derive(Debug, Default)]
pub(crate) struct RawQuery {
    pairs: Vec<(String, String)>,
}

impl RawQuery {
    pub(crate) fn parse(query: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        Self { pairs }
    }

    /// The first value of `name`, if given.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A required, non-empty parameter.
    pub(crate) fn required(&self, name: &str) -> Result<&str, PlacesError> {
        match self.get(name).map(str::trim) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(PlacesError::missing(name)),
        }
    }

    /// The query string OS echoes in `header.uri`: every pair but the key.
    pub(crate) fn echo(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.pairs.iter().filter(|(k, _)| k != "key"))
            .finish()
    }
}

/// `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
}

/// A coordinate reference system OS Places accepts in `srs` and `output_srs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Srs {
    /// British National Grid (`BNG`, `EPSG:27700`).
    Bng,
    /// WGS84 latitude/longitude (`WGS84`, `EPSG:4326`).
    Wgs84,
    /// Web Mercator (`EPSG:3857`).
    WebMercator,
    /// ETRS89 latitude/longitude (`EPSG:4258`), within a metre of WGS84 in Great Britain.
    Etrs89,
}

impl Srs {
    fn parse(name: &str, value: &str) -> Result<Self, PlacesError> {
        match value.trim().to_ascii_uppercase().as_str() {
            "BNG" | "EPSG:27700" => Ok(Self::Bng),
            "WGS84" | "EPSG:4326" => Ok(Self::Wgs84),
            "EPSG:3857" => Ok(Self::WebMercator),
            "EPSG:4258" => Ok(Self::Etrs89),
            _ => Err(PlacesError::invalid(
                name,
                "It must be one of BNG, EPSG:27700, WGS84, EPSG:4326, EPSG:3857 or EPSG:4258.",
            )),
        }
    }

    /// True for latitude/longitude systems, whose points OS takes as `lat,lng`.
    pub(crate) const fn is_geographic(self) -> bool {
        matches!(self, Self::Wgs84 | Self::Etrs89)
    }

    /// A point given in this system (`x,y`, or `lat,lng` for a geographic one) on the National Grid.
    pub(crate) fn to_bng(self, a: f64, b: f64) -> Coordinates {
        match self {
            Self::Bng => Coordinates::new(a, b),
            Self::Wgs84 | Self::Etrs89 => LatLng { lat: a, lng: b }.to_bng(),
            Self::WebMercator => gaap_address::from_web_mercator(a, b).to_bng(),
        }
    }

    /// A grid position in this system, as (x, y): eastings/northings, metres, or longitude/latitude.
    pub(crate) fn project(self, c: Coordinates) -> (f64, f64) {
        match self {
            Self::Bng => (c.easting, c.northing),
            Self::Wgs84 | Self::Etrs89 => {
                let ll = c.to_wgs84();
                (ll.lng, ll.lat)
            }
            Self::WebMercator => gaap_address::to_web_mercator(c.to_wgs84()),
        }
    }
}

/// `dataset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dataset {
    pub(crate) dpa: bool,
    pub(crate) lpi: bool,
}

impl Dataset {
    fn parse(value: &str) -> Result<Self, PlacesError> {
        let mut d = Self { dpa: false, lpi: false };
        for part in value.split(',') {
            match part.trim().to_ascii_uppercase().as_str() {
                "DPA" => d.dpa = true,
                "LPI" => d.lpi = true,
                _ => {
                    return Err(PlacesError::invalid("dataset", "It must be DPA, LPI or DPA,LPI."));
                }
            }
        }
        Ok(d)
    }

    pub(crate) fn label(self) -> &'static str {
        match (self.dpa, self.lpi) {
            (true, true) => "DPA,LPI",
            (false, true) => "LPI",
            _ => "DPA",
        }
    }
}

/// `lr`: which language's records to return; `None` is OS's default, both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lr {
    En,
    Cy,
}

/// One `fq` term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Term {
    /// `CLASSIFICATION_CODE:RD*`: the code, with `*` matching any run of characters.
    Classification(String),
    /// `LOGICAL_STATUS_CODE:1`.
    LogicalStatus(String),
    /// `LPI_LOGICAL_STATUS_CODE:1`.
    LpiLogicalStatus(String),
    /// `COUNTRY_CODE:E`.
    Country(String),
}

/// `fq`: every value must match (AND); within one value, any term (OR).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filters {
    pub(crate) all: Vec<Vec<Term>>,
}

impl Filters {
    fn parse<'a>(values: impl Iterator<Item = &'a str>) -> Result<Self, PlacesError> {
        let mut all = Vec::new();
        for value in values {
            let mut any = Vec::new();
            for term in value.split_whitespace() {
                let Some((field, v)) = term.split_once(':') else {
                    return Err(PlacesError::invalid(
                        "fq",
                        "Each filter must be FIELD:VALUE, e.g. CLASSIFICATION_CODE:RD04.",
                    ));
                };
                let v = v.trim().to_ascii_uppercase();
                let ok_value = !v.is_empty()
                    && v.len() <= 16
                    && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '*');
                if !ok_value {
                    return Err(PlacesError::invalid("fq", "The filter value is not valid."));
                }
                let numeric = || {
                    if v.chars().all(|c| c.is_ascii_digit()) {
                        Ok(v.clone())
                    } else {
                        Err(PlacesError::invalid(
                            "fq",
                            "A logical status code must be a number: 1, 3, 6 or 8.",
                        ))
                    }
                };
                any.push(match field.to_ascii_uppercase().as_str() {
                    "CLASSIFICATION_CODE" => Term::Classification(v.clone()),
                    "LOGICAL_STATUS_CODE" => Term::LogicalStatus(numeric()?),
                    "LPI_LOGICAL_STATUS_CODE" => Term::LpiLogicalStatus(numeric()?),
                    "COUNTRY_CODE" => Term::Country(v.clone()),
                    _ => {
                        return Err(PlacesError::invalid(
                            "fq",
                            "Filters may use CLASSIFICATION_CODE, LOGICAL_STATUS_CODE, \
                             LPI_LOGICAL_STATUS_CODE or COUNTRY_CODE.",
                        ));
                    }
                });
            }
            if !any.is_empty() {
                all.push(any);
            }
        }
        Ok(Self { all })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

/// `CLASSIFICATION_CODE` matching with `*` wildcards.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] != b'*' && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// The parameters every resource shares.
#[derive(Debug, Clone)]
pub(crate) struct Common {
    pub(crate) format: Format,
    pub(crate) dataset: Dataset,
    pub(crate) lr: Option<Lr>,
    pub(crate) output_srs: Srs,
    /// `output_srs` as the client wrote it, echoed in the header.
    pub(crate) output_srs_label: String,
    pub(crate) srs: Srs,
    pub(crate) filters: Filters,
    pub(crate) maxresults: u32,
    pub(crate) offset: u32,
}

fn integer(q: &RawQuery, name: &str, min: u32, max: u32, default: u32) -> Result<u32, PlacesError> {
    let Some(v) = q.get(name) else { return Ok(default) };
    let expected = if max == u32::MAX {
        format!("It must be a whole number of at least {min}.")
    } else {
        format!("It must be a whole number from {min} to {max}.")
    };
    match v.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(PlacesError::invalid(name, &expected)),
    }
}

/// A decimal parameter within `min..=max`.
pub(crate) fn decimal(
    q: &RawQuery,
    name: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, PlacesError> {
    let Some(v) = q.get(name) else { return Ok(None) };
    match v.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= min && n <= max => Ok(Some(n)),
        _ => Err(PlacesError::invalid(name, &format!("It must be a number from {min} to {max}."))),
    }
}

impl Common {
    /// Parses the shared parameters; `paged` resources take `maxresults` and `offset`.
    pub(crate) fn parse(q: &RawQuery, paged: bool) -> Result<Self, PlacesError> {
        let format = match q.get("format").map(|f| f.trim().to_ascii_uppercase()) {
            None => Format::Json,
            Some(f) if f == "JSON" => Format::Json,
            Some(f) if f == "XML" => Format::Xml,
            Some(_) => return Err(PlacesError::invalid("format", "It must be JSON or XML.")),
        };
        let dataset = match q.get("dataset") {
            Some(d) => Dataset::parse(d)?,
            None => Dataset { dpa: true, lpi: false },
        };
        let lr = match q.get("lr").map(|l| l.trim().to_ascii_uppercase()) {
            None => None,
            Some(l) if l == "EN" => Some(Lr::En),
            Some(l) if l == "CY" => Some(Lr::Cy),
            Some(_) => return Err(PlacesError::invalid("lr", "It must be EN or CY.")),
        };
        let (output_srs, output_srs_label) = match q.get("output_srs") {
            Some(s) => (Srs::parse("output_srs", s)?, s.trim().to_ascii_uppercase()),
            None => (Srs::Bng, "EPSG:27700".to_owned()),
        };
        let srs = match q.get("srs") {
            Some(s) => Srs::parse("srs", s)?,
            None => Srs::Bng,
        };
        let filters = Filters::parse(q.all("fq"))?;
        let (maxresults, offset) = if paged {
            (integer(q, "maxresults", 1, 100, 100)?, integer(q, "offset", 0, u32::MAX, 0)?)
        } else {
            (100, 0)
        };
        Ok(Self {
            format,
            dataset,
            lr,
            output_srs,
            output_srs_label,
            srs,
            filters,
            maxresults,
            offset,
        })
    }
}

/// A `/postcode` query: a full postcode, or a partial one down to the area and the district's first digit
/// (`SO1`, `SO16`, `BS161A`), matched as a prefix of the postcode without its space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PostcodeQuery {
    Full(Postcode),
    Prefix(String),
}

const POSTCODE_MESSAGE: &str = "Requested postcode must contain a minimum of the sector plus 1 digit of \
                                the district e.g. SO1. Requested postcode was invalid";

impl PostcodeQuery {
    pub(crate) fn parse(text: &str) -> Result<Self, PlacesError> {
        let compact: String =
            text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        if compact.len() > 7 || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(PlacesError::bad_request(POSTCODE_MESSAGE));
        }
        if let Ok(p) = Postcode::parse_historic(&compact) {
            return Ok(Self::Full(p));
        }
        // Area (one or two letters) then at least the district's first digit.
        let letters = compact.chars().take_while(char::is_ascii_alphabetic).count();
        let digit_next = compact.chars().nth(letters).is_some_and(|c| c.is_ascii_digit());
        if (1..=2).contains(&letters) && digit_next {
            Ok(Self::Prefix(compact))
        } else {
            Err(PlacesError::bad_request(POSTCODE_MESSAGE))
        }
    }
}

/// A point parameter: `x,y` (or `lat,lng` in a geographic `srs`), on the National Grid.
pub(crate) fn point(q: &RawQuery, name: &str, srs: Srs) -> Result<Coordinates, PlacesError> {
    let v = q.required(name)?;
    let nums = numbers(v).filter(|n| n.len() == 2).ok_or_else(|| {
        PlacesError::invalid(name, "It must be two numbers separated by a comma: x,y.")
    })?;
    let c = srs.to_bng(nums[0], nums[1]);
    if !c.easting.is_finite() || !c.northing.is_finite() {
        return Err(PlacesError::invalid(name, "The point is outside the coordinate system."));
    }
    Ok(c)
}

/// A `bbox` parameter: lower-left then upper-right, `x1,y1,x2,y2`, on the National Grid.
pub(crate) fn bbox(
    q: &RawQuery,
    srs: Srs,
) -> Result<Option<(Coordinates, Coordinates)>, PlacesError> {
    let Some(v) = q.get("bbox") else { return Ok(None) };
    let nums = numbers(v).filter(|n| n.len() == 4).ok_or_else(|| {
        PlacesError::invalid(
            "bbox",
            "It must be four numbers: lower-left x,y then upper-right x,y.",
        )
    })?;
    let a = srs.to_bng(nums[0], nums[1]);
    let b = srs.to_bng(nums[2], nums[3]);
    let min = Coordinates::new(a.easting.min(b.easting), a.northing.min(b.northing));
    let max = Coordinates::new(a.easting.max(b.easting), a.northing.max(b.northing));
    if ![min.easting, min.northing, max.easting, max.northing].iter().all(|x| x.is_finite()) {
        return Err(PlacesError::invalid("bbox", "The box is outside the coordinate system."));
    }
    Ok(Some((min, max)))
}

fn numbers(v: &str) -> Option<Vec<f64>> {
    v.split(',').map(|p| p.trim().parse::<f64>().ok().filter(|x| x.is_finite())).collect()
}

/// The largest `bbox` OS Places takes: 1 km².
pub(crate) const MAX_BBOX_AREA: f64 = 1_000_000.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("RD*", "RD04"));
        assert!(wildcard_match("R*4", "RD04"));
        assert!(wildcard_match("*", "CR"));
        assert!(wildcard_match("RD04", "rd04"));
        assert!(!wildcard_match("RD", "RD04"));
        assert!(!wildcard_match("C*", "RD04"));
        assert!(wildcard_match("**", ""));
    }

    #[test]
    fn postcode_queries() {
        assert!(matches!(PostcodeQuery::parse("sw1a 1aa"), Ok(PostcodeQuery::Full(_))));
        assert_eq!(PostcodeQuery::parse("BS161A"), Ok(PostcodeQuery::Prefix("BS161A".into())));
        assert_eq!(PostcodeQuery::parse("so1"), Ok(PostcodeQuery::Prefix("SO1".into())));
        for bad in ["ZZ", "Z", "", "12AB", "SW1A 1AA 1", "S@1"] {
            let e = PostcodeQuery::parse(bad).unwrap_err();
            assert_eq!(e.status.as_u16(), 400, "{bad}");
        }
    }

    #[test]
    fn common_parameters_name_themselves_when_wrong() {
        for (query, name) in [
            ("maxresults=0", "maxresults"),
            ("maxresults=101", "maxresults"),
            ("offset=-1", "offset"),
            ("format=CSV", "format"),
            ("dataset=ABC", "dataset"),
            ("lr=FR", "lr"),
            ("output_srs=EPSG:1", "output_srs"),
            ("srs=x", "srs"),
            ("fq=NOPE:1", "fq"),
            ("fq=LOGICAL_STATUS_CODE:x", "fq"),
        ] {
            let e = Common::parse(&RawQuery::parse(Some(query)), true).unwrap_err();
            assert_eq!(e.status.as_u16(), 400);
            assert!(e.message.starts_with(&format!("Parameter {name} ")), "{query}: {}", e.message);
        }
        let c = Common::parse(
            &RawQuery::parse(Some(
                "dataset=LPI,DPA&lr=cy&output_srs=wgs84&fq=CLASSIFICATION_CODE:RD*%20CLASSIFICATION_CODE:CR&fq=logical_status_code:1&maxresults=5&offset=10",
            )),
            true,
        )
        .unwrap();
        assert_eq!(c.dataset.label(), "DPA,LPI");
        assert_eq!(c.lr, Some(Lr::Cy));
        assert_eq!(c.output_srs, Srs::Wgs84);
        assert_eq!(c.filters.all.len(), 2);
        assert_eq!(c.filters.all[0].len(), 2);
        assert_eq!((c.maxresults, c.offset), (5, 10));
    }
}
