"""SIGKILL while under load: a query worker, then a web worker (a Granian worker process) of the real
server dies in the middle of steady traffic from several clients. No request is lost but those in
flight on the killed process, and the server replaces it by itself."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.servers import RunningServer, twingraph_server
from twingraph.config import Settings

pytestmark = pytest.mark.server

CLIENTS = 4
# A lookup the query workers answer: with the subject bound in the pattern itself, the server would
# answer it in the web process (its work provably small, store/degrees.py) and no worker would see it.
LOOKUP = "SELECT ?p ?o WHERE {{ ?s ?p ?o FILTER(?s = <{base}id/city/amiens>) }} LIMIT {n}"


@dataclass
class Outcome:
    """One request: when it was sent and answered, and how (status, or the transport error)."""

    started: float
    ended: float
    status: int | None
    error: str = ""


@pytest.fixture()
def server(release_settings: Settings, tmp_path: Path) -> Iterator[RunningServer]:
    settings = dataclasses.replace(release_settings, rate_limit=10_000_000)
    with twingraph_server(settings, tmp_path / "server.log", workers=2) as running:
        yield running


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def _is_query_worker(pid: int) -> bool:
    try:
        return b"store.worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def web_workers(server: RunningServer) -> dict[int, list[int]]:
    """Granian's worker processes (those running query workers) and their query workers."""
    found = {}
    for pid in server.process_tree():
        workers = [child for child in _children(pid) if _is_query_worker(child)]
        if workers and not _is_query_worker(pid):
            found[pid] = workers
    return found


def _steady_traffic(server: RunningServer, base: str, stop: threading.Event) -> list[Outcome]:
    """CLIENTS clients (each from its own loopback address, a new connection per request) sending
    SPARQL lookups (each one new, so that no cached answer hides the workers) and pages."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        # No keep-alive: a request must not ride a connection that the killed worker held open.
        transport = httpx.HTTPTransport(
            local_address=f"127.0.0.{10 + number}", limits=httpx.Limits(max_keepalive_connections=0)
        )
        with httpx.Client(transport=transport, base_url=server.url, timeout=15) as http:
            n = 0
            while not stop.is_set():
                n += 1
                path, params = ("/sparql", {"query": LOOKUP.format(base=base, n=n * 10 + number)})
                if n % 3 == 0:
                    path, params = "/doc/city/amiens", {}
                started = time.monotonic()
                try:
                    answer = http.get(path, params=params, headers={"Connection": "close"})
                    outcome = Outcome(started, time.monotonic(), answer.status_code)
                except httpx.TransportError as exc:
                    outcome = Outcome(started, time.monotonic(), None, type(exc).__name__)
                with lock:
                    outcomes.append(outcome)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _running(pid: int) -> bool:
    """Whether any thread of ``pid`` still runs. A killed process's main thread turns zombie before
    its other threads have exited; its sockets close only with the last of them."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        states = [(t / "stat").read_text().rsplit(")", 1)[1].split()[0] for t in tasks]
    except OSError:
        return False
    return any(state not in ("Z", "X") for state in states)


# A client's connect can still land on the killed worker's listening socket for a moment after its
# threads have all exited (seen once in a clean-clone run under heavy load: a lost request that had
# started just after); a request started later than this is not the kill's and must not be lost.
TEARDOWN_SECONDS = 0.25


@dataclass
class Kill:
    """When the signal was sent, and when the process had gone (its sockets closed with it)."""

    sent: float
    gone: float

    def in_flight(self, outcome: Outcome) -> bool:
        """Whether ``outcome``'s request was sent before the process had gone (give or take
        ``TEARDOWN_SECONDS``) and ended after the kill: a request the killed process had taken, or
        that was queued on its socket."""
        return outcome.started <= self.gone + TEARDOWN_SECONDS and outcome.ended >= self.sent

    def after(self, outcome: Outcome) -> bool:
        """Whether ``outcome``'s request was sent once the kill could no longer touch it."""
        return outcome.started > self.gone + TEARDOWN_SECONDS


def _run_with_kill(server: RunningServer, base: str, victim: int) -> tuple[list[Outcome], Kill]:
    stop = threading.Event()
    result: list[list[Outcome]] = []
    runner = threading.Thread(target=lambda: result.append(_steady_traffic(server, base, stop)))
    runner.start()
    time.sleep(2)
    sent = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    while _running(victim):
        time.sleep(0.001)
    kill = Kill(sent, time.monotonic())
    time.sleep(4)
    stop.set()
    runner.join(timeout=60)
    return result[0], kill


def _lost(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.status is None or o.status >= 500]


def test_killing_a_query_worker_loses_only_its_request(
    server: RunningServer, release_settings: Settings
) -> None:
    before = web_workers(server)
    owner, pool = next(iter(before.items()))
    outcomes, kill = _run_with_kill(server, release_settings.base_iri, pool[0])
    lost = _lost(outcomes)
    assert len(outcomes) > 50, f"only {len(outcomes)} requests"
    assert len(lost) <= 1, [(o.status, o.error) for o in lost]
    assert all(kill.in_flight(o) for o in lost), "only a request in flight was lost"
    assert all(o.status == 503 for o in lost), "its request was told to come again (503 + Retry-After)"
    deadline = time.monotonic() + 20
    while len(web_workers(server).get(owner, [])) < len(pool):
        assert time.monotonic() < deadline, "the query worker was not replaced"
        time.sleep(0.2)
    assert pool[0] not in web_workers(server)[owner]
    after_kill = [o for o in outcomes if kill.after(o)]
    assert after_kill and all(o.status == 200 for o in after_kill)


def test_killing_a_web_worker_loses_only_its_requests_and_it_is_replaced(
    server: RunningServer, release_settings: Settings
) -> None:
    before = web_workers(server)
    assert len(before) == 2
    victim = next(iter(before))
    spawned = server.log_text().count("Spawning worker")
    outcomes, kill = _run_with_kill(server, release_settings.base_iri, victim)
    lost = _lost(outcomes)
    assert len(outcomes) > 50, f"only {len(outcomes)} requests"
    # No bound of one per client: each Granian worker listens on a socket of its own (SO_REUSEPORT on
    # Linux), and the kernel hands a new connection to the killed worker's socket until it has closed.
    # A client that lost its request and sent the next one at once can lose that one too (seen in CI:
    # 6 lost by 4 clients within 20 ms of the kill). What holds is when: all of them in that window.
    assert all(kill.in_flight(o) for o in lost), [
        (o.started - kill.sent, o.ended - kill.sent, kill.gone - kill.sent, o.status, o.error)
        for o in lost
        if not kill.in_flight(o)
    ]
    after = [o for o in outcomes if kill.after(o)]
    assert after and all(o.status == 200 for o in after), "the other worker served everything after"
    deadline = time.monotonic() + 30
    while len(web_workers(server)) < 2:
        assert time.monotonic() < deadline, "the web worker was not replaced"
        time.sleep(0.2)
    assert victim not in web_workers(server)
    assert server.log_text().count("Spawning worker") > spawned
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for n in range(10):
            answer = http.get("/sparql", params={"query": f"ASK {{ ?s ?p {n} }}"})
            assert answer.status_code == 200
