"""``/openapi.json``: the OpenAPI 3.1 description of the HTTP API, generated from the app itself.

Paths, methods and path parameters come from the routes (``app.url_map``); every media type, the
``Accept`` header's choices and the ``format`` parameter's names from the formats registry
(``twingraph.formats``); what only a person can say (summaries, query parameters, statuses) from
``web/api_docs.py``. So a new format or route shows up here by itself, and the tests fail when a
route has no words or the words name no route. schemathesis (``make fuzz``) fuzzes from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.routing import Rule

from twingraph import __version__
from twingraph.formats import BY_KEY, HTML, Format, formats_of, resource_formats
from twingraph.sparql.formats import formats_for
from twingraph.web.api_docs import OPERATIONS, SCHEMAS
from twingraph.web.state import current_state
from twingraph.web.uris import TYPES_BY_SEGMENT

bp = Blueprint("openapi", __name__)

# Routes that are pages or files for people, not part of the HTTP API.
NOT_API = frozenset(
    {
        "/",
        "/list/",
        "/map",
        "/sitemap.xml",
        "/robots.txt",
        "/ontology",
        "/ontology.<suffix>",
        "/shapes",
        "/shapes.<suffix>",
        "/static/<path:filename>",
        "/reconcile/",
    }
)
JSON, JS = BY_KEY["json"], BY_KEY["js"]


def answers(endpoint: str) -> list[Format]:
    """The formats an endpoint answers in, from the registry (HTML for a page)."""
    table: dict[str, list[Format]] = {
        "sparql.endpoint": [*formats_for(False), *formats_for(True), HTML],
        "sparql.example": [BY_KEY["sparql"]],
        "resources.document": [f for f in resource_formats() if f.negotiable],
        "resources.context": [BY_KEY["jsonld"]],
        "reconcile.preview": [HTML],
        "dumps.index": [HTML, JSON],
        "dumps.release": [HTML, JSON],
        "dumps.download": _unique([*formats_of("graph", "file")]),
        "dumps.void": [f for f in formats_of("graph") if f.negotiable],
        "health.health": [JSON],
        "openapi.openapi": [JSON],
    }
    if endpoint in table:
        return table[endpoint]
    return [JSON, JS] if endpoint.startswith("reconcile.") else [HTML]


NEGOTIATED = frozenset(
    {"sparql.endpoint", "resources.document", "dumps.index", "dumps.release", "dumps.void"}
)
JSON_SCHEMAS = {
    "dumps.index": {"$ref": "#/components/schemas/Releases"},
    "dumps.release": {"$ref": "#/components/schemas/Releases"},
    "health.health": {"$ref": "#/components/schemas/Health"},
}
# Shared answers of the error table (web/errors.py): status -> (component name, description).
ERRORS: dict[str, tuple[str, str]] = {
    "400": (
        "BadRequest",
        "The request is malformed; the message says what is wrong (and where, for a query).",
    ),
    "403": ("Forbidden", "Not allowed here (SPARQL Update, SERVICE, remote FROM); the message says why."),
    "404": ("NotFound", "Nothing here; the message (or page) says where to look."),
    "406": ("NotAcceptable", "No format on offer matches the Accept header; the message lists them."),
    "413": ("TooLarge", "The request is larger than the limit."),
    "415": ("UnsupportedMediaType", "The request body's Content-Type is not one this operation reads."),
    "416": ("RangeNotSatisfiable", "The Range lies outside the file."),
    "422": (
        "QueryTimeout",
        "The query ran past the time or memory limit and was stopped; retrying cannot help, the message "
        "says how to narrow it. No Retry-After.",
    ),
    "429": ("TooManyRequests", "Too many requests from this client; retry after Retry-After seconds."),
    "502": (
        "BadGateway",
        "The remote SPARQL store (TWINGRAPH_STORE=remote) failed the query with an error of its own "
        "(one of its limits, an internal error); the message gives its words.",
    ),
    "503": ("Unavailable", "The store cannot answer now; retry after Retry-After seconds."),
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "string"}}
}
REDIRECTS = {
    "206": "Part of the file (Range).",
    "302": "The newest release ('latest') is elsewhere: Location.",
    "303": "See Other: the document describing the resource (Location).",
    "304": "Not Modified: the client's copy (ETag, Last-Modified) is current.",
    "308": "Permanent redirect to the canonical URL.",
}


def _unique(formats: Iterable[Format]) -> list[Format]:
    seen: dict[str, Format] = {}
    for f in formats:
        seen.setdefault(f.media_type, f)
    return list(seen.values())


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path template (``<segment>`` is the resource's ``{type}``).

    >>> openapi_path("/dumps/<version>/<name>"), openapi_path("/id/<segment>/<path:slug>")
    ('/dumps/{version}/{name}', '/id/{type}/{slug}')
    >>> openapi_path("/dumps/index.<any(json, html):suffix>")
    '/dumps/index.{suffix}'
    """
    path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule)
    return path.replace("{segment}/{slug}", "{type}/{slug}")


