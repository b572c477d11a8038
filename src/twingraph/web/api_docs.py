"""What the OpenAPI document says that cannot be read off the routes or the formats registry.

Per operation (``"<method> <path>"``): a summary, the query parameters and request body with their
meaning, and the statuses the view answers with. Paths, media types (from
``twingraph.formats``), the Accept header's choices and the shared error answers are generated
(``web/openapi.py``); a test fails when a route has no entry here or an entry names no route.
"""

from __future__ import annotations

from typing import Any

from twingraph.web.api_docs_reconcile import RECONCILE_OPERATIONS
from twingraph.web.api_docs_reconcile_v1 import RECONCILE_V1_OPERATIONS
from twingraph.web.api_docs_versions import VERSIONS_OPERATIONS
from twingraph.web.api_params import ACCEPT_LANGUAGE, LISTED_SEGMENTS, SEGMENTS, param
from twingraph.web.api_schemas import SCHEMAS

__all__ = ["OPERATIONS", "SCHEMAS"]

OPERATIONS: dict[str, dict[str, Any]] = {
    "get /context.jsonld": {
        "summary": "The release's JSON-LD context: every JSON-LD answer names it as its @context.",
        "statuses": ["200", "304"],
    },
    "get /sparql": {
        "summary": "SPARQL 1.1 Protocol query (GET); without query: the Service Description or the query UI.",
        "statuses": ["200", "304", "400", "403", "406", "413", "429", "502", "503", "422"],
        "parameters": [
            {
                "name": "query",
                "in": "query",
                "description": "A SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE). "
                "Updates, SERVICE and remote FROM are refused.",
                "required": False,
                "schema": {"type": "string"},
                "example": "SELECT ?s WHERE { ?s a <https://w3id.org/twingraph/ontology#City> } LIMIT 5",
            },
            {
                "name": "default-graph-uri",
                "in": "query",
                "description": "A graph of the query's default graph (repeatable).",
                "required": False,
                "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
                "style": "form",
                "explode": True,
            },
            {
                "name": "named-graph-uri",
                "in": "query",
                "description": "A named graph of the query's dataset (repeatable).",
                "required": False,
                "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
                "style": "form",
                "explode": True,
            },
            param(
                "format",
                "query",
                ("A result format by name (json, xml, csv, tsv, turtle, ...), instead of Accept."),
                {"type": "string"},
            ),
        ],
    },
    "post /sparql": {
        "summary": "SPARQL 1.1 Protocol query (POST, form or direct).",
        "statuses": ["200", "400", "403", "406", "413", "415", "429", "502", "503", "422"],
        "request_body": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                },
                "application/sparql-query": {"schema": {"type": "string"}},
            },
        },
    },
    "get /sparql/examples/{name}": {
        "summary": "One example query of the Service Description, as text.",
        "statuses": ["200", "404"],
        "parameters": [
            {
                "name": "name",
                "in": "path",
                "description": "The example's name, e.g. 01-partnerships.",
                "required": True,
                "schema": {"type": "string"},
                "example": "01-partnerships",
            }
        ],
    },
    "get /id/{type}/{slug}": {
        "summary": "A resource's IRI: 303 See Other to the document describing it.",
        "statuses": ["303", "404"],
        "parameters": [
            {
                "name": "type",
                "in": "path",
                "description": "The resource's type segment.",
                "required": True,
                "schema": {
                    "type": "string",
                    "enum": SEGMENTS,
                },
                "example": "city",
            },
            {
                "name": "slug",
                "in": "path",
                "description": "The resource's slug, optionally with a format suffix (.ttl, .jsonld, ...).",
                "required": True,
                "schema": {"type": "string", "pattern": "^[a-z0-9-]+(\\.(html|ttl|jsonld|nt|rdf|trig|nq))?$"},
                "example": "amiens",
            },
        ],
    },
    "get /doc/{type}/{slug}": {
        "summary": "The description of a resource: HTML or RDF by Accept, or named by a suffix.",
        "statuses": ["200", "304", "404", "406"],
        "parameters": [
            {
                "name": "type",
                "in": "path",
                "description": "The resource's type segment.",
                "required": True,
                "schema": {
                    "type": "string",
                    "enum": SEGMENTS,
                },
                "example": "city",
            },
            {
                "name": "slug",
                "in": "path",
                "description": "The resource's slug, optionally with a format suffix.",
                "required": True,
                "schema": {"type": "string", "pattern": "^[a-z0-9-]+(\\.(html|ttl|jsonld|nt|rdf|trig|nq))?$"},
                "example": "amiens",
            },
            param(
                "lang", "query", "Language of the page (en, de); remembered in a cookie.", {"type": "string"}
            ),
            ACCEPT_LANGUAGE,
        ],
    },
    "get /search": {
        "summary": "Label search over all entities (HTML).",
        "statuses": ["200", "304", "400"],
        "parameters": [
            {
                "name": "q",
                "in": "query",
                "description": "Words to look for.",
                "required": False,
                "schema": {"type": "string"},
                "example": "Amiens",
            },
            param(
                "type",
                "query",
                "Only this type segment.",
                {
                    "type": "string",
                    "enum": SEGMENTS,
                },
            ),
            ACCEPT_LANGUAGE,
        ],
    },
    "get /list/{segment}": {
        "summary": "All resources of one type (HTML), sortable and filterable.",
        "statuses": ["200", "304", "404"],
        "parameters": [
            param(
                "segment",
                "path",
                "A listed type segment.",
                {
                    "type": "string",
                    "enum": LISTED_SEGMENTS,
                },
            ),
            param("q", "query", "Filter text.", {"type": "string"}),
            param("sort", "query", "Column to sort by.", {"type": "string"}),
            param("order", "query", "asc or desc.", {"type": "string", "enum": ["asc", "desc"]}),
            param("page", "query", "Page number.", {"type": "integer", "minimum": 1}),
            ACCEPT_LANGUAGE,
        ],
    },
    "get /dumps/": {
        "summary": "Every release with its files (HTML, or JSON by Accept).",
        "statuses": ["200", "304", "406"],
    },
    "get /dumps/index.{suffix}": {
        "summary": "The listing of releases in the format the suffix names.",
        "statuses": ["200", "304", "308", "404"],
        "parameters": [
            param("suffix", "path", "json or html.", {"type": "string", "enum": ["json", "html"]})
        ],
    },
    "get /dumps/{version}/": {
        "summary": "One release and its files; latest redirects to the newest.",
        "statuses": ["200", "302", "304", "404", "406"],
        "parameters": [
            {
                "name": "version",
                "in": "path",
                "description": "A semantic version, or latest.",
                "required": True,
                "schema": {"type": "string"},
                "example": "latest",
            }
        ],
    },
    "get /dumps/{version}/index.{suffix}": {
        "summary": "One release and its files, in the format the suffix "
        "names; latest redirects to the newest.",
        "statuses": ["200", "302", "304", "404"],
        "parameters": [
            param("version", "path", "A semantic version, or latest.", {"type": "string"}),
            param("suffix", "path", "json or html.", {"type": "string", "enum": ["json", "html"]}),
        ],
    },
    "get /dumps/{version}/{name}": {
        "summary": "One file of a release, with ETag = SHA-256, Range and conditional requests.",
        "statuses": ["200", "206", "302", "304", "404", "416"],
        "parameters": [
            {
                "name": "version",
                "in": "path",
                "description": "A semantic version, or latest.",
                "required": True,
                "schema": {"type": "string"},
                "example": "latest",
            },
            {
                "name": "name",
                "in": "path",
                "description": "A file named in the release's SHA256SUMS.",
                "required": True,
                "schema": {"type": "string"},
                "example": "SHA256SUMS",
            },
            param("Range", "header", "A byte range (RFC 9110).", {"type": "string"}),
        ],
    },
    "get /.well-known/void": {
        "summary": "VoID and DCAT description of the served release.",
        "statuses": ["200", "304", "406"],
    },
    "get /health": {
        "summary": "Whether this instance can answer: the release served and whether the store answers.",
        "statuses": ["200", "503"],
    },
    "get /openapi.json": {"summary": "This description.", "statuses": ["200"]},
}

