"""Writing a release's files from the loaded graph: prepare in the store, then write in parallel.

``prepare`` works inside Oxigraph: blank nodes skolemized, the merged graph and the named graphs
dumped as sorted N-Triples / N-Quads files, the counts (VoID), prefixes and JSON-LD context read with
SPARQL. Two worker processes write the rest from those files (``publish.dump_jobs``): the dumps'
worker starts as soon as the merged graph's files exist (the N-Triples, the changes, then JSON-LD,
Turtle and RDF/XML once their prefixes are read, TriG once the named graphs are written), on the
core this process leaves free while it still reads the store; the validator starts when the store
is dropped (the store and the validator's graph in memory at once would pass 4 GiB). This process
writes the small files meanwhile. Nothing is published unless the graph conforms (the caller
renames the folder into place only when this returns).
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from twingraph.config import Settings
from twingraph.jsonld_context import build_context, context_document
from twingraph.load import LoadedGraph, load_graph, origins_of
from twingraph.namespaces import PREFIXES, BaseNamespaces
from twingraph.network import network_table_metadata, write_network_tables
from twingraph.publish import atomic
from twingraph.publish import dump_jobs as jobs
from twingraph.publish import serialize as ser
from twingraph.publish.catalog import (
    CATALOG_PREFIXES,
    VoidStats,
    catalog_triples,
    dataset_iri,
    store_void_stats,
)
from twingraph.publish.checksums import write_sums
from twingraph.publish.contested import contested_metadata
from twingraph.publish.dataset import DatasetInfo
from twingraph.publish.published_files import (
    PublishedFiles,
    dump_graphs,
    skolemize,
    unstable_literals,
    write_union,
)
from twingraph.publish.tables import TableError
from twingraph.publish.tables_metadata import write_metadata
from twingraph.publish.versioning import ADMS_STATUS, FINGERPRINT_PROPERTY, PUBLISHED, UNPUBLISHED, Target
from twingraph.queries import load_query
from twingraph.validate import ValidationReport, load_shapes, read_report

LANG_STRING = PREFIXES["rdf"] + "langString"
DOCUMENTS = ("CHANGES.md", "changes.ttl", "validation-report.ttl")
DUMP_JOBS = ("twingraph.jsonld", "twingraph.trig", "twingraph.ttl", "twingraph.rdf", "twingraph.nt.gz")


class StageRun(Protocol):
    """The running stage the build hands out: ``step`` reports a step, ``detail`` is its summary."""

    detail: str

    def step(self, item: str) -> None:
        """One step of the stage is done."""


Stage = Callable[..., AbstractContextManager[StageRun]]
"""Opens a timed, reported stage of the build: ``stage(name, steps)``."""


class BuildError(Exception):
    """The build stopped; nothing was published. ``report`` holds the SHACL report when it failed on data."""

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class Written:
    """What the writing reports back: counts and the changes' summary."""

    triples: int = 0
    entities: int = 0
    changes: str = ""


@dataclass(frozen=True)
class _Prepared:
    """What the worker jobs and the small files need, read from the store before it is dropped."""

    files: PublishedFiles
    triples: int
    quads: int
    stats: VoidStats
    prefixes: dict[str, str]
    context: dict[str, object]
    ontology: list[ox.Triple]
    sources: list[tuple[str, Path]]


def _select(store: ox.Store, name: str, base_iri: str) -> list[ox.QuerySolution]:
    result = store.query(load_query(f"build/{name}"), base_iri=base_iri)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


@dataclass(frozen=True)
class _Writing:
    """Where and how the release is written: what the jobs need besides the prepared files."""

    settings: Settings
    info: DatasetInfo
    ns: BaseNamespaces
    folder: Path
    previous: str | None
    title: str  # the dataset's English title (or its first)
    comment: tuple[str, ...]  # the header comment of the written files


