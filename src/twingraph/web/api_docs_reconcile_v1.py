"""Words of the Reconciliation API 1.0 draft routes (``/reconcile/1.0``) for the generated OpenAPI
document; merged into ``api_docs.OPERATIONS``."""

from __future__ import annotations

from typing import Any

from twingraph.web.api_params import ACCEPT_LANGUAGE, LIMIT, PREFIX, param

OFFSET = param("offset", "query", "Number of suggestions to skip.", {"type": "integer", "minimum": 0})

RECONCILE_V1_OPERATIONS: dict[str, dict[str, Any]] = {
    "get /reconcile/1.0": {
        "summary": "The service manifest of the Reconciliation API 1.0 draft (links the 0.2 service).",
        "statuses": ["200", "429"],
        "parameters": [ACCEPT_LANGUAGE],
    },
    "post /reconcile/1.0/match": {
        "summary": 'Answer a reconciliation query batch ({"queries": [...]}, '
        'conditions with matchType) with {"results": [{"candidates": '
        "[...]}]}.",
        "statuses": ["200", "400", "413", "415", "429"],
        "parameters": [ACCEPT_LANGUAGE],
        "request_body": {
            "required": True,
            "description": "A reconciliation query batch.",
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {
                        "queries": [
                            {
                                "conditions": [{"matchType": "name", "propertyValue": "Neusatz"}],
                                "type": "City",
                            }
                        ]
                    },
                }
            },
        },
    },
    "post /reconcile/1.0/reconcile": {
        "summary": 'Answer a reconciliation query batch ({"queries": [...]}, '
        'conditions with matchType) with {"results": '
        '[{"candidates": [...]}]}.',
        "statuses": ["200", "400", "413", "415", "429"],
        "parameters": [ACCEPT_LANGUAGE],
        "request_body": {
            "required": True,
            "description": "A reconciliation query batch.",
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {
                        "queries": [
                            {
                                "conditions": [{"matchType": "name", "propertyValue": "Neusatz"}],
                                "type": "City",
                            }
                        ]
                    },
                }
            },
        },
    },
    "get /reconcile/1.0/suggest/entity": {
        "summary": "Entities whose name starts with the prefix, or whose identifier it is.",
        "statuses": ["200", "400", "429"],
        "parameters": [
            PREFIX,
            OFFSET,
            LIMIT,
            param("type", "query", "Only entities of this type (or a subclass).", {"type": "string"}),
            ACCEPT_LANGUAGE,
        ],
    },
    "get /reconcile/1.0/suggest/type": {
        "summary": "Types whose label starts with the prefix.",
        "statuses": ["200", "400", "429"],
        "parameters": [
            PREFIX,
            OFFSET,
            LIMIT,
            ACCEPT_LANGUAGE,
        ],
    },
    "get /reconcile/1.0/suggest/property": {
        "summary": "Properties whose id, name or alias starts with the prefix.",
        "statuses": ["200", "400", "429"],
        "parameters": [
            PREFIX,
            OFFSET,
            LIMIT,
            ACCEPT_LANGUAGE,
        ],
    },
    "get /reconcile/1.0/preview": {
        "summary": "A small HTML card of one entity, for the client's preview iframe.",
        "statuses": ["200", "400", "404", "429"],
        "parameters": [
            param("id", "query", "The entity's id, e.g. city/amiens.", {"type": "string"}, required=True),
            ACCEPT_LANGUAGE,
        ],
    },
    "post /reconcile/1.0/extend": {
        "summary": 'Values of properties for entities ({"ids": [...], "properties": [{"id": ...}]}).',
        "statuses": ["200", "400", "413", "415", "429"],
        "parameters": [ACCEPT_LANGUAGE],
        "request_body": {
            "required": True,
            "description": "A data extension query.",
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {"ids": ["city/leeds"], "properties": [{"id": "country"}]},
                }
            },
        },
    },
    "get /reconcile/1.0/extend/propose": {
        "summary": "Properties worth fetching for entities of a type.",
        "statuses": ["200", "400", "429"],
        "parameters": [
            param("type", "query", "A type id, e.g. City.", {"type": "string"}, required=True),
            param("limit", "query", "Most properties.", {"type": "integer", "minimum": 1}),
            ACCEPT_LANGUAGE,
        ],
    },
}
