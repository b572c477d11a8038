"""A pool of query worker processes that stops a query at the time limit by ending its process.

Each request takes an idle worker, sends it the job and waits at most the time limit. A worker that
does not answer in time is killed (SIGKILL: Oxigraph has no way to cancel a query from Python) and a
fresh one is started in the background, so the other workers keep serving requests meanwhile. With a
fast lane, a query that outgrows its short limit moves to the slow lane (store/lanes.py).
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from twingraph.store.base import (
    Limits,
    QueryAnswer,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    StoreError,
    StoreUnavailable,
)
from twingraph.store.lanes import (
    FAST_LANE_NICE,
    Lanes,
    SlowLaneFull,
    SlowLanePass,
    cpu_seconds,
    deprioritize,
)
from twingraph.store.worker import Job

log = logging.getLogger(__name__)
START_TIMEOUT = 60.0
FAST_LANE_WALL = 3  # the fast lane lasts at most this many times its processor time on the clock
# A worker needs pyoxigraph and four small modules of twingraph.store (worker, results, base,
# database). Importing the package the usual way would run its __init__, which imports both backends
# (SPARQLWrapper, the query guard and its lexer): 0.8 s instead of 0.1 s to start a worker on a busy
# machine, paid again each time a worker is replaced, while requests wait for CPU.
# Every worker runs a little below the server's own processes (nice FAST_LANE_NICE, store/lanes.py),
# from its first instruction: pages, cached answers and the admission checks outrank any query, and a
# worker starting up takes less of the CPU they need.
_WORKER_MAIN = (
    f"import os; os.nice({FAST_LANE_NICE}); "
    "import sys, types; import twingraph; "
    "package = types.ModuleType('twingraph.store'); package.__path__ = [sys.argv[1]]; "
    "sys.modules['twingraph.store'] = package; "
    "from twingraph.store.worker import main; main(sys.argv[2:])"
)


def answer_of(status: str, payload: Any) -> QueryAnswer:
    """The answer a worker's reply (store/worker.py: ``execute``) holds, or the error it reports."""
    if status == "ok":
        body, media_type, truncated = payload
        return QueryAnswer(body, media_type, truncated)
    if status == "syntax":
        raise QuerySyntaxError(f"malformed query: {payload}")
    raise StoreError(f"the query failed: {payload}")


