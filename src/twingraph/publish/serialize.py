"""Deterministic RDF dumps of the loaded graph: Turtle, N-Triples (gzip), TriG, JSON-LD, RDF/XML.

pyoxigraph writes Turtle, TriG, N-Triples and RDF/XML (fast, and it never rewrites a literal's
lexical form); rdflib writes JSON-LD (compaction with our @context) and the shapes (nested
blank nodes for SHACL lists). Every writer sorts its input, so the same graph gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph

from twingraph.jsonld_context import build_context, context_document
from twingraph.namespaces import BaseNamespaces

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SKOLEM_PATH = ".well-known/genid/"
_PREFIX_NAME = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")


def stable_literal(literal: ox.Literal) -> ox.Literal:
    """The literal in a lexical form that both rdflib and pyoxigraph read back unchanged.

    rdflib normalizes some lexical forms when it parses (``"150"^^xsd:double`` becomes
    ``"150.0"``, ``Z`` becomes ``+00:00``); pyoxigraph keeps what it reads. Writing rdflib's
    form makes every dump parse to the same graph in both.

    >>> stable_literal(ox.Literal("150", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))).value
    '150.0'
    >>> stable_literal(ox.Literal("53.1958", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))).value
    '53.1958'
    """
    datatype = literal.datatype.value
    if literal.language or datatype in (XSD_STRING, LANG_STRING):
        return literal
    normal = str(rdflib.Literal(literal.value, datatype=datatype))
    return literal if normal == literal.value else ox.Literal(normal, datatype=literal.datatype)


def published_quads(store: ox.Store, base_iri: str) -> list[ox.Quad]:
    """The quads of the store's named graphs: blank nodes skolemized (stable IRIs), literals stable, sorted.

    The store's default graph is left out: the loader fills it with the union of the named graphs
    for querying, so it holds no fact of its own (and no source); the dumps without named graphs
    are that union anyway.
    """
    quads = [q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)]
    if any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
        dataset = ox.Dataset(quads)
        # Canonical labels depend only on the graph's shape, so the skolem IRIs are reproducible.
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        quads = [
            ox.Quad(_skolem(q.subject, base_iri), q.predicate, _skolem(q.object, base_iri), q.graph_name)
            for q in dataset
        ]
    out = [
        ox.Quad(q.subject, q.predicate, stable_literal(q.object), q.graph_name)
        if isinstance(q.object, ox.Literal)
        else q
        for q in quads
    ]
    return sorted(out, key=quad_key)


def _skolem(term: Any, base_iri: str) -> Any:
    return ox.NamedNode(f"{base_iri}{SKOLEM_PATH}{term.value}") if isinstance(term, ox.BlankNode) else term


def triple_key(triple: ox.Triple | ox.Quad) -> tuple[str, int, str, str]:
    """Sort order of a dump: by subject, ``rdf:type`` first, then by predicate and object."""
    predicate = triple.predicate.value
    return (str(triple.subject), 0 if predicate == RDF_TYPE else 1, predicate, str(triple.object))


def quad_key(quad: ox.Quad) -> tuple[str, tuple[str, int, str, str]]:
    """Sort order of a dataset dump: by graph, then as :func:`triple_key`."""
    return (str(quad.graph_name), triple_key(quad))


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of all graphs, sorted (what the single-graph dumps hold)."""
    return sorted({q.triple for q in quads}, key=triple_key)


def iris_of(triples: Iterable[ox.Triple | ox.Quad]) -> set[str]:
    """Every IRI a dump writes: subjects, predicates, objects, datatypes and graph names."""
    iris: set[str] = set()
    for t in triples:
        terms = [t.subject, t.predicate, t.object, *([t.graph_name] if isinstance(t, ox.Quad) else [])]
        for term in terms:
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return iris


