"""Embedded backend: the release in an on-disk Oxigraph database, opened read-only.

Two paths. Protocol queries (``answer``, the public /sparql) run in worker processes that are killed
at the time limit, except those that cannot run away, answered here like the pages' queries: a
``DESCRIBE`` of named resources (index look-ups), and a basic graph pattern whose work the release's
degrees bound to at most ``BOUNDED_WORK`` solutions (store/degrees.py). The small queries pages
make (``select``/``construct``/``ask``, written by us in ``.rq`` files) run in this process on the
same read-only database, which saves the round trip; they are bounded too: rows are pulled lazily
and the pull stops at the time limit (Oxigraph evaluates on demand, so a dropped iterator does no more work).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from twingraph.store import degrees as release_degrees
from twingraph.store.backend import Backend, boolean_of, solutions_of, triples_of
from twingraph.store.base import Dataset, Limits, QueryAnswer, QuerySyntaxError, QueryTimeout, Row, Term
from twingraph.store.database import (
    DUMP_NAME,
    dump_digest,
    open_read_only,
    prepare_database,
    release_fingerprint,
    release_version,
)
from twingraph.store.degrees import Degrees, work_bound
from twingraph.store.guard import QueryInfo
from twingraph.store.lanes import Lanes, SlowLanePass
from twingraph.store.pool import WorkerPool, answer_of
from twingraph.store.results import serialize_result, solution_rows
from twingraph.store.worker import Job, execute

T = TypeVar("T")
log = logging.getLogger(__name__)
_CHECK_EVERY = 64  # rows between two looks at the clock on the in-process path
# Solutions a query may provably go through to be answered in the web process (store/degrees.py):
# Oxigraph goes through about a million a second on one core here, so at most a few tens of ms.
BOUNDED_WORK = 25_000


class EmbeddedStore(Backend):
    """A read-only pyoxigraph store holding one release, with a pool of query worker processes."""

    def __init__(
        self,
        store: ox.Store,
        version: str,
        base_iri: str,
        *,
        location: Path | None = None,
        fingerprint: str | None = None,
        limits: Limits | None = None,
        workers: int = 2,
        cache_dir: str | Path | None = None,
        lanes: Lanes | None = None,
    ) -> None:
        """Serve ``store``; one built in memory (no ``location``) is first written to a database like a
        release's, so that its default graph holds the merge and worker processes can open it."""
        if location is None:
            location, fingerprint = _materialize(store, version, cache_dir)
            store = open_read_only(location)
        super().__init__(version, fingerprint or version, base_iri, limits)
        self._store = store
        self._location = location
        self._workers = workers
        self._lanes = lanes or Lanes()
        self._pool: WorkerPool | None = None
        self._pool_pid = 0
        self._pool_owner: EmbeddedStore | None = None  # see share_pool()
        self._lock = threading.Lock()
        self._degrees: Degrees | None = release_degrees.read(location)
        self._degrees_known = threading.Event()
        self._measuring_pid = 0
        self._last_bound: tuple[QueryInfo, bool] | None = None

    @classmethod
    def from_release(
        cls,
        folder: Path,
        base_iri: str,
        limits: Limits | None = None,
        workers: int = 2,
        cache_dir: str | Path | None = None,
        lanes: Lanes | None = None,
    ) -> EmbeddedStore:
        """Open the release in ``folder`` (its ``twingraph.trig`` is bulk-loaded once into the cache)."""
        fingerprint = release_fingerprint(folder)
        location = prepare_database(folder / DUMP_NAME, fingerprint, cache_dir)
        return cls(
            open_read_only(location),
            release_version(folder),
            base_iri,
            location=location,
            fingerprint=fingerprint,
            limits=limits,
            workers=workers,
            cache_dir=cache_dir,
            lanes=lanes,
        )

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> list[Row]:
        """Run a SELECT over the union graph (in process, stopped at the time limit)."""
        return list(self._bounded(solution_rows(solutions_of(self._query(query, bindings)))))

    def construct(self, query: str, bindings: dict[str, Term] | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE over the union graph (in process, stopped at the time limit)."""
        return list(self._bounded(triples_of(self._query(query, bindings))))

    def ask(self, query: str, bindings: dict[str, Term] | None = None) -> bool:
        """Run an ASK over the union graph."""
        return boolean_of(self._query(query, bindings))

    def answer(
        self,
        query: str,
        media_type: str,
        dataset: Dataset | None = None,
        slow_lane: SlowLanePass | None = None,
    ) -> QueryAnswer:
        """Run a protocol query in a worker process: guarded, capped, stopped at the time limit; in the
        slow lane past the fast lane's limit if ``slow_lane`` (the client's share) has room."""
        dataset = dataset or Dataset()
        info = self.inspect(query)
        if info.lookup and dataset.is_empty:
            answer = self._look_up(query, media_type, slow_lane)
            if answer is not None:
                return answer
        job = Job(
            query=query,
            media_type=media_type,
            limit=self._limits.result_limit,
            default_graphs=dataset.default_graphs,
            named_graphs=dataset.named_graphs,
            prefixes=self._prefixes,
            location=str(self._location) if self._pool_owner is not None else "",
            within_limit=info.limit is not None and info.limit <= self._limits.result_limit,
        )
        if dataset.is_empty and self._is_bounded(info):
            if slow_lane is not None:
                slow_lane.running()
            # The worker's own function on this process's read-only store: the same answer, the same
            # errors, without the round trip.
            return answer_of(*execute(self._store, job, self._base))
        return self.pool().run(job, slow_lane)

    def in_process(self, query: str, dataset: Dataset) -> bool:
        """Whether :meth:`answer` answers this (guarded) query here: a look-up, or bounded work."""
        if not dataset.is_empty:
            return False
        info = self.inspect(query)
        return info.lookup or self._is_bounded(info)

    def _is_bounded(self, info: QueryInfo) -> bool:
        """Whether the query's work is provably at most BOUNDED_WORK solutions (False until the
        release's degrees are known: they are measured in the background on first use)."""
        last = self._last_bound  # the web layer asks before admission, answer() again after it
        if last is not None and last[0] is info:
            return last[1]
        degrees = self.degrees()
        if degrees is None or info.patterns is None:
            return False
        work = work_bound(info.patterns, degrees)
        bounded = work is not None and work <= BOUNDED_WORK
        self._last_bound = (info, bounded)
        return bounded

    def degrees(self, wait: float = 0.0) -> Degrees | None:
        """The release's degrees (store/degrees.py), measured when the database was loaded; for a
        database loaded before they were, measured in a background thread started on the first call
        (in each process) and saved for the next; None until known, after waiting at most ``wait``
        seconds."""
        if self._degrees is None and self._measuring_pid != os.getpid():
            with self._lock:
                if self._measuring_pid != os.getpid():
                    self._measuring_pid = os.getpid()
                    self._degrees_known.clear()
                    threading.Thread(
                        target=self._measure_degrees, name="twingraph-degrees", daemon=True
                    ).start()
        if self._degrees is None and wait > 0:
            self._degrees_known.wait(wait)
        return self._degrees

    def _measure_degrees(self) -> None:
        try:
            found = release_degrees.read(self._location)
            if found is None:
                found = release_degrees.measure(self._store)
                with contextlib.suppress(OSError):
                    release_degrees.write(found, self._location)
            self._degrees = found
        except (OSError, ValueError, RuntimeError):  # no degrees: every query keeps going to the workers
            log.exception("could not measure the release's degrees")
        finally:
            self._degrees_known.set()

    def _look_up(self, query: str, media_type: str, slow_lane: SlowLanePass | None) -> QueryAnswer | None:
        """Answer a ``DESCRIBE`` of named resources in this process (the guard's ``lookup``): no worker
        round trip for the cheapest query there is. It cannot run away: Oxigraph yields its triples
        from index look-ups as they are pulled, the pull stops at the result limit and at the time
        limit, and the worker's own serializer writes the same bytes. None when the engine refuses the
        text: the worker pool then answers (and words the error) as for any other query."""
        try:
            result = self._store.query(query, base_iri=self._base)
        except (SyntaxError, ValueError):
            return None
        if slow_lane is not None:
            slow_lane.running()
        triples = self._bounded(triples_of(result), "and was stopped")
        return serialize_result(triples, media_type, self._limits.result_limit, self._prefixes)

    def _named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def share_pool(self, owner: EmbeddedStore) -> None:
        """Run this store's protocol queries in ``owner``'s worker pool instead of a pool of its own.

        For releases served side by side (web/release_apps.py): each pool's workers are interpreters
        of about 40 MiB, so ten releases with a pool each would hold thirty of them; one pool for all
        keeps the count at the main release's, and a job names the database it is for.
        """
        self._pool_owner = owner

    def pool(self) -> WorkerPool:
        """The worker pool, started on first use (and anew in a forked child)."""
        if self._pool_owner is not None:
            return self._pool_owner.pool()
        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = WorkerPool(self._location, self._base, self._workers, self._limits, self._lanes)
                self._pool_pid = os.getpid()
            return self._pool

    def close(self) -> None:
        """End the worker processes."""
        with self._lock:
            if self._pool is not None and self._pool_pid == os.getpid():
                self._pool.close()
            self._pool = None

    def _query(self, query: str, bindings: dict[str, Term] | None) -> Any:
        # A VALUES block opening the WHERE group, as on the remote backend: Oxigraph's own
        # substitutions would only accept projected variables.
        bound = self.bind(query, bindings)
        try:
            return self._store.query(bound, base_iri=self._base)
        except (SyntaxError, ValueError) as exc:
            raise QuerySyntaxError(f"malformed query: {exc}") from exc

    def _bounded(self, items: Iterable[T], said: str = "") -> Iterator[T]:
        deadline = time.monotonic() + self._limits.timeout
        for i, item in enumerate(items):
            if i % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                limit = f"the query ran longer than the limit of {self._limits.timeout:g} s"
                raise QueryTimeout(f"{limit} {said}" if said else limit)
            yield item


def _materialize(store: ox.Store, version: str, cache_dir: str | Path | None) -> tuple[Path, str]:
    """Write an in-memory store's quads to a database in the cache; return its folder and fingerprint."""
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / DUMP_NAME
        store.dump(str(dump), format=ox.RdfFormat.TRIG)
        fingerprint = f"{version}-{dump_digest(dump)}"
        return prepare_database(dump, fingerprint, cache_dir), fingerprint
