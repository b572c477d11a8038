"""The lean /sparql path (web/sparql_lean.py) answers exactly what the Flask endpoint answers.

Two real HTTP servers on one app: the app as served (the lean path in front of Flask) and Flask's own
WSGI app alone (``Flask.wsgi_app``, what the app was before the lean path). Each request of the table
goes to both; status, body and every header but ``Date`` and ``Server`` must agree. Then what only the
lean path does: it answers query requests without entering Flask, and a request it counted and hands
on to Flask (an error) is not counted twice.
"""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from support.servers import serving
from support.sparql import close_store
from twingraph.config import Settings
from twingraph.formats import by_media_type
from twingraph.sparql.cache import CacheKey
from twingraph.sparql.protocol import parse_request, parse_simple
from twingraph.store.base import Dataset, QueryAnswer
from twingraph.web import create_app
from twingraph.web.sparql_answer import Plan, answer_response
from twingraph.web.sparql_lean import _finish, answer_headers
from twingraph.web.state import app_state

pytestmark = [pytest.mark.server]

CITY = "https://w3id.org/twingraph/id/city/dortmund"
SELECT = f"SELECT ?p ?o WHERE {{ <{CITY}> ?p ?o }} ORDER BY ?p ?o"
DESCRIBE = f"DESCRIBE <{CITY}>"
FORM = "application/x-www-form-urlencoded"
Answer = tuple[int, dict[str, str], bytes]


