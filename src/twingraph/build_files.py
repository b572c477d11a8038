"""Writing a release's files from the loaded graph: prepare in the store, then write in parallel.

``prepare`` works inside Oxigraph: blank nodes skolemized, the merged graph and the named graphs
dumped as sorted N-Triples / N-Quads files, the counts (VoID), prefixes and JSON-LD context read with
SPARQL. The store is then dropped, and worker processes validate the merged graph and write the
dumps, tables and changes from those files at the same time (``publish.dump_jobs``), while this
process writes the small files. Nothing is published unless the graph conforms (the caller renames
the folder into place only when this returns).
"""

from __future__ import annotations

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
from twingraph.publish.published_files import PublishedFiles, skolemize, write_published
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
    stats: VoidStats
    prefixes: dict[str, str]
    trig_prefixes: dict[str, str]
    context: dict[str, object]
    ontology: list[ox.Triple]
    class_labels: dict[str, str]
    sources: list[tuple[str, Path]]


def _select(store: ox.Store, name: str, base_iri: str) -> list[ox.QuerySolution]:
    result = store.query(load_query(f"build/{name}"), base_iri=base_iri)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _prepare(loaded: LoadedGraph, ns: BaseNamespaces, work: Path) -> _Prepared:
    store = loaded.store
    skolemize(store, ns.base)
    files = write_published(store, work)
    subjects: dict[str, bool] = {}
    for row in _select(store, "resource-iris", ns.base):
        iri = row["iri"].value
        subjects[iri] = subjects.get(iri, False) or row["subject"].value == "true"
    kinds = [(row["p"].value, row["kind"].value) for row in _select(store, "value-kinds", ns.base)]
    stats = store_void_stats(store, ns, subjects)
    used = set(subjects) | {p for p, _kind in kinds}
    used |= {LANG_STRING if kind == "@language" else kind for _p, kind in kinds if kind != "@id"}
    graphs = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    ontology = [
        ox.Triple(
            q.subject,
            q.predicate,
            ser.stable_literal(q.object) if isinstance(q.object, ox.Literal) else q.object,
        )
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ns.ontology))
    ]
    labels = {row["term"].value: row["label"].value for row in _select(store, "class-labels", ns.base)}
    return _Prepared(
        files=files,
        stats=stats,
        prefixes=ser.dump_prefixes(ns, used),
        trig_prefixes=ser.dump_prefixes(ns, used | graphs),
        context=build_context(_kind_examples(kinds, stats.classes), ns),
        ontology=sorted(ontology, key=ser.triple_key),
        class_labels=labels,
        sources=list(loaded.sources),
    )


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
    try:
        with stage("load") as run:
            loaded = load_graph(settings)
            named = int(_select(loaded.store, "named-quads", ns.base)[0]["n"].value)
            run.detail = f"{named} quads in named graphs from {len(loaded.files)} files, rules applied"
        with stage("prepare") as run:
            prepared = _prepare(loaded, ns, work)
            network = write_network_tables(loaded.store, ns.base, folder)
            del loaded  # the store is not needed any more: its memory goes before the workers start
            _return_memory()
            written.triples, written.entities = prepared.files.triples, prepared.stats.entities
            run.detail = (
                f"{prepared.files.quads} quads, {prepared.files.triples} distinct triples, "
                f"{written.entities} entities"
            )
        _write_in_parallel(settings, info, ns, folder, stage, prepared, previous, network, written)
        with stage("catalog") as run:
            title = info.title.get("en") or next(iter(info.title.values()))
            described = catalog_triples(
                info, ns, folder, prepared.stats, previous, written.changes, DOCUMENTS
            )
            described += _content_triples(ns, info.version, target)
            ser.write_turtle(
                described, folder / "catalog.ttl", ns, _comment(info, title), extra_prefixes=CATALOG_PREFIXES
            )
            run.detail = f"catalog.ttl ({len(described)} triples)"
        with stage("checksums") as run:
            run.detail = f"SHA256SUMS ({len(write_sums(folder))} files)"
    finally:
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
    settings: Settings,
    info: DatasetInfo,
    ns: BaseNamespaces,
    folder: Path,
    stage: Stage,
    prepared: _Prepared,
    previous: str | None,
    network: list[tuple[str, int]],
    written: Written,
) -> None:
    title = info.title.get("en") or next(iter(info.title.values()))
    comment = tuple(_comment(info, title))
    job = jobs.DumpInput(prepared.files, folder, ns, prepared.prefixes, comment)
    trig_job = jobs.DumpInput(prepared.files, folder, ns, prepared.trig_prefixes, comment)
    before = settings.dist_dir / previous if previous else None
    pool = jobs.JobPool()
    # One stage: validation, dumps, tables and changes run at once in the worker processes.
    with stage("dumps", 8) as run:
        try:
            pool.submit("validate", jobs.validation, prepared.files, settings)
            pool.submit("twingraph.jsonld", jobs.jsonld, job, prepared.context)
            pool.submit("tables", jobs.tables, job)
            pool.submit(
                "changes",
                jobs.changes,
                job,
                info.version,
                info.date.isoformat(),
                before,
                prepared.class_labels,
            )
            pool.submit("twingraph.trig", jobs.trig, trig_job)
            pool.submit("twingraph.ttl", jobs.turtle, job)
            pool.submit("twingraph.rdf", jobs.rdfxml, job)
            pool.submit("twingraph.nt.gz", jobs.ntriples_gz, job)
            _write_small_files(settings, info, ns, folder, prepared, network, title)
            (conforms, serialized), seconds = pool.result("validate")
            report = read_report(
                conforms,
                serialized,
                settings.base_iri,
                lambda iris: origins_of(prepared.sources, ns.base, iris),
            )
            if not report.conforms:
                raise BuildError("the graph does not conform to the shapes; nothing was published", report)
            _write_report(report, folder / "validation-report.ttl", ns, info)
            timings = [f"validate {seconds:.1f} s ({len(report.results)} warnings or notes)"]
            run.step("validate")
            for name in DUMP_JOBS:
                _result, seconds = pool.result(name)
                timings.append(f"{name} {seconds:.1f} s")
                run.step(name)
            try:
                tables, seconds = pool.result("tables")
            except TableError as exc:
                raise BuildError(str(exc)) from exc
            timings.append(f"tables {seconds:.1f} s ({', '.join(f'{n} {r}' for n, r in tables + network)})")
            run.step("tables")
            try:
                written.changes, seconds = pool.result("changes")
            except (OSError, SyntaxError, ValueError) as exc:
                raise BuildError(f"previous release {previous} cannot be read: {exc}") from exc
            timings.append(f"changes {seconds:.1f} s")
            run.step("changes")
            run.detail = "; ".join(timings)
        finally:
            pool.close()


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