class _Worker:
    """One worker process and the parent's end of the socket pair that links them."""

    def __init__(self, process: subprocess.Popen[bytes], conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.cpu = 0.0  # processor time it had used when it last answered (it reports it)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """Kill the process (a running query dies with it) and reap it."""
        self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.error("query worker %s did not exit after SIGKILL", self.pid)


class WorkerPool:
    """``size`` worker processes over one read-only database; thread-safe."""

    def __init__(
        self, location: Path, base_iri: str, size: int, limits: Limits, lanes: Lanes | None = None
    ) -> None:
        self._location = str(location)
        self._base = base_iri
        self._timeout = limits.timeout
        self._memory_mb = limits.memory_mb
        # One long-lived thread starts every worker: Linux's parent-death signal follows the thread
        # that started a process, and request threads come and go.
        self._launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twingraph-launcher")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()  # the fast lane's, idle or busy
        self._slow: set[_Worker] = set()  # moved to the slow lane, each retired after its query
        self._lanes = lanes or Lanes()
        self._lock = threading.Lock()
        self._respawning = threading.Semaphore(2)
        self._closed = False
        self.replaced = 0
        self.promoted = 0
        launched = [self._launch() for _ in range(max(1, size))]  # start together, then wait for each
        for process, conn in launched:
            self._add(self._await(process, conn))

    def run(self, job: Job, slow_lane: SlowLanePass | None = None) -> QueryAnswer:
        """Run ``job`` on an idle worker; raise QueryTimeout (and end that worker) past the limit.

        With a fast lane (``lanes.fast_seconds`` > 0) a job still running after it moves to the slow
        lane (store/lanes.py) if ``slow_lane`` grants it a place, else it is stopped.
        """
        worker = self._send(job)
        started = time.monotonic()
        cpu = worker.cpu  # an idle worker uses no processor time: no need to ask /proc now
        if slow_lane is not None:
            slow_lane.running()
        fast = self._lanes.fast_seconds
        slow = False
        try:
            if fast <= 0 or fast >= self._timeout or self._within_fast_lane(worker, started, cpu):
                done = worker.conn.poll(max(0.0, self._timeout - (time.monotonic() - started)))
            elif time.monotonic() - started >= self._timeout:
                done = False
            else:
                self._to_slow_lane(worker, slow_lane)
                slow = True
                done = worker.conn.poll(max(0.0, self._timeout - (time.monotonic() - started)))
            if not done:
                self._end(worker, replace=not slow)
                raise QueryTimeout(
                    f"the query ran longer than the limit of {self._timeout:g} s and was stopped"
                )
            status, payload, worker.cpu = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._end(worker, replace=not slow)
            if worker.process.returncode == -signal.SIGABRT:  # Rust aborts when an allocation fails
                raise QueryTooLarge(
                    f"the query needed more than the memory limit of {self._memory_mb} MiB and was stopped"
                ) from exc
            # Killed from outside (an operator, the kernel): the server stays sound, the request may be
            # sent again (503 + Retry-After), and the worker has been replaced.
            raise StoreUnavailable(
                f"the query worker ended unexpectedly ({type(exc).__name__}); try again"
            ) from exc
        finally:
            if slow:
                with self._lock:
                    self._slow.discard(worker)
        log.debug("query answered by worker %s in %.3f s", worker.pid, time.monotonic() - started)
        if slow:
            worker.stop()  # at idle priority for good: retired, its successor is already serving
        else:
            self._idle.put(worker)
        return answer_of(status, payload)

    def _within_fast_lane(self, worker: _Worker, started: float, cpu: float) -> bool:
        """Wait while the job is within the fast lane: True once it answers, False once it has used
        ``fast_seconds`` of processor time, or the time limit has passed.

        Processor time, not time on the clock: on a busy machine a cheap query can wait for a core
        longer than the fast lane lasts, and must not be sent to idle priority for it. But at most
        FAST_LANE_WALL times the fast lane on the clock, so that a runaway query starved of processor
        time does not hold a fast-lane worker for seconds.
        """
        fast = self._lanes.fast_seconds
        wall = min(self._timeout, FAST_LANE_WALL * fast)
        if worker.conn.poll(fast):  # nearly every query: it cannot have used more than that yet
            return True
        while True:
            used = cpu_seconds(worker.pid) - cpu
            left = wall - (time.monotonic() - started)
            if used >= fast or left <= 0:
                return False
            if worker.conn.poll(min(fast - used, left)):
                return True

    def _send(self, job: Job) -> _Worker:
        """Hand ``job`` to an idle worker and return it. A worker that died while idle (killed from
        outside) has run nothing: it is replaced, and the job goes to the next idle worker."""
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise StoreUnavailable(
                    f"every query worker stayed busy for {self._timeout:g} s; try again shortly"
                ) from None
            try:
                if worker.process.poll() is None:
                    worker.conn.send(job)
                    return worker
            except OSError:
                pass
            self._end(worker, replace=True)

    def _to_slow_lane(self, worker: _Worker, slow_lane: SlowLanePass | None) -> None:
        """Move the busy ``worker`` to the slow lane, or end it (and its query) when there is no room:
        first the client's share (429), then this process's places (503)."""
        refused: StoreError | None = slow_lane.claim_slow() if slow_lane is not None else None
        if refused is None:
            with self._lock:
                if len(self._slow) < self._lanes.slow_workers:
                    self._slow.add(worker)
                    self._workers.discard(worker)
                    self.promoted += 1
                else:
                    refused = SlowLaneFull(
                        f"the query ran past the fast lane's {self._lanes.fast_seconds:g} s and every place "
                        f"for long queries is taken ({self._lanes.slow_workers}); it was stopped, try again "
                        "shortly"
                    )
        if refused is not None:
            self._end(worker, replace=True)
            raise refused
        deprioritize(worker.pid)
        self._start_successor_soon()

    def pids(self) -> list[int]:
        """Process ids of the fast lane's workers (for tests and monitoring)."""
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def slow_pids(self) -> list[int]:
        """Process ids of the workers running queries in the slow lane."""
        with self._lock:
            return sorted(w.pid for w in self._slow)

    def close(self) -> None:
        """End every worker."""
        with self._lock:
            self._closed = True
            workers = [*self._workers, *self._slow]
            self._workers.clear()
            self._slow.clear()
        for worker in workers:
            worker.stop()
        self._launcher.shutdown(wait=False)

    def _launch(self) -> tuple[subprocess.Popen[bytes], Connection]:
        """Start a worker from the launcher thread (workers die with the thread that started them)."""
        return self._launcher.submit(self._popen).result()

    def _popen(self) -> tuple[subprocess.Popen[bytes], Connection]:
        """Start a worker interpreter (``twingraph.store.worker.main``) linked by a socket pair.

        A fresh interpreter rather than multiprocessing's spawn, which would re-import the parent's
        main module (gunicorn's, pytest's, a user's script) in every worker.
        """
        parent, child = socket.socketpair()
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WORKER_MAIN,
                str(Path(__file__).parent),
                str(child.fileno()),
                self._location,
                self._base,
                str(os.getpid()),
                str(self._memory_mb),
            ],
            pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL,
        )
        child.close()
        return process, Connection(parent.detach())

    def _await(self, process: subprocess.Popen[bytes], parent: Connection) -> _Worker:
        worker = _Worker(process, parent)
        if not parent.poll(START_TIMEOUT):
            worker.stop()
            raise StoreUnavailable("a query worker did not start in time")
        try:
            status, payload, worker.cpu = parent.recv()
        except (EOFError, OSError):
            status, payload = "failed", "it exited while starting"
        if status != "ready":
            worker.stop()
            raise StoreUnavailable(f"a query worker could not open the database: {payload}")
        return worker

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._workers.add(worker)
        self._idle.put(worker)

    def _end(self, worker: _Worker, replace: bool) -> None:
        """End ``worker`` now; start its successor in the background if it was a fast-lane worker."""
        with self._lock:
            self._workers.discard(worker)
            self.replaced += 1
        worker.stop()
        if replace:
            self._start_successor_soon()

    def _start_successor_soon(self) -> None:
        threading.Thread(target=self._start_successor, name="twingraph-respawn", daemon=True).start()

    def _start_successor(self) -> None:
        # At most two replacements start at a time: an interpreter starting up takes a share of the CPU
        # that pages and lookups need, and after a burst of runaway queries several would start at once;
        # one at a time left the fast lane empty for seconds when several workers moved to the slow lane.
        with self._respawning:
            try:
                self._add(self._await(*self._launch()))
            except StoreError:
                log.exception("could not start a replacement query worker")
