"""The release files written from the published graph's files, in parallel worker processes.

Each job reads the sorted N-Triples / N-Quads files of ``publish.published_files`` (never the store)
and writes one or more files of the release; the jobs run in worker processes, one per lane (the
build's cores write several dumps at once, and a worker's memory is returned after each job).
Every job is a plain function of picklable arguments that returns what the build reports.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import gzip
import itertools
import multiprocessing
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twingraph.config import Settings
from twingraph.namespaces import BaseNamespaces
from twingraph.publish import serialize as ser
from twingraph.publish.changes import compare_lines, graph_lines, read_lines, write_changes
from twingraph.publish.contested import write_contested
from twingraph.publish.jsonld_dump import write_jsonld_stream
from twingraph.publish.published_files import PublishedFiles, write_graphs
from twingraph.publish.tables import TABLES, index_by_subject, table_predicates, write_table

# Worker processes: one validates, one writes the dumps, tables and changes (the machine's two
# cores are what the build targets; the dumps' worker starts while the build's process still holds
# the store, the validator only once it is dropped: the two graphs in memory at once would pass 4 GiB).
DUMPS, VALIDATION = "dumps", "validation"
PR_SET_PDEATHSIG = 1  # prctl(2)
CHUNK_LINES = 100_000  # lines parsed at a time by triples_with


@dataclass(frozen=True)
class DumpInput:
    """What every job needs: the published graph's files, the release folder and how to write."""

    files: PublishedFiles
    folder: Path
    ns: BaseNamespaces
    prefixes: dict[str, str]
    comment: tuple[str, ...]


def triples_of(path: Path) -> Iterator[ox.Triple]:
    """The triples of an N-Triples file, streamed in file order."""
    for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        yield t if isinstance(t, ox.Triple) else t.triple


def triples_with(path: Path, predicates: set[str]) -> Iterator[ox.Triple]:
    """The triples of an N-Triples file whose predicate is one of ``predicates``, in file order.

    The lines are chosen as bytes (a line's predicate is its second term, an IRI: no space in
    it) and only those are parsed, so the triples the caller never looks at cost no Python objects.
    """
    wanted = {f"<{iri}>".encode() for iri in predicates}
    chunk: list[bytes] = []
    with path.open("rb") as lines:
        for line in lines:
            start = line.index(b"> ") + 2
            if line[start : line.index(b"> ", start) + 1] in wanted:
                chunk.append(line)
                if len(chunk) == CHUNK_LINES:
                    yield from triples_of_bytes(b"".join(chunk))
                    chunk = []
    yield from triples_of_bytes(b"".join(chunk))


def triples_of_bytes(data: bytes) -> Iterator[ox.Triple]:
    """The triples of N-Triples bytes."""
    for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        yield t if isinstance(t, ox.Triple) else t.triple


def _as_default(triples: Iterator[ox.Triple]) -> Iterator[ox.Quad]:
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())


def turtle(job: DumpInput) -> str:
    """``twingraph.ttl``: the merged graph, one block per subject."""
    path = job.folder / "twingraph.ttl"
    ser.write_streamed(
        triples_of(job.files.union), path, ox.RdfFormat.TURTLE, job.prefixes, list(job.comment)
    )
    return path.name


def trig(job: DumpInput) -> str:
    """``twingraph.trig``: the named graphs, then the merged graph as the default graph.

    The named graphs' file (``graphs.nq``) is sorted here first, from the store's dumps.
    """
    write_graphs(job.files)
    path = job.folder / "twingraph.trig"
    named = ox.parse(path=str(job.files.graphs), format=ox.RdfFormat.N_QUADS)
    quads = itertools.chain(named, _as_default(triples_of(job.files.union)))
    ser.write_streamed(quads, path, ox.RdfFormat.TRIG, job.prefixes, list(job.comment), "\t")
    return path.name


def rdfxml(job: DumpInput) -> str:
    """``twingraph.rdf``: RDF/XML, one ``rdf:Description`` per subject."""
    path = job.folder / "twingraph.rdf"
    ox.serialize(triples_of(job.files.union), str(path), ox.RdfFormat.RDF_XML, prefixes=job.prefixes)
    return path.name