def _prepare(loaded: LoadedGraph, writing: _Writing, work: Path, pool: jobs.JobPool) -> _Prepared:
    """Write the published graph's files from the store and read what the jobs need, starting each
    job as soon as its input exists: the dumps' worker writes while this process still reads the
    store (one core each), the validator starts once the store is dropped (``_start_validation``).
    """
    store, ns = loaded.store, writing.ns
    skolemize(store, ns.base)
    stable = unstable_literals(store, {})
    files = PublishedFiles(work)
    triples = write_union(store, files, stable)
    labels = {row["term"].value: row["label"].value for row in _select(store, "class-labels", ns.base)}
    plain = jobs.DumpInput(files, writing.folder, ns, {}, writing.comment)
    pool.submit("twingraph.nt.gz", jobs.ntriples_gz, plain)
    before = writing.settings.dist_dir / writing.previous if writing.previous else None
    version, date = writing.info.version, writing.info.date.isoformat()
    pool.submit("changes", jobs.changes, plain, version, date, before, labels)
    subjects: dict[str, bool] = {}
    for row in _select(store, "resource-iris", ns.base):
        iri = row["iri"].value
        subjects[iri] = subjects.get(iri, False) or row["subject"].value == "true"
    kinds = [(row["p"].value, row["kind"].value) for row in _select(store, "value-kinds", ns.base)]
    stats = store_void_stats(store, ns, subjects)
    used = set(subjects) | {p for p, _kind in kinds}
    used |= {LANG_STRING if kind == "@language" else kind for _p, kind in kinds if kind != "@id"}
    context = build_context(_kind_examples(kinds, stats.classes), ns)
    job = dataclasses.replace(plain, prefixes=ser.dump_prefixes(ns, used))
    pool.submit("twingraph.jsonld", jobs.jsonld, job, context)
    pool.submit("twingraph.ttl", jobs.turtle, job)
    pool.submit("twingraph.rdf", jobs.rdfxml, job)
    quads = dump_graphs(store, files, stable)
    graphs = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    trig_prefixes = ser.dump_prefixes(ns, used | graphs)
    pool.submit("twingraph.trig", jobs.trig, dataclasses.replace(plain, prefixes=trig_prefixes))
    ontology = [
        ox.Triple(
            q.subject,
            q.predicate,
            ser.stable_literal(q.object) if isinstance(q.object, ox.Literal) else q.object,
        )
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ns.ontology))
    ]
    return _Prepared(
        files=files,
        triples=triples,
        quads=quads,
        stats=stats,
        prefixes=job.prefixes,
        context=context,
        ontology=sorted(ontology, key=ser.triple_key),
        sources=list(loaded.sources),
    )


def _start_validation(prepared: _Prepared, writing: _Writing, pool: jobs.JobPool) -> None:
    """Once the store is dropped: validation in its own worker, the tables after the dumps."""
    pool.submit("validate", jobs.validation, prepared.files, writing.settings, lane=jobs.VALIDATION)
    job = jobs.DumpInput(prepared.files, writing.folder, writing.ns, prepared.prefixes, writing.comment)
    pool.submit("tables", jobs.tables, job)


def _kind_examples(kinds: list[tuple[str, str]], classes: list[tuple[str, int]]) -> Iterator[ox.Triple]:
    """One triple per (property, kind of value) and per class: all that ``build_context`` looks at."""
    subject = ox.NamedNode("urn:x-twingraph:example")
    for predicate, kind in kinds:
        if kind == "@id":
            value: ox.NamedNode | ox.Literal = subject
        elif kind == "@language":
            value = ox.Literal("x", language="en")
        else:
            value = ox.Literal("x", datatype=ox.NamedNode(kind))
        yield ox.Triple(subject, ox.NamedNode(predicate), value)
    for cls, _count in classes:
        yield ox.Triple(subject, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(cls))


def write_release_files(
    settings: Settings,
    info: DatasetInfo,
    ns: BaseNamespaces,
    folder: Path,
    stage: Stage,
    target: Target,
    previous: str | None,
) -> Written:
    """Load, prepare, validate and write every file of the release into ``folder``.

    Raises BuildError (with the report when the graph does not conform); ``folder`` is then
    incomplete and the caller removes it.
    """
    written = Written()
    work = Path(
        tempfile.mkdtemp(prefix=f"{atomic.TEMPORARY_PREFIX}{info.version}-work-", dir=settings.dist_dir)
    )
    title = info.title.get("en") or next(iter(info.title.values()))
    writing = _Writing(settings, info, ns, folder, previous, title, tuple(_comment(info, title)))
    pool = jobs.JobPool()
    try:
        with stage("load") as run:
            loaded = load_graph(settings)
            named = int(_select(loaded.store, "named-quads", ns.base)[0]["n"].value)
            run.detail = f"{named} quads in named graphs from {len(loaded.files)} files, rules applied"
        with stage("prepare") as run:
            prepared = _prepare(loaded, writing, work, pool)
            network = write_network_tables(loaded.store, ns.base, folder)
            del loaded  # the store is not needed any more: its memory goes before the validator starts
            _return_memory()
            _start_validation(prepared, writing, pool)
            written.triples, written.entities = prepared.triples, prepared.stats.entities
            run.detail = (
                f"{prepared.quads} quads, {prepared.triples} distinct triples, "
                f"{written.entities} entities (the dumps' worker started)"
            )
        _write_in_parallel(writing, stage, prepared, network, written, pool)
        with stage("catalog") as run:
            described = catalog_triples(
                info, ns, folder, prepared.stats, previous, written.changes, DOCUMENTS
            )
            described += _content_triples(ns, info.version, target)
            ser.write_turtle(
                described, folder / "catalog.ttl", ns, list(writing.comment), extra_prefixes=CATALOG_PREFIXES
            )
            run.detail = f"catalog.ttl ({len(described)} triples)"
        with stage("checksums") as run:
            run.detail = f"SHA256SUMS ({len(write_sums(folder))} files)"
    finally:
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    return written


