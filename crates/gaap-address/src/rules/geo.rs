//! British National Grid (OSGB36, EPSG:27700) easting/northing to latitude/longitude.
//!
//! The Transverse Mercator inverse on the Airy 1830 ellipsoid, then a seven-parameter Helmert transform from
//! OSGB36 to WGS84 (parameters from the OS guide "A guide to coordinate systems in Great Britain"). The Helmert
//! step is accurate to about 5 m across Great Britain (the OS quotes "up to 5 m"); it is not OSTN15, so do not
//! use it for surveying. The Transverse Mercator step alone is exact to well under a millimetre.

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

fn to_cartesian(lat: f64, lon: f64, a: f64, b: f64) -> (f64, f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let (s, c) = lat.sin_cos();
    let nu = a / (1.0 - e2 * s * s).sqrt();
    (nu * c * lon.cos(), nu * c * lon.sin(), (1.0 - e2) * nu * s)
}

fn helmert_osgb36_to_wgs84(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    // OSGB36 -> WGS84: the published WGS84 -> OSGB36 parameters negated.
    let (tx, ty, tz) = (446.448, -125.157, 542.060);
    let s = 1.0 + (-20.4894e-6);
    let arcsec = std::f64::consts::PI / (180.0 * 3600.0);
    let (rx, ry, rz) = (0.1502 * arcsec, 0.2470 * arcsec, 0.8421 * arcsec);
    (tx + s * x - rz * y + ry * z, ty + rz * x + s * y - rx * z, tz - ry * x + rx * y + s * z)
}

fn from_cartesian(x: f64, y: f64, z: f64, a: f64, b: f64) -> (f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let p = x.hypot(y);
    let mut lat = z.atan2(p * (1.0 - e2));
    for _ in 0..10 {
        let s = lat.sin();
        let nu = a / (1.0 - e2 * s * s).sqrt();
        lat = (z + e2 * nu * s).atan2(p);
    }
    (lat, y.atan2(x))
}
