"""Words of the versions routes (releases side by side, Memento, change feed, as-of, permalinks) for
the generated OpenAPI document; merged into ``api_docs.OPERATIONS``."""

from __future__ import annotations

from typing import Any

from twingraph.web.api_params import param

VERSIONS_OPERATIONS: dict[str, dict[str, Any]] = {
    "get /releases/": {
        "summary": "Every served release, newest first (HTML, or JSON by Accept).",
        "statuses": ["200"],
    },
    "get /releases/index.{suffix}": {
        "summary": "Every served release as HTML or JSON.",
        "statuses": ["200"],
        "parameters": [param("suffix", "path", "html or json", {"type": "string"})],
    },
    "get /releases": {"summary": "Redirect to /releases/.", "statuses": ["308"]},
    "get /releases/{version}": {
        "summary": "Redirect to /releases/{version}/.",
        "statuses": ["308"],
        "parameters": [param("version", "path", "A release version.", {"type": "string"})],
    },
    "get /releases/{version}/{rest}": {
        "summary": "The whole site of one release (pages, /sparql, ...); "
        "answered here only for a version that is not served.",
        "statuses": ["404"],
        "parameters": [
            param("version", "path", "A release version.", {"type": "string"}),
            param("rest", "path", "A path of the site.", {"type": "string"}),
        ],
    },
    "post /releases/{version}/{rest}": {
        "summary": "The whole site of one release (pages, /sparql, ...); "
        "answered here only for a version that is not served.",
        "statuses": ["404"],
        "parameters": [
            param("version", "path", "A release version.", {"type": "string"}),
            param("rest", "path", "A path of the site.", {"type": "string"}),
        ],
    },
    "get /timegate/{target}": {
        "summary": "Memento TimeGate (RFC 7089): 302 to the resource's description "
        "in the release current at Accept-Datetime.",
        "statuses": ["302", "400", "404"],
        "parameters": [
            param("target", "path", "doc/<type>/<slug> or id/<type>/<slug>", {"type": "string"}),
            param(
                "Accept-Datetime",
                "header",
                "RFC 1123 date, e.g. Thu, 31 May 2007 20:35:00 GMT.",
                {"type": "string"},
            ),
        ],
    },
    "get /timemap/{target}": {
        "summary": "Memento TimeMap: every release in which the resource exists (application/link-format).",
        "statuses": ["200", "404"],
        "parameters": [param("target", "path", "doc/<type>/<slug> or id/<type>/<slug>", {"type": "string"})],
    },
    "get /feed": {
        "summary": "Change feed: ActivityStreams 2.0 OrderedCollection of Create/Update/Delete "
        "per entity and release.",
        "statuses": ["200"],
    },
    "get /feed/{version}": {
        "summary": "The activities of one release.",
        "statuses": ["200", "404"],
        "parameters": [param("version", "path", "A release version.", {"type": "string"})],
    },
    "get /feed/{version}/page/{number}": {
        "summary": "One OrderedCollectionPage of the feed.",
        "statuses": ["200", "404"],
        "parameters": [
            param("version", "path", "A release version.", {"type": "string"}),
            param("number", "path", "Page number, from 1.", {"type": "string"}),
        ],
    },
    "get /as-of/{year}": {
        "summary": "The partnerships active in a year with their status then (HTML, JSON or CSV by Accept).",
        "statuses": ["200", "404"],
        "parameters": [param("year", "path", "A year (1-9999).", {"type": "string"})],
    },
    "get /as-of/{year}.{suffix}": {
        "summary": "The partnerships active in a year, as json, csv or html.",
        "statuses": ["200", "404"],
        "parameters": [
            param("year", "path", "A year (1-9999).", {"type": "string"}),
            param("suffix", "path", "json, csv or html", {"type": "string"}),
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
        "parameters": [param("link_id", "path", "The permalink's id.", {"type": "string"})],
    },
}
