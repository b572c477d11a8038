"""``/sparql``: the SPARQL 1.1 Protocol endpoint, its Service Description and the query UI.

A request goes: rate limit -> protocol parsing -> read-only guard -> content negotiation ->
ETag (304 when the client is current) -> result cache -> the store (worker processes, time limit,
result limit). Every answer carries an ETag derived from the release and the normalized request,
Cache-Control, Vary: Accept, the result limit and whether it was reached, and CORS headers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_cors import CORS
from werkzeug.exceptions import BadRequest, NotAcceptable, TooManyRequests

from twingraph.namespaces import BaseNamespaces
from twingraph.sparql import guard
from twingraph.sparql.cache import CacheKey, ResultCache
from twingraph.sparql.description import (
    DatasetStats,
    ServiceLimits,
    dataset_stats,
    limits_vocabulary,
    serialize_description,
    service_description,
)
from twingraph.sparql.examples import find_example, load_examples
from twingraph.sparql.fairness import ClientRefused, Fairness, FairShare, QueryTicket
from twingraph.sparql.formats import Format, UnknownFormat, choose_format, formats_for
from twingraph.sparql.protocol import parse_request
from twingraph.sparql.ratelimit import RateLimiter
from twingraph.store.base import Dataset, Store
from twingraph.store.results import truncation_note
from twingraph.web import SETTINGS_KEY, get_settings, get_store
from twingraph.web.clients import app_ledger

bp = Blueprint("sparql", __name__)
SERVICE_KEY = "twingraph.sparql"
EXPOSED_HEADERS = ["ETag", "Retry-After", "X-Result-Limit", "X-Result-Truncated", "Content-Length"]


@dataclass
class SparqlService:
    """What the endpoint keeps between requests: the result cache, the rate limiter, the clients'
    fair shares of the query workers, VoID figures."""

    cache: ResultCache
    limiter: RateLimiter
    fairness: Fairness
    stats: dict[str, DatasetStats] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    assert isinstance(app, Flask)
    settings = app.extensions[SETTINGS_KEY]
    app.extensions[SERVICE_KEY] = SparqlService(
        cache=ResultCache(settings.cache_entries, settings.cache_max_bytes),
        limiter=RateLimiter(settings.rate_limit, app_ledger(app)),
        fairness=Fairness(app_ledger(app), FairShare.from_settings(settings)),
    )
    # CORS on every /sparql response, errors and preflights included (flask-cors handles both).
    CORS(
        app,
        resources={r"/sparql.*": {"origins": "*"}},
        send_wildcard=True,
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )


def get_service() -> SparqlService:
    """The endpoint's state in the running app."""
    service: SparqlService = current_app.extensions[SERVICE_KEY]
    return service


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The protocol endpoint: a query's answer, else the Service Description or the query UI."""
    service = get_service()
    settings = get_settings()
    _rate_limit(service)
    protocol = parse_request(request, settings.max_request_bytes)
    store = get_store()
    if protocol.query is None:
        if request.method == "POST":
            raise BadRequest("the request holds no query: send query=... (form) or the query as the body")
        return _service(store)
    info = guard.inspect_query(protocol.query, settings.base_iri, set(store.graphs()))
    fmt = _negotiate(info.is_graph, list(protocol.format_params))
    key = CacheKey.of(store.fingerprint, info.normalized, protocol.dataset, fmt.media_type)
    if request.method == "GET" and request.if_none_match.contains_weak(key.tag):
        return _cacheable(Response(status=304), key)
    answer = service.cache.get(key)
    if answer is None:  # only work for a query worker asks for the client's share
        with _admit(service) as ticket:
            answer = store.answer(protocol.query, fmt.media_type, protocol.dataset, ticket)
        service.cache.put(key, answer)
    response = Response(answer.body, content_type=fmt.content_type)
    response.headers["X-Result-Limit"] = str(settings.result_limit)
    response.headers["X-Result-Truncated"] = "true" if answer.truncated else "false"
    if answer.truncated:
        response.headers["Warning"] = f'299 - "{truncation_note(settings.result_limit)}"'
    return _cacheable(response, key)