@pytest.fixture(scope="module")
def lean_and_flask(release_settings: Settings) -> Iterator[tuple[Flask, str, str]]:
    """One app, served twice: as it is (lean path first) and as Flask alone; the base URLs."""
    application = create_app(dataclasses.replace(release_settings, rate_limit=1_000_000))

    def flask_alone(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return Flask.wsgi_app(application, environ, start_response)

    try:
        with serving(application) as lean, serving(flask_alone) as plain:
            yield application, lean, plain
    finally:
        close_store(application)


def send(base: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
    """One request; status, headers (Date and Server left out) and body, errors included."""
    req = urllib.request.Request(base + path, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            status, found, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, found, data = exc.code, exc.headers, exc.read()
    kept = {k: v for k, v in found.items() if k not in ("Date", "Server")}
    return status, kept, data


def query_path(query: str, **params: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query, **params})


def form(query: str) -> bytes:
    return urllib.parse.urlencode({"query": query}).encode()


# (id, method, path, body, headers): answers, 304s and the errors of each step.
REQUESTS: list[tuple[str, str, str, bytes | None, dict[str, str]]] = [
    ("get json", "GET", query_path(SELECT), None, {"Accept": "application/sparql-results+json"}),
    ("get csv param", "GET", query_path(SELECT, format="csv"), None, {}),
    (
        "get xml origin",
        "GET",
        query_path(SELECT),
        None,
        {"Accept": "application/xml", "Origin": "http://x.org"},
    ),
    ("post form", "POST", "/sparql", form(SELECT), {"Content-Type": FORM}),
    ("post direct", "POST", "/sparql", SELECT.encode(), {"Content-Type": "application/sparql-query"}),
    ("describe turtle", "POST", "/sparql", form(DESCRIBE), {"Content-Type": FORM, "Accept": "text/turtle"}),
    ("describe jsonld", "GET", query_path(DESCRIBE), None, {"Accept": "application/ld+json"}),
    ("ask", "GET", query_path("ASK { ?s ?p ?o }"), None, {}),
    ("malformed", "GET", query_path("SELECT ?s WHERE { ?s ?p }"), None, {"Accept": "application/json"}),
    ("engine syntax", "GET", query_path("SELECT ?s WHERE { ?s ?p ?o FILTER(?x = ) }"), None, {}),
    ("update param", "POST", "/sparql", b"update=CLEAR+ALL", {"Content-Type": FORM}),
    ("update in query", "GET", query_path("CLEAR ALL"), None, {}),
    ("service", "GET", query_path("ASK { SERVICE <http://x/> { ?s ?p ?o } }"), None, {}),
    ("remote from", "GET", query_path("SELECT * FROM <http://x.org/g> { ?s ?p ?o }"), None, {}),
    ("not acceptable", "GET", query_path(SELECT), None, {"Accept": "image/png"}),
    ("unknown format", "GET", query_path(SELECT, format="png"), None, {}),
    ("two queries", "GET", query_path(SELECT) + "&query=ASK%7B%7D", None, {}),
    ("bad graph iri", "GET", query_path(SELECT, **{"default-graph-uri": "not an iri"}), None, {}),
    ("bad content type", "POST", "/sparql", SELECT.encode(), {"Content-Type": "text/plain"}),
    ("post without query", "POST", "/sparql", b"x=1", {"Content-Type": FORM}),
    ("html error", "GET", query_path("SELECT"), None, {"Accept": "text/html"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS]
)
def test_lean_path_answers_as_flask(
    lean_and_flask: tuple[Flask, str, str],
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> None:
    _, lean, plain = lean_and_flask
    flask_answer = send(plain, method, path, body, headers)
    lean_answer = send(lean, method, path, body, headers)
    assert lean_answer[0] == flask_answer[0], lean_answer[2][:300]
    assert lean_answer[1] == flask_answer[1]
    assert lean_answer[2] == flask_answer[2]


def test_lean_path_revalidates_as_flask(lean_and_flask: tuple[Flask, str, str]) -> None:
    """A GET with the answer's ETag is a 304 on both paths, with the same headers."""
    _, lean, plain = lean_and_flask
    first = send(lean, "GET", query_path(SELECT), None, {})
    tag = first[1]["ETag"]
    answers = [send(base, "GET", query_path(SELECT), None, {"If-None-Match": tag}) for base in (plain, lean)]
    assert answers[0][0] == answers[1][0] == 304
    assert answers[0][1] == answers[1][1]


def test_query_requests_do_not_enter_flask(lean_and_flask: tuple[Flask, str, str]) -> None:
    """Answers, cached or not, come from the lean path; the Service Description and errors from Flask."""
    application, lean, _ = lean_and_flask
    seen: list[str] = []
    application.before_request_funcs.setdefault(None, []).append(lambda: seen.append(request.path))
    try:
        fresh = f"SELECT ?o WHERE {{ <{CITY}> ?p ?o }} LIMIT 3"
        for _ in range(2):  # run, then from the cache
            assert send(lean, "POST", "/sparql", form(fresh), {"Content-Type": FORM})[0] == 200
        assert seen == []
        assert send(lean, "GET", query_path("SELECT ?s WHERE { ?s ?p }"), None, {})[0] == 400
        assert send(lean, "GET", "/sparql", None, {"Accept": "text/turtle"})[0] == 200
        assert seen == ["/sparql", "/sparql"]
    finally:
        application.before_request_funcs[None].pop()


def test_request_counted_once_when_handed_to_flask(release_settings: Settings) -> None:
    """With a rate limit of 4: four requests answered (two of them errors the engine found, which the
    lean path counted and Flask rendered), the fifth refused with 429 and Retry-After."""
    application = create_app(dataclasses.replace(release_settings, rate_limit=4))
    engine_error = query_path("SELECT ?s WHERE { ?s ?p ?o FILTER(?x = ) }")
    try:
        with serving(application) as base:
            statuses = [
                send(base, "GET", path, None, {})[0] for path in [query_path(SELECT), engine_error] * 2
            ]
            refused = send(base, "GET", query_path(SELECT), None, {})
    finally:
        close_store(application)
    assert statuses == [200, 400, 200, 400]
    assert refused[0] == 429
    assert int(refused[1]["Retry-After"]) >= 1
    assert b"more than 4 requests a minute" in refused[2]


def test_repeated_request_after_its_answer_left_the_cache(release_settings: Settings) -> None:
    """A cache of one answer: a request, another that takes its place, the first again. The lean path
    remembered the first request, but its answer is no longer cached: it runs it again and answers
    the same (a remembered request never answers from anything but the result cache)."""
    application = create_app(dataclasses.replace(release_settings, cache_entries=1, rate_limit=1_000))
    other = f"SELECT ?p WHERE {{ <{CITY}> ?p ?o }} LIMIT 1"
    try:
        with serving(application) as base:
            first = send(base, "POST", "/sparql", form(SELECT), {"Content-Type": FORM})
            send(base, "POST", "/sparql", form(other), {"Content-Type": FORM})
            assert len(app_state(application).result_cache) == 1
            again = send(base, "POST", "/sparql", form(SELECT), {"Content-Type": FORM})
    finally:
        close_store(application)
    assert first[0] == again[0] == 200
    assert again[2] == first[2]
    assert again[1]["ETag"] == first[1]["ETag"]


@pytest.mark.parametrize("truncated", [False, True])
@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "text/csv", "text/turtle"])
def test_answer_headers_are_those_of_the_flask_response(
    release_settings: Settings, truncated: bool, media_type: str
) -> None:
    """The lean path writes an answer's headers out itself: the same as answer_response and Flask's
    hooks give (werkzeug's Response turned into WSGI headers)."""
    fmt = by_media_type(media_type)
    plan = Plan(SELECT, Dataset(), fmt, CacheKey.of("1.0.0-ab", SELECT, Dataset(), media_type), False, None)
    answer = QueryAnswer(b"body bytes", media_type, truncated)
    response = answer_response(release_settings, plan, answer)
    _finish(response)
    environ = EnvironBuilder(path="/sparql", method="POST").get_environ()
    expected = sorted(response.get_wsgi_headers(environ).to_wsgi_list())
    assert sorted(answer_headers(release_settings, plan, answer)) == expected
    assert response.status == "200 OK"


@pytest.mark.parametrize(
    ("method", "query_string", "content_type", "body"),
    [
        ("GET", "query=ASK%20%7B%7D&default-graph-uri=http%3A%2F%2Fe%2Fg&format=csv", "", b""),
        ("GET", "query=%FF%FE&named-graph-uri=", "", b""),
        ("GET", "", "", b""),
        ("GET", "query=a&query=b", "", b""),
        ("GET", "update=DROP%20ALL", "", b""),
        ("GET", "query=a&default-graph-uri=not%20an%20iri", "", b""),
        ("GET", "query=" + "a" * 600, "", b""),
        ("POST", "", FORM, b"query=SELECT+*+%7B%7D&output=json&named-graph-uri=http%3A%2F%2Fe%2Fn"),
        (
            "POST",
            "default-graph-uri=http%3A%2F%2Fe%2Fg",
            FORM,
            b"query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fe%2Fh",
        ),
        ("POST", "", FORM, b"query=caf\xc3\xa9+%ZZ"),
        ("POST", "", FORM, b"update=CLEAR+ALL"),
        ("POST", "", FORM, b""),
    ],
)
def test_simple_requests_are_read_as_werkzeug_reads_them(
    method: str, query_string: str, content_type: str, body: bytes
) -> None:
    """The lean path reads a GET or a form POST without a werkzeug Request: the same protocol request,
    or the same refusal, as parse_request gives."""
    environ = EnvironBuilder(
        path="/sparql", method=method, query_string=query_string, data=body, content_type=content_type or None
    ).get_environ()
    expected: object
    try:
        expected = parse_request(Request(environ), 512)
    except HTTPException as refused:
        expected = (type(refused), refused.description)
    try:
        found: object = parse_simple(
            method, environ["QUERY_STRING"], environ.get("CONTENT_TYPE", ""), body, 512
        )
    except HTTPException as refused:
        found = (type(refused), refused.description)
    assert found == expected


def test_a_form_that_is_not_utf8_is_left_to_werkzeug() -> None:
    assert parse_simple("POST", "", FORM, b"query=\xff", 512) is None
    assert parse_simple("POST", "", FORM + "; charset=utf-8", b"query=a", 512) is None
    assert parse_simple("POST", "", "application/sparql-query", b"ASK {}", 512) is None
