"""Words of the Reconciliation Service API 0.2 routes (``/reconcile``, OpenRefine's) for the generated
OpenAPI document; merged into ``api_docs.OPERATIONS``."""

from __future__ import annotations

from typing import Any

from twingraph.web.api_params import ACCEPT_LANGUAGE, LIMIT, PREFIX, param

# JSONP callback and paging, the same on every 0.2 endpoint that takes them.
CALLBACK = param(
    "callback",
    "query",
    "JSONP: wrap the JSON answer in a call of this JavaScript function (a dotted identifier).",
    {
        "type": "string",
        "pattern": "^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*$",
        "maxLength": 128,
    },
)
CURSOR = param("cursor", "query", "Offset of the first result.", {"type": "integer", "minimum": 0})


RECONCILE_OPERATIONS: dict[str, dict[str, Any]] = {
    "get /reconcile": {
        "summary": "Reconciliation Service API 0.2: the manifest, or a batch of queries, or data extension.",
        "statuses": ["200", "400", "429", "503"],
        "parameters": [
            {
                "name": "queries",
                "in": "query",
                "description": "A JSON object of reconciliation queries keyed by the client's ids.",
                "required": False,
                "schema": {"type": "string"},
                "example": '{"q0": {"query": "Amiens", "type": "City"}}',
            },
            param("extend", "query", "A JSON data extension request {ids, properties}.", {"type": "string"}),
            CALLBACK,
            ACCEPT_LANGUAGE,
        ],
    },
    "post /reconcile": {
        "summary": "The same as GET, with the parameters in a form body.",
        "statuses": ["200", "400", "413", "429", "503"],
        "parameters": [
            CALLBACK,
            ACCEPT_LANGUAGE,
        ],
        "request_body": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"queries": {"type": "string"}, "extend": {"type": "string"}},
                    }
                }
            }
        },
    },
    "get /reconcile/suggest/entity": {
        "summary": "Entities whose name starts with the prefix (or with that identifier).",
        "statuses": ["200", "400", "429"],
        "parameters": [
            {
                "name": "prefix",
                "in": "query",
                "description": "What the user has typed so far.",
                "required": True,
                "schema": {"type": "string"},
                "example": "Ami",
            },
            CURSOR,
            LIMIT,
            param("type", "query", "Only entities of this type (class IRI or id).", {"type": "string"}),
            CALLBACK,
            ACCEPT_LANGUAGE,
        ],
    },
    "get /reconcile/suggest/type": {
        "summary": "Types whose label starts with the prefix.",
        "statuses": ["200", "400", "429"],
        "parameters": [
            PREFIX,
            CURSOR,
            LIMIT,
            CALLBACK,
            ACCEPT_LANGUAGE,
        ],
    },
    "get /reconcile/suggest/property": {
        "summary": "Properties whose id, name or alias starts with the prefix.",
        "statuses": ["200", "400", "429"],
        "parameters": [
            PREFIX,
            CURSOR,
            LIMIT,
            CALLBACK,
            ACCEPT_LANGUAGE,
        ],
    },
    "get /reconcile/properties": {
        "summary": "Data extension: the properties proposed for a type.",
        "statuses": ["200", "400", "429"],
        "parameters": [
            param("type", "query", "A type (class IRI or id).", {"type": "string"}),
            LIMIT,
            CALLBACK,
            ACCEPT_LANGUAGE,
        ],
    },
    "get /reconcile/preview": {
        "summary": "A small HTML card of one entity, for the client's preview iframe.",
        "statuses": ["200", "400", "404", "429"],
        "parameters": [
            {
                "name": "id",
                "in": "query",
                "description": "The entity's id, e.g. city/amiens.",
                "required": True,
                "schema": {"type": "string"},
                "example": "city/amiens",
            },
            ACCEPT_LANGUAGE,
        ],
    },
}
