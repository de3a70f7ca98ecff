use gaap_address::rules::paf::{PafElements, format, is_exception};
use serde_json::Value;

// ideal-postcodes/uk-clear-addressing test/data/formatting.json (MIT): 64 PAF formatting fixtures.
#[test]
fn uk_clear_addressing_fixtures() {
    let data: Value = serde_json::from_str(&crate::data("paf-formatting.json")).unwrap();
    let fixtures = data["fixtures"].as_array().unwrap();
    assert_eq!(fixtures.len(), 64);
    for f in fixtures {
        let x = &f["fixture"];
        let g = |k: &str| x[k].as_str().unwrap_or("");
        let e = PafElements {
            department: g("department_name"),
            organisation: g("organisation_name"),
            sub_building: g("sub_building_name"),
            building_name: g("building_name"),
            building_number: g("building_number"),
            po_box: g("po_box"),
            dependent_thoroughfare: g("dependant_thoroughfare"),
            thoroughfare: g("thoroughfare"),
            double_dependent_locality: g("double_dependant_locality"),
            dependent_locality: g("dependant_locality"),
            post_town: g("post_town"),
            postcode: g("postcode"),
        };
        let got = format(&e);
        let want = &f["expected"];
        let d = f["description"].as_str().unwrap();
        for (k, v) in [
            ("line_1", &got.line_1),
            ("line_2", &got.line_2),
            ("line_3", &got.line_3),
            ("premise", &got.premise),
            ("number", &got.number),
            ("post_town", &got.post_town),
            ("postcode", &got.postcode),
        ] {
            assert_eq!(v, want[k].as_str().unwrap(), "{d}: {k} of {x}");
        }
    }
}

#[test]
fn exception_rule() {
    for yes in ["1to1", "100:1", "12A", "A", "1"] {
        assert!(is_exception(yes), "{yes}");
    }
    for no in ["Rose Cottage", "A1", "12AB", ""] {
        assert!(!is_exception(no), "{no}");
    }
}
