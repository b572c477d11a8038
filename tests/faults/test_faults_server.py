"""Faults against the real server (`twingraph serve`, Granian, in a subprocess on 127.0.0.1).

A runaway query, clients that hang up in the middle of an answer, slowloris-style clients that send
their headers a byte at a time, and a shutdown while a request is under way. Throughout, other
clients are served, no worker dies, and every answer keeps the rules (no 5xx but 503 + Retry-After).
"""

from __future__ import annotations

import dataclasses
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.hardening import check_answer
from support.servers import RunningServer, stop_group, twingraph_server
from twingraph.config import Settings

pytestmark = pytest.mark.server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 2.0
HEADER_TIMEOUT = 4.0  # the slow clients' test waits it out (10 s by default): the requests it makes fit in it


@pytest.fixture(scope="module")
def fault_settings(release_settings: Settings) -> Settings:
    return dataclasses.replace(
        release_settings, query_timeout=TIMEOUT, rate_limit=10_000_000, header_timeout=HEADER_TIMEOUT
    )


@pytest.fixture(scope="module")
def server(fault_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with twingraph_server(fault_settings, tmp_path_factory.mktemp("faults") / "server.log") as running:
        yield running


def spawned_workers(server: RunningServer) -> int:
    return server.log_text().count("Spawning worker")


def test_runaway_query_is_stopped_and_others_are_served(server: RunningServer) -> None:
    answers: dict[str, httpx.Response] = {}

    def runaway() -> None:
        with httpx.Client(timeout=30) as client:
            answers["runaway"] = client.get(
                server.url + "/sparql", params={"query": RUNAWAY}, headers={"Accept": "application/json"}
            )

    started = time.monotonic()
    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        quick = client.get(
            "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"}
        )
        assert quick.status_code == 200 and quick.json()["boolean"] is True, "another query worker answers"
        assert client.get("/doc/city/amiens").status_code == 200
        assert time.monotonic() - started < TIMEOUT, "served while the runaway query was running"
    thread.join()
    runaway_answer = answers["runaway"]
    elapsed = time.monotonic() - started
    assert runaway_answer.status_code == 422 and "Retry-After" not in runaway_answer.headers
    assert "limit of 2 s" in runaway_answer.json()["message"]
    assert TIMEOUT <= elapsed < TIMEOUT + 5
    check_answer(runaway_answer.status_code, runaway_answer.headers, runaway_answer.content, "runaway")
    with httpx.Client(base_url=server.url, timeout=10) as client:  # the killed worker was replaced
        for _ in range(3):
            assert (
                client.get(
                    "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/json"}
                ).status_code
                == 200
            )


def _hang_up_after(url: str, path: str, read: int) -> None:
    """Ask for ``path``, read ``read`` bytes of the answer, then reset the connection."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/csv\r\n\r\n".encode())
        sock.recv(read)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN


def test_clients_hanging_up_mid_answer(server: RunningServer, release_settings: Settings) -> None:
    before = spawned_workers(server)
    big = [
        f"/dumps/{release_settings.dist_dir.joinpath('latest').resolve().name}/twingraph.ttl",
        "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
        "/doc/city/dortmund",
        "/list/city",
    ]
    threads = [
        threading.Thread(target=_hang_up_after, args=(server.url, big[i % len(big)], 64 + i))
        for i in range(40)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for path in big:
            answer = client.get(path, headers={"Accept": "text/csv"} if "sparql" in path else {})
            assert answer.status_code == 200, path
        assert client.get("/health").json()["status"] == "ok"
    assert spawned_workers(server) == before, "no worker died"
    assert "Unexpected exit" not in server.log_text()


def test_slow_clients_do_not_starve_the_others(server: RunningServer) -> None:
    """More slowloris connections than the server has threads; normal requests are still answered at
    once, and each slow connection is cut once the header time limit has passed."""
    host, port = server.url.removeprefix("http://").split(":")
    slow = []
    for _ in range(40):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        slow.append(sock)
    stop = time.monotonic() + HEADER_TIMEOUT + 4
    cut: list[float] = []
    started = time.monotonic()

    def trickle() -> None:
        alive = list(slow)
        while alive and time.monotonic() < stop:
            for sock in list(alive):
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                    sock.setblocking(False)
                    if sock.recv(1024) == b"":
                        raise ConnectionResetError
                except BlockingIOError:
                    pass
                except OSError:
                    cut.append(time.monotonic() - started)
                    alive.remove(sock)
            time.sleep(0.5)

    thread = threading.Thread(target=trickle)
    thread.start()
    try:
        time.sleep(1)
        with httpx.Client(base_url=server.url, timeout=5) as client:
            for _ in range(5):
                t0 = time.monotonic()
                answer = client.get("/health")
                assert answer.status_code == 200 and time.monotonic() - t0 < 1.0
                time.sleep(0.5)
        thread.join()
    finally:
        for sock in slow:
            sock.close()
    assert len(cut) == len(slow), f"{len(slow) - len(cut)} slow connections were never cut"
    assert max(cut) < HEADER_TIMEOUT + 3


def test_graceful_shutdown_finishes_the_request_under_way(fault_settings: Settings, tmp_path: Path) -> None:
    with twingraph_server(fault_settings, tmp_path / "server.log") as server:
        tree = server.process_tree()
        answers: dict[str, httpx.Response] = {}

        def runaway() -> None:
            with httpx.Client(timeout=30) as client:
                answers["slow"] = client.get(
                    server.url + "/sparql", params={"query": RUNAWAY}, headers={"Accept": "application/json"}
                )

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)
        tree = server.process_tree()  # now with the query worker processes
        started = time.monotonic()
        code = stop_group(server.process, timeout=TIMEOUT + 20)
        thread.join()
        assert code == 0, server.log_text()
        assert answers["slow"].status_code == 422, (
            "the request under way got its answer before the server stopped"
        )
        assert time.monotonic() - started < TIMEOUT + 10
        leftover = [pid for pid in tree if _running(pid)]
        assert leftover == [], f"processes left behind: {leftover}"


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs: a zombie has ended (it only waits for init to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
