"""Matching accuracy of `gaap address match` on an address-errors truth table.

Pipeline (all offline, deterministic for a seed):
1. `gaap address synth` makes a council-sized synthetic set on the embedded Westminster postcodes;
2. `gaap address build` indexes it;
3. the set is written as address-errors `components.csv` and `address-errors corrupt` (PyPI
   `address-errors==0.1.1`) builds a truth table of messy strings with the true UPRN;
4. `gaap address match --threshold 0` matches `recorded_address, recorded_postcode`; we score top-1 against
   `assigned_uprn`, split clean/touched and by the address-errors `collision` column, and report PPV and
   coverage at the accept threshold (the ASSIGN convention).

Usage: python accuracy.py --gaap target/release/gaap [--addresses 150000] [--n 20000] [--seed 1] [--work DIR]
Prints one JSON object.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time


COMPONENT_COLUMNS = [
    "uprn", "feature_type", "subname", "name", "number", "streetname", "locality", "townname", "postcode",
    "floorlevel", "classificationcode", "parentuprn", "rootuprn", "usrn", "n_children", "n_siblings",
    "parent_in_extract", "sao_type", "number_type", "number_int", "number_suffix", "number_range_end",
    "name_is_generic", "rm_subbuildingname", "rm_buildingname", "rm_buildingnumber", "rm_dependentthoroughfare",
    "rm_thoroughfare", "rm_dependentlocality", "rm_posttown", "organisationname", "easting", "northing",
    "lowertierlocalauthoritygsscode",
]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def to_components(gaap_csv, out_path):
    usrn = {}
    with open(gaap_csv, newline="") as f, open(out_path, "w", newline="") as g:
        w = csv.DictWriter(g, fieldnames=COMPONENT_COLUMNS)
        w.writeheader()
        for r in csv.DictReader(f):
            # A synthetic street is its name in a post town and postcode district (SW1 for SW1P 4EN).
            street_key = (r["thoroughfare"], r["post_town"], re.sub(r"(\d)[A-Z]$", r"\1", r["postcode"].split(" ")[0]))
            usrn.setdefault(street_key, 1000 + len(usrn))
            number = r["building_number"]
            w.writerow({
                "uprn": r["uprn"], "feature_type": "builtaddress", "subname": r["sub_building"],
                "name": r["building_name"], "number": number, "streetname": r["thoroughfare"],
                "locality": r["dependent_locality"], "townname": r["post_town"], "postcode": r["postcode"],
                "classificationcode": r["classification"], "rootuprn": r["uprn"], "usrn": usrn[street_key],
                "n_children": 0, "n_siblings": 0, "number_type": "plain" if number else "",
                "number_int": number, "name_is_generic": "false", "rm_subbuildingname": r["sub_building"],
                "rm_buildingname": r["building_name"], "rm_buildingnumber": number,
                "rm_thoroughfare": r["thoroughfare"], "rm_dependentlocality": r["dependent_locality"],
                "rm_posttown": r["post_town"], "organisationname": r["organisation"], "easting": r["easting"],
                "northing": r["northing"], "lowertierlocalauthoritygsscode": r["gss_code"],
            })


def match_truth(gaap, work):
    """Runs `gaap address match` on WORK/truth.csv against WORK/council.idx: (truth rows, answers by id, seconds
    for the whole process, index load included)."""
    with open(os.path.join(work, "truth.csv"), newline="") as f:
        truth = list(csv.DictReader(f))
    with open(os.path.join(work, "input.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "address"])
        for t in truth:
            w.writerow([t["record_id"], ", ".join(x for x in [t["recorded_address"], t["recorded_postcode"]] if x)])
    t0 = time.perf_counter()
    out = run([gaap, "address", "match", "--index", os.path.join(work, "council.idx"), "--threshold", "0",
               os.path.join(work, "input.csv")])
    elapsed = time.perf_counter() - t0
    return truth, {r["id"]: r for r in csv.DictReader(out.stdout.splitlines())}, elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gaap", required=True)
    ap.add_argument("--address-errors", default=os.path.join(os.path.dirname(sys.executable), "address-errors"))
    ap.add_argument("--addresses", type=int, default=150_000)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--work")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="gaap-accuracy-")
    os.makedirs(work, exist_ok=True)
    p = lambda name: os.path.join(work, name)  # noqa: E731

    run([a.gaap, "address", "synth", "--addresses", str(a.addresses), "--seed", str(a.seed), "--out", p("council.csv")])
    run([a.gaap, "address", "build", "--format", "gaap-csv", "--out", p("council.idx"), p("council.csv")])
    to_components(p("council.csv"), p("components.csv"))
    run([a.address_errors, "corrupt", "--components", p("components.csv"), "--output", p("truth.csv"),
         "--n", str(a.n), "--seed", str(a.seed)])
    truth, got, elapsed = match_truth(a.gaap, work)

    def score(rows):
        n = len(rows)
        correct = sum(1 for t in rows if got[t["record_id"]]["uprn"] == t["assigned_uprn"])
        accepted = [t for t in rows if float(got[t["record_id"]]["score"]) >= a.threshold]
        acc_ok = sum(1 for t in accepted if got[t["record_id"]]["uprn"] == t["assigned_uprn"])
        return {
            "rows": n,
            "top1": round(correct / n, 5) if n else None,
            "accepted": len(accepted),
            "ppv_at_threshold": round(acc_ok / len(accepted), 5) if accepted else None,
            "coverage_at_threshold": round(len(accepted) / n, 5) if n else None,
        }

    touched = [t for t in truth if t["applied_rules"]]
    clean = [t for t in truth if not t["applied_rules"]]
    non_collision = [t for t in truth if t["collision"] != "matches_other_only"]
    report = {
        "addresses": a.addresses,
        "seed": a.seed,
        "threshold": a.threshold,
        "all": score(truth),
        "clean": score(clean),
        "touched": score(touched),
        # address-errors' own advice: score records whose corrupted text equals another address on their own.
        "non_collision": score(non_collision),
        "touched_non_collision": score([t for t in touched if t in non_collision]),
        "collision_rows": score([t for t in truth if t["collision"] == "matches_other_only"]),
        "match_seconds": round(elapsed, 2),
        "records_per_second_incl_index_load": round(len(truth) / elapsed),
        "work": work,
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
