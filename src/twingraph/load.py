"""Load the ontology and the curated data into one store, and derive what the rules add.

The curated files use relative IRIs; they are resolved against the configured base IRI here,
which is the only place that knows it. Each TriG graph of ``data/`` is a source; the ontology
files go into the ontology graph; whatever the rules in ``rules/*.rq`` derive goes into the
inferred graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from twingraph.config import Settings
from twingraph.namespaces import BaseNamespaces


class DataError(Exception):
    """A data, ontology or shapes file cannot be read; the message names the file and the line."""


@dataclass
class LoadedGraph:
    """The curated graph with the rules applied, and where each subject was written."""

    store: ox.Store
    ns: BaseNamespaces
    origins: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the store."""
        return iter(self.store)


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


def rule_queries() -> list[tuple[str, str]]:
    """The materialisation rules, as (name, SPARQL CONSTRUCT text), in file-name order."""
    folder = resources.files("twingraph") / "rules"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".rq"))
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in names]


def apply_rules(store: ox.Store, ns: BaseNamespaces, rules: Iterable[tuple[str, str]] | None = None) -> int:
    """Run the CONSTRUCT rules over the union graph until nothing new appears; return triples added."""
    inferred = ox.NamedNode(ns.inferred_graph)
    rules = list(rules if rules is not None else rule_queries())
    added = 0
    for _ in range(5):
        before = len(store)
        for _name, query in rules:
            result = store.query(query, base_iri=ns.base, use_default_graph_as_union=True)
            assert isinstance(result, ox.QueryTriples), f"rule {_name} is not a CONSTRUCT query"
            new = [ox.Quad(t.subject, t.predicate, t.object, inferred) for t in set(result)]
            store.extend(new)
        grown = len(store) - before
        added += grown
        if grown == 0:
            break
    return added


def load_graph(settings: Settings, extra_files: Iterable[Path] = ()) -> LoadedGraph:
    """Load ontology, data, the generated imports (and extra TriG files) into a store; apply the rules."""
    ns = BaseNamespaces(settings.base_iri)
    store = ox.Store()
    loaded = LoadedGraph(store=store, ns=ns)
    for path in ontology_files(settings):
        store.extend(parse_file(path, ns.base, default_graph=ns.ontology))
        loaded.files.append(_relative(path, settings))
    for path in [*data_files(settings), *import_files(settings), *extra_files]:
        quads = parse_file(path, ns.base)
        name = _relative(path, settings)
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                raise DataError(f"{name}: triple outside a GRAPH block (every fact needs its source): {q}")
        store.extend(quads)
        loaded.files.append(name)
        for subject in dict.fromkeys(q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)):
            loaded.origins.setdefault(subject, []).append(name)
    apply_rules(store, ns)
    materialize_union(store)
    return loaded


def materialize_union(store: ox.Store) -> int:
    """Write the union of all named graphs, without duplicates, into the default graph.

    Oxigraph's ``use_default_graph_as_union`` returns a triple once per graph that holds it, so a
    fact stated by two sources would be counted twice. SPARQL's default graph is an RDF graph, a set:
    queries run against this materialised default graph instead. Returns the triples written.
    """
    triples = {
        (q.subject, q.predicate, q.object) for q in store if not isinstance(q.graph_name, ox.DefaultGraph)
    }
    store.extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples)
    return len(triples)


def _relative(path: Path, settings: Settings) -> str:
    try:
        return path.resolve().relative_to(settings.project_dir.resolve()).as_posix()
    except ValueError:
        return str(path)
