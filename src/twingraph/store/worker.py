"""The query worker process: opens the release read-only and answers jobs until its pipe closes.

It is a separate process so that a query past the time limit can be stopped for real: the parent
kills the process (Oxigraph cannot cancel a running query from Python) and starts a fresh one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twingraph.store.results import serialize_result

OTHER_DATABASES = 1  # other releases' databases a worker keeps open besides its own (opening one: ms)


@dataclass(frozen=True)
class Job:
    """One protocol query to run: text, answer media type, protocol dataset and result limit."""

    query: str
    media_type: str
    limit: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict)
    location: str = ""
    """Database to query (another release's, when releases share one pool); empty: the worker's own."""
    within_limit: bool = False
    """The query's own LIMIT is at most ``limit``: its answer is serialized whole, uncut."""


# A reply is (status, payload): ("ok", (body, media_type, truncated)), ("syntax" or "error", message);
# the worker sends it with its processor time so far, (status, payload, seconds).
Reply = tuple[str, Any]


def query_options(
    base_iri: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]
) -> dict[str, Any]:
    """Keyword arguments of ``Store.query`` for a protocol dataset (none given: the default graph, which
    holds the merge of the named graphs).

    When the request names graphs they make up the dataset, as the protocol says: the default graph is
    the merge of ``default-graph-uri`` (empty if none) and only ``named-graph-uri`` are named graphs.
    """
    options: dict[str, Any] = {"base_iri": base_iri}
    if default_graphs or named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return options


def execute(store: ox.Store, job: Job, base_iri: str) -> Reply:
    """Run one job; never raises (the parent maps the status to an exception)."""
    try:
        result = store.query(job.query, **query_options(base_iri, job.default_graphs, job.named_graphs))
        answer = serialize_result(result, job.media_type, job.limit, job.prefixes, whole=job.within_limit)
    except SyntaxError as exc:
        return ("syntax", str(exc))
    except (OSError, ValueError, RuntimeError) as exc:
        return ("error", str(exc))
    return ("ok", (answer.body, answer.media_type, answer.truncated))


def serve(conn: Connection, location: str, base_iri: str) -> None:
    """Entry point of a worker process: announce readiness, then answer jobs one at a time."""
    from twingraph.store.database import open_read_only

    try:
        store = open_read_only(Path(location))
    except OSError as exc:
        conn.send(("failed", str(exc), time.process_time()))
        return
    conn.send(("ready", os.getpid(), time.process_time()))
    others = OtherDatabases()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job.location and job.location != location:
            try:
                target = others.get(job.location)
            except OSError as exc:
                message = f"the release's database could not be opened: {exc}"
                conn.send(("error", message, time.process_time()))
                continue
        else:
            target = store
        # The processor time used so far goes with each reply: the parent measures the next job's
        # use against it, without reading /proc when the job starts.
        conn.send((*execute(target, job, base_iri), time.process_time()))


class OtherDatabases:
    """Other releases' databases this worker has opened (releases served side by side share one pool
    of query workers): the most recently used few stay open, opening one takes milliseconds."""

    def __init__(self, keep: int = OTHER_DATABASES) -> None:
        self._keep = keep
        self._open: OrderedDict[str, ox.Store] = OrderedDict()

    def get(self, location: str) -> ox.Store:
        """The database at ``location``, opened read-only if it is not open yet."""
        from twingraph.store.database import open_read_only

        store = self._open.pop(location, None)
        if store is None:  # not ``or``: an empty Store is falsy
            store = open_read_only(Path(location))
        self._open[location] = store
        while len(self._open) > self._keep:
            self._open.popitem(last=False)
        return store


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the thread that started it ends (the pool's launcher
    thread, which lives as long as the server process), so no query outlives the server."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request above was made
        os._exit(1)


def _limit_memory(megabytes: int) -> None:
    """Cap the heap (RLIMIT_DATA): a query that needs more fails its allocation and the worker dies,
    instead of the server's machine running out of memory."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def main(argv: list[str]) -> None:
    """Worker entry point; ``argv``: socket fd, database folder, base IRI, parent's pid, memory MiB."""
    fd, location, base_iri, parent, memory_mb = argv
    _die_with_parent(int(parent))
    _limit_memory(int(memory_mb))
    serve(Connection(int(fd)), location, base_iri)
