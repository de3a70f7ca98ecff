"""Runs uk-address-matcher (PyPI `uk-address-matcher==1.5.3`, DuckDB + Splink) on the same truth table as
accuracy.py, for a side-by-side figure.

Usage: python compare_uam.py WORK_DIR [--n 5000]
WORK_DIR is accuracy.py's --work directory (council.csv and truth.csv). Needs a python with
uk-address-matcher installed (it is not in interop/requirements.txt: it pulls DuckDB, Splink and pandas).
Prints one JSON object: top-1 accuracy (resolved_canonical_id == assigned_uprn), also without the rows whose
corrupted text equals another address (address-errors' `collision`), and records/s.
"""
import argparse
import csv
import json
import os
import time

import duckdb
from uk_address_matcher import AddressMatcher


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--n", type=int, default=5000)
    a = ap.parse_args()
    con = duckdb.connect()
    canonical_rows = []
    with open(os.path.join(a.work, "council.csv"), newline="") as f:
        for r in csv.DictReader(f):
            parts = [r["organisation"], r["sub_building"], r["building_name"],
                     " ".join(x for x in [r["building_number"], r["thoroughfare"]] if x),
                     r["dependent_locality"], r["post_town"]]
            canonical_rows.append((r["uprn"], " ".join(p for p in parts if p), r["postcode"]))
    con.execute("CREATE TABLE canonical (unique_id VARCHAR, address_concat VARCHAR, postcode VARCHAR)")
    con.executemany("INSERT INTO canonical VALUES (?, ?, ?)", canonical_rows)
    with open(os.path.join(a.work, "truth.csv"), newline="") as f:
        truth = list(csv.DictReader(f))[: a.n]
    messy = [{"unique_id": t["record_id"], "address_concat": t["recorded_address"], "postcode": t["recorded_postcode"]}
             for t in truth]
    t0 = time.perf_counter()
    matcher = AddressMatcher(canonical_addresses=con.table("canonical"), addresses_to_match=messy, con=con,
                             show_progress="off")
    result = matcher.match()
    rows = result.matches().fetchall()
    cols = [d[0] for d in result.matches().description]
    elapsed = time.perf_counter() - t0
    best = {}
    for row in rows:
        r = dict(zip(cols, row))
        best.setdefault(r["unique_id"], r.get("resolved_canonical_id"))
    correct = sum(1 for t in truth if str(best.get(t["record_id"])) == t["assigned_uprn"])
    touched = [t for t in truth if t["applied_rules"]]
    touched_ok = sum(1 for t in touched if str(best.get(t["record_id"])) == t["assigned_uprn"])
    non_collision = [t for t in truth if t["collision"] != "matches_other_only"]
    non_collision_ok = sum(1 for t in non_collision if str(best.get(t["record_id"])) == t["assigned_uprn"])
    print(json.dumps({
        "rows": len(truth),
        "top1": round(correct / len(truth), 5),
        "touched_rows": len(touched),
        "touched_top1": round(touched_ok / len(touched), 5) if touched else None,
        "non_collision_rows": len(non_collision),
        "non_collision_top1": round(non_collision_ok / len(non_collision), 5) if non_collision else None,
        "seconds_incl_canonical_preparation": round(elapsed, 1),
        "records_per_second": round(len(truth) / elapsed, 1),
    }, indent=1))


if __name__ == "__main__":
    main()
