"""Drives OS's own Python client, osdatahub, against a running gaap-server with only its endpoint changed.

Usage: python osdatahub_check.py BASE_URL EXPECT_JSON

EXPECT_JSON names addresses the server's index holds and what each call must return:
  {"postcode": "SW1A 1AA", "postcode_uprns": [...], "uprn": 123, "uprn_address": "...",
   "find": "10 DOWNING STREET", "find_uprn": "...", "point": [x, y], "nearest_uprn": "...",
   "polygon_uprns": [...]}

Prints one line per call and "osdatahub passed" when every check held; exits 1 on the first failure.
"""

import json
import sys

from osdatahub import Extent, PlacesAPI


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def uprns(collection):
    return [f["properties"]["UPRN"] for f in collection["features"]]


def main():
    base, expect = sys.argv[1], json.loads(sys.argv[2])
    # The only change a council makes: the endpoint. osdatahub keeps it in a class attribute.
    PlacesAPI._PlacesAPI__ENDPOINT = base.rstrip("/") + "/search/places/v1/"
    places = PlacesAPI("any-key")

    got = places.postcode(expect["postcode"], limit=1000)
    print("postcode", len(got["features"]))
    if sorted(uprns(got)) != sorted(expect["postcode_uprns"]):
        fail(f"postcode {expect['postcode']}: {sorted(uprns(got))} != {sorted(expect['postcode_uprns'])}")
    # Paged: osdatahub asks for 100 at a time with offset; a smaller limit stops early.
    two = places.postcode(expect["postcode"], limit=2)
    if uprns(two) != uprns(got)[:2]:
        fail("postcode with limit=2 did not return the first two")
    wgs = places.postcode(expect["postcode"], output_crs="EPSG:4326", limit=5)
    lng, lat = wgs["features"][0]["geometry"]["coordinates"]
    if not (49 < lat < 61 and -9 < lng < 2):
        fail(f"WGS84 point off Great Britain: {lat},{lng}")

    got = places.uprn(expect["uprn"])
    print("uprn", uprns(got))
    if uprns(got) != [str(expect["uprn"])]:
        fail(f"uprn {expect['uprn']}: {uprns(got)}")
    if got["features"][0]["properties"]["ADDRESS"] != expect["uprn_address"]:
        fail(f"uprn address {got['features'][0]['properties']['ADDRESS']!r}")

    got = places.find(expect["find"], limit=5)
    print("find", uprns(got)[:5])
    if expect["find_uprn"] not in uprns(got)[:5]:
        fail(f"find {expect['find']!r}: {expect['find_uprn']} not in {uprns(got)[:5]}")
    top = places.find(expect["find"], limit=1, minmatch=0.5, matchprecision=2)
    if not top["features"] or top["features"][0]["properties"]["MATCH"] < 0.5:
        fail("find with minmatch 0.5 returned a weaker match")

    # osdatahub's nearest() declares its filters Optional-less under typeguard, so None (its own default) is
    # refused before any request: pass empty filters, which it leaves out of the query.
    got = places.nearest(tuple(expect["point"]), "EPSG:27700", radius=50, classification_code=[], logical_status_code="")
    print("nearest", uprns(got))
    if uprns(got) != [expect["nearest_uprn"]]:
        fail(f"nearest: {uprns(got)} != {[expect['nearest_uprn']]}")

    x, y = expect["point"]
    extent = Extent.from_bbox((x - 60, y - 60, x + 60, y + 60), "EPSG:27700")
    got = places.query(extent, limit=1000)
    print("query", len(got["features"]))
    if sorted(uprns(got)) != sorted(expect["polygon_uprns"]):
        fail(f"query (polygon): {sorted(uprns(got))} != {sorted(expect['polygon_uprns'])}")
    circle = places.query(Extent.from_radius((x, y), 60, "EPSG:27700"), limit=1000)
    if not set(uprns(circle)) <= set(expect["polygon_uprns"]) or expect["nearest_uprn"] not in uprns(circle):
        fail("query (circle) is not inside the square or misses the nearest address")

    filtered = places.postcode(expect["postcode"], classification_code="ZZ*", limit=100)
    if filtered["features"]:
        fail("classification_code ZZ* matched something")
    print("osdatahub passed")


if __name__ == "__main__":
    main()
