//! `gaap postcode` and `gaap address …` end to end: the JSON keys and exit codes of issue 6's CLI contract.
#![cfg(feature = "address")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use serde_json::Value;

fn gaap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaap")).args(args).output().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn postcode_contract() {
    let out = gaap(&["postcode", "sw1a1aa", "GIR 0AA", "BF1 4BB", "BX1 1LT", "ASCN 1ZZ", "nope"]);
    assert_eq!(out.status.code(), Some(1), "one invalid input");
    let v = lines(&out);
    assert_eq!(v.len(), 6);
    assert_eq!(
        keys(&v[0]),
        ["area", "district", "input", "inward", "kind", "outward", "postcode", "sector", "valid"]
    );
    assert_eq!(v[0]["input"], "sw1a1aa");
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[0]["postcode"], "SW1A 1AA");
    assert_eq!(v[0]["outward"], "SW1A");
    assert_eq!(v[0]["inward"], "1AA");
    assert_eq!(v[0]["area"], "SW");
    assert_eq!(v[0]["district"], "SW1");
    assert_eq!(v[0]["sector"], "SW1A 1");
    assert_eq!(v[0]["kind"], "geographic");
    let kinds: Vec<&str> = v[1..5].iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["special", "bfpo", "non_geographic", "territory"]);
    assert_eq!(keys(&v[5]), ["error", "input", "valid"]);
    assert_eq!(v[5]["valid"], false);
    let ok = gaap(&["postcode", "EC1A 1BB"]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(gaap(&["postcode", "W1M 4ZZ"]).status.code(), Some(1));
    let historic = gaap(&["postcode", "--historic", "W1M 4ZZ"]);
    assert_eq!(historic.status.code(), Some(0));
    assert_eq!(lines(&historic)[0]["valid"], true);
    assert_eq!(gaap(&["postcode"]).status.code(), Some(2), "usage error");
}

