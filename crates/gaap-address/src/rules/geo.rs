//! British National Grid (OSGB36, EPSG:27700) easting/northing to and from latitude/longitude, Web Mercator
//! (EPSG:3857), and planar polygon helpers.
//!
//! Grid to WGS84 is the Transverse Mercator inverse on the Airy 1830 ellipsoid, then a seven-parameter Helmert
//! transform from OSGB36 to WGS84 (parameters from the OS guide "A guide to coordinate systems in Great
//! Britain"). [`LatLng::to_bng`] runs the same two steps backwards: the exact inverse of that Helmert transform
//! (which differs from applying the published WGS84 to OSGB36 parameters by under 2 cm), then the Transverse
//! Mercator forward projection. The Helmert step is accurate to about 5 m across Great Britain (the OS quotes
//! "up to 5 m"); it is not OSTN15, so do not use it for surveying. The Transverse Mercator steps alone are exact
//! to well under a millimetre, and a grid position taken to WGS84 and back returns to within a millimetre.

// The projection formulas are written as in the OS guide, not refactored into mul_add chains.
#![allow(clippy::suboptimal_flops)]

use serde::{Deserialize, Serialize};

/// A British National Grid position in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    /// Easting (X), metres.
    pub easting: f64,
    /// Northing (Y), metres.
    pub northing: f64,
}

/// A latitude/longitude pair in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLng {
    /// Latitude, degrees north.
    pub lat: f64,
    /// Longitude, degrees east.
    pub lng: f64,
}

// Airy 1830 and the National Grid projection.
const AIRY_A: f64 = 6_377_563.396;
const AIRY_B: f64 = 6_356_256.909;
const F0: f64 = 0.999_601_271_7;
const LAT0_DEG: f64 = 49.0;
const LON0_DEG: f64 = -2.0;
const E0: f64 = 400_000.0;
const N0: f64 = -100_000.0;
// WGS84 / GRS80.
const WGS_A: f64 = 6_378_137.0;
const WGS_B: f64 = 6_356_752.314_2;

impl Coordinates {
    /// A grid position.
    #[must_use]
    pub const fn new(easting: f64, northing: f64) -> Self {
        Self { easting, northing }
    }

    /// True for a position inside the National Grid's 700 km x 1300 km square.
    #[must_use]
    pub fn in_grid(&self) -> bool {
        (0.0..=700_000.0).contains(&self.easting) && (0.0..=1_300_000.0).contains(&self.northing)
    }

    /// Latitude/longitude on the OSGB36 datum (the Transverse Mercator inverse only).
    #[must_use]
    pub fn to_osgb36_lat_lng(&self) -> LatLng {
        let (lat, lon) = tm_inverse(self.easting, self.northing);
        LatLng { lat: lat.to_degrees(), lng: lon.to_degrees() }
    }

    /// Latitude/longitude on WGS84, accurate to about 5 m.
    #[must_use]
    pub fn to_wgs84(&self) -> LatLng {
        let (lat, lon) = tm_inverse(self.easting, self.northing);
        let (x, y, z) = to_cartesian(lat, lon, AIRY_A, AIRY_B);
        let (x, y, z) = helmert_osgb36_to_wgs84(x, y, z);
        let (lat, lon) = from_cartesian(x, y, z, WGS_A, WGS_B);
        LatLng { lat: lat.to_degrees(), lng: lon.to_degrees() }
    }

    /// Straight-line distance in metres.
    #[must_use]
    pub fn distance(&self, other: &Self) -> f64 {
        (self.easting - other.easting).hypot(self.northing - other.northing)
    }
}

impl LatLng {
    /// The British National Grid position of a WGS84 latitude/longitude, accurate to about 5 m (the Helmert
    /// transform; see the module docs). It inverts [`Coordinates::to_wgs84`] to well under a millimetre anywhere
    /// in the grid, taking the point to lie on the OSGB36 ellipsoid as that method does. Positions far outside Great Britain give
    /// numbers, but meaningless ones; non-finite input gives non-finite output.
    #[must_use]
    pub fn to_bng(&self) -> Coordinates {
        let (lat, lon) = wgs84_to_osgb36(self.lat.to_radians(), self.lng.to_radians());
        let (easting, northing) = tm_invert(lat, lon);
        Coordinates { easting, northing }
    }
}

/// The Web Mercator (EPSG:3857) radius: the WGS84 semi-major axis, used as a sphere's.
const MERCATOR_R: f64 = WGS_A;
/// The latitude where Web Mercator's square world ends, in degrees.
const MERCATOR_MAX_LAT: f64 = 85.051_128_779_806_59;

