"""A runaway query is stopped at the time limit, its process ended, while other requests are served.

Over real HTTP against the embedded backend (the remote backend's limit is the endpoint's own, see
test_store_remote.py). The explosive query counts a four-way cross product of the Dortmund graph
(about 10^15 rows): it would run for days, in constant memory.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from flask import Flask

from support.servers import serving
from support.sparql import close_store
from twingraph.config import Settings
from twingraph.web import create_app
from twingraph.web.state import app_state

EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MEMORY_BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?f ?i"
LIMIT = 1.5

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def limited(release_settings: Settings) -> Iterator[tuple[Flask, str]]:
    """The Dortmund release with a 1.5 s limit, two query workers and 512 MiB per worker."""
    settings = dataclasses.replace(
        release_settings, query_timeout=LIMIT, query_workers=2, query_memory_mb=512
    )
    application = create_app(settings)
    try:
        with serving(application) as base:
            yield application, f"{base}/sparql"
    finally:
        close_store(application)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for_workers(application: Flask, count: int) -> list[int]:
    pool = app_state(application).store.pool()
    deadline = time.monotonic() + 30
    while len(pool.pids()) < count:
        assert time.monotonic() < deadline, "the pool did not replace its worker"
        time.sleep(0.1)
    return pool.pids()


def test_runaway_query_is_stopped_while_others_are_served(limited: tuple[Flask, str]) -> None:
    application, endpoint = limited
    with httpx.Client(timeout=30) as client:
        assert client.get(endpoint, params={"query": "ASK {}"}).status_code == 200  # workers up
        before = set(_wait_for_workers(application, 2))
        outcome: dict[str, object] = {}

        def runaway() -> None:
            started = time.monotonic()
            response = httpx.get(endpoint, params={"query": EXPLOSIVE}, timeout=30)
            outcome["seconds"] = time.monotonic() - started
            outcome["response"] = response

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.4)
        # While the runaway query occupies one worker, another request is answered at once.
        started = time.monotonic()
        quick = client.get(
            endpoint,
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"},
            headers={"Accept": "text/csv"},
        )
        quick_seconds = time.monotonic() - started
        assert quick.status_code == 200
        assert quick_seconds < 1.0, quick_seconds
        assert "seconds" not in outcome, "the runaway query is still running"
        thread.join(timeout=30)

    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    # Honest: the query was stopped and retrying cannot help, so no 503 and no Retry-After.
    assert response.status_code == 422
    assert "longer than the limit of 1.5 s" in response.text and "stopped" in response.text
    assert "narrow the query" in response.text and "LIMIT" in response.text
    assert "Retry-After" not in response.headers
    assert LIMIT <= float(outcome["seconds"]) < LIMIT + 2.0  # type: ignore[arg-type]
    # The process that ran it was killed (not merely abandoned) and a fresh one took its place.
    after = set(_wait_for_workers(application, 2))
    killed = before - after
    assert len(killed) == 1
    assert not any(_alive(pid) for pid in killed)
    assert client_works(endpoint)


def test_memory_bomb_is_stopped(release_settings: Settings) -> None:
    # A time limit the memory limit is reached well before, even at the query workers' lower priority
    # (nice 5) on a busy machine; one lane.
    settings = dataclasses.replace(
        release_settings, query_timeout=8.0, query_workers=2, query_memory_mb=512, fast_lane_seconds=0.0
    )
    application = create_app(settings)
    try:
        with serving(application) as base:
            _memory_bomb_is_stopped(application, f"{base}/sparql")
    finally:
        close_store(application)


def _memory_bomb_is_stopped(application: Flask, endpoint: str) -> None:
    response = httpx.get(endpoint, params={"query": MEMORY_BOMB}, timeout=30)
    assert response.status_code == 422 and "Retry-After" not in response.headers  # retrying cannot help
    assert "memory limit of 512 MiB" in response.text
    _wait_for_workers(application, 2)
    assert client_works(endpoint)


def client_works(endpoint: str) -> bool:
    response = httpx.get(endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    return response.status_code == 200 and response.json()["boolean"] is True
