"""Regenerates crates/gaap-address/tests/data/ from upstream MIT-licensed test data.

Usage: python make_fixtures.py HTBHF_REPO UK_CLEAR_ADDRESSING_REPO POSTCODE_REPO
(each a git checkout; files are read at HEAD with `git show`).

Sources (facts and fixtures only):
- DepartmentOfHealth-htbhf/htbhf-os-places-stub src/main/resources/responses/*.json (MIT): real OS Places
  responses. OS-derived address text: Contains OS data (c) Crown copyright and database right; Royal Mail data
  (c) Royal Mail copyright and database right.
- ideal-postcodes/uk-clear-addressing test/data/formatting.json (MIT): PAF formatting fixtures.
- ideal-postcodes/postcode test/data/*.json (MIT): postcode parse vectors.
"""
import json
import os
import subprocess
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "gaap-address", "tests", "data")


def show(repo, path):
    return subprocess.check_output(["git", "-C", repo, "show", f"HEAD:{path}"]).decode()


def main():
    htbhf, clear, postcode = sys.argv[1:4]
    os.makedirs(os.path.join(OUT, "os-places"), exist_ok=True)
    resp = "src/main/resources/responses/"
    for name in ["BS11AA-no-matches", "CH53QW-many-address-fields", "SW1A1AA-single-address", "ZZ99ZZ-invalid-postcode"]:
        with open(os.path.join(OUT, "os-places", name + ".json"), "w") as f:
            f.write(show(htbhf, resp + name + ".json"))
    # A two-page answer: the real 100-row BS16 1AA page, then a second page made of the 85 real rows of the
    # BS1 4TB response, with the headers rewritten so that totalresults = 185.
    p1 = json.loads(show(htbhf, resp + "BS161AA-100-addresses.json"))
    p2 = json.loads(show(htbhf, resp + "BS14TB-building-name.json"))
    total = len(p1["results"]) + len(p2["results"])
    p1["header"]["totalresults"] = total
    p2["header"].update({"totalresults": total, "offset": len(p1["results"]), "query": p1["header"]["query"]})
    for i, page in enumerate([p1, p2], 1):
        with open(os.path.join(OUT, "os-places", f"paged-{i}.json"), "w") as f:
            json.dump(page, f, indent=1)
    with open(os.path.join(OUT, "paf-formatting.json"), "w") as f:
        f.write(show(clear, "test/data/formatting.json"))
    vectors = {}
    for name in ["validation", "normalisation", "areas", "districts", "sub-districts", "sectors", "units", "outcodes", "incodes"]:
        vectors[name] = json.loads(show(postcode, f"test/data/{name}.json"))["tests"]
    with open(os.path.join(OUT, "postcode-vectors.json"), "w") as f:
        json.dump(vectors, f, indent=1)


if __name__ == "__main__":
    main()
