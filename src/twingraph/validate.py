"""Validate the loaded graph against the SHACL shapes, and say which data file each problem is in.

The shapes (``shapes/*.ttl``) check the graph *after* the build's rules ran, over the union of
all named graphs (ontology, sources, inferred), with pyshacl-turbo (pySHACL as the reference, see
``shacl_engines``) and SHACL-SPARQL enabled. Each result
is traced back to the data file(s) that wrote its focus node, so that a report line reads like a
compiler error::

    data/x.trig: <id/event/y> tg:date = '1960-13-01'^^xsd:date: message [tgsh:EventShape-date]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from twingraph import shacl_engines as engines
from twingraph.config import Settings
from twingraph.load import DataError, LoadedGraph
from twingraph.namespaces import PREFIXES, BaseNamespaces

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_UNION_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_PATH_SUFFIXES = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: what is wrong where, which shape says so, and which data files wrote it."""

    focus: Node
    path: Node | None
    value: Node | None
    message: str
    severity: str
    source_shape: Node
    source_files: tuple[str, ...] = ()


@dataclass
class ValidationReport:
    """The outcome of a validation: the results in a stable order and pySHACL's report graph."""

    conforms: bool
    results: list[ValidationResult]
    report_graph: Graph
    base_iri: str = ""
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))

    @property
    def violations(self) -> list[ValidationResult]:
        """The results of severity Violation (warnings and infos do not fail a build)."""
        return [r for r in self.results if r.severity == "Violation"]

    def format_text(self) -> str:
        """One readable line per result, naming the data file(s), the focus node and the shape."""
        return "\n".join(self.format_result(r) for r in self.results)

    def format_result(self, result: ValidationResult) -> str:
        """Format one result as ``files: <focus> path = value: message [shape]``."""
        subject = self.format_node(result.focus)
        if result.path is not None:
            subject += " " + self.format_node(result.path)
        if result.value is not None and result.value != result.focus:
            subject += (" = " if result.path is not None else " value ") + self.format_node(result.value)
        severity = "" if result.severity == "Violation" else f"{result.severity}: "
        line = f"{subject}: {severity}{result.message} [{self.format_node(result.source_shape)}]"
        where = ", ".join(result.source_files)
        return f"{where}: {line}" if where else line

    def format_node(self, node: Node) -> str:
        """Compact an RDF term for a report line: a prefixed name, a relative IRI or a quoted literal.

        >>> report = ValidationReport(True, [], Graph(), "https://example.org/", {"tg": "https://example.org/ontology#"})
        >>> report.format_node(URIRef("https://example.org/ontology#date"))
        'tg:date'
        >>> report.format_node(URIRef("https://example.org/id/city/amiens"))
        '<id/city/amiens>'
        >>> report.format_node(Literal("Amiens", lang="fr"))
        "'Amiens'@fr"
        """
        if isinstance(node, Literal):
            text = repr(str(node))
            if node.language:
                return f"{text}@{node.language}"
            if node.datatype is not None and node.datatype != XSD.string:
                return f"{text}^^{self.format_node(node.datatype)}"
            return text
        if isinstance(node, URIRef):
            iri = str(node)
            for prefix, namespace in sorted(self.prefixes.items(), key=lambda item: -len(item[1])):
                local = iri[len(namespace) :]
                if iri.startswith(namespace) and local and all(c.isalnum() or c in "_-" for c in local):
                    return f"{prefix}:{local}"
            if self.base_iri and iri.startswith(self.base_iri):
                return f"<{iri[len(self.base_iri) :]}>"
            return f"<{iri}>"
        if isinstance(node, BNode):
            return self.format_path(node)
        return str(node)

    def format_path(self, node: BNode) -> str:
        """Write a SHACL property path of the report graph in SPARQL syntax (``tg:a|^tg:b``)."""
        graph = self.report_graph
        if (node, RDF.first, None) in graph:
            return "/".join(self.format_node(step) for step in Collection(graph, node))
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.format_node(step) for step in Collection(graph, alternatives)) + ")"
        inverse = graph.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + self.format_node(inverse)
        for predicate, suffix in _PATH_SUFFIXES.items():
            inner = graph.value(node, predicate)
            if inner is not None:
                return self.format_node(inner) + suffix
        return "[path]"


@contextmanager
def quiet_ill_typed_literals() -> Iterator[None]:
    """Silence rdflib's traceback for each ill-typed literal ("1960-13-01"^^xsd:date).

    The shapes report such literals once, in their place; rdflib would also log a traceback for
    each while parsing and again while validating.
    """
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def load_shapes(settings: Settings) -> Graph:
    """Parse the shapes files against the base IRI, and resolve the relative SPARQL namespaces.

    SPARQL constraints name their prefixes through ``sh:declare``; a relative ``sh:namespace``
    (``"ontology#"``) is resolved against the base IRI here, like the IRIs the parser resolves.
    """
    shapes = Graph()
    files = sorted(settings.shapes_dir.glob("*.ttl"))
    if not files:
        raise DataError(f"{settings.shapes_dir}: no shapes files (*.ttl)")
    for path in files:
        parse_turtle(shapes, path, settings.base_iri)
    resolve_namespaces(shapes, settings.base_iri)
    return shapes


def parse_turtle(graph: Graph, path: Path, base_iri: str) -> Graph:
    """Parse one Turtle file into ``graph`` with the base IRI; raise DataError naming the file."""
    try:
        with quiet_ill_typed_literals():
            graph.parse(path, format="turtle", publicID=base_iri)
    except Exception as exc:  # rdflib raises parser-specific exceptions of many kinds
        raise DataError(f"{path}: {exc}") from exc
    return graph