def ntriples_gz(job: DumpInput) -> str:
    """``twingraph.nt.gz``: sorted N-Triples, no file name and mtime 0 in the gzip header (reproducible)."""
    path = job.folder / "twingraph.nt.gz"
    with (
        job.files.union_sorted.open("rb") as source,
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
    ):
        shutil.copyfileobj(source, gz, 1 << 20)
    return path.name


def jsonld(job: DumpInput, context: dict[str, Any]) -> str:
    """``twingraph.jsonld``: compacted with the published context, one node per subject."""
    path = job.folder / "twingraph.jsonld"
    write_jsonld_stream(triples_of(job.files.union), context, path)
    return path.name


def tables(job: DumpInput) -> list[tuple[str, int]]:
    """The CSV tables and ``contested-values.csv``: (file name, rows) of each entity table.

    Raises ``TableError`` when a one-value column has several values (the build reports it).
    """
    index = index_by_subject(triples_with(job.files.union, table_predicates(job.ns)))
    rows = [(table.file_name, write_table(table, index, job.folder, job.ns)) for table in TABLES]
    rows.append(("contested-values.csv", write_contested(index, job.folder, job.ns)))
    return rows


def changes(
    job: DumpInput, version: str, date: str, previous: Path | None, class_labels: dict[str, str]
) -> str:
    """``CHANGES.md`` and ``changes.ttl`` against the previous release (None: the first); the summary.

    Raises OSError, SyntaxError or ValueError when the previous release cannot be read.
    """
    before = graph_lines(read_lines(previous), job.ns) if previous else None
    with job.files.union.open("rb") as lines:
        current = graph_lines(lines, job.ns)
    found = compare_lines(current, before, job.ns, version, date, previous.name if previous else None)
    write_changes(found, job.folder, job.ns, class_labels)
    return found.summary()


def validation(files: PublishedFiles, settings: Settings) -> tuple[bool, bytes]:
    """Validate the merged graph against the shapes: (conforms, the report as N-Triples)."""
    from twingraph.validate import validate_ntriples  # the engines are loaded by the worker only

    return validate_ntriples(files.union_sorted, settings)


def return_memory() -> None:
    """Give freed memory back to the system: glibc keeps freed pages for reuse, so a process that
    held a graph once would keep its peak (the build's store, a worker's last job) while the next
    job of another process needs it."""
    gc.collect()
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass(frozen=True)
class Timing:
    """How long a job took: wall seconds and the worker's CPU seconds (on a machine shared with
    other work, the CPU seconds carry over where the wall seconds do not)."""

    seconds: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.seconds:.1f} s, {self.cpu:.1f} CPU s"


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, Timing]:
    started, cpu = time.perf_counter(), time.process_time()
    try:
        return function(*args), Timing(time.perf_counter() - started, time.process_time() - cpu)
    finally:
        return_memory()  # a worker runs several jobs: the next starts from a small process


def _end_with(parent: int) -> None:
    """Make this worker end when the build's process ends, even killed (a worker waits on a queue
    it holds both ends of, so it would wait for ever): Linux sends it SIGTERM then."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the build ended before the line above ran
        os._exit(1)


class JobPool:
    """Jobs submitted to worker processes; each result comes back with its timing.

    Each lane is one worker process, started at its first job, that runs its jobs in the order
    they were submitted.
    """

    def __init__(self) -> None:
        self._lanes: dict[str, ProcessPoolExecutor] = {}
        self.futures: dict[str, Future[tuple[Any, Timing]]] = {}

    def submit(self, name: str, function: Callable[..., Any], *args: Any, lane: str = DUMPS) -> None:
        """Start ``function(*args)`` in the worker of ``lane``, known as ``name``."""
        if lane not in self._lanes:
            # spawn, not fork: the parent holds a store whose pages a fork would share and copy
            self._lanes[lane] = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_end_with,
                initargs=(os.getpid(),),
            )
        self.futures[name] = self._lanes[lane].submit(_timed, function, *args)

    def result(self, name: str) -> tuple[Any, Timing]:
        """Wait for a job: its result and timing (its exception is raised here)."""
        return self.futures[name].result()

    def close(self) -> None:
        """Stop the workers (jobs not started are cancelled)."""
        for executor in self._lanes.values():
            executor.shutdown(wait=True, cancel_futures=True)
