"""/sparql on the Dortmund release: negotiation, caching, limits, refusals, the Service Description.

In-process (Flask's test client) for speed; the same app runs under a real HTTP server in the
protocol, client and browser tests.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import html
import io
import json
import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.sparql import close_store
from twingraph.config import Settings
from twingraph.sparql.examples import load_examples
from twingraph.web import create_app
from twingraph.web.state import app_state

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/twingraph/ontology#City> } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"


def get(client: FlaskClient, query: str, accept: str | None = None, **params: str) -> object:
    headers = {"Accept": accept} if accept is not None else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


@pytest.fixture(scope="module")
def custom_app(release_settings: Settings) -> Iterator[object]:
    """Make apps on the Dortmund release with changed settings; their workers end with the module."""
    made: list[Flask] = []

    def make(**changes: object) -> Flask:
        application = create_app(dataclasses.replace(release_settings, **changes))  # type: ignore[arg-type]
        made.append(application)
        return application

    yield make
    for application in made:
        close_store(application)


# --- Content negotiation: one row per Accept header, as Oxigraph's own test table does ---

SELECT_ACCEPT = [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ("text/*", "text/csv"),
    ("text/html, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
]


@pytest.mark.parametrize(("accept", "expected"), SELECT_ACCEPT)
def test_select_negotiation(client: FlaskClient, accept: str | None, expected: str) -> None:
    response = get(client, SELECT, accept)
    assert response.status_code == 200, response.text
    assert response.mimetype == expected
    if expected == "text/csv":  # lossy: no RDF parser reads it back, the csv module does
        rows: list[object] = list(csv.DictReader(io.StringIO(response.data.decode())))
    else:
        fmt = ox.QueryResultsFormat.from_media_type(expected)
        assert fmt is not None
        rows = list(ox.parse_query_results(response.data, format=fmt))  # type: ignore[arg-type]
    assert len(rows) >= 13  # Dortmund and its partner cities
    assert "Accept" in response.headers["Vary"]


CONSTRUCT_ACCEPT = [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/trig", "application/trig"),
    ("application/n-quads", "application/n-quads"),
    ("text/plain", "application/n-triples"),
    ("application/xml;q=0.1, text/turtle;q=0.2", "text/turtle"),
]


@pytest.mark.parametrize(("accept", "expected"), CONSTRUCT_ACCEPT)
def test_construct_negotiation(client: FlaskClient, accept: str | None, expected: str) -> None:
    response = get(client, CONSTRUCT, accept)
    assert response.status_code == 200, response.text
    assert response.mimetype == expected
    fmt = ox.RdfFormat.from_media_type(expected)
    assert fmt is not None
    assert len(list(ox.parse(response.data, format=fmt))) == 5


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT, "text/turtle"),
        (CONSTRUCT, "text/csv"),
        (SELECT, "image/png"),
        (CONSTRUCT, "application/sparql-results+json"),
    ],
)
def test_406_when_nothing_fits(client: FlaskClient, query: str, accept: str) -> None:
    response = get(client, query, accept)
    assert response.status_code == 406
    assert "offered as" in response.text


@pytest.mark.parametrize(
    ("params", "query", "expected"),
    [
        ({"format": "csv"}, SELECT, "text/csv"),
        ({"format": "xml"}, SELECT, "application/sparql-results+xml"),
        ({"output": "tsv"}, SELECT, "text/tab-separated-values"),
        ({"format": "json"}, CONSTRUCT, "application/ld+json"),
        ({"format": "xml"}, CONSTRUCT, "application/rdf+xml"),
        ({"format": "application/n-triples"}, CONSTRUCT, "application/n-triples"),
    ],
)
def test_format_parameter_wins_over_accept(
    client: FlaskClient, params: dict[str, str], query: str, expected: str
) -> None:
    response = get(client, query, "application/sparql-results+json, text/turtle", **params)
    assert response.status_code == 200
    assert response.mimetype == expected


def test_unknown_format_parameter_is_a_400(client: FlaskClient) -> None:
    response = get(client, SELECT, None, format="png")
    assert response.status_code == 400
    assert "png" in response.text


def test_head_has_the_get_headers_and_no_body(client: FlaskClient) -> None:
    full = get(client, SELECT, "text/csv")
    head = client.head("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == full.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(full.data))


def test_post_form_and_post_direct_answer_like_get(client: FlaskClient) -> None:
    by_get = get(client, SELECT, "text/csv").data
    by_form = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "text/csv"}).data
    direct = client.post(
        "/sparql",
        data=SELECT.encode(),
        content_type="application/sparql-query",
        headers={"Accept": "text/csv"},
    ).data
    assert by_get == by_form == direct


# --- CORS on every response ---


@pytest.mark.parametrize(
    "request_args",
    [
        {"method": "GET", "query_string": {"query": SELECT}},
        {"method": "GET", "query_string": {"query": "SELECT * {"}},
        {"method": "POST", "data": "CLEAR ALL", "content_type": "application/sparql-update"},
        {"method": "PUT", "query_string": {"query": SELECT}},
        {"method": "GET", "headers": {"Accept": "text/turtle"}},
    ],
)
def test_cors_on_every_response(client: FlaskClient, request_args: dict[str, object]) -> None:
    response = client.open(
        "/sparql",
        headers={"Origin": "https://example.org", **request_args.pop("headers", {})},
        **request_args,
    )  # type: ignore[arg-type]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


# --- ETag, 304, result cache ---


def test_etag_and_304(client: FlaskClient) -> None:
    first = get(client, SELECT, "text/csv")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get(
        "/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv", "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = get(client, SELECT, "text/tab-separated-values")
    assert other.headers["ETag"] != etag, "the format is part of the ETag"
    stale = client.get(
        "/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv", "If-None-Match": 'W/"x"'}
    )
    assert stale.status_code == 200


def test_normalized_query_shares_etag(client: FlaskClient) -> None:
    a = get(
        client, "select ?s where { ?s a <https://w3id.org/twingraph/ontology#City> } order by ?s", "text/csv"
    )
    b = get(client, SELECT + "  # the same query, other layout", "text/csv")
    assert a.headers["ETag"] == b.headers["ETag"]
    assert a.data == b.data


def test_repeated_query_comes_from_the_cache(custom_app: object) -> None:
    application = custom_app()  # type: ignore[operator]
    client = application.test_client()
    state = app_state(application)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    first = get(client, query, "text/csv")
    misses = state.result_cache.misses
    pool = state.store.pool()
    pids = pool.pids()
    second = get(client, "select (count(*) as ?n) where {?s ?p ?o}", "text/csv")
    assert second.data == first.data
    assert state.result_cache.misses == misses and state.result_cache.hits >= 1
    assert pool.pids() == pids


# --- Limits and refusals ---


def test_result_cap_is_stated(custom_app: object) -> None:
    client = custom_app(result_limit=5).test_client()  # type: ignore[operator]
    response = get(client, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "true"
    assert response.headers["X-Result-Limit"] == "5"
    assert "result limit of 5" in response.headers["Warning"]
    document = json.loads(response.data)
    assert len(document["results"]["bindings"]) == 5
    assert document["truncated"] is True and "5" in document["note"]
    graph = get(client, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert graph.headers["X-Result-Truncated"] == "true"
    assert len(graph.data.decode().strip().splitlines()) == 5
    small = get(client, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", "text/csv")
    assert small.headers["X-Result-Truncated"] == "false"


def test_rate_limit_429_with_retry_after(custom_app: object) -> None:
    client = custom_app(rate_limit=3).test_client()  # type: ignore[operator]
    statuses = [get(client, "ASK {}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = get(client, "ASK {}")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "requests a minute" in refused.text


def test_request_size_limit_413(custom_app: object) -> None:
    client = custom_app(max_request_bytes=2000).test_client()  # type: ignore[operator]
    long_query = "ASK { " + " ".join(f"<urn:x:{i}> ?p ?o ." for i in range(200)) + " }"
    assert (
        client.post("/sparql", data=long_query.encode(), content_type="application/sparql-query").status_code
        == 413
    )
    assert client.post("/sparql", data={"query": long_query}).status_code == 413
    assert get(client, long_query).status_code == 413
    assert get(client, "ASK {}").status_code == 200


@pytest.mark.parametrize(
    ("query", "position"),
    [("SELECT * WHERE { ?s ?p }", "1:"), ("SELECT *\nWHERE { ?s ?p ?o ", "2:"), ("ASK { ?s ?p ?o } }", "1:")],
)
def test_malformed_query_400_with_position(client: FlaskClient, query: str, position: str) -> None:
    response = get(client, query)
    assert response.status_code == 400
    assert "malformed query" in response.text or "syntax error" in response.text
    assert f"at {position}" in response.text or f"line {position[0]}" in response.text


@pytest.mark.parametrize(
    ("query", "status", "title"),
    [
        ("SELECT * WHERE { ?s ?p }", 400, "Malformed Query"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "Query Refused"),
    ],
)
def test_error_answers_name_the_error_in_words(
    client: FlaskClient, query: str, status: int, title: str
) -> None:
    """The ``error`` field of a JSON error and the first words of a text error are a title a person
    reads (as the SPARQL protocol names its faults), never the server's Python class name."""
    as_json = get(client, query, "application/json")
    assert as_json.status_code == status
    assert as_json.json is not None and as_json.json["error"] == title
    as_text = get(client, query)  # no Accept: the error in plain text
    assert as_text.text.startswith(f"{status} {title}: ")
    assert "Error" not in as_text.text.split(":", 1)[0]


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("select * where { service silent <http://example.org/> { ?s ?p ?o } }", "SERVICE"),
        (
            "SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }",
            "FROM <http://example.org/remote.ttl>",
        ),
        ("SELECT * FROM NAMED <http://example.org/remote.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
        ("LOAD <http://example.org/data.ttl>", "read-only"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
        ("CLEAR ALL", "read-only"),
    ],
)
def test_refused_with_a_reason(client: FlaskClient, query: str, why: str) -> None:
    response = get(client, query, "text/plain")
    assert response.status_code == 403
    assert why in response.text


