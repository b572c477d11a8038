"""The lean path of ``/sparql``: query requests answered in plain WSGI, before Flask.

A query answer costs the engine a fraction of a millisecond; Flask's request and app contexts, URL
routing, its hooks and flask-cors cost more than that on every request (issue 17's profile: a third
of a light query's time). This middleware, installed by ``create_app`` around Flask's own WSGI app,
answers query requests (GET and POST of ``/sparql`` that carry a query) with the same steps as the
Flask endpoint (web/sparql_answer.py) and nothing else:

1. read the protocol request (werkzeug's parsers, sparql/protocol.py), guard the query, negotiate
   the format, look the answer up in the result cache. Nothing is counted yet, so anything this step
   refuses, and everything that is not a query (the Service Description, the query UI, preflights),
   goes to Flask untouched (the body rewound), which counts it and answers as it always did;
2. count the request against the rate limit (and, when it must run, admit it under the client's fair
   share), run it in the query worker processes (time limit, result
   limit, slow lane), and answer with the headers Flask's hooks give a ``/sparql`` answer (CORS, the
   security headers). An error met here (429, 422, 503, a syntax error the engine found) is handed to
   Flask in the WSGI environ (``HANDED_OVER``), which renders it like every other error without
   counting the request a second time.

A request sent again as it was (same method, query string, body, Content-Type and Accept) whose answer
is still in the result cache skips step 1: its plan and its answer's status and headers are
remembered (a bounded number, small requests only), so a repeated query costs a dictionary look-up,
the rate limit's count and the write of the cached bytes.
"""

from __future__ import annotations

import dataclasses
import io
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response
from werkzeug.datastructures import ETags
from werkzeug.wrappers import Request

from twingraph.config import Settings
from twingraph.sparql.fairness import ClientRefused, InProcessTicket, QueryTicket
from twingraph.sparql.protocol import ProtocolRequest, parse_request, parse_simple
from twingraph.store.base import QueryAnswer
from twingraph.web.security import headers_for
from twingraph.web.sparql_answer import (
    EXPOSED_HEADERS,
    Plan,
    answer_fields,
    answer_response,
    plan_query,
    rate_refused,
    run_query,
    share_refused,
)
from twingraph.web.state import AppState, app_state

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
HANDED_OVER = "twingraph.sparql.handed_over"
ENDPOINT = "sparql.endpoint"
PATH = "/sparql"
# The headers flask-cors gives every /sparql answer (web/sparql.py's CORS(...) with send_wildcard):
# the wildcard origin and the exposed headers, sorted as flask-cors joins them.
EXPOSED = ", ".join(sorted(EXPOSED_HEADERS))
CORS_HEADERS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED))
PRIVATE_NETWORK = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"
MEMO_ENTRIES = 2048  # requests remembered per app, with their plan and their answer's headers
MEMO_REQUEST_BYTES = 8192  # larger requests are planned anew each time
OK = "200 OK"
NO_TAGS = ETags()


class LeanSparql:
    """WSGI middleware: query requests of ``/sparql`` answered here, everything else by ``flask_wsgi``."""

    def __init__(self, app: Flask, flask_wsgi: WSGIApp) -> None:
        """Answer for ``app`` (its state is read at each request: a release app's rate limiter is set
        after it is made) in front of ``flask_wsgi``, Flask's own WSGI callable."""
        self._app = app
        self._flask = flask_wsgi
        self._known: dict[tuple[str, ...], _Known] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != PATH or method not in ("GET", "POST") or PRIVATE_NETWORK in environ:
            return self._flask(environ, start_response)
        state = app_state(self._app)
        body = _read_body(environ, state.settings.max_request_bytes)
        if body is None:  # too large, or of no stated length: Flask says why (or streams it)
            return self._flask(environ, start_response)
        client = environ.get("REMOTE_ADDR") or "unknown"
        seen = _request_key(environ, body)
        known = self._known.get(seen) if seen is not None else None
        cached = state.result_cache.get(known.plan.key) if known is not None else None
        if known is not None and cached is not None and cached is known.answer():
            # The same request as before, its answer still cached: only the count is left to do.
            wait = state.sparql_limiter.hit(client)
            if wait is None:
                start_response(known.status, list(known.headers))
                return [cached.body]
            environ[HANDED_OVER] = rate_refused(state.sparql_limiter.per_minute, wait)
            return self._flask(_rewound(environ, body), start_response)
        try:
            protocol, accept, if_none_match = _protocol(
                environ, method, body, state.settings.max_request_bytes
            )
            if protocol.query is None:
                return self._flask(_rewound(environ, body), start_response)
            plan = plan_query(state, protocol, accept, if_none_match, method)
        except Exception:  # a refusal (4xx) or a fault: Flask counts the request and answers it
            return self._flask(_rewound(environ, body), start_response)
        try:
            answer = _answer(state, plan, client)
        except Exception as exc:  # counted already: Flask renders the error without counting again
            environ[HANDED_OVER] = exc
            return self._flask(_rewound(environ, body), start_response)
        if answer is None:  # a 304
            response = answer_response(state.settings, plan, answer)
            _finish(response)
            return response(environ, start_response)
        headers = answer_headers(state.settings, plan, answer)
        if seen is not None:
            kept = dataclasses.replace(plan, cached=None)  # no strong reference to the answer
            self._remember(seen, _Known(kept, weakref.ref(answer), OK, headers))
        start_response(OK, list(headers))
        return [answer.body]

    def _remember(self, seen: tuple[str, ...], known: _Known) -> None:
        """Keep a request's plan and its answer's headers (a bounded number: all are dropped at once
        when full, as the page caches do)."""
        if len(self._known) >= MEMO_ENTRIES:
            self._known.clear()
        self._known[seen] = known


