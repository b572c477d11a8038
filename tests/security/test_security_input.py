"""Hostile input on purpose: JSONP callbacks, error bodies, and every way to make the server fetch a URL.

- JSONP: only a dotted JavaScript identifier is accepted as callback; anything else is a 400 in JSON
  or text, never script.
- Errors: whatever the status and the format asked for, the body says what was wrong and shows no
  stack trace and no server path.
- SSRF: SERVICE, LOAD, remote FROM, graph parameters, identifiers and IRIs pointing at a trap server
  on 127.0.0.1; the trap must receive nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask

from support.hardening import Trap, check_answer, private_paths
from twingraph.config import Settings

BAD_CALLBACKS = [
    "alert(1)//",
    "a b",
    "cb;alert(1)",
    "<script>",
    "x\u2028y",
    "1abc",
    "a..b",
    "a.",
    "",
    "a" * 129,
    "cb\x00",
    "/**/",
    "a-b",
    "täst",
]


@pytest.mark.parametrize("callback", BAD_CALLBACKS)
def test_invalid_jsonp_callbacks_are_refused(unlimited_app: Flask, callback: str) -> None:
    client = unlimited_app.test_client()
    response = client.get(
        "/reconcile", query_string={"callback": callback}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert "callback must be a JavaScript identifier" in response.json["message"]
    assert callback not in response.get_data(as_text=True) or callback == ""


@pytest.mark.parametrize("callback", ["cb", "jQuery3410_1700000000", "window.refine.cb", "$", "_a1.$b"])
def test_valid_jsonp_callbacks(unlimited_app: Flask, callback: str) -> None:
    client = unlimited_app.test_client()
    response = client.get(
        "/reconcile", query_string={"callback": callback, "queries": '{"q0":{"query":"Amiens"}}'}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_data(as_text=True)
    assert body.startswith(f"/**/{callback}(") and body.endswith(");\n")
    payload = json.loads(body[len(f"/**/{callback}(") : -len(");\n")])
    assert payload["q0"]["result"], "the batch was answered"


# (method, path, request arguments) that each end in a 4xx
ERRORS = [
    ("GET", "/sparql", {"query_string": {"query": "SELECT * WHERE { ?s ?p }"}}),
    (
        "GET",
        "/sparql",
        {"query_string": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}},
    ),
    ("POST", "/sparql", {"data": "INSERT DATA { <a> <b> <c> }", "content_type": "application/sparql-update"}),
    ("POST", "/sparql", {"data": b"\xff\xfeS\x00E\x00", "content_type": "application/sparql-query"}),
    ("POST", "/sparql", {"data": "x", "content_type": "text/plain"}),
    ("POST", "/sparql", {"data": "q" * 2_000_000, "content_type": "application/sparql-query"}),
    ("GET", "/sparql", {"query_string": {"query": "ASK {}", "format": "pdf"}}),
    ("GET", "/sparql", {"query_string": {"query": "ASK {}", "default-graph-uri": "not an iri"}}),
    ("GET", "/reconcile", {"query_string": {"queries": "{not json"}}),
    ("GET", "/reconcile", {"query_string": {"queries": '{"q":{"query":"x","limit":1e999}}'}}),
    ("GET", "/reconcile/suggest/entity", {}),
    ("GET", "/reconcile/preview", {"query_string": {"id": "../../etc/passwd"}}),
    ("GET", "/doc/city/..%2F..%2Fetc%2Fpasswd", {}),
    ("GET", "/doc/city/amiens", {"headers": {"Accept": "image/png"}}),
    ("POST", "/doc/city/amiens", {}),
    ("GET", "/dumps/0.1.0/..%2FSHA256SUMS", {}),
    ("GET", "/dumps/../../etc/passwd", {}),
    ("GET", "/dumps/9.9.9/twingraph.ttl", {}),
    ("GET", "/dumps/0.1.0/twingraph.ttl", {"headers": {"Range": "bytes=99999999-"}}),
    ("GET", "/static/../serve.py", {}),
    ("GET", "/list/nothing", {}),
    ("GET", "/search", {"query_string": {"type": "\x00"}}),
]


@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/plain", "*/*"])
@pytest.mark.parametrize(("method", "path", "arguments"), ERRORS)
def test_errors_say_what_was_wrong_and_nothing_more(
    unlimited_app: Flask,
    release_settings: Settings,
    method: str,
    path: str,
    arguments: dict[str, object],
    accept: str,
) -> None:
    headers = {"Accept": accept, **arguments.get("headers", {})}  # type: ignore[dict-item]
    rest = {k: v for k, v in arguments.items() if k != "headers"}
    response = unlimited_app.test_client().open(path, method=method, headers=headers, **rest)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500, (path, response.status_code)
    check_answer(
        response.status_code,
        response.headers,
        response.data,
        f"{method} {path}",
        method,
        private_paths(release_settings),
    )


@pytest.fixture()
def trap() -> Iterator[Trap]:
    server = Trap()
    yield server
    server.close()


def test_nothing_fetches_a_url_it_is_given(unlimited_app: Flask, trap: Trap) -> None:
    """No request anywhere makes the server reach out: the trap on 127.0.0.1 stays silent."""
    url = trap.url
    client = unlimited_app.test_client()
    sparql = [
        f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}graph.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}graph.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"DESCRIBE <{url}thing>",
        f'SELECT * WHERE {{ BIND(IRI("{url}x") AS ?x) ?x ?p ?o }}',
    ]
    statuses = []
    for query in sparql:
        statuses.append(client.get("/sparql", query_string={"query": query}).status_code)
    statuses.append(
        client.get(
            "/sparql",
            query_string={
                "query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                "default-graph-uri": url,
                "named-graph-uri": url,
            },
        ).status_code
    )
    for update in (f"LOAD <{url}data.ttl>", f"LOAD SILENT <{url}data.ttl> INTO GRAPH <{url}g>"):
        statuses.append(client.post("/sparql", data={"update": update}).status_code)
        statuses.append(
            client.post("/sparql", data=update, content_type="application/sparql-update").status_code
        )
    statuses.append(
        client.get(
            "/reconcile", query_string={"queries": json.dumps({"q": {"query": url, "type": url}})}
        ).status_code
    )
    statuses.append(
        client.get(
            "/reconcile", query_string={"extend": json.dumps({"ids": [url], "properties": [{"id": url}]})}
        ).status_code
    )
    statuses.append(client.get("/reconcile/preview", query_string={"id": url}).status_code)
    statuses.append(
        client.get("/reconcile/suggest/entity", query_string={"prefix": url, "type": url}).status_code
    )
    statuses.append(
        client.get("/doc/city/amiens", headers={"Referer": url, "Host": trap.url[7:-1]}).status_code
    )
    assert trap.requests == [], f"the server fetched {trap.requests}"
    assert all(s < 500 for s in statuses), statuses
    assert statuses[0] == statuses[1] == statuses[2] == statuses[3] == 403, (
        "SERVICE and remote FROM are refused"
    )
    assert set(statuses[7:11]) == {403}, "LOAD is refused"