def test_update_operation_refused(client: FlaskClient) -> None:
    for response in (
        client.post("/sparql", data={"update": "CLEAR ALL"}),
        client.post("/sparql", data=b"CLEAR ALL", content_type="application/sparql-update"),
        client.get("/sparql", query_string={"update": "CLEAR ALL"}),
    ):
        assert response.status_code == 403
        assert "read-only" in response.text
    assert get(client, "ASK { ?s ?p ?o }", format="json").json["boolean"] is True  # type: ignore[index]


def test_from_a_local_graph_is_allowed(client: FlaskClient) -> None:
    graph = "https://w3id.org/twingraph/id/source/dortmund-de-amiens"
    response = get(client, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}", "text/csv")
    assert response.status_code == 200
    assert int(response.data.decode().split()[-1]) > 100


def test_nothing_is_fetched_for_service(client: FlaskClient) -> None:
    """A listener on 127.0.0.1 proves that no connection is made for a SERVICE clause."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            connections.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    response = get(client, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
    thread.join()
    listener.close()
    assert response.status_code == 403
    assert connections == []


def test_unknown_dataset_graph_is_empty(client: FlaskClient) -> None:
    response = get(client, "ASK { ?s ?p ?o }", None, **{"default-graph-uri": "http://example.org/nothing"})
    assert response.status_code == 200
    assert response.json["boolean"] is False  # type: ignore[index]


def test_union_default_graph_counts_each_triple_once(client: FlaskClient) -> None:
    """A fact stated by two sources is one triple of the default graph (not one per graph)."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    union = int(get(client, query, "text/csv").data.split()[-1])
    merged = int(get(client, distinct, "text/csv").data.split()[-1])
    assert union == merged > 1000


