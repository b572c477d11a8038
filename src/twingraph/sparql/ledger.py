"""Per-client counters shared by every process of one server: a small SQLite database in WAL mode.

One file (``<run dir>/clients.sqlite3``) holds, per client address: its requests in the current and
the previous minute (the rate limit), the queries it has running and in which lane (the in-flight cap
and the slow-lane share), and the query time it spent in the last minute (the time budget). Every
check-and-count is one transaction under a file lock, so it is atomic across processes.

Why SQLite, from the standard library, and not a ready-made rate limiter:

- the ``limits`` library's storages are process memory, Redis, Memcached, MongoDB (and etcd): the
  first counts per worker process, the others need a server beside the app;
- ``multiprocessing`` shared memory needs a parent that creates it before the workers start (Granian
  starts them as fresh interpreters), and a lock held by a process killed with SIGKILL is never
  released, which would wedge every other worker; SQLite locks are the kernel's file locks, released
  when their holder dies;
- ``diskcache`` (SQLite as well) has semaphores that poll and never give back the slot of a holder
  that died.

A query row names the process that runs it: rows of a process that died (a web worker killed under
load) are closed the next time its client's count matters, so a killed worker never leaves a client
locked out. The state is ephemeral (``synchronous=OFF``): after a power cut it only forgets counts.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "clients.sqlite3"
WINDOW = 60.0  # seconds: rates and budgets are per minute
_HOUSEKEEPING_EVERY = 5.0  # seconds between two purges of expired rows (per process)
_CHARGE_EVERY = 1.0  # seconds between two writes of the charges of queries that took no place

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rates (
    scope TEXT NOT NULL, client TEXT NOT NULL, window INTEGER NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (scope, client, window)
);
CREATE TABLE IF NOT EXISTS running (
    id INTEGER PRIMARY KEY, client TEXT NOT NULL, pid INTEGER NOT NULL, started REAL NOT NULL,
    slow INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS running_by_client ON running (client);
CREATE TABLE IF NOT EXISTS spent_seconds (
    client TEXT NOT NULL, second INTEGER NOT NULL, ended REAL NOT NULL, seconds REAL NOT NULL,
    PRIMARY KEY (client, second)
);
"""


@dataclass(frozen=True)
class Refusal:
    """Why a client is refused, and the seconds after which it may try again (``Retry-After``)."""

    budget: str  # which share is used up: "rate", "in-flight", "query-time", "slow-lane"
    message: str
    retry_after: int


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _seconds(value: float) -> int:
    """Whole seconds to wait, at least 1 (Retry-After is an integer).

    >>> _seconds(0.2), _seconds(3.01)
    (1, 4)
    """
    return max(1, math.ceil(value))


