"""Load the ontology and the curated data into one store, and derive what the rules add.

The curated files use relative IRIs; they are resolved against the configured base IRI here,
which is the only place that knows it. Each TriG graph of ``data/`` is a source; the ontology
files go into the ontology graph; whatever the rules in ``rules/*.rq`` derive goes into the
inferred graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from twingraph.config import Settings
from twingraph.namespaces import BaseNamespaces
from twingraph.queries import load_query


class DataError(Exception):
    """A data, ontology or shapes file cannot be read; the message names the file and the line."""


@dataclass
class LoadedGraph:
    """The curated graph with the rules applied, and the files it was read from."""

    store: ox.Store
    ns: BaseNamespaces
    files: list[str] = field(default_factory=list)
    sources: list[tuple[str, Path]] = field(default_factory=list)  # (name, path) of each TriG file

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the store."""
        return iter(self.store)

    def origins_of(self, subjects: Iterable[str]) -> dict[str, list[str]]:
        """Which data files write each of ``subjects`` (IRIs), in load order: see :func:`origins_of`."""
        return origins_of(self.sources, self.ns.base, subjects)


def origins_of(
    sources: Iterable[tuple[str, Path]], base_iri: str, subjects: Iterable[str]
) -> dict[str, list[str]]:
    """subject IRI -> the names of the TriG files that state something about it, in the order given.

    Asked only for the few subjects a validation report names: each file is read again (pyoxigraph
    parses in Rust), rather than remembering the subjects of every file while loading.
    """
    wanted = set(subjects)
    found: dict[str, list[str]] = {}
    if not wanted:
        return found
    for name, path in sources:
        seen = {
            q.subject.value
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG, base_iri=base_iri)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value in wanted
        }
        for subject in sorted(seen):
            found.setdefault(subject, []).append(name)
    return found


def data_files(settings: Settings) -> list[Path]:
    """The curated TriG files, in a stable order."""
    return sorted(settings.data_dir.rglob("*.trig"))


def import_files(settings: Settings) -> list[Path]:
    """The generated imports (``imports_dir/*.trig``, written by ``twingraph import``), in a stable order."""
    return sorted(settings.imports_dir.glob("*.trig"))


def ontology_files(settings: Settings) -> list[Path]:
    """The ontology's Turtle files, in a stable order."""
    return sorted(settings.ontology_dir.glob("*.ttl"))


def parse_file(path: Path, base_iri: str, default_graph: str | None = None) -> list[ox.Quad]:
    """Parse one Turtle or TriG file against the base IRI; raise DataError naming file and position."""
    fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
    try:
        quads = list(ox.parse(path=str(path), format=fmt, base_iri=base_iri))
    except (SyntaxError, ValueError, OSError) as exc:
        raise DataError(f"{path}: {exc}") from exc
    if default_graph is None:
        return quads
    graph = ox.NamedNode(default_graph)
    return [
        ox.Quad(q.subject, q.predicate, q.object, graph) if isinstance(q.graph_name, ox.DefaultGraph) else q
        for q in quads
    ]


def _load_file(store: ox.Store, path: Path, base_iri: str, graph: ox.NamedNode | None = None) -> None:
    """Parse one Turtle or TriG file into the store (in Rust); raise DataError naming file and position."""
    fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
    try:
        store.load(path=str(path), format=fmt, base_iri=base_iri, to_graph=graph)
    except (SyntaxError, ValueError, OSError) as exc:
        raise DataError(f"{path}: {exc}") from exc


# Rules that run before the others in each round. The rules run in rounds until one adds nothing;
# a rule whose output others read, run last, costs a whole round more: the claims (70) get their
# superclasses (10) and names (20) in the same round when they come first (at 1M: two rounds of
# about 15 CPU seconds each instead of three). The order never changes what the rules derive
# (they run until nothing new appears); the file names stay, as the ontology cites them.
FIRST_RULES = ("70-conflict-claims.rq",)


def rule_queries() -> list[tuple[str, str]]:
    """The materialisation rules, as (name, SPARQL CONSTRUCT text): ``FIRST_RULES``, then the others
    in file-name order."""
    folder = resources.files("twingraph") / "rules"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".rq"))
    names.sort(key=lambda name: name not in FIRST_RULES)  # a stable sort: file-name order otherwise
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in names]