def resolve_namespaces(shapes: Graph, base_iri: str) -> None:
    """Replace relative ``sh:namespace`` literals by absolute ones (see :func:`load_shapes`).

    >>> g = Graph()
    >>> _ = g.add((BNode("d"), SH.namespace, Literal("ontology#", datatype=XSD.anyURI)))
    >>> resolve_namespaces(g, "https://example.org/")
    >>> str(g.value(BNode("d"), SH.namespace))
    'https://example.org/ontology#'
    """
    for declaration, namespace in list(shapes.subject_objects(SH.namespace)):
        absolute = urljoin(base_iri, str(namespace))
        if str(namespace).endswith("#") and not absolute.endswith("#"):
            absolute += "#"  # urljoin drops an empty fragment; a namespace keeps it
        if absolute != str(namespace):
            shapes.set((declaration, SH.namespace, Literal(absolute, datatype=XSD.anyURI)))


def union_graph(store: ox.Store) -> Graph:
    """Copy the union of all graphs of an Oxigraph store into an rdflib Graph (via N-Triples bytes)."""
    triples = store.query(_UNION_QUERY, use_default_graph_as_union=True)
    assert isinstance(triples, ox.QueryTriples)
    graph = Graph()
    with quiet_ill_typed_literals():
        graph.parse(data=triples.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def validate_graph(data: Graph, shapes: Graph, base_iri: str = "", engine: str = "turbo") -> ValidationReport:
    """Validate an rdflib graph against shapes; no inference, SHACL-SPARQL on, warnings allowed.

    ``engine`` is ``"turbo"`` (pyshacl-turbo, what the build uses) or ``"pyshacl"`` (pySHACL 0.40.1,
    the reference it is compared with); see :mod:`twingraph.shacl_engines`. ``base_iri`` only
    shortens the IRIs in :meth:`ValidationReport.format_text`.
    """
    with quiet_ill_typed_literals():
        if engine == "pyshacl":
            conforms, report_graph = engines.run_pyshacl(data, shapes)
        else:
            conforms, report_graph = engines.run_turbo(
                engines.graph_store(data), engines.compiled_shapes(shapes)
            )
    return _report(conforms, report_graph, base_iri)


def _report(conforms: bool, report_graph: Graph, base_iri: str) -> ValidationReport:
    results = sorted((_result(report_graph, node) for node in _result_nodes(report_graph)), key=_sort_key)
    prefixes = BaseNamespaces(base_iri).prefixes() if base_iri else dict(PREFIXES)
    return ValidationReport(conforms, results, report_graph, base_iri, prefixes)


def validate(loaded: LoadedGraph, settings: Settings) -> ValidationReport:
    """Validate the loaded graph (rules applied) against the project's shapes.

    The loaded store's default graph holds the union of its named graphs; pyshacl-turbo reads a copy
    of it made inside Oxigraph (no rdflib graph of the data is built).
    """
    shapes = engines.graph_store(load_shapes(settings))
    with quiet_ill_typed_literals():
        conforms, serialized = engines.run_turbo_serialized(engines.default_graph_store(loaded.store), shapes)
    return read_report(conforms, serialized, settings.base_iri, loaded.origins_of)


def validate_ntriples(path: Path, settings: Settings) -> tuple[bool, bytes]:
    """Validate the graph of an N-Triples file against the project's shapes: (conforms, report as N-Triples).

    The build validates its merged graph this way in a worker process, beside the dumps; the
    report comes back as bytes and is read with :func:`read_report`.
    """
    shapes = engines.graph_store(load_shapes(settings))
    with quiet_ill_typed_literals():
        return engines.run_turbo_serialized(engines.ntriples_input(path), shapes)


def read_report(
    conforms: bool, serialized: bytes, base_iri: str, origins: Callable[[set[str]], dict[str, list[str]]]
) -> ValidationReport:
    """The report of an engine's N-Triples output, each result traced to the data files of its focus node."""
    report_graph = Graph()
    report_graph.parse(data=serialized, format="nt")
    report = _report(conforms, report_graph, base_iri)
    found = origins({str(r.focus) for r in report.results}) if report.results else {}
    traced = (replace(r, source_files=tuple(found.get(str(r.focus), ()))) for r in report.results)
    report.results = sorted(traced, key=_sort_key)
    return report


def _result_nodes(report_graph: Graph) -> list[Node]:
    """The top-level results (not the sh:detail of sh:node and sh:or results)."""
    return [
        result
        for report in report_graph.subjects(RDF.type, SH.ValidationReport)
        for result in report_graph.objects(report, SH.result)
    ]


def _result(report_graph: Graph, node: Node) -> ValidationResult:
    def one(predicate: URIRef) -> Node | None:
        return next(iter(report_graph.objects(node, predicate)), None)

    messages = sorted(m for m in report_graph.objects(node, SH.resultMessage) if isinstance(m, Literal))
    english = [m for m in messages if m.language == "en"] or [m for m in messages if not m.language]
    component = one(SH.sourceConstraintComponent)
    message = str((english or messages)[0]) if messages else f"violates {component}"
    severity = one(SH.resultSeverity)
    focus, shape = one(SH.focusNode), one(SH.sourceShape)
    assert focus is not None and shape is not None, "pySHACL results always name focus node and shape"
    return ValidationResult(
        focus=focus,
        path=one(SH.resultPath),
        value=one(SH.value),
        message=message,
        severity=SEVERITY_NAMES.get(severity, str(severity)) if isinstance(severity, URIRef) else "Violation",
        source_shape=shape,
    )


def _sort_key(result: ValidationResult) -> tuple[str, ...]:
    return (
        ",".join(result.source_files),
        str(result.focus),
        str(result.path or ""),
        str(result.source_shape),
        str(result.value or ""),
    )