# The facets of every list and its downloads (web/lists.py FACETS), documented once for both routes.
_LIST_FACETS = [
    param(name, "query", f"Keep the rows whose {name} is this value (repeatable).", {"type": "string"})
    for name in ("country", "kind", "status", "decade", "source")
] + [
    param("_size", "query", "Rows per page.", {"type": "integer", "minimum": 1}),
    param(
        "_format",
        "query",
        "csv or json: the rows of this view as data.",
        {"type": "string", "enum": ["csv", "json"]},
    ),
]
OPERATIONS["get /list/{segment}"]["parameters"] += _LIST_FACETS
OPERATIONS["get /list/{segment}.{suffix}"] = {
    "summary": "The rows of a list view (the same filters as the page) as CSV or JSON.",
    "statuses": ["200", "304", "404"],
    "parameters": [
        *OPERATIONS["get /list/{segment}"]["parameters"],
        param("suffix", "path", "csv or json.", {"type": "string", "enum": ["csv", "json"]}),
    ],
}
OPERATIONS["get /network/{slug}.rq"] = {
    "summary": "The SPARQL query that draws a city's ego network (its partners and theirs).",
    "statuses": ["200", "304", "404"],
    "parameters": [param("slug", "path", "The city's slug.", {"type": "string"})],
}

OPERATIONS.update(RECONCILE_OPERATIONS)
OPERATIONS.update(VERSIONS_OPERATIONS)
OPERATIONS.update(RECONCILE_V1_OPERATIONS)
