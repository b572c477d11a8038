"""Writing RDF deterministically: stable literals, prefixes in use, a readable prologue, sorted Turtle.

pyoxigraph writes Turtle, TriG, N-Triples and RDF/XML (fast, and it never rewrites a literal's
lexical form); rdflib writes the shapes (nested blank nodes for SHACL lists). The release's dumps
are streamed from sorted files (``publish.published_files``, ``publish.dump_jobs``); the JSON-LD
dump has its own streaming writer (``publish.jsonld_dump``). The same graph gives the same bytes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph

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


def triple_key(triple: ox.Triple | ox.Quad) -> tuple[str, int, str, str]:
    """Sort order of a dump: by subject, ``rdf:type`` first, then by predicate and object."""
    predicate = triple.predicate.value
    return (str(triple.subject), 0 if predicate == RDF_TYPE else 1, predicate, str(triple.object))


def quad_key(quad: ox.Quad) -> tuple[str, tuple[str, int, str, str]]:
    """Sort order of a dataset dump: by graph, then as :func:`triple_key`."""
    return (str(quad.graph_name), triple_key(quad))


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
    ordered = sorted(iris)  # the IRIs starting with a namespace come first among those not less than it
    prefixes = {p: n for p, n in vocabularies.items() if _starts_any(ordered, n)}
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


def _starts_any(ordered: list[str], namespace: str) -> bool:
    at = bisect.bisect_left(ordered, namespace)
    return at < len(ordered) and ordered[at].startswith(namespace)


def prologue_lines(
    lines: Iterable[str], prefixes: dict[str, str], comment: list[str], indent: str
) -> Iterator[str]:
    """The lines of a pyoxigraph Turtle or TriG body behind our prologue (see :func:`with_prologue`)."""
    lines = iter(lines)
    line = next(lines, None)
    while line is not None and line.startswith(("@prefix ", "@base ")):
        line = next(lines, None)
    head = [f"# {text}" for text in comment] + ([""] if comment else [])
    head += [f"@prefix {name}: <{namespace}> ." for name, namespace in prefixes.items()]
    yield from head
    previous = head[-1] if head else ""
    while line is not None:
        starts_block = line.startswith(indent) and not line[len(indent) :].startswith(("\t", "}"))
        if (starts_block and previous.endswith(" .")) or (line.endswith("{") and previous):
            yield ""
        yield line
        previous = line
        line = next(lines, None)


def with_prologue(body: bytes, prefixes: dict[str, str], comment: list[str], indent: str) -> str:
    r"""Replace pyoxigraph's prologue by a comment and sorted ``@prefix`` lines; space the subjects.

    Lines of a pyoxigraph dump never hold a raw newline (literals are escaped), so a subject
    starts exactly where a line starts with ``indent`` and the line before it ends a statement.

    >>> body = b"@prefix a: <a#> .\n<s> a:p 1 ;\n\ta:q 2 .\n<t> a:p 3 .\n"
    >>> with_prologue(body, {"a": "a#"}, ["hello"], "").splitlines()
    ['# hello', '', '@prefix a: <a#> .', '', '<s> a:p 1 ;', '\ta:q 2 .', '', '<t> a:p 3 .']
    """
    return "\n".join(prologue_lines(body.decode("utf-8").splitlines(), prefixes, comment, indent)) + "\n"


def write_streamed(
    statements: Iterable[ox.Triple] | Iterable[ox.Quad],
    path: Path,
    fmt: ox.RdfFormat,
    prefixes: dict[str, str],
    comment: list[str],
    indent: str = "",
) -> None:
    """Write Turtle or TriG of ``statements`` in the order given, one line in memory at a time.

    pyoxigraph writes the body to a file beside ``path``; the prologue of :func:`with_prologue`
    is put in front of it while it is copied into ``path``.
    """
    body = path.with_name(f".{path.name}.body")
    ox.serialize(statements, str(body), fmt, prefixes=prefixes)
    with body.open(encoding="utf-8") as raw, path.open("w", encoding="utf-8") as out:
        for line in prologue_lines((text.rstrip("\n") for text in raw), prefixes, comment, indent):
            out.write(line + "\n")
    body.unlink()


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
