"""Hostile input to /sparql (bounded property tests; `make fuzz` runs the long version).

Malformed and mutated queries, keyword soup, SERVICE/LOAD/update, odd encodings of direct POST bodies
(UTF-16, invalid UTF-8, NUL bytes), wrong content types, bad Accept headers, huge parameters. The
rules: no 5xx but a 503 with Retry-After (a query stopped at the time limit), a message with every
4xx, no stack trace or path in any answer, and the query workers survive.
"""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.fuzz_inputs import (
    accept_headers,
    bounded,
    content_types,
    encodings,
    hostile_text,
    huge_text,
    sparql_queries,
)
from support.hardening import check_answer, private_paths
from twingraph.config import Settings
from twingraph.web.state import app_state

FUZZ = bounded(150)


@pytest.fixture(scope="module")
def unlimited_settings(unlimited_settings: Settings) -> Settings:
    """The test release with no rate limit (the fuzzer is one client) and a short time limit."""
    return dataclasses.replace(unlimited_settings, query_timeout=2.0)


@FUZZ
@given(
    query=sparql_queries,
    accept=accept_headers,
    method=st.sampled_from(["GET", "POST-form"]),
    graphs=st.lists(hostile_text, max_size=2),
    fmt=st.one_of(st.none(), hostile_text, st.sampled_from(["json", "csv", "turtle", "xml"])),
)
def test_queries_by_get_and_form(
    unlimited_client: FlaskClient,
    unlimited_settings: Settings,
    query: str,
    accept: str,
    method: str,
    graphs: list[str],
    fmt: str | None,
) -> None:
    params: dict[str, object] = {"query": query, "default-graph-uri": graphs}
    if fmt is not None:
        params["format"] = fmt
    headers = {"Accept": accept}
    if method == "GET":
        response = unlimited_client.get("/sparql", query_string=params, headers=headers)
    else:
        response = unlimited_client.post("/sparql", data=params, headers=headers)
    check_answer(
        response.status_code,
        response.headers,
        response.data,
        f"{method} {query!r}",
        private=private_paths(unlimited_settings),
    )


@FUZZ
@given(data=st.data(), query=sparql_queries, content_type=content_types, accept=accept_headers)
def test_direct_posts_in_odd_encodings(
    unlimited_client: FlaskClient,
    unlimited_settings: Settings,
    data: st.DataObject,
    query: str,
    content_type: str,
    accept: str,
) -> None:
    body = data.draw(st.one_of(encodings(query), st.binary(max_size=300)))
    response = unlimited_client.post(
        "/sparql", data=body, headers={"Content-Type": content_type, "Accept": accept}
    )
    check_answer(
        response.status_code,
        response.headers,
        response.data,
        f"POST {content_type} {body[:80]!r}",
        "POST",
        private_paths(unlimited_settings),
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=huge_text, where=st.sampled_from(["query", "form", "body", "graph"]))
def test_huge_parameters(unlimited_client: FlaskClient, text: str, where: str) -> None:
    if where == "query":
        response = unlimited_client.get("/sparql", query_string={"query": text})
    elif where == "form":
        response = unlimited_client.post("/sparql", data={"query": "ASK {}", "named-graph-uri": text})
    elif where == "body":
        response = unlimited_client.post("/sparql", data=text, content_type="application/sparql-query")
    else:
        response = unlimited_client.get(
            "/sparql", query_string={"query": "ASK {}", "default-graph-uri": text}
        )
    check_answer(response.status_code, response.headers, response.data, f"huge {where}")


def test_workers_survive_the_fuzzing(unlimited_client: FlaskClient, unlimited_app: Flask) -> None:
    """After everything above the endpoint still answers, from the same pool."""
    pool = app_state(unlimited_app).store.pool()
    response = unlimited_client.get(
        "/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200 and response.json == {"head": {}, "boolean": True}
    assert len(pool.pids()) >= 1