def api_rules(app: Flask) -> list[Rule]:
    """The routes of the HTTP API (every route but the pages and files for people)."""
    return [rule for rule in app.url_map.iter_rules() if rule.rule not in NOT_API]


def operation_keys(app: Flask) -> dict[str, str]:
    """``"<method> <path>"`` of every API operation, with its endpoint."""
    keys = {}
    for rule in api_rules(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            keys[f"{method.lower()} {openapi_path(rule.rule)}"] = rule.endpoint
    return keys


def _content(formats: Iterable[Format], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    content = {}
    for f in _unique(formats):
        if f is JSON and schema is not None:
            content[f.media_type] = {"schema": schema}
        elif f in (JSON, JS) or f.media_type.endswith("+json"):
            content[f.media_type] = {"schema": {"type": "object"} if f is not JS else {"type": "string"}}
        else:
            content[f.media_type] = {"schema": {"type": "string"}}
    return content


def _parameters(endpoint: str, documented: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documented parameters, with the registry's choices filled in; Accept where it negotiates."""
    out = []
    for parameter in documented:
        parameter = dict(parameter)
        if parameter["in"] == "path" and parameter["name"] == "type":
            parameter["schema"] = {"type": "string", "enum": sorted(TYPES_BY_SEGMENT)}
        if endpoint == "sparql.endpoint" and parameter["name"] == "format":
            names = [n for f in (*formats_for(False), *formats_for(True)) for n in f.names]
            parameter["schema"] = {"type": "string", "enum": list(dict.fromkeys(names))}
        out.append(parameter)
    if endpoint in NEGOTIATED:
        choices = [f.media_type for f in _unique(answers(endpoint))]
        out.append(
            {
                "name": "Accept",
                "in": "header",
                "required": False,
                "description": "The formats on offer, from the formats registry (q-values and wildcards "
                "work; q=.5 is read as 0.5).",
                "schema": {"type": "string", "enum": choices},
            }
        )
    return out


def _responses(endpoint: str, statuses: list[str]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in statuses:
        if status in ("200", "206"):
            responses[status] = {
                "description": "The answer, in the format the request chose."
                if status == "200"
                else REDIRECTS[status],
                "content": _content(answers(endpoint), JSON_SCHEMAS.get(endpoint)),
            }
        elif status in ERRORS:
            responses[status] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
        elif endpoint == "health.health" and status == "503":
            responses[status] = {
                "description": "Unavailable.",
                "content": _content([JSON], JSON_SCHEMAS[endpoint]),
            }
        else:
            responses[status] = {"description": REDIRECTS.get(status, "See the summary.")}
    return responses


def _components() -> dict[str, Any]:
    errors = _content([BY_KEY["txt"], JSON, HTML], {"$ref": "#/components/schemas/Error"})
    responses = {}
    for status, (name, description) in ERRORS.items():
        responses[name] = {"description": description, "content": errors}
        if status in ("429", "503"):
            responses[name]["headers"] = RETRY_AFTER
    return {"schemas": SCHEMAS, "responses": responses}


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app`` (without a server URL)."""
    paths: dict[str, dict[str, Any]] = {}
    for key, endpoint in operation_keys(app).items():
        method, path = key.split(" ", 1)
        doc = OPERATIONS.get(key)
        if doc is None:
            view = app.view_functions[endpoint]
            summary = (view.__doc__ or endpoint).strip().splitlines()[0]
            doc = {"summary": summary, "statuses": ["200"]}
        operation_id = re.sub(r"[^A-Za-z0-9]+", "_", f"{method} {path}").strip("_")
        if path.endswith("/") and path != "/":
            operation_id += "_index"  # /releases/ beside /releases: both would read get_releases
        operation: dict[str, Any] = {
            "operationId": operation_id,
            "summary": doc["summary"],
        }
        if "description" in doc:
            operation["description"] = doc["description"]
        parameters = _parameters(endpoint, doc.get("parameters", []))
        if parameters:
            operation["parameters"] = parameters
        if "request_body" in doc:
            operation["requestBody"] = doc["request_body"]
        operation["responses"] = _responses(endpoint, doc["statuses"])
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "twingraph HTTP API",
            "summary": "Linked Open Data on town twinning (Städtepartnerschaften): SPARQL, reconciliation, "
            "Linked Data, dumps.",
            "description": "Read-only. Every error answers with a message saying what was wrong, as "
            "text/plain, application/json or text/html (the client's Accept header chooses). 429 and 503 "
            "answers carry Retry-After; a query stopped at the time limit is 422 without it. Generated "
            "from the routes and the formats registry.",
            "license": {"name": "MIT", "identifier": "MIT"},
            "version": __version__,
        },
        "paths": paths,
        "components": _components(),
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI description, naming this server and this version of twingraph."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    document = current_state().openapi.get(lambda: build_document(app))
    served = {**document, "servers": [{"url": request.host_url.rstrip("/"), "description": "this server"}]}
    response = Response(json.dumps(served, indent=1, ensure_ascii=False) + "\n", mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
