"""The SPARQL Service Description of the endpoint: what it speaks, what it holds, what it allows.

``sd:`` (W3C SPARQL 1.1 Service Description) for the service, its formats and its default dataset;
VoID for the statistics of the default graph and of each named graph; the example queries as
``sh:SPARQLExecutable`` in the style of the SIB sparql-examples; the limits (time, result size, rate,
request size) with a small vocabulary of our own under the base IRI, each term labelled in the
description itself. All nodes are IRIs (no blank nodes), under the endpoint's URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox

from twingraph.formats import formats_of
from twingraph.namespaces import PREFIXES
from twingraph.sparql.examples import Example
from twingraph.store.base import Row, Store

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = PREFIXES["void"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD = PREFIXES["xsd"]
SH = PREFIXES["sh"]
DCT = PREFIXES["dct"]
SCHEMA = PREFIXES["schema"]
SPEX = "https://purl.expasy.org/sparql-examples/ontology#"

_EXECUTABLE = {
    "SELECT": (SH + "SPARQLSelectExecutable", SH + "select"),
    "ASK": (SH + "SPARQLAskExecutable", SH + "ask"),
    "CONSTRUCT": (SH + "SPARQLConstructExecutable", SH + "construct"),
    "DESCRIBE": (SPEX + "SPARQLDescribeExecutable", SPEX + "describe"),
}


@dataclass(frozen=True)
class DatasetStats:
    """VoID figures: totals of the default graph, triples per named graph, entities per class."""

    triples: int
    subjects: int
    properties: int
    objects: int
    graphs: tuple[tuple[str, int], ...]
    classes: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ServiceLimits:
    """The limits the endpoint enforces, stated in the description."""

    timeout: float
    result_limit: int
    rate_limit: int
    max_request_bytes: int
    client_queries: int = 2
    client_query_seconds: float = 30.0
    client_slow_queries: int = 1
    fast_lane_seconds: float = 0.0


def limits_vocabulary(base_iri: str) -> str:
    """Namespace of the limit properties (``<base>sparql#``)."""
    return base_iri + "sparql#"


def service_description(
    endpoint: str,
    base_iri: str,
    version: str,
    stats: DatasetStats,
    limits: ServiceLimits,
    examples: Sequence[Example],
) -> list[ox.Triple]:
    """The description as triples (the caller serializes them in the negotiated format)."""
    out: list[ox.Triple] = []
    service = ox.NamedNode(endpoint)

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, ox.NamedNode(p), o))

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=iri(XSD + "integer"))

    add(service, RDF + "type", iri(SD + "Service"))
    add(service, SD + "endpoint", service)
    add(service, SD + "supportedLanguage", iri(SD + "SPARQL11Query"))
    add(service, SD + "feature", iri(SD + "UnionDefaultGraph"))
    add(service, SD + "defaultEntailmentRegime", iri("http://www.w3.org/ns/entailment/Simple"))
    for fmt in formats_of("results", "graph"):
        if not fmt.w3c:
            continue
        add(service, SD + "resultFormat", iri(fmt.w3c))
    add(service, RDFS + "label", ox.Literal("twingraph SPARQL endpoint", language="en"))
    add(service, RDFS + "comment", ox.Literal(_limits_sentence(limits), language="en"))
    add(service, DCT + "conformsTo", iri("https://www.w3.org/TR/sparql11-protocol/"))

    vocab = limits_vocabulary(base_iri)
    for name, label, value in (
        (
            "queryTimeout",
            "query time limit (seconds)",
            ox.Literal(f"{limits.timeout:g}", datatype=iri(XSD + "decimal")),
        ),
        ("resultLimit", "most rows or triples in one answer", integer(limits.result_limit)),
        ("rateLimit", "requests per minute and client", integer(limits.rate_limit)),
        ("maxRequestBytes", "largest request accepted (bytes)", integer(limits.max_request_bytes)),
        ("clientQueries", "queries one client may have running at once", integer(limits.client_queries)),
        (
            "clientQuerySeconds",
            "seconds of query time one client may use per minute",
            ox.Literal(f"{limits.client_query_seconds:g}", datatype=iri(XSD + "decimal")),
        ),
        (
            "clientSlowQueries",
            "queries past the fast lane one client may have running at once",
            integer(limits.client_slow_queries),
        ),
        (
            "fastLaneSeconds",
            "seconds a query runs in the fast lane before it moves to the slow lane",
            ox.Literal(f"{limits.fast_lane_seconds:g}", datatype=iri(XSD + "decimal")),
        ),
    ):
        add(service, vocab + name, value)
        add(iri(vocab + name), RDF + "type", iri(RDF + "Property"))
        add(iri(vocab + name), RDFS + "label", ox.Literal(label, language="en"))

    dataset = iri(endpoint + "#dataset")
    default = iri(endpoint + "#default-graph")
    add(service, SD + "defaultDataset", dataset)
    add(dataset, RDF + "type", iri(SD + "Dataset"))
    add(dataset, RDF + "type", iri(VOID + "Dataset"))
    add(dataset, DCT + "hasVersion", ox.Literal(version))
    add(dataset, VOID + "sparqlEndpoint", service)
    add(dataset, SD + "defaultGraph", default)
    add(default, RDF + "type", iri(SD + "Graph"))
    add(
        default,
        RDFS + "comment",
        ox.Literal("The merge of all named graphs, each triple once.", language="en"),
    )
    add(default, VOID + "triples", integer(stats.triples))
    add(default, VOID + "distinctSubjects", integer(stats.subjects))
    add(default, VOID + "properties", integer(stats.properties))
    add(default, VOID + "distinctObjects", integer(stats.objects))
    add(default, VOID + "classes", integer(len(stats.classes)))
    for i, (cls, entities) in enumerate(stats.classes, start=1):
        partition = iri(f"{endpoint}#class-{i}")
        add(default, VOID + "classPartition", partition)
        add(partition, VOID + "class", iri(cls))
        add(partition, VOID + "entities", integer(entities))
    for i, (name, triples) in enumerate(stats.graphs, start=1):
        named = iri(f"{endpoint}#named-graph-{i}")
        graph = iri(f"{endpoint}#graph-{i}")
        add(dataset, SD + "namedGraph", named)
        add(named, RDF + "type", iri(SD + "NamedGraph"))
        add(named, SD + "name", iri(name))
        add(named, SD + "graph", graph)
        add(graph, RDF + "type", iri(SD + "Graph"))
        add(graph, VOID + "triples", integer(triples))

    for example in examples:
        node = iri(f"{endpoint}/examples/{example.name}")
        kind, text_property = _EXECUTABLE[example.form]
        add(node, RDF + "type", iri(SH + "SPARQLExecutable"))
        add(node, RDF + "type", iri(kind))
        add(node, RDFS + "label", ox.Literal(example.title, language="en"))
        add(node, RDFS + "comment", ox.Literal(example.description, language="en"))
        add(node, text_property, ox.Literal(example.published(base_iri)))
        add(node, SCHEMA + "target", service)
    return out


