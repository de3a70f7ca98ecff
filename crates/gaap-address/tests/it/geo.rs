use gaap_address::{
    Coordinates, LatLng, from_web_mercator, point_in_polygon, polygon_area, to_web_mercator,
};

// The worked example in the OS guide "A guide to coordinate systems in Great Britain" (Annex C):
// E 651409.903, N 313177.270 is OSGB36 52°39'27.2531"N, 1°43'4.5177"E.
#[test]
fn transverse_mercator_inverse_matches_os_worked_example() {
    let ll = Coordinates::new(651_409.903, 313_177.270).to_osgb36_lat_lng();
    let lat = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0;
    let lng = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
    assert!((ll.lat - lat).abs() < 1e-6, "{ll:?}");
    assert!((ll.lng - lng).abs() < 1e-6, "{ll:?}");
}

// SW1A 1AA at Code-Point E 529090 N 179645; Buckingham Palace is at about 51.50101 N, 0.14156 W (WGS84).
#[test]
fn wgs84_is_within_a_few_metres() {
    let ll = Coordinates::new(529_090.0, 179_645.0).to_wgs84();
    let dlat_m = (ll.lat - 51.501_01) * 111_200.0;
    let dlng_m = (ll.lng - -0.141_56) * 69_300.0;
    assert!(dlat_m.hypot(dlng_m) < 25.0, "{ll:?}");
}

// The reverse of the Buckingham Palace check: WGS84 to the grid lands within the Helmert's few metres.
#[test]
fn bng_from_wgs84_is_within_a_few_metres() {
    let c = LatLng { lat: 51.501_01, lng: -0.141_56 }.to_bng();
    assert!(c.distance(&Coordinates::new(529_090.0, 179_645.0)) < 25.0, "{c:?}");
}

#[test]
fn web_mercator_known_values_and_limits() {
    let (x, y) = to_web_mercator(LatLng { lat: 0.0, lng: 0.0 });
    assert!(x.abs() < 1e-9 && y.abs() < 1e-9);
    // The square world: 180° E and the latitude limit are both 20037508.34 m out.
    let (x, y) = to_web_mercator(LatLng { lat: 85.051_128_779_806_59, lng: 180.0 });
    assert!((x - 20_037_508.342_789_244).abs() < 1e-6, "{x}");
    assert!((y - 20_037_508.342_789_244).abs() < 1e-3, "{y}");
    let (_, pole) = to_web_mercator(LatLng { lat: 90.0, lng: 0.0 });
    assert!(pole.is_finite());
    // 51.50101 N, 0.14156 W (Buckingham Palace) in EPSG:3857, worked independently in Python with the same formula.
    let ll = from_web_mercator(-15_758.387, 6_710_399.696);
    assert!((ll.lng - -0.141_56).abs() < 1e-7 && (ll.lat - 51.501_01).abs() < 1e-7, "{ll:?}");
}

#[test]
fn polygons_contain_and_measure() {
    let c = Coordinates::new;
    let square = [c(0.0, 0.0), c(10.0, 0.0), c(10.0, 10.0), c(0.0, 10.0)];
    let closed = [c(0.0, 0.0), c(10.0, 0.0), c(10.0, 10.0), c(0.0, 10.0), c(0.0, 0.0)];
    for ring in [&square[..], &closed[..]] {
        assert!(point_in_polygon(c(5.0, 5.0), ring));
        assert!(!point_in_polygon(c(15.0, 5.0), ring));
        assert!(!point_in_polygon(c(-0.1, 5.0), ring));
        assert!((polygon_area(ring) - 100.0).abs() < 1e-9);
    }
    let reversed: Vec<_> = square.iter().rev().copied().collect();
    assert!((polygon_area(&reversed) - 100.0).abs() < 1e-9);
    // A U shape: the notch is outside.
    let u = [
        c(0.0, 0.0),
        c(30.0, 0.0),
        c(30.0, 30.0),
        c(20.0, 30.0),
        c(20.0, 10.0),
        c(10.0, 10.0),
        c(10.0, 30.0),
        c(0.0, 30.0),
    ];
    assert!(!point_in_polygon(c(15.0, 20.0), &u));
    assert!(point_in_polygon(c(15.0, 5.0), &u));
    assert!(point_in_polygon(c(25.0, 20.0), &u));
    assert!((polygon_area(&u) - 700.0).abs() < 1e-9);
    // Large grid values lose no precision.
    let far: Vec<_> =
        square.iter().map(|p| c(p.easting + 529_000.0, p.northing + 179_000.0)).collect();
    assert!((polygon_area(&far) - 100.0).abs() < 1e-6);
    assert!(point_in_polygon(c(529_005.0, 179_005.0), &far));
    assert!(!point_in_polygon(c(1.0, 1.0), &square[..2]));
    assert_eq!(polygon_area(&[]), 0.0);
}

proptest::proptest! {
    /// Grid to WGS84 and back returns within a millimetre anywhere in the National Grid's square, edges and
    /// corners included (the Transverse Mercator series alone disagree by up to a centimetre there).
    #[test]
    fn bng_wgs84_round_trip(
        e in proptest::prop_oneof![0.0f64..700_000.0, proptest::sample::select(vec![0.0, 700_000.0])],
        n in proptest::prop_oneof![0.0f64..1_300_000.0, proptest::sample::select(vec![0.0, 1_300_000.0])],
    ) {
        let c = Coordinates::new(e, n);
        let back = c.to_wgs84().to_bng();
        proptest::prop_assert!(back.distance(&c) < 0.001, "{c:?} -> {back:?}");
    }

    /// Web Mercator round trips within a micrometre at any latitude it can show.
    #[test]
    fn web_mercator_round_trip(lat in -85.0f64..85.0, lng in -180.0f64..180.0) {
        let (x, y) = to_web_mercator(LatLng { lat, lng });
        let back = from_web_mercator(x, y);
        proptest::prop_assert!((back.lat - lat).abs() < 1e-9 && (back.lng - lng).abs() < 1e-9);
    }

    /// A point inside a convex polygon is found inside, whatever the ring's rotation or winding.
    #[test]
    fn point_in_rotated_square(start in 0usize..4, reverse: bool, px in 0.01f64..9.99, py in 0.01f64..9.99) {
        let c = Coordinates::new;
        let mut ring = vec![c(0.0, 0.0), c(10.0, 0.0), c(10.0, 10.0), c(0.0, 10.0)];
        ring.rotate_left(start);
        if reverse {
            ring.reverse();
        }
        proptest::prop_assert!(point_in_polygon(c(px, py), &ring));
        proptest::prop_assert!(!point_in_polygon(c(px + 10.0, py), &ring));
    }
}
