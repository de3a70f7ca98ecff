use gaap_address::Coordinates;

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