/// A latitude/longitude in degrees as Web Mercator (EPSG:3857) `(x, y)` metres, on the sphere of radius
/// 6,378,137 m. Latitudes beyond ±85.0511° (where the projection's square ends) are taken as that limit, so the
/// answer is always finite for finite input.
#[must_use]
pub fn to_web_mercator(ll: LatLng) -> (f64, f64) {
    let lat = ll.lat.clamp(-MERCATOR_MAX_LAT, MERCATOR_MAX_LAT).to_radians();
    let x = MERCATOR_R * ll.lng.to_radians();
    let y = MERCATOR_R * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln();
    (x, y)
}

/// Web Mercator (EPSG:3857) `(x, y)` metres as a latitude/longitude in degrees; the inverse of
/// [`to_web_mercator`].
#[must_use]
pub fn from_web_mercator(x: f64, y: f64) -> LatLng {
    let lng = (x / MERCATOR_R).to_degrees();
    let lat = (2.0 * (y / MERCATOR_R).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    LatLng { lat, lng }
}

/// True when `point` lies inside the polygon `ring`, by the even-odd rule (a ray from the point crosses the
/// ring's edges an odd number of times). The ring may or may not repeat its first point at the end; a ring of
/// fewer than three points contains nothing. Points exactly on an edge may fall either way.
#[must_use]
pub fn point_in_polygon(point: Coordinates, ring: &[Coordinates]) -> bool {
    if ring.len() < 3 {
        return false;
    }
    let (px, py) = (point.easting, point.northing);
    let mut inside = false;
    let mut prev = ring[ring.len() - 1];
    for &cur in ring {
        let (ax, ay, bx, by) = (prev.easting, prev.northing, cur.easting, cur.northing);
        // The edge spans the ray's height (half-open, so a vertex on the ray counts once).
        if (ay > py) != (by > py) {
            let cross_x = ax + (py - ay) / (by - ay) * (bx - ax);
            if px < cross_x {
                inside = !inside;
            }
        }
        prev = cur;
    }
    inside
}

/// The area of the polygon `ring` in square metres (the shoelace formula, as an absolute value, so either
/// winding gives the same answer). The ring may or may not repeat its first point; a self-crossing ring gives
/// the difference of its lobes, as the formula does.
#[must_use]
pub fn polygon_area(ring: &[Coordinates]) -> f64 {
    let Some(&origin) = ring.first() else { return 0.0 };
    // Relative to the first point, so large grid values do not cost precision.
    let rel = |c: Coordinates| (c.easting - origin.easting, c.northing - origin.northing);
    let mut twice = 0.0;
    let mut prev = rel(ring[ring.len() - 1]);
    for &c in ring {
        let cur = rel(c);
        twice += prev.0 * cur.1 - cur.0 * prev.1;
        prev = cur;
    }
    (twice / 2.0).abs()
}

fn meridional_arc(phi: f64, phi0: f64, n: f64) -> f64 {
    let (n2, n3) = (n * n, n * n * n);
    let dp = phi - phi0;
    let sp = phi + phi0;
    AIRY_B
        * F0
        * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * dp
            - (3.0 * n + 3.0 * n2 + 2.625 * n3) * dp.sin() * sp.cos()
            + (1.875 * n2 + 1.875 * n3) * (2.0 * dp).sin() * (2.0 * sp).cos()
            - (35.0 / 24.0) * n3 * (3.0 * dp).sin() * (3.0 * sp).cos())
}

/// Returns (latitude, longitude) in radians on Airy 1830.
fn tm_inverse(e: f64, north: f64) -> (f64, f64) {
    let (a, b) = (AIRY_A, AIRY_B);
    let phi0 = LAT0_DEG.to_radians();
    let lambda0 = LON0_DEG.to_radians();
    let e2 = 1.0 - (b * b) / (a * a);
    let n = (a - b) / (a + b);
    let mut phi = (north - N0) / (a * F0) + phi0;
    let mut m = meridional_arc(phi, phi0, n);
    let mut guard = 0;
    while (north - N0 - m).abs() >= 0.000_01 && guard < 100 {
        phi += (north - N0 - m) / (a * F0);
        m = meridional_arc(phi, phi0, n);
        guard += 1;
    }
    let (s, c) = phi.sin_cos();
    let nu = a * F0 / (1.0 - e2 * s * s).sqrt();
    let rho = a * F0 * (1.0 - e2) / (1.0 - e2 * s * s).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let tan = phi.tan();
    let (t2, t4, t6) = (tan * tan, tan.powi(4), tan.powi(6));
    let sec = 1.0 / c;
    let vii = tan / (2.0 * rho * nu);
    let viii = tan / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * t2 + eta2 - 9.0 * t2 * eta2);
    let ix = tan / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * t2 + 45.0 * t4);
    let x = sec / nu;
    let xi = sec / (6.0 * nu.powi(3)) * (nu / rho + 2.0 * t2);
    let xii = sec / (120.0 * nu.powi(5)) * (5.0 + 28.0 * t2 + 24.0 * t4);
    let xiia = sec / (5040.0 * nu.powi(7)) * (61.0 + 662.0 * t2 + 1320.0 * t4 + 720.0 * t6);
    let de = e - E0;
    let lat = phi - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6);
    let lon = lambda0 + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7);
    (lat, lon)
}