#[test]
fn postcode_errors_say_what_is_wrong_with_the_text() {
    let out = gaap(&["postcode", "NOT A POSTCODE", "SW1", "SW1A 1A!", "SW1A 11A", "W1M 4ZZ"]);
    assert_eq!(out.status.code(), Some(1));
    let errors: Vec<String> =
        lines(&out).iter().map(|v| v["error"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        errors,
        [
            r#""NOT A POSTCODE" is not a postcode: it has 12 letters and digits, where a postcode has 5 to 7"#,
            r#""SW1" is not a postcode: it has 3 letters and digits, where a postcode has 5 to 7"#,
            r#""SW1A 1A!" is not a postcode: it contains '!'; a postcode has only letters, digits and a space"#,
            r#""SW1A 11A" is not a postcode: its last three characters "11A" are not a digit followed by two letters"#,
            r#""W1M 4ZZ" is not a postcode: 'M' is not used in the sub-district position of a postcode"#,
        ]
    );
    let out = gaap(&["address", "lookup", "not a postcode"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap().trim_end(),
        r#"gaap: "not a postcode" is not a postcode: it has 12 letters and digits, where a postcode has 5 to 7"#
    );
}

#[test]
fn synth_build_lookup_search_match() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    let idx = dir.path().join("s.idx");
    let (csv_s, idx_s) = (csv.to_str().unwrap(), idx.to_str().unwrap());
    let out = gaap(&["address", "synth", "--addresses", "3000", "--seed", "9", "--out", csv_s]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let again = dir.path().join("again.csv");
    gaap(&[
        "address",
        "synth",
        "--addresses",
        "3000",
        "--seed",
        "9",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&csv).unwrap(),
        std::fs::read(&again).unwrap(),
        "deterministic for a seed"
    );

    let out = gaap(&["address", "build", "--format", "gaap-csv", "--out", idx_s, csv_s]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(lines(&out)[0]["addresses"], 3000);

    let text = std::fs::read_to_string(&csv).unwrap();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let (uprn, postcode) = (row[0], row[14]);
    let out = gaap(&["address", "lookup", "--index", idx_s, postcode]);
    assert_eq!(out.status.code(), Some(0));
    let found = lines(&out);
    assert!(!found.is_empty());
    assert_eq!(keys(&found[0]), ["lines", "postcode", "uprn"]);
    assert_eq!(found[0]["postcode"], postcode);
    assert!(found.iter().any(|f| f["uprn"].as_u64().unwrap().to_string() == uprn));

    let out = gaap(&["address", "lookup", "--index", idx_s, uprn]);
    let one = lines(&out);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["uprn"].as_u64().unwrap().to_string(), uprn);
    assert_eq!(
        gaap(&["address", "lookup", "--index", idx_s, "1"]).status.code(),
        Some(1),
        "unknown UPRN"
    );

    let query = one[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    let out = gaap(&["address", "search", "--index", idx_s, "--limit", "3", &query]);
    let hits = lines(&out);
    assert!(!hits.is_empty() && hits.len() <= 3);
    assert_eq!(keys(&hits[0]), ["lines", "postcode", "score", "uprn"]);
    assert_eq!(hits[0]["uprn"].as_u64().unwrap().to_string(), uprn);

    let input = dir.path().join("in.csv");
    std::fs::write(&input, format!("id,address\na1,\"{query}, {postcode}\"\na2,nowhere at all\n"))
        .unwrap();
    let out = gaap(&[
        "address",
        "match",
        "--index",
        idx_s,
        "--threshold",
        "0.8",
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = stdout.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0], ["id", "uprn", "score"]);
    assert_eq!(rows[1][0], "a1");
    assert_eq!(rows[1][1], uprn);
    assert_eq!(rows[2][0], "a2");
    assert_eq!(rows[2][1], "", "below threshold: empty uprn");
    assert!(rows[1][2].parse::<f32>().unwrap() >= 0.8);
}

#[test]
fn bad_inputs_exit_codes() {
    assert_eq!(
        gaap(&["address", "build", "--format", "nope", "--out", "/tmp/x", "y"]).status.code(),
        Some(2)
    );
    assert_eq!(
        gaap(&["address", "lookup", "--index", "/nonexistent/idx", "SW1A 1AA"]).status.code(),
        Some(2)
    );
    assert_eq!(gaap(&["address", "lookup", "not a postcode"]).status.code(), Some(1));
    let embedded = gaap(&["address", "lookup", "SW1A 1AA"]);
    assert_eq!(
        embedded.status.code(),
        Some(0),
        "the embedded Westminster data is the default index"
    );
}

/// Issue 17: the build reports, per file, what it took, merged and rejected, with the first few of each;
/// one broken record in ten loses none of the good ones; `--strict` fails and writes nothing.
#[test]
fn build_reports_broken_records_and_strict_fails() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("broken.csv");
    let mut text = String::from("uprn,building_number,thoroughfare,post_town,postcode\n");
    for i in 0..90u64 {
        text.push_str(&format!(
            "{},{}A,COOMBE GARDENS,EXETER,EX1 2AB\n",
            900_000_002_000 + i,
            i + 1
        ));
        if i % 9 == 8 {
            text.push_str("not-a-uprn,1,COOMBE GARDENS,EXETER,EX1 2AB\n");
        }
    }
    std::fs::write(&csv, text).unwrap();
    let idx = dir.path().join("out.idx");
    let (csv_s, idx_s) = (csv.to_str().unwrap(), idx.to_str().unwrap());
    let out = gaap(&["address", "build", "--format", "gaap-csv", "--out", idx_s, csv_s]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let summary = &lines(&out)[0];
    assert_eq!(summary["addresses"], 90);
    let file = &summary["files"][0];
    assert_eq!((file["records"].as_u64(), file["taken"].as_u64()), (Some(100), Some(90)));
    assert_eq!(file["rejected"], 10);
    assert_eq!(file["examples"].as_array().unwrap().len(), 5, "the first five of the kind");
    assert_eq!(file["examples"][0]["at"], format!("{csv_s}:11"));
    assert!(stderr.contains("100 records: 90 taken, 0 merged, 10 rejected"), "{stderr}");
    assert!(stderr.contains("record rejected at") && stderr.contains("not-a-uprn"), "{stderr}");
    let out = gaap(&["address", "lookup", "--index", idx_s, "EX1 2AB"]);
    assert!(lines(&out).iter().any(|a| a["lines"][0] == "12A COOMBE GARDENS"));

    std::fs::remove_file(&idx).unwrap();
    let out =
        gaap(&["address", "build", "--strict", "--format", "gaap-csv", "--out", idx_s, csv_s]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out)[0]["written"], false);
    assert!(!idx.exists(), "--strict writes no index when anything was rejected");
    // An unknown column is refused whole.
    std::fs::write(&csv, "uprn,house\n1,2\n").unwrap();
    let out = gaap(&["address", "build", "--format", "gaap-csv", "--out", idx_s, csv_s]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown column \"house\""));
}

/// `--input FORMAT=PATH` builds one index from files of several shapes.
#[test]
fn build_takes_inputs_of_several_formats() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../gaap-address/tests/data/loaders");
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("mixed.idx");
    let out = gaap(&[
        "address",
        "build",
        "--out",
        idx.to_str().unwrap(),
        "--input",
        &format!("os-places={data}/os-places-lpi.json"),
        "--input",
        &format!("addressbase={data}/council-llpg.csv"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = &lines(&out)[0];
    assert_eq!(summary["files"].as_array().unwrap().len(), 2);
    assert_eq!(summary["records"], 10);
    assert_eq!(summary["addresses"], 5, "the same five UPRNs in both files");
    let bad = gaap(&["address", "build", "--out", "/tmp/never.idx", "--input", "no-equals-sign"]);
    assert_eq!(bad.status.code(), Some(2));
}