# --- The Service Description and the UI ---


def parse_description(client: FlaskClient, accept: str = "text/turtle") -> list[ox.Triple]:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    fmt = ox.RdfFormat.from_media_type(response.mimetype)
    assert fmt is not None
    return [q.triple for q in ox.parse(response.data, format=fmt)]


def values(triples: list[ox.Triple], predicate: str) -> list[str]:
    return [t.object.value for t in triples if t.predicate.value == predicate]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
)
def test_service_description(client: FlaskClient, accept: str) -> None:
    triples = parse_description(client, accept)
    types = values(triples, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert SD + "Service" in types
    assert values(triples, SD + "endpoint") == ["http://localhost/sparql"]
    assert SD + "SPARQL11Query" in values(triples, SD + "supportedLanguage")
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in values(triples, SD + "resultFormat")
    assert SD + "UnionDefaultGraph" in values(triples, SD + "feature")
    assert SD + "BasicFederatedQuery" not in values(triples, SD + "feature")


def test_service_description_statistics_and_limits(client: FlaskClient, release_settings: Settings) -> None:
    triples = parse_description(client)
    count = get(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv").data.split()[-1]
    default = [t for t in triples if t.subject.value == "http://localhost/sparql#default-graph"]  # type: ignore[union-attr]
    assert values(default, VOID + "triples") == [count.decode()]
    named = values(triples, SD + "name")
    assert "https://w3id.org/twingraph/id/source/dortmund-de-amiens" in named
    vocab = release_settings.base_iri + "sparql#"
    assert values(triples, vocab + "resultLimit") == [str(release_settings.result_limit)]
    assert values(triples, vocab + "queryTimeout") == [f"{release_settings.query_timeout:g}"]
    assert values(triples, vocab + "rateLimit") == [str(release_settings.rate_limit)]
    assert values(triples, vocab + "maxRequestBytes") == [str(release_settings.max_request_bytes)]
    comment = values(triples, "http://www.w3.org/2000/01/rdf-schema#comment")
    assert any("X-Result-Truncated" in c for c in comment)


def test_service_description_publishes_every_example(client: FlaskClient) -> None:
    triples = parse_description(client)
    sh = "http://www.w3.org/ns/shacl#"
    executables = {t.subject.value for t in triples if t.object == ox.NamedNode(sh + "SPARQLExecutable")}  # type: ignore[union-attr]
    assert len(executables) == len(load_examples()) >= 12
    texts = values(triples, sh + "select") + values(triples, sh + "ask") + values(triples, sh + "construct")
    assert all(text.count("BASE <https://w3id.org/twingraph/>") == 1 for text in texts)
    first = sorted(executables)[0]
    assert client.get(first.replace("http://localhost", "")).status_code == 200


def test_browsers_get_the_query_ui(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.data.decode()
    assert "/static/yasgui/yasgui.min.js" in page
    assert "cdn" not in page.lower()
    for example in load_examples():
        assert example.title in html.unescape(page)
    assert client.get("/static/yasgui/yasgui.min.js").status_code == 200


def test_service_description_revalidates(client: FlaskClient) -> None:
    first = client.get("/sparql", headers={"Accept": "text/turtle"})
    again = client.get("/sparql", headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_example_text_is_served(client: FlaskClient) -> None:
    response = client.get("/sparql/examples/01-partnerships")
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-query"
    assert b"tg:Partnership" in response.data
    assert client.get("/sparql/examples/nope").status_code == 404


def test_quoted_service_is_not_a_service(client: FlaskClient) -> None:
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://example.org/> { }" AS ?x) } # SERVICE'
    response = get(client, query, "text/csv")
    assert response.status_code == 200
    assert b"SERVICE <http://example.org/>" in response.data