/// Returns (easting, northing) in metres from (latitude, longitude) in radians on Airy 1830: the Transverse
/// Mercator forward projection, in the OS guide's series.
fn tm_forward(phi: f64, lambda: f64) -> (f64, f64) {
    let (a, b) = (AIRY_A, AIRY_B);
    let phi0 = LAT0_DEG.to_radians();
    let lambda0 = LON0_DEG.to_radians();
    let e2 = 1.0 - (b * b) / (a * a);
    let n = (a - b) / (a + b);
    let (s, c) = phi.sin_cos();
    let nu = a * F0 / (1.0 - e2 * s * s).sqrt();
    let rho = a * F0 * (1.0 - e2) / (1.0 - e2 * s * s).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let tan = phi.tan();
    let (t2, t4) = (tan * tan, tan.powi(4));
    let (c3, c5) = (c.powi(3), c.powi(5));
    let m = meridional_arc(phi, phi0, n);
    let i = m + N0;
    let ii = nu / 2.0 * s * c;
    let iii = nu / 24.0 * s * c3 * (5.0 - t2 + 9.0 * eta2);
    let iiia = nu / 720.0 * s * c5 * (61.0 - 58.0 * t2 + t4);
    let iv = nu * c;
    let v = nu / 6.0 * c3 * (nu / rho - t2);
    let vi = nu / 120.0 * c5 * (5.0 - 18.0 * t2 + t4 + 14.0 * eta2 - 58.0 * t2 * eta2);
    let dl = lambda - lambda0;
    let northing = i + ii * dl.powi(2) + iii * dl.powi(4) + iiia * dl.powi(6);
    let easting = E0 + iv * dl + v * dl.powi(3) + vi * dl.powi(5);
    (easting, northing)
}

/// The grid position that [`tm_inverse`] takes to (latitude, longitude) in radians on Airy 1830. The forward
/// and inverse series are each truncated, so far from the central meridian (near the grid's east and west edges)
/// they disagree by up to a centimetre; a few correction steps through [`tm_forward`] remove that, so that a
/// grid position taken to latitude/longitude and back is the same to well under a millimetre.
fn tm_invert(lat: f64, lon: f64) -> (f64, f64) {
    let (want_e, want_n) = tm_forward(lat, lon);
    let (mut e, mut n) = (want_e, want_n);
    for _ in 0..4 {
        let (got_lat, got_lon) = tm_inverse(e, n);
        let (got_e, got_n) = tm_forward(got_lat, got_lon);
        let (de, dn) = (want_e - got_e, want_n - got_n);
        e += de;
        n += dn;
        if de.abs().max(dn.abs()) < 1e-6 || !(de.is_finite() && dn.is_finite()) {
            break;
        }
    }
    (e, n)
}

/// Geodetic (latitude, longitude, height) to earth-centred cartesian (x, y, z) on the ellipsoid (a, b).
fn to_cartesian_h(lat: f64, lon: f64, h: f64, a: f64, b: f64) -> (f64, f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let (s, c) = lat.sin_cos();
    let nu = a / (1.0 - e2 * s * s).sqrt();
    ((nu + h) * c * lon.cos(), (nu + h) * c * lon.sin(), ((1.0 - e2) * nu + h) * s)
}

fn to_cartesian(lat: f64, lon: f64, a: f64, b: f64) -> (f64, f64, f64) {
    to_cartesian_h(lat, lon, 0.0, a, b)
}

