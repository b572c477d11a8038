"""The per-client ledger counts each client once for the whole server: real processes hitting one
SQLite file at once, a process killed with SIGKILL while it holds queries, budgets over a minute."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from twingraph.config import Settings
from twingraph.sparql.fairness import ClientRefused, Fairness, FairShare, InProcessTicket, QueryTicket
from twingraph.sparql.ledger import ClientLedger, Refusal
from twingraph.sparql.ratelimit import RateLimiter
from twingraph.web.state import close_app

SHARE = FairShare(in_flight=2, seconds_per_minute=30.0, slow_per_client=1, timeout=10.0)


class Clock:
    """A settable clock for the budget and window arithmetic."""

    def __init__(self, now: float = 1_000_020.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _hammer(folder: str, client: str, times: int, limit: int, out: multiprocessing.Queue[int]) -> None:
    ledger = ClientLedger(Path(folder))
    out.put(sum(1 for _ in range(times) if ledger.hit("sparql", client, limit) is None))


def test_rate_limit_is_one_count_across_processes(tmp_path: Path) -> None:
    """Four processes send 60 requests each for one client, limit 100: exactly 100 pass in all."""
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[int] = context.Queue()
    workers = [
        context.Process(target=_hammer, args=(str(tmp_path), "127.0.0.2", 60, 100, results)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    allowed = sum(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert allowed == 100
    other = ClientLedger(tmp_path)
    assert other.hit("sparql", "127.0.0.3", 100) is None, "another client has its own count"
    refusal = other.hit("sparql", "127.0.0.2", 100)
    assert isinstance(refusal, Refusal) and refusal.budget == "rate" and 1 <= refusal.retry_after <= 60


def _open_together(folder: str, barrier: Barrier, out: multiprocessing.Queue[str]) -> None:
    barrier.wait()
    try:
        ClientLedger(Path(folder)).hit("sparql", "127.0.0.2", 1000)
        out.put("ok")
    except Exception as exc:  # what a server worker would die of
        out.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_a_new_ledger_at_once_all_open_it(tmp_path: Path) -> None:
    """A server's workers start together and each opens the ledger of a fresh run folder: switching
    it to WAL must not fail any of them with "database is locked" (SQLite does not wait for that).
    Before the fix, 17 of 60 such starts of 8 processes had one fail."""
    context = multiprocessing.get_context("fork")  # forked children start within a millisecond
    failures = []
    for attempt in range(30):
        barrier, results = context.Barrier(8), context.Queue()
        folder = str(tmp_path / f"run-{attempt}")
        workers = [context.Process(target=_open_together, args=(folder, barrier, results)) for _ in range(8)]
        for worker in workers:
            worker.start()
        failures += [outcome for outcome in (results.get(timeout=60) for _ in workers) if outcome != "ok"]
        for worker in workers:
            worker.join(timeout=30)
    assert failures == []


def _hammer_leased(folder: str, client: str, times: int, limit: int, out: multiprocessing.Queue[int]) -> None:
    limiter = RateLimiter(limit, ClientLedger(Path(folder)))
    out.put(sum(1 for _ in range(times) if limiter.hit(client) is None))


def test_rate_limit_leases_never_let_more_through(tmp_path: Path) -> None:
    """Rate limiters counting ahead in leases (limit 2,000: leases of up to 20 requests), in four
    processes at once, 800 requests each: never more than the limit in all; at most what the leases
    of the four processes held unused is lost."""
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[int] = context.Queue()
    workers = [
        context.Process(target=_hammer_leased, args=(str(tmp_path), "127.0.0.2", 800, 2000, results))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    allowed = sum(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert 2000 - 4 * 20 <= allowed <= 2000
    assert RateLimiter(2000, ClientLedger(tmp_path)).hit("127.0.0.2") is not None


def test_rate_limit_below_200_a_minute_counts_every_request_alone(tmp_path: Path) -> None:
    """Two limiters (two processes' worth) on one ledger, limit 150: exactly 150 pass, alternating."""
    ledger = ClientLedger(tmp_path)
    one, two = RateLimiter(150, ledger), RateLimiter(150, ClientLedger(tmp_path))
    allowed = sum(1 for i in range(200) if (one if i % 2 else two).hit("c") is None)
    assert allowed == 150


def test_sliding_window_lets_requests_back_in_as_the_minute_passes(tmp_path: Path) -> None:
    clock = Clock(1_000_040.0)  # 20 s into a minute
    ledger = ClientLedger(tmp_path, clock=clock)
    assert all(ledger.hit("sparql", "c", 3) is None for _ in range(3))
    refused = ledger.hit("sparql", "c", 3)
    assert refused is not None and refused.retry_after == 40  # the next minute starts in 40 s
    clock.now += 60  # the previous minute still weighs 2/3: 3 * 2/3 = 2 of 3 used
    assert ledger.hit("sparql", "c", 3) is None
    assert ledger.hit("sparql", "c", 3) is not None


def test_in_flight_cap_and_query_time_budget(tmp_path: Path) -> None:
    clock = Clock()
    ledger = ClientLedger(tmp_path, clock=clock)
    first = ledger.begin("c", 2, 30.0, 10.0)
    second = ledger.begin("c", 2, 30.0, 10.0)
    assert isinstance(first, int) and isinstance(second, int)
    third = ledger.begin("c", 2, 30.0, 10.0)
    assert isinstance(third, Refusal) and third.budget == "in-flight"
    assert "2 queries running" in third.message and third.retry_after == 10
    assert isinstance(ledger.begin("other", 2, 30.0, 10.0), int), "another client is not affected"
    clock.now += 12
    ledger.end(first, "c", 12.0)
    ledger.end(second, "c", 20.0)
    over = ledger.begin("c", 2, 30.0, 10.0)
    assert isinstance(over, Refusal) and over.budget == "query-time"
    assert "32.0 s of query time in the last minute, of 30 s a minute" in over.message
    assert over.retry_after == 60  # both charges leave the window a minute after they were made
    clock.now += 61
    assert isinstance(ledger.begin("c", 2, 30.0, 10.0), int)


def test_queries_answered_in_process_are_held_to_the_share_without_taking_a_place(tmp_path: Path) -> None:
    """A light query the store answers in the web process is refused like any other when its client
    is over its share, takes no place among the running queries, and its time is charged (written
    with other such charges at most a second later, counted by this process meanwhile)."""
    clock = Clock()
    ledger = ClientLedger(tmp_path, clock=clock)
    fairness = Fairness(ledger, SHARE)
    other_process = ClientLedger(tmp_path, clock=clock)  # a second connection: what the file holds
    with fairness.admit("c", in_process=True) as ticket:
        assert isinstance(ticket, InProcessTicket)
        assert ledger.running("c") == 0, "no place taken"
    ledger.charge_later("c", 25.0)  # the first charge is written at once, the next ones a second later
    ledger.charge_later("c", 4.0)
    assert ledger.within_share("c", 2, 30.0, 10.0) is True
    ledger.charge_later("c", 2.0)
    refused = ledger.within_share("c", 2, 30.0, 10.0)
    assert isinstance(refused, Refusal) and refused.budget == "query-time", "unwritten charges count"
    assert isinstance(other_process.within_share("c", 2, 30.0, 10.0), bool), "not written yet"
    clock.now += 1.5
    ledger.charge_later("c", 0.0)
    over = other_process.within_share("c", 2, 30.0, 10.0)
    assert isinstance(over, Refusal) and over.budget == "query-time", "written a second later"
    with pytest.raises(ClientRefused, match="query-time budget"):
        fairness.admit("c", in_process=True)
    first, second = ledger.begin("d", 2, 30.0, 10.0), ledger.begin("d", 2, 30.0, 10.0)
    assert isinstance(first, int) and isinstance(second, int)
    with pytest.raises(ClientRefused, match="2 queries running"):
        fairness.admit("d", in_process=True)


def test_a_dead_process_row_sends_the_in_process_admission_to_the_full_count(tmp_path: Path) -> None:
    ledger = ClientLedger(tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    with ledger._transaction() as db:
        db.execute(
            "INSERT INTO running (client, pid, started) VALUES ('c', ?, ?)", (int(dead.stdout), time.time())
        )
    assert ledger.within_share("c", 2, 30.0, 10.0) is False
    with Fairness(ledger, SHARE).admit("c", in_process=True) as ticket:
        assert isinstance(ticket, QueryTicket), "the full admission, which closes the dead row"
        assert ledger.running("c") == 1
    assert ledger.running("c") == 0


def test_slow_lane_share_per_client(tmp_path: Path) -> None:
    ledger = ClientLedger(tmp_path)
    one, two = ledger.begin("c", 3, 30.0, 10.0), ledger.begin("c", 3, 30.0, 10.0)
    assert isinstance(one, int) and isinstance(two, int)
    assert ledger.claim_slow(one, "c", 1, 10.0) is None
    refused = ledger.claim_slow(two, "c", 1, 10.0)
    assert isinstance(refused, Refusal) and refused.budget == "slow-lane"
    other = ledger.begin("d", 3, 30.0, 10.0)
    assert isinstance(other, int) and ledger.claim_slow(other, "d", 1, 10.0) is None


def test_a_killed_process_leaves_no_client_locked_out(tmp_path: Path) -> None:
    """A worker process that holds a client's two queries dies by SIGKILL: its places are freed."""
    holder = (
        "import sys, time; from pathlib import Path; from twingraph.sparql.ledger import ClientLedger\n"
        "ledger = ClientLedger(Path(sys.argv[1]))\n"
        "for _ in range(2): assert isinstance(ledger.begin('127.0.0.2', 2, 30.0, 10.0), int)\n"
        "print('holding', flush=True); time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", holder, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "holding"
        fairness = Fairness(ClientLedger(tmp_path), SHARE)
        with pytest.raises(ClientRefused, match="2 queries running"):
            fairness.admit("127.0.0.2")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        with fairness.admit("127.0.0.2"), fairness.admit("127.0.0.2"):
            assert fairness.ledger.running("127.0.0.2") == 2
        assert fairness.ledger.running("127.0.0.2") == 0
    finally:
        process.kill()
        process.wait(timeout=10)


def test_cached_answers_ask_for_no_share_and_the_description_states_the_shares(
    release_settings: Settings,
) -> None:
    """With the query-time budget used up, a new query gets 429 naming it; the same client's cached
    answer is still served; the Service Description states every share."""
    import dataclasses

    import rdflib

    from twingraph.web import create_app

    settings = dataclasses.replace(release_settings, client_query_seconds=0.001)
    application = create_app(settings)
    try:
        client = application.test_client()
        csv = {"Accept": "text/csv"}
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . FILTER(?o != %d) }"
        first = client.get("/sparql", query_string={"query": count % 0}, headers=csv)
        assert first.status_code == 200
        answers = [client.get("/sparql", query_string={"query": count % n}, headers=csv) for n in range(1, 4)]
        refused = [a for a in answers if a.status_code == 429]
        assert refused, "the budget of 1 ms was used up by the first queries"
        assert "query-time budget" in refused[0].text and "of 0.001 s a minute" in refused[0].text
        assert 1 <= int(refused[0].headers["Retry-After"]) <= 60
        again = client.get("/sparql", query_string={"query": count % 0}, headers=csv)
        assert again.status_code == 200, "the cached answer needs no query worker"
        described = client.get("/sparql", headers={"Accept": "text/turtle"})
        graph = rdflib.Graph().parse(data=described.data, format="turtle")
        vocab = rdflib.Namespace(settings.base_iri + "sparql#")
        values = {
            name: str(graph.value(rdflib.URIRef("http://localhost/sparql"), vocab[name]))
            for name in ("clientQueries", "clientQuerySeconds", "clientSlowQueries", "fastLaneSeconds")
        }
        assert values == {
            "clientQueries": str(settings.client_queries),
            "clientQuerySeconds": "0.001",
            "clientSlowQueries": str(settings.client_slow_queries),
            "fastLaneSeconds": f"{settings.fast_lane_seconds:g}",
        }
        comment = " ".join(str(o) for o in graph.objects(None, rdflib.RDFS.comment))
        assert f"have {settings.client_queries} queries running at once" in comment
    finally:
        close_app(application)