def _return_memory() -> None:
    """Give the dropped store's memory back to the system: the workers about to start need it
    (world graph: the build's RSS goes from 294 to 89 MiB)."""
    jobs.return_memory()


def _comment(info: DatasetInfo, title: str) -> list[str]:
    return [
        f"{title} {info.version} ({info.date.isoformat()})",
        f"Licence: <{info.license}>",
        "Checksums, statistics and every format: catalog.ttl and SHA256SUMS beside this file.",
    ]


def _write_in_parallel(
    writing: _Writing,
    stage: Stage,
    prepared: _Prepared,
    network: list[tuple[str, int]],
    written: Written,
    pool: jobs.JobPool,
) -> None:
    """Wait for the workers' jobs (validation, dumps, tables, changes) while writing the small files."""
    settings, ns, info, folder = writing.settings, writing.ns, writing.info, writing.folder
    with stage("dumps", 8) as run:
        _write_small_files(settings, info, ns, folder, prepared, network, writing.title)
        (conforms, serialized), timing = pool.result("validate")
        report = read_report(
            conforms,
            serialized,
            settings.base_iri,
            lambda iris: origins_of(prepared.sources, ns.base, iris),
        )
        if not report.conforms:
            raise BuildError("the graph does not conform to the shapes; nothing was published", report)
        _write_report(report, folder / "validation-report.ttl", ns, info)
        timings = [f"validate {timing} ({len(report.results)} warnings or notes)"]
        run.step("validate")
        for name in DUMP_JOBS:
            _result, timing = pool.result(name)
            timings.append(f"{name} {timing}")
            run.step(name)
        try:
            tables, timing = pool.result("tables")
        except TableError as exc:
            raise BuildError(str(exc)) from exc
        timings.append(f"tables {timing} ({', '.join(f'{n} {r}' for n, r in tables + network)})")
        run.step("tables")
        try:
            written.changes, timing = pool.result("changes")
        except (OSError, SyntaxError, ValueError) as exc:
            raise BuildError(f"previous release {writing.previous} cannot be read: {exc}") from exc
        timings.append(f"changes {timing}")
        run.step("changes")
        run.detail = "; ".join(timings)


def _write_small_files(
    settings: Settings,
    info: DatasetInfo,
    ns: BaseNamespaces,
    folder: Path,
    prepared: _Prepared,
    network: list[tuple[str, int]],
    title: str,
) -> None:
    """The files this process writes while the workers run: context, ontology, shapes, CSVW metadata."""
    (folder / "context.jsonld").write_text(context_document(prepared.context), encoding="utf-8")
    ser.write_turtle(
        prepared.ontology, folder / "ontology.ttl", ns, [f"The twingraph ontology, release {info.version}"]
    )
    ser.write_rdflib_turtle(
        load_shapes(settings),
        folder / "shapes.ttl",
        ns,
        [f"The SHACL shapes of twingraph, release {info.version}"],
    )
    extra = [contested_metadata(ns), *network_table_metadata()]
    write_metadata(folder, ns, title, info.license, info.date.isoformat(), extra)


def _write_report(report: ValidationReport, path: Path, ns: BaseNamespaces, info: DatasetInfo) -> None:
    graph = ser.skolemized(report.report_graph, ns.base)
    triples = [
        t.triple if isinstance(t, ox.Quad) else t
        for t in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    ]
    stable = [
        ox.Triple(
            t.subject,
            t.predicate,
            ser.stable_literal(t.object) if isinstance(t.object, ox.Literal) else t.object,
        )
        for t in triples
    ]
    ser.write_turtle(
        stable, path, ns, [f"SHACL validation report of release {info.version} ({info.date.isoformat()})"]
    )


def _content_triples(ns: BaseNamespaces, version: str, target: Target) -> list[ox.Triple]:
    """What content the version names (the inputs' fingerprint) and whether it is published (ADMS)."""
    dataset = ox.NamedNode(dataset_iri(ns, version))
    status = PUBLISHED if target.published else UNPUBLISHED
    return [
        ox.Triple(dataset, ox.NamedNode(ns.tg + FINGERPRINT_PROPERTY), ox.Literal(target.fingerprint)),
        ox.Triple(dataset, ox.NamedNode(ADMS_STATUS), ox.NamedNode(status)),
    ]
