"""Regenerates src/rules/data/*.tsv from a checkout of alphagov/notifications-utils.

Usage: python3 tools/gen_data.py /path/to/notifications-utils  (needs PyYAML)

The country table reproduces notifications_utils/countries/data.py: every synonym of the
govuk country-and-territory graph, the UK islands, European islands, Welsh names and extra
synonyms, keyed by the normalised form that countries/__init__.py compares.
"""
import json, os, sys
import yaml

root = sys.argv[1]
sys.path.insert(0, root)
from notifications_utils.countries import _normalise_country_name  # noqa: E402
from notifications_utils.countries.data import (  # noqa: E402
    ADDITIONAL_SYNONYMS, COUNTRIES_AND_TERRITORIES, EUROPEAN_ISLANDS, ROYAL_MAIL_EUROPEAN,
    UK_ISLANDS, UK_POSTCODE_ZONES, WELSH_NAMES,
)

out = os.path.join(os.path.dirname(__file__), "..", "src", "rules", "data")
pairs = {}
source = dict(COUNTRIES_AND_TERRITORIES + UK_ISLANDS + EUROPEAN_ISLANDS + WELSH_NAMES + ADDITIONAL_SYNONYMS)
for original, canonical in source.items():
    try:
        pairs[_normalise_country_name(original)] = canonical
    except ValueError:
        pass  # names with digits can never match
with open(os.path.join(out, "countries.tsv"), "w") as f:
    for k in sorted(pairs):
        f.write(f"{k}\t{pairs[k]}\n")
with open(os.path.join(out, "europe.txt"), "w") as f:
    f.write("\n".join(ROYAL_MAIL_EUROPEAN) + "\n")
with open(os.path.join(out, "postcode-zones.txt"), "w") as f:
    f.write("\n".join(UK_POSTCODE_ZONES) + "\n")
rates = yaml.safe_load(open(os.path.join(root, "notifications_utils", "international_billing_rates.yml")))
with open(os.path.join(out, "billing-prefixes.tsv"), "w") as f:
    for prefix in sorted(rates, key=str):
        f.write(f"{prefix}\t{rates[prefix]['rate_multiplier']}\n")