class ClientLedger:
    """The shared counters in ``folder``; thread-safe and process-safe."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILE_NAME
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._pid = 0
        self._swept = 0.0
        self._pending: dict[str, float] = {}  # charges not written yet (charge_later)
        self._charged = 0.0
        with self._lock:
            self._connection()  # creates the tables

    def _connection(self) -> sqlite3.Connection:
        """This process's connection (a new one after a fork: SQLite connections do not cross it)."""
        if self._conn is None or self._pid != os.getpid():
            self._lock_fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
            # Under the lock every process shares: switching to WAL needs the database alone, and
            # SQLite answers "database is locked" at once, without waiting, when another process is
            # opening it too (the server's workers start together; one died of it in a benchmark).
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=OFF")
                conn.executescript(_SCHEMA)
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, serialized between threads (a lock) and processes (``flock``).

        The file lock comes first because SQLite's own wait for a busy database sleeps and polls:
        measured here, two processes contending for ``BEGIN IMMEDIATE`` waited up to 2.9 s, where a
        kernel lock wakes its waiter at once (worst 36 ms, mean 0.23 ms per transaction). The kernel
        also releases it when its holder dies.
        """
        with self._lock:
            db = self._connection()
            assert self._lock_fd is not None
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Write the charges not written yet, and close this process's connection."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if pending and self._pid == os.getpid():
            now = self._clock()
            with self._transaction() as db:
                for name, owed in pending.items():
                    _charge(db, name, now, owed)
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
                if self._lock_fd is not None:
                    os.close(self._lock_fd)
            self._conn, self._lock_fd = None, None

    # --- the request rate ---------------------------------------------------------------------

    def hit(self, scope: str, client: str, per_minute: int) -> Refusal | None:
        """Count one request of ``client`` to ``scope``; a Refusal when it is over ``per_minute``.

        A sliding window counter (as the ``limits`` library's): this minute's count plus the previous
        minute's, weighted by how much of it still lies in the last 60 s. Two rows per client.
        """
        granted = self.hit_many(scope, client, per_minute, 1)
        return granted if isinstance(granted, Refusal) else None

    def hit_many(self, scope: str, client: str, per_minute: int, count: int) -> int | Refusal:
        """Count up to ``count`` requests of ``client`` at once (a lease, sparql/ratelimit.py): how many
        were counted (at least one, at most what the limit still allows), or the Refusal."""
        now = self._clock()
        with self._transaction() as db:
            granted = self._hit(db, scope, client, per_minute, now, count)
            self._sweep(db, now)
        return granted

    def _hit(
        self, db: sqlite3.Connection, scope: str, client: str, per_minute: int, now: float, count: int
    ) -> int | Refusal:
        """Count up to ``count`` requests; how many were counted, or the Refusal."""
        window = int(now // WINDOW)
        weight = 1.0 - (now % WINDOW) / WINDOW
        rows = dict(
            db.execute(
                "SELECT window, count FROM rates WHERE scope = ? AND client = ? AND window >= ?",
                (scope, client, window - 1),
            ).fetchall()
        )
        current, previous = rows.get(window, 0), rows.get(window - 1, 0)
        used = current + previous * weight
        if used >= per_minute:
            if current >= per_minute:  # next minute, this one's weight must fall under the limit
                wait = WINDOW - now % WINDOW + WINDOW * (1 - per_minute / current)
            else:  # the previous minute's weight must fall until the sum is under the limit
                wait = WINDOW * (1 - (per_minute - current) / previous) - now % WINDOW
            message = f"more than {per_minute} requests a minute from this client"
            return Refusal("rate", message, _seconds(wait))
        granted = max(1, min(count, int(per_minute - used)))
        db.execute(
            "INSERT INTO rates VALUES (?, ?, ?, ?) "
            "ON CONFLICT (scope, client, window) DO UPDATE SET count = count + excluded.count",
            (scope, client, window, granted),
        )
        return granted

    # --- queries in flight and the time they spend ---------------------------------------------

    def begin(self, client: str, in_flight: int, seconds_per_minute: float, timeout: float) -> int | Refusal:
        """Register a query of ``client`` (the id to pass to :meth:`end`), or refuse it: when the client
        already has ``in_flight`` queries running, or spent ``seconds_per_minute`` of query time in the
        last minute. ``timeout`` bounds how long a running query can still hold its place."""
        now = self._clock()
        with self._transaction() as db:
            admitted = self._begin(db, client, in_flight, seconds_per_minute, timeout, now)
            self._sweep(db, now)
        return admitted

    def within_share(
        self, client: str, in_flight: int, seconds_per_minute: float, timeout: float
    ) -> Refusal | bool:
        """Whether ``client`` may run one more query now, read without a write transaction: True when
        it may, the Refusal when it may not, False when the answer needs :meth:`begin` (a row of a
        process that has died, to be closed first). For queries that take no place (a query answered
        in the web process in milliseconds): their time is charged with :meth:`charge_later`.

        A read in WAL mode takes no lock and waits for no writer: the two write transactions of
        :meth:`begin` and :meth:`end`, each under the lock every process shares, were a third of a
        light query's time in the web process (issue 17's profile)."""
        now = self._clock()
        with self._lock:
            db = self._connection()
            rows = db.execute("SELECT pid, started, slow FROM running WHERE client = ?", (client,)).fetchall()
            spent = db.execute(
                "SELECT ended, seconds FROM spent_seconds WHERE client = ? AND ended > ? ORDER BY second",
                (client, now - WINDOW),
            ).fetchall()
            pending = self._pending.get(client, 0.0)
        for pid, started, _ in rows:
            if now - started > 4 * timeout + WINDOW or (pid != os.getpid() and not _alive(pid)):
                return False
        running = [(float(started), int(slow)) for _, started, slow in rows]
        if pending:
            spent = [*spent, (now, pending)]
        refusal = _refusal(running, spent, in_flight, seconds_per_minute, timeout, now)
        return True if refusal is None else refusal

    def charge_later(self, client: str, seconds: float) -> None:
        """Charge ``seconds`` of query time to ``client``, written with other charges at most
        ``_CHARGE_EVERY`` seconds later (one transaction for many light queries); counted by
        :meth:`within_share` in this process meanwhile."""
        now = self._clock()
        with self._lock:
            self._pending[client] = self._pending.get(client, 0.0) + max(0.0, seconds)
            if now - self._charged < _CHARGE_EVERY:
                return
            self._charged = now
            pending, self._pending = self._pending, {}
        with self._transaction() as db:
            for name, owed in pending.items():
                _charge(db, name, now, owed)

    def _begin(
        self,
        db: sqlite3.Connection,
        client: str,
        in_flight: int,
        seconds_per_minute: float,
        timeout: float,
        now: float,
    ) -> int | Refusal:
        running = self._running(db, client, now, timeout)
        # Charges are summed per client and second (at most 61 rows a client, however many queries it
        # sends: one row per query made each admission read thousands), each second's sum counted
        # until the latest charge in it has left the window.
        spent = db.execute(
            "SELECT ended, seconds FROM spent_seconds WHERE client = ? AND ended > ? ORDER BY second",
            (client, now - WINDOW),
        ).fetchall()
        with_pending = self._pending.get(client, 0.0)
        if with_pending:
            spent = [*spent, (now, with_pending)]
        refusal = _refusal(running, spent, in_flight, seconds_per_minute, timeout, now)
        if refusal is not None:
            return refusal
        cursor = db.execute(
            "INSERT INTO running (client, pid, started) VALUES (?, ?, ?)", (client, os.getpid(), now)
        )
        return int(cursor.lastrowid or 0)

    def claim_slow(self, query: int, client: str, per_client: int, timeout: float) -> Refusal | None:
        """Move query ``query`` to the slow lane unless ``client`` already has ``per_client`` there."""
        now = self._clock()
        with self._transaction() as db:
            slow = [started for started, is_slow in self._running(db, client, now, timeout) if is_slow]
            if len(slow) >= per_client:
                message = (
                    f"this client already has {len(slow)} long queries running, the most one client may "
                    f"have in the slow lane ({per_client}); this query was stopped"
                )
                return Refusal("slow-lane", message, _seconds(min(slow) + timeout - now))
            db.execute("UPDATE running SET slow = 1 WHERE id = ?", (query,))
        return None

    def end(self, query: int, client: str, seconds: float) -> None:
        """Close query ``query`` and charge ``seconds`` of query time to ``client``."""
        now = self._clock()
        with self._transaction() as db:
            db.execute("DELETE FROM running WHERE id = ?", (query,))
            _charge(db, client, now, max(0.0, seconds))

    def running(self, client: str) -> int:
        """How many queries ``client`` has running (for tests and monitoring)."""
        with self._lock:
            row = self._connection().execute("SELECT COUNT(*) FROM running WHERE client = ?", (client,))
            return int(row.fetchone()[0])

    def _running(
        self, db: sqlite3.Connection, client: str, now: float, timeout: float
    ) -> list[tuple[float, int]]:
        """(started, slow) of the client's running queries, once rows of dead processes are closed.

        A row whose process has died, or older than a query can live (waiting for a worker, then the
        time limit, twice over), belongs to no running query any more: it is charged and removed.
        """
        rows = db.execute("SELECT id, pid, started, slow FROM running WHERE client = ?", (client,)).fetchall()
        kept = []
        for query, pid, started, slow in rows:
            stale = now - started > 4 * timeout + WINDOW
            if stale or (pid != os.getpid() and not _alive(pid)):
                db.execute("DELETE FROM running WHERE id = ?", (query,))
                _charge(db, client, now, min(now - started, 2 * timeout))
            else:
                kept.append((float(started), int(slow)))
        return kept

    def _sweep(self, db: sqlite3.Connection, now: float) -> None:
        """Drop what no count looks at any more (older than a minute), now and then."""
        if now - self._swept < _HOUSEKEEPING_EVERY:
            return
        self._swept = now
        db.execute("DELETE FROM spent_seconds WHERE ended <= ?", (now - WINDOW,))
        db.execute("DELETE FROM rates WHERE window < ?", (int(now // WINDOW) - 1,))


def _charge(db: sqlite3.Connection, client: str, now: float, seconds: float) -> None:
    """Add ``seconds`` of query time to ``client``'s charges of the current second."""
    db.execute(
        "INSERT INTO spent_seconds VALUES (?, ?, ?, ?) ON CONFLICT (client, second) "
        "DO UPDATE SET seconds = seconds + excluded.seconds, ended = MAX(ended, excluded.ended)",
        (client, int(now), now, seconds),
    )


