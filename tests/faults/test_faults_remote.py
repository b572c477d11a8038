"""The remote store backend (a real `oxigraph serve`) goes away and comes back.

Meanwhile the app answers 503 with Retry-After where it needs the store (never a 500, never a
hang), keeps serving what does not need it (pages it rendered before for this release included: a
release never changes, so its render cache stays right), and recovers by itself once the endpoint is
back on its address: no restart of the app.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.hardening import check_answer
from support.oxigraph import OxigraphServer
from support.sparql import remote_settings
from twingraph.config import Settings
from twingraph.release import resolve_release
from twingraph.store.load_remote import load_remote

pytestmark = pytest.mark.server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# (path, Accept) of requests that need the store
NEEDS_STORE = [
    ("/health", "application/json"),
    ("/sparql?query=SELECT%20%2A%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%20", "text/csv"),
    ("/doc/city/amiens", "text/turtle"),
    ("/doc/partnership/dortmund-amiens", "text/html"),
]
# Pages first asked for while the store is away: nothing to answer them from.
FIRST_ASKED_DURING = [("/doc/city/leeds", "text/turtle"), ("/doc/partnership/dortmund-leeds", "text/html")]
OTHERS = [("/dumps/", "text/html"), ("/openapi.json", "application/json"), ("/static/site.css", "text/css")]


@pytest.fixture(scope="module")
def endpoint_and_app(
    release_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[OxigraphServer, Flask]]:
    # The endpoint keeps its port and database folder, so that a test can kill it and start it again.
    endpoint = OxigraphServer(tmp_path_factory.mktemp("remote-faults"), timeout_s=3)
    load_remote(resolve_release(release_settings), endpoint.query_url, store_url=endpoint.store_url)
    settings = dataclasses.replace(
        remote_settings(release_settings, endpoint), rate_limit=10_000_000, query_timeout=3.0
    )
    from twingraph.web import create_app

    application = create_app(settings)
    try:
        yield endpoint, application
    finally:
        endpoint.kill()


def statuses(client: FlaskClient, asked: list[tuple[str, str]] | None = None) -> dict[str, int]:
    found = {}
    for path, accept in NEEDS_STORE + OTHERS if asked is None else asked:
        started = time.monotonic()
        # A query not asked before: a cached answer would not need the store.
        url = path + str(time.monotonic_ns() % 100_000 + 1) if path.endswith("LIMIT%20") else path
        response = client.get(url, headers={"Accept": accept})
        assert time.monotonic() - started < 15, f"{path} hung"
        check_answer(response.status_code, response.headers, response.data, path)
        found[path] = response.status_code
    return found


def test_store_goes_away_and_comes_back(endpoint_and_app: tuple[OxigraphServer, Flask]) -> None:
    endpoint, application = endpoint_and_app
    client = application.test_client()
    assert set(statuses(client).values()) == {200}, "all well before"

    endpoint.kill()
    during = statuses(client)
    for path, _ in NEEDS_STORE:
        rendered_before = path.startswith("/doc/")
        assert during[path] == (200 if rendered_before else 503), (path, during[path])
    for path, _ in OTHERS:
        assert during[path] == 200, (path, during[path])
    first_asked = statuses(client, FIRST_ASKED_DURING)
    assert set(first_asked.values()) == {503}, first_asked
    health = client.get("/health").json
    assert health["status"] == "unavailable" and "cannot be reached" in health["message"]

    endpoint.start()
    assert set(statuses(client).values()) == {200}, "recovered by itself"
    assert set(statuses(client, FIRST_ASKED_DURING).values()) == {200}, "recovered by itself"
    assert client.get("/health").json["status"] == "ok"


def test_store_dies_during_a_query(endpoint_and_app: tuple[OxigraphServer, Flask]) -> None:
    endpoint, application = endpoint_and_app
    client = application.test_client()
    answers = {}

    def runaway() -> None:
        answers["r"] = client.get(
            "/sparql", query_string={"query": RUNAWAY}, headers={"Accept": "application/json"}
        )

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(1.0)
    endpoint.kill()
    thread.join(timeout=30)
    response = answers["r"]
    check_answer(response.status_code, response.headers, response.data, "runaway while the store dies")
    assert response.status_code == 503
    endpoint.start()
    assert client.get("/health").status_code == 200
