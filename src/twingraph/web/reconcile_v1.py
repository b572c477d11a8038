"""The Reconciliation API 1.0 draft at ``/reconcile/1.0``, beside the 0.2 service at ``/reconcile``.

The draft's routes, relative to the root: ``/`` (manifest, GET), ``/match`` (query batch, POST
JSON; also answered at ``/reconcile``), ``/suggest/{entity,property,type}`` (GET, ``prefix``,
``limit``, ``offset``), ``/preview?id=`` (HTML), ``/extend`` (POST JSON) and ``/extend/propose``
(GET, ``type``, ``limit``). No JSONP (the draft drops it); CORS on every answer; the same index,
rate limit and error rendering as 0.2. Both manifests link each other (``otherVersions`` and a
``Link: rel="alternate"`` header).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import TooManyRequests, UnsupportedMediaType

from twingraph import __version__
from twingraph.reconcile import (
    InvalidRequest,
    propose_properties,
    suggest_entities,
    suggest_properties,
    suggest_types,
)
from twingraph.reconcile.catalogue import DEFAULT_TYPES
from twingraph.reconcile.extend import PROPERTY_SETTINGS
from twingraph.reconcile.present import type_object
from twingraph.reconcile.service import positive_int
from twingraph.reconcile.suggest import MAX_PAGE, PAGE
from twingraph.reconcile.v1 import extend_rows, parse_batch, reconcile
from twingraph.sparql.ratelimit import RateLimiter
from twingraph.web import reconcile as v02
from twingraph.web.errors import render_error
from twingraph.web.state import current_state

bp = Blueprint("reconcile_v1", __name__, url_prefix="/reconcile/1.0")

VERSION = "1.0-draft"


@bp.before_request
def _rate_limit() -> None:
    limiter: RateLimiter = current_state().reconcile_limiter  # one budget for both versions
    wait = limiter.hit(request.remote_addr or "unknown")
    if wait is not None:
        raise TooManyRequests(
            f"more than {limiter.per_minute} requests a minute from this client; retry in {wait} s",
            retry_after=wait,
        )


@bp.errorhandler(InvalidRequest)
def _invalid(exc: InvalidRequest) -> Response:
    return render_error(400, "Bad Request", str(exc))


def _answer(payload: object) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False) + "\n", mimetype="application/json")


def _json_body() -> object:
    """The POSTed JSON document (the draft sends application/json bodies)."""
    if not request.is_json:
        raise UnsupportedMediaType("send the query as an application/json body")
    text = request.get_data(as_text=True)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(
            f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc


def _int_arg(name: str, default: int, maximum: int, minimum: int = 1) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise InvalidRequest(f"{name} must be at least {minimum}, not {value}")
    return min(value, maximum)


def _prefix() -> str:
    prefix = request.args.get("prefix")
    if prefix is None:
        raise InvalidRequest("the prefix parameter is required")
    return prefix


def manifest() -> dict[str, object]:
    """The 1.0-draft manifest: view (required), default types, preview, suggest, extend, the 0.2 link."""
    index = v02.get_index()
    languages = v02._languages()
    default_types = [
        class_iri
        for class_iri in (index.resolve_type(name) for name in DEFAULT_TYPES)
        if class_iri and any(e.types & index.subclasses(class_iri) for e in index.entities)
    ]
    settings = [
        {
            "id": str(s["name"]),
            "name": str(s["label"]),
            "type": s["type"],
            "default": s["default"],
            "helpText": s["help_text"],
        }
        for s in PROPERTY_SETTINGS
    ]
    return {
        "versions": [VERSION],
        "name": "twingraph – town twinning (Städtepartnerschaften)",
        "lang": languages[0],
        "documentation": request.url_root,
        "serviceVersion": f"twingraph {__version__}, release {index.version}",
        "view": {"url": request.url_root + "id/{id}"},
        "defaultTypes": [type_object(index, c, languages) for c in default_types],
        "standardizedScore": True,
        "preview": {"width": v02.PREVIEW_WIDTH, "height": v02.PREVIEW_HEIGHT},
        "suggest": {"entity": True, "property": True, "type": True},
        "extend": {"proposeProperties": True, "propertySettings": settings},
        "otherVersions": [{"versions": ["0.2"], "endpoint": url_for("reconcile.endpoint", _external=True)}],
    }


@bp.get("")
def root() -> Response:
    """The service manifest."""
    response = _answer(manifest())
    response.headers["Link"] = (
        f'<{url_for("reconcile.endpoint", _external=True)}>; rel="alternate"; type="application/json"'
    )
    return response


@bp.post("/match")
@bp.post("/reconcile")
def match() -> Response:
    """A query batch ``{"queries": [...]}`` answered with ``{"results": [...]}``."""
    index = v02.get_index()
    return _answer(reconcile(index, parse_batch(index, _json_body()), v02._languages()))


@bp.get("/suggest/entity")
def suggest_entity() -> Response:
    """Entities by name prefix or identifier (``prefix``; optional ``type``, ``limit``, ``offset``)."""
    found = suggest_entities(
        v02.get_index(),
        _prefix(),
        _int_arg("offset", 0, 1_000_000, minimum=0),
        _int_arg("limit", PAGE, MAX_PAGE),
        request.args.get("type") or None,
        v02._languages(),
    )
    return _answer(found)


@bp.get("/suggest/type")
def suggest_type() -> Response:
    """Types by label prefix in any language."""
    offset, limit = _int_arg("offset", 0, 1_000_000, minimum=0), _int_arg("limit", PAGE, MAX_PAGE)
    return _answer(suggest_types(v02.get_index(), _prefix(), offset, limit, v02._languages()))


@bp.get("/suggest/property")
def suggest_property() -> Response:
    """Properties by id, name or alias prefix."""
    offset, limit = _int_arg("offset", 0, 1_000_000, minimum=0), _int_arg("limit", PAGE, MAX_PAGE)
    return _answer(suggest_properties(v02.get_index(), _prefix(), offset, limit, v02._languages()))


@bp.get("/preview")
def preview() -> Response:
    """The same HTML card as 0.2's preview."""
    return v02.preview()


@bp.post("/extend")
def extend() -> Response:
    """Property values for entities: ``{"ids": [...], "properties": [{"id": ...}]}``."""
    return _answer(extend_rows(v02.get_index(), _json_body(), v02._languages()))


@bp.get("/extend/propose")
def propose() -> Response:
    """Properties worth fetching for a ``type`` (required), at most ``limit``."""
    type_id = request.args.get("type", "").strip()
    if not type_id:
        raise InvalidRequest("the type parameter is required, e.g. ?type=City")
    raw_limit = request.args.get("limit")
    limit = None if raw_limit in (None, "") else positive_int(_number(raw_limit), "limit", 1000)
    return _answer(propose_properties(v02.get_index(), type_id, limit, v02._languages()))


def _number(text: str | None) -> object:
    try:
        return float(text or "")
    except ValueError:
        return text