def _refusal(
    running: list[tuple[float, int]],
    spent: list[tuple[float, float]],
    in_flight: int,
    seconds_per_minute: float,
    timeout: float,
    now: float,
) -> Refusal | None:
    """Why one more query of a client with these running queries and charges is refused, if it is."""
    if len(running) >= in_flight:
        soonest = min(started for started, _ in running) + timeout - now
        message = (
            f"this client already has {len(running)} queries running, the most one client may "
            f"have at once ({in_flight}); send the next one when one has finished"
        )
        return Refusal("in-flight", message, _seconds(soonest))
    used = sum(s for _, s in spent) + sum(now - started for started, _ in running)
    if used >= seconds_per_minute:
        wait = _budget_wait(spent, used, seconds_per_minute, now)
        message = (
            f"this client used its query-time budget: {used:.1f} s of query time in the last "
            f"minute, of {seconds_per_minute:g} s a minute"
        )
        return Refusal("query-time", message, _seconds(wait))
    return None


def _budget_wait(spent: list[tuple[float, float]], used: float, budget: float, now: float) -> float:
    """Seconds until the time spent in the last minute falls under ``budget``, as the oldest charges
    leave the window (queries still running count as if they ended now).

    >>> _budget_wait([(100.0, 20.0), (110.0, 20.0)], 40.0, 30.0, 120.0)
    40.0
    """
    for ended, seconds in spent:
        used -= seconds
        if used < budget:
            return ended + WINDOW - now
    return WINDOW