_CONSTRUCT = re.compile(r"\bCONSTRUCT\s*\{(?P<template>[^{}]*)\}\s*WHERE\b", re.IGNORECASE)


def rule_update(query: str, graph: str) -> str:
    """A CONSTRUCT rule as a SPARQL update adding its triples to ``graph`` and to the default graph.

    >>> rule_update("PREFIX ex: <http://e/> CONSTRUCT { ?s a ex:B } WHERE { ?s a ex:A }", "http://g")
    'PREFIX ex: <http://e/> INSERT { GRAPH <http://g> { ?s a ex:B } ?s a ex:B } WHERE { ?s a ex:A }'
    """
    match = _CONSTRUCT.search(query)
    if match is None:
        raise ValueError("a rule is a CONSTRUCT query with a template of triples (no nested braces)")
    template = match["template"].strip()
    insert = f"INSERT {{ GRAPH <{graph}> {{ {template} }} {template} }} WHERE"
    return query[: match.start()] + insert + query[match.end() :]


def apply_rules(store: ox.Store, ns: BaseNamespaces, rules: Iterable[tuple[str, str]] | None = None) -> int:
    """Run the CONSTRUCT rules until nothing new appears; return the triples added to the inferred graph.

    The rules read the union of the named graphs. It is materialised in the default graph first and
    each rule runs as a SPARQL update that writes its triples to the inferred graph and the default
    graph, so the derivation runs inside Oxigraph: no triple becomes a Python object (at 1M triples
    that took minutes, this takes seconds).
    """
    inferred = ns.inferred_graph
    chosen = rules if rules is not None else rule_queries()
    updates = [(name, rule_update(query, inferred)) for name, query in chosen]
    materialize_union(store)
    start = count = _count(store, inferred)
    for _ in range(5):
        before = count
        for _name, update in updates:
            store.update(update, base_iri=ns.base)
        # Every rule writes the same triples to the inferred graph and the default graph (which
        # holds the inferred graph already), so a round added something exactly when the inferred
        # graph grew: counting it is a scan of that graph, where len(store) walks every quad.
        count = _count(store, inferred)
        if count == before:
            break
    return count - start


def _count(store: ox.Store, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, ox.QuerySolutions)
    term = next(iter(result))[0]
    return int(term.value) if term is not None else 0


def load_graph(settings: Settings, extra_files: Iterable[Path] = ()) -> LoadedGraph:
    """Load ontology, data, the generated imports (and extra TriG files) into a store; apply the rules."""
    ns = BaseNamespaces(settings.base_iri)
    store = ox.Store()
    loaded = LoadedGraph(store=store, ns=ns)
    for path in ontology_files(settings):
        _load_file(store, path, ns.base, ox.NamedNode(ns.ontology))
        loaded.files.append(_relative(path, settings))
    for path in [*data_files(settings), *import_files(settings), *extra_files]:
        name = _relative(path, settings)
        _load_file(store, path, ns.base)
        # Until the rules run, the default graph is empty: anything in it came from this file.
        stray = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
        if stray is not None:
            raise DataError(f"{name}: triple outside a GRAPH block (every fact needs its source): {stray}")
        loaded.files.append(name)
        loaded.sources.append((name, path))
    apply_rules(store, ns)  # the default graph then holds the union, the rules' triples included
    return loaded


def materialize_union(store: ox.Store) -> int:
    """Write the union of all named graphs, without duplicates, into the default graph.

    Oxigraph's ``use_default_graph_as_union`` returns a triple once per graph that holds it, so a
    fact stated by two sources would be counted twice. SPARQL's default graph is an RDF graph, a set:
    queries run against this materialised default graph instead. Returns the triples added.
    """
    before = len(store)
    store.update(load_query("merge-named-graphs"))
    return len(store) - before


def _relative(path: Path, settings: Settings) -> str:
    try:
        return path.resolve().relative_to(settings.project_dir.resolve()).as_posix()
    except ValueError:
        return str(path)
