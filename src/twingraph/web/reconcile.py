"""The W3C Reconciliation Service API 0.2 at ``/reconcile`` (OpenRefine speaks it).

Only HTTP lives here: parameters in, JSON (or JSONP) out, CORS on every answer. Matching,
suggest and data extension are plain functions in :mod:`twingraph.reconcile`; the index they
use is built once per app and kept in its state (:mod:`twingraph.web.state`).
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Flask, Response, render_template, request, url_for
from werkzeug.exceptions import TooManyRequests

from twingraph import __version__
from twingraph.reconcile import (
    InvalidRequest,
    ReconIndex,
    build_index,
    extend_json,
    propose_properties,
    reconcile_json,
    suggest_entities,
    suggest_properties,
    suggest_types,
)
from twingraph.reconcile.catalogue import DEFAULT_TYPES
from twingraph.reconcile.extend import PROPERTY_SETTINGS, applies_to
from twingraph.reconcile.present import describe, property_object, type_object
from twingraph.reconcile.saved import index_path, read_index
from twingraph.reconcile.service import MAX_BATCH, positive_int
from twingraph.reconcile.suggest import MAX_PAGE, PAGE
from twingraph.web.errors import render_error
from twingraph.web.i18n import choose_language
from twingraph.web.state import app_state, current_state, get_settings, get_store

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

PREVIEW_WIDTH = 430
PREVIEW_HEIGHT = 190
# A JSONP callback is a dotted JavaScript identifier and nothing else (no brackets, quotes, spaces).
CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$")
MAX_CALLBACK = 128


@bp.before_request
def _rate_limit() -> None:
    limiter = current_state().reconcile_limiter
    wait = limiter.hit(request.remote_addr or "unknown")
    if wait is not None:
        raise TooManyRequests(
            f"more than {limiter.per_minute} requests a minute from this client; retry in {wait} s",
            retry_after=wait,
        )


def get_index() -> ReconIndex:
    """The matching index of the served release: the one ``twingraph serve`` saved beside the release's
    database (reconcile/saved.py), else built on first use (once per app)."""
    return current_state().reconcile_index.get(_saved_or_built)


def _saved_or_built() -> ReconIndex:
    store, settings = get_store(), get_settings()
    saved = read_index(index_path(store, settings.store_cache_dir or None))
    return saved if saved is not None else build_index(store, settings.base_iri)


def load_saved_index(app: Flask) -> bool:
    """Give ``app`` the index saved for its release, if there is one (True then); builds nothing."""
    state = app_state(app)
    saved = read_index(index_path(state.store, state.settings.store_cache_dir or None))
    if saved is None:
        return False
    state.reconcile_index.get(lambda: saved)
    return True


def _languages() -> tuple[str, ...]:
    return choose_language(request).data


@bp.errorhandler(InvalidRequest)
def _invalid(exc: InvalidRequest) -> Response:
    return render_error(400, "Bad Request", str(exc))


def _answer(payload: object) -> Response:
    """JSON, or JSONP when a valid ``callback`` is given (an invalid one is refused with 400)."""
    body = json.dumps(payload, ensure_ascii=False)
    callback = request.args.get("callback")
    if callback is None:
        return Response(body + "\n", mimetype="application/json")
    if len(callback) > MAX_CALLBACK or not CALLBACK.match(callback):
        raise InvalidRequest("callback must be a JavaScript identifier (letters, digits, _, $ and dots)")
    # The leading comment keeps a reflected callback from being read as the start of another file type.
    response = Response(f"/**/{callback}({body});\n", mimetype="application/javascript")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _int_arg(name: str, default: int, maximum: int, minimum: int = 1) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise InvalidRequest(f"{name} must be at least {minimum}, not {value}")
    return min(value, maximum)


def manifest() -> dict[str, object]:
    """The service manifest: spaces, default types, view and preview templates, suggest, extend."""
    index = get_index()
    languages = _languages()
    host = request.host_url.rstrip("/")
    default_types = [
        class_iri
        for class_iri in (index.resolve_type(name) for name in DEFAULT_TYPES)
        if class_iri and any(e.types & index.subclasses(class_iri) for e in index.entities)
    ]

    def service(endpoint: str) -> dict[str, str]:
        return {"service_url": host, "service_path": url_for(endpoint)}

    return {
        "versions": ["0.2"],
        "name": "twingraph – town twinning (Städtepartnerschaften)",
        "identifierSpace": index.identifier_space,
        "schemaSpace": index.schema_space,
        "documentation": request.url_root,
        "serviceVersion": f"twingraph {__version__}, release {index.version}",
        "defaultTypes": [type_object(index, c, languages) for c in default_types],
        "view": {"url": request.url_root + "id/{{id}}"},
        "preview": {
            "url": url_for("reconcile.preview", _external=True) + "?id={{id}}",
            "width": PREVIEW_WIDTH,
            "height": PREVIEW_HEIGHT,
        },
        "suggest": {
            "entity": service("reconcile.suggest_entity"),
            "type": service("reconcile.suggest_type"),
            "property": service("reconcile.suggest_property"),
        },
        "extend": {
            "propose_properties": service("reconcile.properties"),
            "property_settings": PROPERTY_SETTINGS,
        },
        "batchSize": MAX_BATCH,
        # the Reconciliation API 1.0 draft of the same service (twingraph.web.reconcile_v1)
        "otherVersions": [
            {"versions": ["1.0-draft"], "endpoint": url_for("reconcile_v1.root", _external=True)}
        ],
    }


@bp.route("", methods=["GET", "POST"])
@bp.route("/", methods=["GET", "POST"])
def endpoint() -> Response:
    """Manifest without parameters; ``queries=`` answers a batch; ``extend=`` fetches values."""
    params = request.values
    if "queries" in params and "extend" in params:
        raise InvalidRequest("send either queries or extend, not both")
    if "queries" in params:
        return _answer(reconcile_json(get_index(), params["queries"], _languages()))
    if "extend" in params:
        return _answer(extend_json(get_index(), params["extend"], _languages()))
    response = _answer(manifest())
    v1 = url_for("reconcile_v1.root", _external=True)
    response.headers["Link"] = f'<{v1}>; rel="alternate"; type="application/json"'
    return response


@bp.get("/suggest/entity")
def suggest_entity() -> Response:
    """Entities by name prefix or identifier (``prefix``, ``cursor``; optional ``type``, ``limit``)."""
    prefix = _prefix()
    found = suggest_entities(
        get_index(),
        prefix,
        _int_arg("cursor", 0, 1_000_000, minimum=0),
        _int_arg("limit", PAGE, MAX_PAGE),
        request.args.get("type") or None,
        _languages(),
    )
    return _answer(found)


@bp.get("/suggest/type")
def suggest_type() -> Response:
    """Types (ontology classes) by label prefix in any language."""
    prefix = _prefix()
    cursor, limit = _int_arg("cursor", 0, 1_000_000, minimum=0), _int_arg("limit", PAGE, MAX_PAGE)
    return _answer(suggest_types(get_index(), prefix, cursor, limit, _languages()))


@bp.get("/suggest/property")
def suggest_property() -> Response:
    """Properties by id, name or alias prefix."""
    prefix = _prefix()
    cursor, limit = _int_arg("cursor", 0, 1_000_000, minimum=0), _int_arg("limit", PAGE, MAX_PAGE)
    return _answer(suggest_properties(get_index(), prefix, cursor, limit, _languages()))


def _prefix() -> str:
    prefix = request.args.get("prefix")
    if prefix is None:
        raise InvalidRequest("the prefix parameter is required")
    return prefix


@bp.get("/properties")
def properties() -> Response:
    """Data extension property proposals for a ``type`` (all properties without one)."""
    raw_limit = request.args.get("limit")
    limit = None if raw_limit in (None, "") else positive_int(_number(raw_limit), "limit", 1000)
    return _answer(propose_properties(get_index(), request.args.get("type") or None, limit, _languages()))


def _number(text: str | None) -> object:
    try:
        return float(text or "")
    except ValueError:
        return text


@bp.get("/preview")
def preview() -> Response:
    """An HTML card for one entity, small enough for the client's preview iframe."""
    entity_id = request.args.get("id", "").strip()
    if not entity_id:
        raise InvalidRequest("the id parameter is required, e.g. ?id=city/amiens")
    index = get_index()
    entity = index.entity(entity_id)
    if entity is None:
        return render_error(404, "Not Found", f"no entity with id {entity_id!r}")
    languages = _languages()
    facts: list[tuple[object, list[str], int]] = []
    for spec in index.properties.values():
        values = entity.values.get(spec.id, [])
        if (
            not values
            or spec.id in ("wikidata", "geonames")
            or not any(applies_to(index, spec, t) for t in entity.types)
        ):
            continue
        shown = [index.name_of(str(v), languages) if spec.kind == "entity" else str(v) for v in values[:6]]
        if shown in (fact[1] for fact in facts):
            continue  # each relation once: an alignment twin (start / start year) says the same again
        more = len(values) - len(shown)
        facts.append((property_object(index, spec, languages)["name"], shown, more))
    html = render_template(
        "reconcile_preview.html",
        lang=languages[0],
        entity=entity,
        name=index.display_name(entity, languages),
        description=describe(index, entity, languages),
        # curated names and labels; a dataset's dozens of alternate names (GeoNames) only counted
        names=sorted(
            {(n.text, n.lang, n.alt) for n in entity.names if n.fuzzy}, key=lambda n: (n[2], n[1], n[0])
        ),
        more_names=len({n.text for n in entity.names if not n.fuzzy}),
        qids=entity.values.get("wikidata", []),
        geonames=entity.values.get("geonames", []),
        facts=facts,
        page_url=request.url_root + "id/" + entity.id,
        width=PREVIEW_WIDTH,
        height=PREVIEW_HEIGHT,
    )
    return Response(html, mimetype="text/html")
