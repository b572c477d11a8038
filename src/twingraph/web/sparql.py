"""``/sparql``: the SPARQL 1.1 Protocol endpoint, its Service Description and the query UI.

A request goes: rate limit -> protocol parsing -> read-only guard -> content negotiation ->
ETag (304 when the client is current) -> result cache -> the store (worker processes, time limit,
result limit). Query requests are answered by the lean path in front of Flask (web/sparql_lean.py)
with the same steps (web/sparql_answer.py); this endpoint answers what it hands on: the Service
Description, the query UI, preflights and every error. Every answer carries an ETag derived from the
release and the normalized request, Cache-Control, Vary: Accept, the result limit and whether it was
reached, and CORS headers.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from werkzeug.exceptions import BadRequest, NotAcceptable

from twingraph.formats import HTML, formats_of, negotiate
from twingraph.namespaces import BaseNamespaces
from twingraph.sparql.cache import CacheKey
from twingraph.sparql.description import (
    DatasetStats,
    ServiceLimits,
    dataset_stats,
    limits_vocabulary,
    serialize_description,
    service_description,
)
from twingraph.sparql.examples import find_example, load_examples
from twingraph.sparql.fairness import ClientRefused, Fairness, InProcessTicket, QueryTicket
from twingraph.sparql.formats import formats_for
from twingraph.sparql.protocol import parse_request
from twingraph.sparql.ratelimit import RateLimiter
from twingraph.store.base import Dataset, Store
from twingraph.web.render import current_language
from twingraph.web.sparql_answer import (
    answer_response,
    cacheable,
    plan_query,
    rate_refused,
    run_query,
    share_refused,
)
from twingraph.web.sparql_lean import HANDED_OVER
from twingraph.web.state import current_state, get_settings, get_store

bp = Blueprint("sparql", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The protocol endpoint: a query's answer, else the Service Description or the query UI."""
    handed_over = request.environ.pop(HANDED_OVER, None)
    if isinstance(handed_over, Exception):
        # The lean path (web/sparql_lean.py) counted this request and met this error: render it here,
        # with the same handlers and headers as every other error, without counting the request again.
        raise handed_over
    state = current_state()
    settings = state.settings
    _rate_limit(state.sparql_limiter)
    protocol = parse_request(request, settings.max_request_bytes)
    store = get_store()
    if protocol.query is None:
        if request.method == "POST":
            raise BadRequest("the request holds no query: send query=... (form) or the query as the body")
        return _service(store)
    plan = plan_query(state, protocol, request.headers.get("Accept"), request.if_none_match, request.method)
    answer = plan.cached
    if answer is None and not plan.not_modified:  # only work for a query worker asks for the client's share
        with _admit(state.fairness, plan.in_process) as ticket:
            answer = run_query(state, plan, ticket)
    return answer_response(settings, plan, answer)


@bp.get("/sparql/examples/<name>")
def example(name: str) -> Response:
    """One example query as text (the IRI it has in the Service Description)."""
    found = find_example(name)
    if found is None:
        abort(404, f"there is no example query called {name!r}")
    body = found.published(get_settings().base_iri)
    return Response(body, content_type="application/sparql-query; charset=utf-8")


def _rate_limit(limiter: RateLimiter) -> None:
    """The request rate, counted for every request (cached answers too: they cost a request)."""
    wait = limiter.hit(request.remote_addr or "unknown")
    if wait is not None:
        raise rate_refused(limiter.per_minute, wait)


def _admit(fairness: Fairness, in_process: bool) -> QueryTicket | InProcessTicket:
    try:
        return fairness.admit(request.remote_addr or "unknown", in_process)
    except ClientRefused as refused:
        raise share_refused(refused) from None


def _cacheable(response: Response, key: CacheKey) -> Response:
    return cacheable(response, key, get_settings().http_max_age)


def _service(store: Store) -> Response:
    """GET without a query: the query UI for browsers, the Service Description for RDF clients."""
    graphs = formats_for(True)
    offers = [*graphs, *formats_of("page")]
    accept = request.headers.get("Accept")
    best = graphs[0] if accept is None or not accept.strip() else negotiate(offers, accept)
    if best is None:
        offered = ", ".join(f.media_type for f in graphs)
        raise NotAcceptable(f"the service is described in {offered}, and shown in text/html")
    rdf = "page" not in best.kinds
    # The query UI is written in the reader's language: its validator and Vary say so.
    variant = best.media_type if rdf else f"text/html;lang={current_language().ui}"
    key = CacheKey.of(store.fingerprint, "service", Dataset(), variant)
    if request.if_none_match.contains_weak(key.tag):
        return _vary_language(_cacheable(Response(status=304), key), rdf)
    if rdf:
        body = _description(store, best.media_type)
        return _cacheable(Response(body, content_type=best.content_type), key)
    return _vary_language(_cacheable(Response(_ui(), content_type=HTML.content_type), key), False)


def _vary_language(response: Response, rdf: bool) -> Response:
    if not rdf:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


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
    """VoID figures of the served data, computed once per app (it serves one release)."""
    return current_state().sparql_stats.get(lambda: dataset_stats(store))


def _ui() -> str:
    base = get_settings().base_iri
    lang = current_language()
    examples = [
        {
            "name": e.name,
            "title": lang.gettext(e.title),
            "description": lang.gettext(e.description),
            # The header comments in the reader's language too: they are what the editor shows first.
            "query": e.published(base)
            .replace(f"# title: {e.title}\n", f"# title: {lang.gettext(e.title)}\n", 1)
            .replace(
                f"# description: {e.description}\n", f"# description: {lang.gettext(e.description)}\n", 1
            ),
        }
        for e in load_examples()
    ]
    return render_template(
        "sparql.html",
        endpoint=url_for("sparql.endpoint", _external=True),
        examples=examples,
        settings=get_settings(),
    )
