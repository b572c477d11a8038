"""Words of the versions routes (releases side by side, Memento, change feed, as-of, permalinks) for
the generated OpenAPI document; merged into ``api_docs.OPERATIONS``."""

from __future__ import annotations

from typing import Any

VERSIONS_OPERATIONS: dict[str, dict[str, Any]] = {
    "get /releases/": {
        "summary": "Every served release, newest first (HTML, or JSON by Accept).",
        "statuses": ["200"],
    },
    "get /releases/index.{suffix}": {
        "summary": "Every served release as HTML or JSON.",
        "statuses": ["200"],
        "parameters": [
            {
                "name": "suffix",
                "in": "path",
                "description": "html or json",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
    },
    "get /releases": {"summary": "Redirect to /releases/.", "statuses": ["308"]},
    "get /releases/{version}": {
        "summary": "Redirect to /releases/{version}/.",
        "statuses": ["308"],
        "parameters": [
            {
                "name": "version",
                "in": "path",
                "description": "A release version.",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
    },
    "get /releases/{version}/{rest}": {
        "summary": "The whole site of one release (pages, /sparql, ...); "
        "answered here only for a version that is not served.",
        "statuses": ["404"],
        "parameters": [
            {
                "name": "version",
                "in": "path",
                "description": "A release version.",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "name": "rest",
                "in": "path",
                "description": "A path of the site.",
                "required": True,
                "schema": {"type": "string"},
            },
        ],
    },
    "post /releases/{version}/{rest}": {
        "summary": "The whole site of one release (pages, /sparql, ...); "
        "answered here only for a version that is not served.",
        "statuses": ["404"],
        "parameters": [
            {
                "name": "version",
                "in": "path",
                "description": "A release version.",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "name": "rest",
                "in": "path",
                "description": "A path of the site.",
                "required": True,
                "schema": {"type": "string"},
            },
        ],
    },
    "get /timegate/{target}": {
        "summary": "Memento TimeGate (RFC 7089): 302 to the resource's description "
        "in the release current at Accept-Datetime.",
        "statuses": ["302", "400", "404"],
        "parameters": [
            {
                "name": "target",
                "in": "path",
                "description": "doc/<type>/<slug> or id/<type>/<slug>",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "name": "Accept-Datetime",
                "in": "header",
                "description": "RFC 1123 date, e.g. Thu, 31 May 2007 20:35:00 GMT.",
                "required": False,
                "schema": {"type": "string"},
            },
        ],
    },
    "get /timemap/{target}": {
        "summary": "Memento TimeMap: every release in which the resource exists (application/link-format).",
        "statuses": ["200", "404"],
        "parameters": [
            {
                "name": "target",
                "in": "path",
                "description": "doc/<type>/<slug> or id/<type>/<slug>",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
    },
    "get /feed": {
        "summary": "Change feed: ActivityStreams 2.0 OrderedCollection of Create/Update/Delete "
        "per entity and release.",
        "statuses": ["200"],
    },
    "get /feed/{version}": {
        "summary": "The activities of one release.",
        "statuses": ["200", "404"],
        "parameters": [
            {
                "name": "version",
                "in": "path",
                "description": "A release version.",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
    },
    "get /feed/{version}/page/{number}": {
        "summary": "One OrderedCollectionPage of the feed.",
        "statuses": ["200", "404"],
        "parameters": [
            {
                "name": "version",
                "in": "path",
                "description": "A release version.",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "name": "number",
                "in": "path",
                "description": "Page number, from 1.",
                "required": True,
                "schema": {"type": "string"},
            },
        ],
    },
    "get /as-of/{year}": {
        "summary": "The partnerships active in a year with their status then (HTML, JSON or CSV by Accept).",
        "statuses": ["200", "404"],
        "parameters": [
            {
                "name": "year",
                "in": "path",
                "description": "A year (1-9999).",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
    },
    "get /as-of/{year}.{suffix}": {
        "summary": "The partnerships active in a year, as json, csv or html.",
        "statuses": ["200", "404"],
        "parameters": [
            {
                "name": "year",
                "in": "path",
                "description": "A year (1-9999).",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "name": "suffix",
                "in": "path",
                "description": "json, csv or html",
                "required": True,
                "schema": {"type": "string"},
            },
        ],
    },
    "post /q": {
        "summary": "Pin a query to a release and a format; 201 with the permalink (query, release, "
        "format as form fields).",
        "statuses": ["201", "400", "404"],
    },
    "get /q/{link_id}": {
        "summary": "A pinned query's answer: the same bytes in the same format, forever.",
        "statuses": ["200", "404"],
        "parameters": [
            {
                "name": "link_id",
                "in": "path",
                "description": "The permalink's id.",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
    },
}
