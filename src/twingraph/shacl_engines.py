"""The SHACL engines behind :mod:`twingraph.validate`: pyshacl-turbo for the build, pySHACL as reference.

pyshacl-turbo (a Rust engine with pySHACL's API) validates the world graph about 2.5 times faster
than pySHACL 0.40.1 with the same report (docs/benchmarks.md); pySHACL stays the reference the
report-equivalence tests compare with. Both get the same options: no inference, SHACL-SPARQL on,
warnings allowed, all results.

Data and shapes reach pyshacl-turbo as pyoxigraph Stores, never as rdflib Graphs: from Graphs it
reports false ``sh:in`` violations. Its report comes back serialized (N-Triples) and is parsed with
rdflib, like pySHACL's report graph; parsing it ourselves keeps the lexical forms the engine wrote.
"""

from __future__ import annotations

import codecs
import weakref
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pyshacl_turbo
from pyshacl_turbo.rdf import Input
from rdflib import Graph

ENGINES = ("turbo", "pyshacl")


def graph_store(graph: Graph) -> ox.Store:
    """An Oxigraph store holding ``graph`` in its default graph (through N-Triples bytes)."""
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


# Compiled shapes per rdflib shapes graph, kept while the graph lives: compiling is most of the time of a
# small graph's validation (0.15 of 0.2 s; the shapes examples validate about 150 small graphs against
# one shapes graph). Keyed by the graph object and its size: shapes graphs are read, then never changed.
_COMPILED: dict[int, tuple[weakref.ref[Graph], int, pyshacl_turbo.CompiledShapes]] = {}


def compiled_shapes(shapes: Graph) -> pyshacl_turbo.CompiledShapes:
    """pyshacl-turbo's reusable compiled form of ``shapes`` (given to it as a Store, see above), made
    once per shapes graph."""
    kept = _COMPILED.get(id(shapes))
    if kept is None or kept[0]() is not shapes or kept[1] != len(shapes):
        compiled = pyshacl_turbo.compile_shapes(graph_store(shapes), advanced=True)  # type: ignore[no-untyped-call]
        kept = _COMPILED[id(shapes)] = (weakref.ref(shapes), len(shapes), compiled)
        weakref.finalize(shapes, _COMPILED.pop, id(shapes), None)  # gone with the graph
    return kept[2]


def default_graph_store(store: ox.Store) -> ox.Store:
    """A new store holding only ``store``'s default graph (copied inside Oxigraph, no Python terms)."""
    copy = ox.Store()
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    if data:
        copy.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return copy


def ntriples_input(path: Path) -> Input:
    """The graph of an N-Triples file as pyshacl-turbo's native input: the file's text, parsed in Rust.

    Given a Store, pyshacl-turbo dumps it to a string twice (a snapshot and its input); given a
    path or bytes, it builds an rdflib Graph first. Its ``Input`` (the form it turns a Store into)
    holds the text once: at 1M triples that saves the store and two copies of the graph. The text
    is made ASCII (``ascii_ntriples``): Python then holds one byte per character and hands the
    engine those bytes, where a city name in Chinese would make it two bytes per character plus
    a UTF-8 copy.
    """
    chunks: list[str] = []
    with path.open("rb") as lines:
        while block := lines.readlines(1 << 24):
            chunks.append(ascii_ntriples(b"".join(block)))
    return Input("".join(chunks), "nt", None, {}, preserve_ids=True)


def _escape(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeEncodeError)
    text = error.object[error.start : error.end]
    return "".join(f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}" for c in text), error.end


codecs.register_error("twingraph-ntriples-escape", _escape)


def ascii_ntriples(data: bytes) -> str:
    r"""N-Triples (UTF-8 bytes) as ASCII text: each other character as its ``\u``/``\U`` escape.

    N-Triples allows these escapes in IRIs and literals and a parser reads them as the character,
    so the graph is the same (and outside IRIs and literals a line holds ASCII only).

    >>> ascii_ntriples('<http://e/s> <http://e/p> "Zürich 北京 𝄞" .'.encode())
    '<http://e/s> <http://e/p> "Z\\u00FCrich \\u5317\\u4EAC \\U0001D11E" .'
    """
    return data.decode("utf-8").encode("ascii", "twingraph-ntriples-escape").decode("ascii")


def run_turbo(data: ox.Store, shapes: ox.Store | pyshacl_turbo.CompiledShapes) -> tuple[bool, Graph]:
    """Validate with pyshacl-turbo; return (conforms, report graph)."""
    conforms, serialized = run_turbo_serialized(data, shapes)
    report = Graph()
    report.parse(data=serialized, format="nt")
    return conforms, report


def run_turbo_serialized(
    data: ox.Store | Input, shapes: ox.Store | pyshacl_turbo.CompiledShapes
) -> tuple[bool, bytes]:
    """Validate with pyshacl-turbo; return (conforms, the report graph as N-Triples)."""
    if isinstance(shapes, pyshacl_turbo.CompiledShapes):  # what pyshacl_turbo.validate does once compiled
        conforms, report, _text = shapes.validate(  # type: ignore[no-untyped-call]
            data, allow_warnings=True, abort_on_first=False, _normalize_report_literals=True
        )
        return bool(conforms), bytes(report.serialize(format="nt", encoding="utf-8"))
    conforms, serialized, _text = pyshacl_turbo.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
        serialize_report_graph="nt",
    )
    return bool(conforms), bytes(serialized)


def run_pyshacl(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """Validate with pySHACL 0.40.1 (the reference); return (conforms, report graph)."""
    conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
        meta_shacl=False,
    )
    assert isinstance(report, Graph)
    return bool(conforms), report