@dataclass(frozen=True)
class _Known:
    """A request answered before: its plan, and the status and headers of its answer (the answer
    itself only weakly: the result cache alone decides how long an answer is kept, and the memo must
    not keep answers alive past the cache's byte budget)."""

    plan: Plan
    answer: weakref.ref[QueryAnswer]
    status: str
    headers: list[tuple[str, str]]


def _protocol(
    environ: dict[str, Any], method: str, body: bytes, max_bytes: int
) -> tuple[ProtocolRequest, str | None, ETags]:
    """The protocol request, its Accept header and its If-None-Match: read from the environ for a
    plain GET or form POST (sparql/protocol.py, ``parse_simple``), else through a werkzeug Request."""
    if "HTTP_IF_NONE_MATCH" not in environ:
        query_string = environ.get("QUERY_STRING", "")
        content_type = environ.get("CONTENT_TYPE", "")
        simple = parse_simple(method, query_string, content_type, body, max_bytes)
        if simple is not None:
            return simple, environ.get("HTTP_ACCEPT"), NO_TAGS
    request = Request(environ)
    return parse_request(request, max_bytes), request.headers.get("Accept"), request.if_none_match


def _request_key(environ: dict[str, Any], body: bytes) -> tuple[str, ...] | None:
    """What a query request's answer depends on, as sent (method, query string, body, Content-Type,
    Accept), for requests small enough to remember; None for a revalidation (If-None-Match) or a
    large request."""
    query_string = environ.get("QUERY_STRING", "")
    if "HTTP_IF_NONE_MATCH" in environ or len(body) + len(query_string) > MEMO_REQUEST_BYTES:
        return None
    return (
        environ["REQUEST_METHOD"],
        query_string,
        body.decode("latin-1"),
        environ.get("CONTENT_TYPE", ""),
        environ.get("HTTP_ACCEPT", ""),
    )


def _answer(state: AppState, plan: Plan, client: str) -> QueryAnswer | None:
    """Count the request; the cached answer, None for a 304, or the answer of the query run now."""
    limiter = state.sparql_limiter
    if plan.not_modified or plan.cached is not None:
        wait = limiter.hit(client)
        if wait is not None:
            raise rate_refused(limiter.per_minute, wait)
        return plan.cached
    with _admit(state, client, plan.in_process) as ticket:
        return run_query(state, plan, ticket)


def _admit(state: AppState, client: str, in_process: bool) -> QueryTicket | InProcessTicket:
    """Count the request and admit its query under the client's fair share (429 beyond either)."""
    limiter = state.sparql_limiter
    wait = limiter.hit(client)
    if wait is not None:
        raise rate_refused(limiter.per_minute, wait)
    try:
        return state.fairness.admit(client, in_process)
    except ClientRefused as refused:
        raise share_refused(refused) from None


def _read_body(environ: dict[str, Any], max_bytes: int) -> bytes | None:
    """The request body (b"" for a GET), read once so that Flask can be handed the request after
    it; None when it is larger than ``max_bytes`` or its length is not given."""
    if environ.get("REQUEST_METHOD") != "POST":
        return b""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if length < 0 or length > max_bytes:
        return None
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _rewound(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    """``environ`` with its body to be read again from the start."""
    environ["wsgi.input"] = io.BytesIO(body)
    environ.pop("werkzeug.request", None)
    return environ


def answer_headers(settings: Settings, plan: Plan, answer: QueryAnswer) -> list[tuple[str, str]]:
    """The headers of a query's answer (200) as :func:`answer_response` and Flask's hooks give them
    (a test compares the two), written out directly: werkzeug's Response and Headers objects were a
    fifth of a light query's time in the web process."""
    return [
        ("Content-Type", plan.format.content_type),
        ("Content-Length", str(len(answer.body))),
        *answer_fields(settings, plan, answer),
        *CORS_HEADERS,
        *headers_for(ENDPOINT, plan.format.media_type),
    ]


def _finish(response: Response) -> None:
    """The headers Flask's hooks add to a /sparql answer: CORS and the security headers."""
    headers = response.headers
    for name, value in CORS_HEADERS:
        headers.add(name, value)
    for name, value in headers_for(ENDPOINT, response.mimetype or ""):
        headers[name] = value


def install(app: Flask) -> None:
    """Put the lean path in front of ``app``'s Flask WSGI app (inside ProxyFix and the release
    dispatcher, which are installed after it)."""
    app.wsgi_app = LeanSparql(app, app.wsgi_app)  # type: ignore[method-assign]
