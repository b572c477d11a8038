"""One client's runaway queries never starve another's: the short version of `make load`'s abuse run.

Against the real server (`twingraph serve`, Granian, two worker processes, default limits) on
127.0.0.1: a client connecting from 127.0.0.2 sends six runaway queries at once; meanwhile a client on
127.0.0.1 runs lookups (SPARQL, each a new query so no cache answers it) and pages. Every lookup must
answer 200 within 1 s; the abuser gets 429s naming the share it used up, and its one long query is
stopped at the time limit. The server's time limit is 5 s and a client's budget 15 s a minute (half
the defaults, the same proportion): the scenario waits out the time limit twice.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.servers import RunningServer, twingraph_server
from twingraph.config import Settings
from twingraph.store.lanes import is_idle_priority

pytestmark = pytest.mark.server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ABUSER = "127.0.0.2"
LOOKUP = "SELECT ?p ?o WHERE {{ <{base}id/city/amiens> ?p ?o }} LIMIT {n}"


@pytest.fixture(scope="module")
def abuse_settings(release_settings: Settings) -> Settings:
    """The release's settings with a 5 s time limit and a budget of three time limits a minute."""
    return dataclasses.replace(release_settings, query_timeout=5.0, client_query_seconds=15.0)


@pytest.fixture(scope="module")
def server(abuse_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    log = tmp_path_factory.mktemp("abuse") / "server.log"
    with twingraph_server(abuse_settings, log, workers=2) as running:
        yield running


def _query_workers(server: RunningServer) -> list[int]:
    found = []
    for pid in server.process_tree():
        try:
            if b"store.worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def test_runaway_queries_from_one_client_do_not_slow_another(
    server: RunningServer, abuse_settings: Settings
) -> None:
    settings = abuse_settings
    timeout = settings.query_timeout
    answers: list[httpx.Response] = []
    barrier = threading.Barrier(7)  # the six abusers and the lookups start together

    def abuse() -> None:
        transport = httpx.HTTPTransport(local_address=ABUSER)
        with httpx.Client(transport=transport, timeout=timeout + 20) as client:
            barrier.wait()
            answers.append(
                client.get(server.url + "/sparql", params={"query": RUNAWAY}, headers={"Accept": "text/csv"})
            )

    threads = [threading.Thread(target=abuse) for _ in range(6)]
    for thread in threads:
        thread.start()
    barrier.wait()  # each abuser has its connection pool ready: no client-side set-up in the timings
    started = time.monotonic()
    lookups, idle_seen = 0, False
    with httpx.Client(base_url=server.url, timeout=5) as client:
        while time.monotonic() - started < timeout + 1:
            lookups += 1
            paths = [
                ("/sparql", {"query": LOOKUP.format(base=settings.base_iri, n=lookups)}),
                ("/doc/city/amiens", {}),
            ]
            for path, params in paths:
                t0 = time.monotonic()
                answer = client.get(path, params=params, headers={"Accept": "text/csv,text/html;q=0.9"})
                elapsed = time.monotonic() - t0
                assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
                assert elapsed < 1.0, f"{path} took {elapsed:.2f} s while the runaway queries ran"
            if not idle_seen:
                idle_seen = any(is_idle_priority(pid) for pid in _query_workers(server))
            time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=timeout + 30)
    statuses = sorted(a.status_code for a in answers)
    # the one runaway query admitted is stopped at the time limit: 422 (retrying cannot help)
    assert statuses == [422] + [429] * 5, [(a.status_code, a.text[:200]) for a in answers]
    texts = [a.text for a in answers if a.status_code == 429]
    assert sum("queries running, the most one client may have at once (2)" in t for t in texts) == 4
    assert sum("the most one client may have in the slow lane (1)" in t for t in texts) == 1
    assert all(int(a.headers["Retry-After"]) >= 1 for a in answers if a.status_code == 429)
    (stopped,) = [a for a in answers if a.status_code == 422]
    assert "Retry-After" not in stopped.headers
    assert f"limit of {timeout:g} s" in stopped.text
    assert idle_seen, "the long query ran at idle CPU priority"
    assert lookups > 20, f"only {lookups} lookups in {timeout} s"
    # The abuser has spent two time limits of query time (one run to the limit, one charged in full for
    # the query stopped in the fast lane): one more runaway query runs to the limit, and then its budget
    # of three time limits a minute is used up.
    assert settings.client_query_seconds == 3 * timeout
    abuser = httpx.Client(transport=httpx.HTTPTransport(local_address=ABUSER), timeout=timeout + 20)
    with abuser:
        again = abuser.get(server.url + "/sparql", params={"query": RUNAWAY + " LIMIT 1"})
        assert again.status_code == 422, again.text
        cheap = abuser.get(server.url + "/sparql", params={"query": "ASK { ?s ?p 1 }"})
        assert cheap.status_code == 429 and "query-time budget" in cheap.text, cheap.text
        assert 1 <= int(cheap.headers["Retry-After"]) <= 60
    with httpx.Client(base_url=server.url, timeout=5) as client:
        assert client.get("/sparql", params={"query": "ASK { ?s ?p 1 }"}).status_code == 200