def dump_prefixes(ns: BaseNamespaces, iris: set[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The prefixes a dump declares: the vocabularies it uses, plus one per resource type.

    Resource IRIs get a prefix per type segment (``city:`` for ``<base>id/city/``), so that the
    Turtle reads ``city:amiens`` rather than a full IRI. Only prefixes in use are declared.

    >>> ns = BaseNamespaces("https://x.org/")
    >>> sorted(dump_prefixes(ns, {"https://x.org/id/city/a", "https://x.org/ontology#C"}).items())
    [('city', 'https://x.org/id/city/'), ('tg', 'https://x.org/ontology#')]
    """
    vocabularies = {**ns.prefixes(), **(extra or {})}
    prefixes = {p: n for p, n in vocabularies.items() if any(iri.startswith(n) for iri in iris)}
    for iri in iris:
        segment, slash, _rest = iri[len(ns.resource) :].partition("/")
        if (
            iri.startswith(ns.resource)
            and slash
            and _PREFIX_NAME.match(segment)
            and segment not in vocabularies
        ):
            prefixes[segment] = f"{ns.resource}{segment}/"
    return dict(sorted(prefixes.items()))


def with_prologue(body: bytes, prefixes: dict[str, str], comment: list[str], indent: str) -> str:
    r"""Replace pyoxigraph's prologue by a comment and sorted ``@prefix`` lines; space the subjects.

    Lines of a pyoxigraph dump never hold a raw newline (literals are escaped), so a subject
    starts exactly where a line starts with ``indent`` and the line before it ends a statement.

    >>> body = b"@prefix a: <a#> .\n<s> a:p 1 ;\n\ta:q 2 .\n<t> a:p 3 .\n"
    >>> with_prologue(body, {"a": "a#"}, ["hello"], "").splitlines()
    ['# hello', '', '@prefix a: <a#> .', '', '<s> a:p 1 ;', '\ta:q 2 .', '', '<t> a:p 3 .']
    """
    lines = body.decode("utf-8").splitlines()
    while lines and lines[0].startswith(("@prefix ", "@base ")):
        lines.pop(0)
    out = [f"# {line}" for line in comment] + ([""] if comment else [])
    out += [f"@prefix {name}: <{namespace}> ." for name, namespace in prefixes.items()]
    previous = out[-1] if out else ""
    for line in lines:
        starts_block = line.startswith(indent) and not line[len(indent) :].startswith(("\t", "}"))
        if (starts_block and previous.endswith(" .")) or (line.endswith("{") and previous):
            out.append("")
        out.append(line)
        previous = line
    return "\n".join(out) + "\n"


def write_turtle(
    triples: list[ox.Triple],
    path: Path,
    ns: BaseNamespaces,
    comment: list[str],
    extra_prefixes: dict[str, str] | None = None,
) -> None:
    """Readable Turtle: sorted prefixes, one block per subject (types first), blank lines between."""
    prefixes = dump_prefixes(ns, iris_of(triples), extra_prefixes)
    body = ox.serialize(sorted(triples, key=triple_key), format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
    path.write_text(with_prologue(body, prefixes, comment, ""), encoding="utf-8")


def write_trig(quads: list[ox.Quad], path: Path, ns: BaseNamespaces, comment: list[str]) -> None:
    """TriG with one block per named graph (sources, ontology, inferred), subjects sorted inside."""
    prefixes = dump_prefixes(ns, iris_of(quads))
    body = ox.serialize(sorted(quads, key=quad_key), format=ox.RdfFormat.TRIG, prefixes=prefixes) or b""
    path.write_text(with_prologue(body, prefixes, comment, "\t"), encoding="utf-8")


def ntriples_lines(triples: Iterable[ox.Triple]) -> list[bytes]:
    """Canonical N-Triples lines (absolute IRIs, one a line), sorted bytewise like ``LC_ALL=C sort``."""
    text = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
    return sorted(line + b"\n" for line in text.splitlines() if line)


def write_ntriples_gz(triples: list[ox.Triple], path: Path) -> None:
    """Sorted N-Triples, gzip-compressed with no file name and mtime 0 in the header (reproducible)."""
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.writelines(ntriples_lines(triples))


def write_rdfxml(triples: list[ox.Triple], path: Path, ns: BaseNamespaces) -> None:
    """RDF/XML, one ``rdf:Description`` per subject, sorted."""
    prefixes = dump_prefixes(ns, iris_of(triples))
    ox.serialize(sorted(triples, key=triple_key), str(path), ox.RdfFormat.RDF_XML, prefixes=prefixes)


def with_merged_default(quads: list[ox.Quad], triples: list[ox.Triple]) -> list[ox.Quad]:
    """The dataset dump: the merged graph (``triples``) as its default graph, the named graphs beside it.

    A reader of the default graph then finds the same description as in the single-graph dumps.
    """
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples] + quads


def jsonld_context(ns: BaseNamespaces, triples: Iterable[ox.Triple] = ()) -> dict[str, Any]:
    """The published JSON-LD context: prefixes, and a short term for each property and class in use."""
    return {"@context": build_context(triples, ns)}


def write_context(path: Path, triples: Iterable[ox.Triple], ns: BaseNamespaces) -> None:
    """Write ``context.jsonld`` (the server compacts every JSON-LD answer with it)."""
    path.write_text(context_document(build_context(triples, ns)), encoding="utf-8")


def _sorted_json(value: Any) -> Any:
    """Sort the arrays of a JSON-LD document (rdflib's node order follows its store's internals)."""
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(
            items,
            key=lambda v: (v.get("@id", "") if isinstance(v, dict) else "", json.dumps(v, sort_keys=True)),
        )
    return value


def to_rdflib(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    """Copy triples into an rdflib Graph (through N-Triples, which both read the same way)."""
    graph = rdflib.Graph(bind_namespaces="none")
    graph.parse(data=ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def write_jsonld(triples: list[ox.Triple], path: Path, ns: BaseNamespaces) -> None:
    """JSON-LD compacted with the published context (inline, so the file reads offline), sorted."""
    context = build_context(triples, ns)
    text = to_rdflib(triples).serialize(format="json-ld", context=context, auto_compact=True)
    document = _sorted_json(json.loads(text))
    document["@context"] = context
    body = {"@context": context, **{k: v for k, v in document.items() if k != "@context"}}
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_rdflib_turtle(graph: rdflib.Graph, path: Path, ns: BaseNamespaces, comment: list[str]) -> None:
    """Turtle of an rdflib graph with blank nodes (shapes): canonical labels, nested ``[ ]`` and ``( )``."""
    canonical = to_canonical_graph(graph)
    out = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in sorted(ns.prefixes().items()):
        out.bind(prefix, namespace)
    for triple in sorted(canonical, key=lambda t: tuple(x.n3() for x in t)):
        out.add(triple)
    text = "".join(f"# {line}\n" for line in comment) + "\n" + out.serialize(format="turtle")
    path.write_text(text, encoding="utf-8")


def skolemized(graph: rdflib.Graph, base_iri: str) -> rdflib.Graph:
    """The graph with canonical blank-node labels turned into skolem IRIs under the base."""
    canonical = to_canonical_graph(graph)
    return canonical.skolemize(authority=base_iri, basepath=SKOLEM_PATH)
