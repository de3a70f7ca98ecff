"""Writes an OpenAPI 3.0 document of the OS Places API v1 contract, for schemathesis.

The document is gaap's own, written from the facts of OS's published technical specification: the seven
resources, their parameters with OS's types, enums and ranges, and OS's response schema (a header whose twelve
fields are all required, and results of one-key objects holding a DPA or LPI record with OS's field types).

Usage: python os_places_openapi.py SERVER_URL > openapi.json
"""

import json
import sys

SRS = ["BNG", "EPSG:27700", "WGS84", "EPSG:4326", "EPSG:3857", "EPSG:4258"]


def q(name, schema, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema}


def common(paged=True, srs=False):
    params = [
        q("format", {"type": "string", "enum": ["JSON", "XML"], "default": "JSON"}),
        q("dataset", {"type": "string", "enum": ["DPA", "LPI"], "default": "DPA"}),
        q("lr", {"type": "string", "enum": ["EN", "CY"]}),
        q("output_srs", {"type": "string", "enum": SRS, "default": "EPSG:27700"}),
        q("fq", {"type": "array", "items": {"type": "string"}}),
    ]
    if paged:
        params += [
            q("maxresults", {"type": "integer", "minimum": 1, "maximum": 100, "default": 100}),
            q("offset", {"type": "integer", "minimum": 0, "default": 0}),
        ]
    if srs:
        params.append(q("srs", {"type": "string", "enum": SRS}))
    return params


def strings(*names):
    return {n: {"type": "string"} for n in names}


RECORD_COMMON = {
    **strings("RPC"),
    "X_COORDINATE": {"type": "number"},
    "Y_COORDINATE": {"type": "number"},
    "LNG": {"type": "number"},
    "LAT": {"type": "number"},
    **strings("STATUS", "LOGICAL_STATUS_CODE", "CLASSIFICATION_CODE", "CLASSIFICATION_CODE_DESCRIPTION"),
    "LOCAL_CUSTODIAN_CODE": {"type": "integer"},
    **strings(
        "LOCAL_CUSTODIAN_CODE_DESCRIPTION", "COUNTRY_CODE", "COUNTRY_CODE_DESCRIPTION", "POSTAL_ADDRESS_CODE",
        "POSTAL_ADDRESS_CODE_DESCRIPTION", "BLPU_STATE_CODE", "BLPU_STATE_CODE_DESCRIPTION",
        "TOPOGRAPHY_LAYER_TOID", "WARD_CODE", "PARISH_CODE", "PARENT_UPRN", "LAST_UPDATE_DATE", "ENTRY_DATE",
        "LEGAL_NAME", "BLPU_STATE_DATE", "LANGUAGE",
    ),
    "MATCH": {"type": "number"},
    "MATCH_DESCRIPTION": {"type": "string"},
}

DPA = {
    "type": "object",
    "properties": {
        **strings(
            "UPRN", "UDPRN", "ADDRESS", "ORGANISATION_NAME", "DEPARTMENT_NAME", "SUB_BUILDING_NAME",
            "BUILDING_NAME", "BUILDING_NUMBER", "DEPENDENT_THOROUGHFARE_NAME", "THOROUGHFARE_NAME",
            "DOUBLE_DEPENDENT_LOCALITY", "DEPENDENT_LOCALITY", "POST_TOWN", "POSTCODE", "DELIVERY_POINT_SUFFIX",
        ),
        **RECORD_COMMON,
    },
}

LPI = {
    "type": "object",
    "properties": {
        **strings(
            "UPRN", "ADDRESS", "USRN", "LPI_KEY", "ORGANISATION", "SAO_START_NUMBER", "SAO_START_SUFFIX",
            "SAO_END_NUMBER", "SAO_END_SUFFIX", "SAO_TEXT", "PAO_START_NUMBER", "PAO_START_SUFFIX",
            "PAO_END_NUMBER", "PAO_END_SUFFIX", "PAO_TEXT", "STREET_DESCRIPTION", "LOCALITY_NAME", "TOWN_NAME",
            "ADMINISTRATIVE_AREA", "AREA_NAME", "POSTCODE_LOCATOR", "STREET_STATE_CODE",
            "STREET_STATE_CODE_DESCRIPTION", "STREET_CLASSIFICATION_CODE", "STREET_CLASSIFICATION_CODE_DESCRIPTION",
            "LPI_LOGICAL_STATUS_CODE", "LPI_LOGICAL_STATUS_CODE_DESCRIPTION",
        ),
        **RECORD_COMMON,
    },
}

HEADER_FIELDS = {
    "uri": "string", "query": "string", "offset": "integer", "totalresults": "integer", "format": "string",
    "dataset": "string", "lr": "string", "maxresults": "integer", "matchprecision": "integer",
    "epoch": "string", "lastupdate": "string", "output_srs": "string",
}

SEARCH_RESULT = {
    "type": "object",
    "required": ["header"],
    "properties": {
        "header": {
            "type": "object",
            "required": list(HEADER_FIELDS),
            "properties": {k: {"type": t} for k, t in HEADER_FIELDS.items()},
        },
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"DPA": {"$ref": "#/components/schemas/DPA"}, "LPI": {"$ref": "#/components/schemas/LPI"}},
            },
        },
    },
}

OK = {
    "200": {
        "description": "Matched addresses",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}},
    }
}


def get(op_id, params):
    return {"get": {"operationId": op_id, "parameters": params, "responses": OK}}


def document(server):
    radius = q("radius", {"type": "number", "minimum": 0.01, "maximum": 1000})
    return {
        "openapi": "3.0.1",
        "info": {"title": "OS Places API (as gaap-server serves it)", "version": "v1.0"},
        "servers": [{"url": server.rstrip("/") + "/search/places/v1"}],
        "security": [{"api-key": []}],
        "paths": {
            "/postcode": get("postcode", [q("postcode", {"type": "string"}, True)] + common()),
            "/uprn": get("uprn", [q("uprn", {"type": "integer"}, True)] + common(paged=False)),
            "/find": get(
                "find",
                [
                    q("query", {"type": "string"}, True),
                    q("bbox", {"type": "string"}),
                    q("minmatch", {"type": "number", "minimum": 0.1, "maximum": 1}),
                    q("matchprecision", {"type": "number", "minimum": 1, "maximum": 10}),
                ]
                + common(),
            ),
            "/nearest": get("nearest", [q("point", {"type": "string"}, True), radius] + common(paged=False, srs=True)),
            "/bbox": get("bbox", [q("bbox", {"type": "string"}, True)] + common(srs=True)),
            "/radius": get("radius", [q("point", {"type": "string"}, True), radius] + common(srs=True)),
            "/polygon": {
                "post": {
                    "operationId": "polygon",
                    "parameters": [q("referencepoint", {"type": "integer"})] + common(srs=True),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["type", "geometry"],
                                    "properties": {"type": {"type": "string"}, "geometry": {"type": "object"}},
                                }
                            }
                        },
                    },
                    "responses": OK,
                }
            },
        },
        "components": {
            "securitySchemes": {"api-key": {"type": "apiKey", "name": "key", "in": "query"}},
            "schemas": {"SearchResult": SEARCH_RESULT, "DPA": DPA, "LPI": LPI},
        },
    }


if __name__ == "__main__":
    json.dump(document(sys.argv[1]), sys.stdout, indent=1)
