"""One /sparql query request, answered apart from how it arrived: what the Flask endpoint
(web/sparql.py) and the lean WSGI path in front of Flask (web/sparql_lean.py) share, so that both
answer a request alike.

A request is answered in two steps. :func:`plan_query` guards the query (read-only guard), negotiates
the format, derives the cache key and ETag and looks the answer up in the result cache: it counts
nothing and runs nothing, so a path may still hand the request on after it. :func:`run_query` runs it
in the store (worker processes, time limit, result limit) under a ticket of the client's fair share.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response
from werkzeug.datastructures import ETags
from werkzeug.exceptions import BadRequest, NotAcceptable, TooManyRequests

from twingraph.config import Settings
from twingraph.formats import Format
from twingraph.sparql.cache import CacheKey
from twingraph.sparql.fairness import ClientRefused, InProcessTicket, QueryTicket
from twingraph.sparql.formats import UnknownFormat, choose_format, formats_for
from twingraph.sparql.protocol import ProtocolRequest
from twingraph.sparql.syntax import explain
from twingraph.store.base import Dataset, QueryAnswer, QuerySyntaxError
from twingraph.store.results import truncation_note
from twingraph.web.state import AppState

# What a script on another origin may read of a /sparql answer (CORS, web/sparql.py and the lean path).
EXPOSED_HEADERS = ["ETag", "Retry-After", "X-Result-Limit", "X-Result-Truncated", "Content-Length"]


@dataclass(frozen=True)
class Plan:
    """What a query request asks for, guarded and negotiated; nothing counted or run yet."""

    query: str
    dataset: Dataset
    format: Format
    key: CacheKey
    not_modified: bool
    """A GET whose ``If-None-Match`` holds the answer's tag: 304."""
    cached: QueryAnswer | None
    in_process: bool = False
    """The store answers it in the web process (its work provably small): admitted without taking a
    place among the client's running queries (sparql/fairness.py)."""


def plan_query(
    state: AppState, protocol: ProtocolRequest, accept: str | None, if_none_match: ETags, method: str
) -> Plan:
    """Guard, negotiate and look up one query request (``protocol.query`` is set); raises the 4xx
    (QueryRefused, QuerySyntaxError, BadRequest, NotAcceptable) that refuses it."""
    assert protocol.query is not None
    store = state.store
    info = store.inspect(protocol.query)
    fmt = negotiate_answer(info.is_graph, accept, list(protocol.format_params))
    key = CacheKey.of(store.fingerprint, info.normalized, protocol.dataset, fmt.media_type)
    not_modified = method == "GET" and if_none_match.contains_weak(key.tag)
    cached = None if not_modified else state.result_cache.get(key)
    in_process = cached is None and not not_modified and store.in_process(protocol.query, protocol.dataset)
    return Plan(protocol.query, protocol.dataset, fmt, key, not_modified, cached, in_process)


def run_query(state: AppState, plan: Plan, ticket: QueryTicket | InProcessTicket) -> QueryAnswer:
    """Run the planned query in the store and keep its answer in the result cache."""
    try:
        answer = state.store.answer(plan.query, plan.format.media_type, plan.dataset, ticket)
    except QuerySyntaxError as exc:
        raise QuerySyntaxError(explain(plan.query, str(exc))) from exc
    state.result_cache.put(plan.key, answer)
    return answer


def negotiate_answer(graph: bool, accept: str | None, params: list[str]) -> Format:
    """The answer's format by ``format``/``output`` parameter or Accept header; 400 or 406 if none."""
    try:
        fmt = choose_format(graph, accept, params)
    except UnknownFormat as exc:
        raise BadRequest(str(exc)) from exc
    if fmt is None:
        offered = ", ".join(f.media_type for f in formats_for(graph))
        kind = "a graph (CONSTRUCT, DESCRIBE)" if graph else "a result set (SELECT, ASK)"
        raise NotAcceptable(f"this query's answer is {kind}, offered as: {offered}")
    return fmt


def answer_response(settings: Settings, plan: Plan, answer: QueryAnswer | None) -> Response:
    """The response of a planned query: its answer, or 304 when ``answer`` is None."""
    if answer is None:
        return cacheable(Response(status=304), plan.key, settings.http_max_age)
    return Response(
        answer.body, content_type=plan.format.content_type, headers=answer_fields(settings, plan, answer)
    )


def answer_fields(settings: Settings, plan: Plan, answer: QueryAnswer) -> list[tuple[str, str]]:
    """The headers the endpoint gives a query's answer (200) besides its Content-Type and Length: the
    result limit, truncation, and what :func:`cacheable` sets (Flask's hooks add CORS and security).
    The lean path (web/sparql_lean.py) writes them out with the rest."""
    limit = settings.result_limit
    fields = [("X-Result-Limit", str(limit)), ("X-Result-Truncated", "true" if answer.truncated else "false")]
    if answer.truncated:
        fields.append(("Warning", f'299 - "{truncation_note(limit)}"'))
    return [*fields, *cache_fields(plan.key, settings.http_max_age)]


def cache_fields(key: CacheKey, max_age: int) -> list[tuple[str, str]]:
    """A weak ETag from the key, Cache-Control and ``Vary: Accept``."""
    return [("ETag", f'W/"{key.tag}"'), ("Cache-Control", f"public, max-age={max_age}"), ("Vary", "Accept")]


def cacheable(response: Response, key: CacheKey, max_age: int) -> Response:
    """``response`` with :func:`cache_fields` (Vary added to what it already varies on)."""
    for name, value in cache_fields(key, max_age):
        if name == "Vary":
            response.vary.add(value)
        else:
            response.headers[name] = value
    return response


def rate_refused(per_minute: int, wait: int) -> TooManyRequests:
    """The 429 of a client over the request rate."""
    return TooManyRequests(
        f"more than {per_minute} requests a minute from this client; retry in {wait} s", retry_after=wait
    )


def share_refused(refused: ClientRefused) -> TooManyRequests:
    """The 429 of a client over its fair share."""
    wait = refused.refusal.retry_after
    return TooManyRequests(f"{refused.refusal.message}; retry in {wait} s", retry_after=wait)
