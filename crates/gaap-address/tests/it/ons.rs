//! Acceptance: every live postcode in the ONS list carried by `uk-postcodes-parsing` (PyPI, MIT; data from
//! ONSPD) validates strictly, and `fix` is idempotent on it. Needs GAAP_PYTHON with the package installed.

use std::process::Command;

use gaap_address::{Postcode, fix};

#[test]
fn every_live_ons_postcode_is_strictly_valid_and_fix_is_idempotent() {
    let python = std::env::var("GAAP_PYTHON")
        .expect("GAAP_PYTHON must point at a python3 with uk-postcodes-parsing installed (interop/requirements.txt)");
    let script = "import os, uk_postcodes_parsing as u; print(os.path.join(os.path.dirname(u.__file__), 'outcodes'))";
    let out = Command::new(&python).args(["-c", script]).output().expect("cannot run GAAP_PYTHON");
    assert!(
        out.status.success(),
        "uk-postcodes-parsing is not importable: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let mut total = 0usize;
    let mut bad: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_uppercase();
        if path.extension().is_none_or(|e| e != "py") || name.starts_with("__") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Each file holds a Python set of inward codes for one outward code: {"1AA", "1AB", ...}.
        for inward in
            text.split(['"', '\'']).filter(|s| s.len() == 3 && s.as_bytes()[0].is_ascii_digit())
        {
            let pc = format!("{name} {inward}");
            total += 1;
            match Postcode::parse(&pc) {
                Ok(p) if p.as_str() == pc => {}
                other => bad.push(format!("{pc}: {other:?}")),
            }
            let once = fix(&pc);
            if fix(&once) != once || once != pc {
                bad.push(format!("{pc}: fix gives {once}"));
            }
        }
    }
    assert!(total > 1_700_000, "only {total} postcodes found under {dir}");
    assert!(
        bad.is_empty(),
        "{} of {total} failed, first: {:?}",
        bad.len(),
        &bad[..bad.len().min(20)]
    );
}