/// The OSGB36 to WGS84 Helmert transform as `(translation, matrix)`: the published WGS84 to OSGB36 parameters
/// negated, with the small-angle rotation matrix scaled.
fn helmert_osgb36_to_wgs84_parameters() -> ([f64; 3], [[f64; 3]; 3]) {
    let t = [446.448, -125.157, 542.060];
    let s = 1.0 + (-20.4894e-6);
    let arcsec = std::f64::consts::PI / (180.0 * 3600.0);
    let (rx, ry, rz) = (0.1502 * arcsec, 0.2470 * arcsec, 0.8421 * arcsec);
    (t, [[s, -rz, ry], [rz, s, -rx], [-ry, rx, s]])
}

fn helmert_osgb36_to_wgs84(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    let (t, m) = helmert_osgb36_to_wgs84_parameters();
    let row = |k: usize| t[k] + m[k][0] * x + m[k][1] * y + m[k][2] * z;
    (row(0), row(1), row(2))
}

/// The exact inverse of [`helmert_osgb36_to_wgs84`]: subtract the translation, then solve the 3x3 system by
/// its adjugate.
fn helmert_wgs84_to_osgb36(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    let (t, m) = helmert_osgb36_to_wgs84_parameters();
    let v = [x - t[0], y - t[1], z - t[2]];
    let cof = |r: usize, c: usize| {
        let (r1, r2) = ((r + 1) % 3, (r + 2) % 3);
        let (c1, c2) = ((c + 1) % 3, (c + 2) % 3);
        m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]
    };
    let det = m[0][0] * cof(0, 0) + m[0][1] * cof(0, 1) + m[0][2] * cof(0, 2);
    // The inverse is the transposed cofactor matrix over the determinant.
    let out = |k: usize| (cof(0, k) * v[0] + cof(1, k) * v[1] + cof(2, k) * v[2]) / det;
    (out(0), out(1), out(2))
}

/// A WGS84 (latitude, longitude) in radians as OSGB36 (latitude, longitude) on Airy 1830: the point on the
/// OSGB36 ellipsoid (height 0) whose WGS84 position has this latitude and longitude, so that it inverts
/// [`Coordinates::to_wgs84`]. The WGS84 height of that point is found by a few fixed-point steps.
fn wgs84_to_osgb36(lat: f64, lon: f64) -> (f64, f64) {
    let mut h = 0.0;
    let mut out = (lat, lon);
    for _ in 0..4 {
        let (x, y, z) = to_cartesian_h(lat, lon, h, WGS_A, WGS_B);
        let (x, y, z) = helmert_wgs84_to_osgb36(x, y, z);
        let (olat, olon, oh) = from_cartesian_h(x, y, z, AIRY_A, AIRY_B);
        out = (olat, olon);
        // Moving along the normal by the OSGB36 height left over brings the point onto that ellipsoid.
        h -= oh;
        if oh.abs() < 1e-6 || !oh.is_finite() {
            break;
        }
    }
    out
}

/// Cartesian to geodetic (latitude, longitude, height) on the ellipsoid (a, b).
fn from_cartesian_h(x: f64, y: f64, z: f64, a: f64, b: f64) -> (f64, f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let p = x.hypot(y);
    let mut lat = z.atan2(p * (1.0 - e2));
    let mut nu = a;
    for _ in 0..10 {
        let s = lat.sin();
        nu = a / (1.0 - e2 * s * s).sqrt();
        lat = (z + e2 * nu * s).atan2(p);
    }
    let h = p / lat.cos() - nu;
    (lat, y.atan2(x), h)
}

fn from_cartesian(x: f64, y: f64, z: f64, a: f64, b: f64) -> (f64, f64) {
    let (lat, lon, _) = from_cartesian_h(x, y, z, a, b);
    (lat, lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example in the OS guide (Annex C): OSGB36 52°39'27.2531"N, 1°43'4.5177"E is
    // E 651409.903, N 313177.270.
    #[test]
    fn transverse_mercator_forward_matches_os_worked_example() {
        let lat: f64 = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0;
        let lng: f64 = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
        let (e, n) = tm_forward(lat.to_radians(), lng.to_radians());
        assert!((e - 651_409.903).abs() < 0.001, "{e}");
        assert!((n - 313_177.270).abs() < 0.001, "{n}");
    }

    #[test]
    fn helmert_inverse_undoes_the_forward_transform() {
        let (x, y, z) = (3_874_938.849, 116_218.624, 5_047_168.208);
        let (a, b, c) = helmert_osgb36_to_wgs84(x, y, z);
        let (x2, y2, z2) = helmert_wgs84_to_osgb36(a, b, c);
        assert!((x - x2).abs() < 1e-6 && (y - y2).abs() < 1e-6 && (z - z2).abs() < 1e-6);
    }
}
