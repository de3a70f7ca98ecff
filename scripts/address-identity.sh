#!/usr/bin/env bash
# Byte-identity check for gaap-address: builds an index file and matches 20,000 messy rows with the `gaap` CLI,
# then prints the sha256 of both. Run it before and after a change to the index code: the hashes must agree.
#
#   scripts/address-identity.sh [WORKDIR]
#
# Inputs: 60,000 synthetic addresses (`gaap address synth`, seed 7), the loader fixtures in
# crates/gaap-address/tests/data (AddressBase Premium/Plus, council LLPG, OS Places DPA/LPI, gaap CSV), an OS
# Places response with Welsh (CY) twins, and an AddressBase Premium file written below with Welsh streets and
# LPIs, so the Welsh-twin merge is part of what is hashed. The messy rows are written by a few lines of Python
# (lower case, no commas, "street" -> "st", "flat" -> "flt", every third row without "london").
# GAAP_BIN=path/to/gaap skips the build (otherwise: cargo build -p gaap-cli with the address feature only).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
data="$root/crates/gaap-address/tests/data"

if [[ -z "${GAAP_BIN:-}" ]]; then
    (cd "$root" && cargo build --quiet -p gaap-cli --no-default-features --features address)
    GAAP_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/gaap"
fi

# An AddressBase Premium file with Welsh twins: a Welsh street for each English one, a Welsh LPI beside an
# English LPI (903), a Welsh-only LPI (906), and a Welsh LPI with a better status than the English one (905).
{
    grep -v '^99,' "$data/loaders/addressbase-premium.csv"
    echo '15,"I",20,14200001,"GERDDI COOMBE","HEAVITREE","CAERWYSG","EXETER CITY","CYM",2001-01-01,,2016-01-01,2001-01-01'
    echo '15,"I",21,14200002,"STRYD FAWR",,"CAERWYSG","EXETER CITY","CYM",2001-01-01,,2016-01-01,2001-01-01'
    echo '24,"I",22,900000000103,"1105L000203","CYM",1,2001-01-01,,2016-01-01,2001-01-01,,,,,,12,,14,,,14200002,1,,,"Y"'
    echo '21,"I",23,900000000106,1,2,2001-01-01,,292130.00,92600.00,50.72,-3.53,1,1105,"E",2001-01-01,,2016-01-01,2001-01-01,"D","EX4 3LS",0'
    echo '24,"I",24,900000000106,"1105L000206","CYM",1,2001-01-01,,2016-01-01,2001-01-01,,,,,,9,,,,,14200002,1,,,"Y"'
    echo '24,"I",25,900000000105,"1105L000205","CYM",0,2001-01-01,,2016-01-01,2001-01-01,,,,,"FFLAT 4",,,,,,14200002,1,,,"Y"'
    echo '99,"I",26,26,2024-01-01,0'
} > "$work/premium-welsh.csv"

"$GAAP_BIN" address synth --addresses 60000 --seed 7 --out "$work/synth.csv" > /dev/null
"$GAAP_BIN" address build --out "$work/identity.idx" \
    --input "gaap-csv=$work/synth.csv" \
    --input "gaap-csv=$data/loaders/gaap.csv" \
    --input "addressbase=$data/loaders/addressbase-premium.csv" \
    --input "addressbase=$data/loaders/addressbase-plus.csv" \
    --input "addressbase=$data/loaders/council-llpg.csv" \
    --input "addressbase=$work/premium-welsh.csv" \
    --input "os-places=$data/loaders/os-places-dpa.json" \
    --input "os-places=$data/loaders/os-places-lpi.json" \
    --input "os-places=$data/os-places/CH53QW-many-address-fields.json" \
    > "$work/build.json"

python3 - "$work/synth.csv" "$work/messy.csv" <<'PY'
import csv, sys
src, out = sys.argv[1], sys.argv[2]
with open(src, newline="") as f:
    rows = list(csv.DictReader(f))
cols = ["organisation", "sub_building", "building_name", "building_number", "dependent_thoroughfare",
        "thoroughfare", "dependent_locality", "post_town", "postcode"]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "address"])
    for i in range(20000):
        r = rows[(i * 7919 + 13) % len(rows)]
        s = " ".join(r[c] for c in cols if r[c]).lower()
        s = s.replace(",", "").replace(" street", " st").replace("flat ", "flt ")
        if i % 3 == 0:
            s = s.replace(" london", "")
        if i % 5 == 0:
            s = s[: max(4, len(s) - 4)]
        w.writerow([f"row{i}", s])
PY
"$GAAP_BIN" address match --index "$work/identity.idx" "$work/messy.csv" > "$work/match.csv"

echo "rows matched: $(($(wc -l < "$work/match.csv") - 1)), with a uprn: $(awk -F, 'NR > 1 && $2 != ""' "$work/match.csv" | wc -l)"
(cd "$work" && sha256sum identity.idx match.csv)