def _limits_sentence(limits: ServiceLimits) -> str:
    return (
        "Read-only SPARQL 1.1 query service (no update, no SERVICE, FROM only on the graphs listed here). "
        f"A query runs at most {limits.timeout:g} s and then is stopped; an answer holds at most "
        f"{limits.result_limit} rows or triples and says so (header X-Result-Truncated) when it was cut; "
        f"each client may send {limits.rate_limit} requests per minute, have {limits.client_queries} "
        f"queries running at once, of which {limits.client_slow_queries} past the fast lane's "
        f"{limits.fast_lane_seconds:g} s, and use {limits.client_query_seconds:g} s of query time per "
        "minute (429 with Retry-After and the share used up beyond each); "
        f"requests larger than {limits.max_request_bytes} bytes are refused (413)."
    )


def void_query(name: str) -> str:
    """The text of ``sparql/queries/<name>.rq``."""
    return (resources.files("twingraph") / "sparql" / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def dataset_stats(store: Store) -> DatasetStats:
    """VoID figures of the data a store holds (three aggregate queries through the store interface)."""

    def number(row: Row, name: str) -> int:
        term = row[name]
        assert isinstance(term, ox.Literal)
        return int(term.value)

    def name_of(row: Row, name: str) -> str:
        term = row[name]
        assert isinstance(term, ox.NamedNode)
        return term.value

    totals = store.select(void_query("void-totals"))[0]
    graphs = store.select(void_query("void-graphs"))
    classes = store.select(void_query("void-classes"))
    return DatasetStats(
        triples=number(totals, "triples"),
        subjects=number(totals, "subjects"),
        properties=number(totals, "properties"),
        objects=number(totals, "objects"),
        graphs=tuple((name_of(r, "graph"), number(r, "triples")) for r in graphs),
        classes=tuple((name_of(r, "class"), number(r, "entities")) for r in classes),
    )


def serialize_description(triples: list[ox.Triple], media_type: str, prefixes: dict[str, str]) -> bytes:
    """Serialize the description in an RDF format (prefixes where the format has them)."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"{media_type} is not an RDF format")
    usable = prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=fmt, prefixes={**prefixes, "sd": SD} if usable else None) or b""