@bp.get("/sparql/examples/<name>")
def example(name: str) -> Response:
    """One example query as text (the IRI it has in the Service Description)."""
    found = find_example(name)
    if found is None:
        abort(404, f"there is no example query called {name!r}")
    body = found.published(get_settings().base_iri)
    return Response(body, content_type="application/sparql-query; charset=utf-8")


def _rate_limit(service: SparqlService) -> None:
    """The request rate, counted for every request (cached answers too: they cost a request)."""
    wait = service.limiter.hit(request.remote_addr or "unknown")
    if wait is not None:
        raise TooManyRequests(
            f"more than {service.limiter.per_minute} requests a minute from this client; retry in {wait} s",
            retry_after=wait,
        )


def _admit(service: SparqlService) -> QueryTicket:
    try:
        return service.fairness.admit(request.remote_addr or "unknown")
    except ClientRefused as refused:
        wait = refused.refusal.retry_after
        raise TooManyRequests(f"{refused.refusal.message}; retry in {wait} s", retry_after=wait) from None


def _negotiate(graph: bool, params: list[str]) -> Format:
    try:
        fmt = choose_format(graph, request.accept_mimetypes, request.headers.get("Accept"), params)
    except UnknownFormat as exc:
        raise BadRequest(str(exc)) from exc
    if fmt is None:
        offered = ", ".join(f.media_type for f in formats_for(graph))
        kind = "a graph (CONSTRUCT, DESCRIBE)" if graph else "a result set (SELECT, ASK)"
        raise NotAcceptable(f"this query's answer is {kind}, offered as: {offered}")
    return fmt


def _cacheable(response: Response, key: CacheKey) -> Response:
    response.set_etag(key.tag, weak=True)
    response.headers["Cache-Control"] = f"public, max-age={get_settings().http_max_age}"
    response.vary.add("Accept")
    return response


def _service(store: Store) -> Response:
    """GET without a query: the query UI for browsers, the Service Description for RDF clients."""
    offers = {f.media_type: f for f in formats_for(True)}
    accept = request.headers.get("Accept")
    best: str | None = "text/turtle"
    if accept is not None and accept.strip():
        best = request.accept_mimetypes.best_match([*offers, "text/html", "application/xhtml+xml"])
    if best is None:
        raise NotAcceptable(f"the service is described in {', '.join(offers)}, and shown in text/html")
    key = CacheKey.of(store.fingerprint, "service", Dataset(), best)
    if request.if_none_match.contains_weak(key.tag):
        return _cacheable(Response(status=304), key)
    if best in offers:
        body = _description(store, best)
        return _cacheable(Response(body, content_type=offers[best].content_type), key)
    return _cacheable(Response(_ui(), content_type="text/html; charset=utf-8"), key)


def _description(store: Store, media_type: str) -> bytes:
    settings = get_settings()
    triples = service_description(
        endpoint=url_for("sparql.endpoint", _external=True),
        base_iri=settings.base_iri,
        version=store.version,
        stats=_stats(store),
        limits=ServiceLimits(
            settings.query_timeout,
            settings.result_limit,
            settings.rate_limit,
            settings.max_request_bytes,
            client_queries=settings.client_queries,
            client_query_seconds=settings.client_query_seconds,
            client_slow_queries=settings.client_slow_queries,
            fast_lane_seconds=settings.fast_lane_seconds if settings.store == "embedded" else 0.0,
        ),
        examples=load_examples(),
    )
    prefixes = {**BaseNamespaces(settings.base_iri).prefixes(), "tgsd": limits_vocabulary(settings.base_iri)}
    return serialize_description(triples, media_type, prefixes)


def _stats(store: Store) -> DatasetStats:
    """VoID figures of the served data, computed once per release."""
    service = get_service()
    with service.lock:
        cached = service.stats.get(store.fingerprint)
    if cached is None:
        cached = dataset_stats(store)
        with service.lock:
            service.stats[store.fingerprint] = cached
    return cached


def _ui() -> str:
    base = get_settings().base_iri
    examples = [
        {"name": e.name, "title": e.title, "description": e.description, "query": e.published(base)}
        for e in load_examples()
    ]
    return render_template(
        "sparql.html",
        endpoint=url_for("sparql.endpoint", _external=True),
        examples=examples,
        settings=get_settings(),
    )
