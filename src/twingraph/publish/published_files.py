"""The published graph as sorted N-Triples / N-Quads files, from which every dump is written.

The build's store holds the named graphs (sources, ontology, inferred) and their merge in the default
graph. Oxigraph dumps each graph as N-Triples bytes (in Rust, no Python term per triple); the lines
are sorted as bytes, so the same graph always gives the same files. The dump writers (in worker
processes, ``publish.dump_jobs``) read these files and never need the store, and the main process
holds no Python object per triple.

Two orders: ``union-sorted.nt`` is the merge sorted bytewise (what ``twingraph.nt.gz`` holds, as
``LC_ALL=C sort`` would give); ``union.nt`` and ``graphs.nq`` are in *dump order*: grouped by subject,
``rdf:type`` first, so that the Turtle, TriG, RDF/XML and JSON-LD writers write one block per subject
beginning with its types.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twingraph.queries import load_query

RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SKOLEM_PATH = ".well-known/genid/"


@dataclass(frozen=True)
class PublishedFiles:
    """Where the published graph's files are (:func:`write_union`, :func:`write_graphs` write them)."""

    folder: Path

    @property
    def union_sorted(self) -> Path:
        """The merged graph, N-Triples lines sorted bytewise (the content of ``twingraph.nt.gz``)."""
        return self.folder / "union-sorted.nt"

    @property
    def union(self) -> Path:
        """The merged graph, N-Triples in dump order (by subject, types first)."""
        return self.folder / "union.nt"

    @property
    def graphs(self) -> Path:
        """The named graphs, N-Quads, graphs sorted by name, each in dump order."""
        return self.folder / "graphs.nq"


def skolemize(store: ox.Store, base_iri: str) -> int:
    """Replace blank nodes by skolem IRIs under ``<base>.well-known/genid/``; return the quads changed.

    Canonical labels (Oxigraph's canonicalization) depend only on the quads that mention a blank
    node, so only those are read into Python; the skolem IRIs are the same at every build.
    """
    result = store.query(load_query("build/blank-node-quads"))
    assert isinstance(result, ox.QuerySolutions)
    quads = [ox.Quad(row["s"], row["p"], row["o"], row["g"] or ox.DefaultGraph()) for row in result]
    if not quads:
        return 0
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    for q in quads:
        store.remove(q)
    store.extend(
        ox.Quad(_skolem(q.subject, base_iri), q.predicate, _skolem(q.object, base_iri), q.graph_name)
        for q in dataset
    )
    return len(quads)


def _skolem(term: Any, base_iri: str) -> Any:
    return ox.NamedNode(f"{base_iri}{SKOLEM_PATH}{term.value}") if isinstance(term, ox.BlankNode) else term


def unstable_literals(store: ox.Store, stable: dict[str, ox.Literal]) -> dict[str, ox.Literal]:
    """The typed literals of the store whose lexical form is not the stable one (``stable_literal``).

    ``stable`` maps the N-Triples form of each such literal to its stable replacement; usually it
    stays empty and the store's dumps are published as they are.
    """
    from twingraph.publish.serialize import stable_literal  # serialize imports this module's reader

    result = store.query(load_query("build/typed-literals"))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        literal = row["o"]
        assert isinstance(literal, ox.Literal)
        fixed = stable_literal(literal)
        if fixed is not literal:
            stable[str(literal)] = fixed
    return stable


def _stabilized(data: bytes, stable: dict[str, ox.Literal]) -> bytes:
    """N-Triples bytes with every unstable literal replaced (a pass through Python only when needed)."""
    if not stable:
        return data

    def fix(t: ox.Triple) -> ox.Triple:
        o = t.object
        if isinstance(o, ox.Literal) and not o.language and o.datatype.value != XSD_STRING:
            replacement = stable.get(str(o))
            if replacement is not None:
                return ox.Triple(t.subject, t.predicate, replacement)
        return t

    triples = (fix(t) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def sorted_lines(data: bytes) -> list[bytes]:
    """The lines of one graph's N-Triples dump, sorted bytewise, each ending with its newline.

    A graph is a set: Oxigraph's dump of it holds each triple once, and every line ends with a newline.

    >>> sorted_lines(b"<b> <p> <o> .\\n<a> <p> <o> .\\n")
    [b'<a> <p> <o> .\\n', b'<b> <p> <o> .\\n']
    """
    lines = data.splitlines(keepends=True)
    lines.sort()
    return lines


def types_first(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted N-Triples lines in dump order: each subject's ``rdf:type`` lines before its others.

    The subject of a line ends at its first ``"> "`` (published subjects are IRIs, which hold no
    space), so every line of one subject is contiguous in sorted input.

    >>> typed = b"<a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <C> .\\n"
    >>> lines = [b"<a> <p> <o> .\\n", typed, b"<b> <p> <o> .\\n"]
    >>> [line[:8] for line in types_first(lines)]
    [b'<a> <htt', b'<a> <p> ', b'<b> <p> ']
    """
    subject = b""
    types: list[bytes] = []
    others: list[bytes] = []
    for line in lines:
        cut = line.index(b"> ") + 2
        if line[:cut] != subject:
            yield from types
            yield from others
            subject, types, others = line[:cut], [], []
        (types if line.startswith(RDF_TYPE, cut) else others).append(line)
    yield from types
    yield from others


def write_union(store: ox.Store, files: PublishedFiles, stable: dict[str, ox.Literal]) -> int:
    """Write the merged graph of ``store`` (its default graph) into ``union-sorted.nt`` and
    ``union.nt`` (see the module doc); return its triples.

    Blank nodes must be skolemized first (:func:`skolemize`): a blank node label is local to a file.
    ``stable`` is what :func:`unstable_literals` found.
    """
    files.folder.mkdir(parents=True, exist_ok=True)
    merged = sorted_lines(
        _stabilized(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b"", stable)
    )
    with files.union_sorted.open("wb") as out:
        out.writelines(merged)
    with files.union.open("wb") as out:
        out.writelines(types_first(merged))
    return len(merged)


def dump_graphs(store: ox.Store, files: PublishedFiles, stable: dict[str, ox.Literal]) -> int:
    """Write each named graph of ``store`` as Oxigraph dumps it (in Rust, unsorted) into
    ``graphs/``, in graph-name order; return the quads. :func:`write_graphs` sorts them into
    ``graphs.nq`` in a worker process, so that the build's process drops the store sooner.
    """
    folder = files.folder / "graphs"
    folder.mkdir(parents=True, exist_ok=True)
    quads = 0
    for number, graph in enumerate(sorted(store.named_graphs(), key=str)):
        data = _stabilized(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"", stable)
        (folder / f"{number:06d}.nt").write_bytes(data)
        (folder / f"{number:06d}.graph").write_text(str(graph), encoding="utf-8")
        quads += data.count(b"\n")  # a graph's dump holds each triple once, one per line
    return quads


def write_graphs(files: PublishedFiles) -> None:
    """Write ``graphs.nq`` from the dumps of :func:`dump_graphs`: graphs by name, each in dump order."""
    with files.graphs.open("wb") as out:
        for dump in sorted((files.folder / "graphs").glob("*.nt")):
            suffix = f"{dump.with_suffix('.graph').read_text(encoding='utf-8')} .\n".encode()
            out.writelines(line[:-2] + suffix for line in types_first(sorted_lines(dump.read_bytes())))
