"""Counts that describe the graph: triples, entities per class, facts per source."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from twingraph.load import LoadedGraph
from twingraph.queries import load_query


@dataclass(frozen=True)
class GraphStats:
    """Triple count, entities per tg: class, and triples per source graph."""

    triples: int
    quads: int
    classes: list[tuple[str, int]]
    sources: list[tuple[str, str, int]]


def graph_stats(loaded: LoadedGraph) -> GraphStats:
    """Compute the statistics of a loaded graph."""
    store = loaded.store
    base = loaded.ns.base

    def select(name: str) -> list[ox.QuerySolution]:
        result = store.query(load_query(name), base_iri=base)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    triples = select("triple-count")[0]["triples"]
    classes = [(str(r["label"].value), int(r["count"].value)) for r in select("class-counts")]
    sources = [
        (str(r["source"].value), str(r["label"].value), int(r["triples"].value))
        for r in select("source-counts")
    ]
    return GraphStats(
        triples=int(triples.value),
        quads=len(store),
        classes=classes,
        sources=sources,
    )


def format_stats(stats: GraphStats) -> str:
    """Readable multi-line text of the statistics."""
    lines = [
        f"triples (union of all graphs): {stats.triples}",
        f"quads: {stats.quads}",
        "",
        "entities per class:",
    ]
    lines += [f"  {label:<28} {count:>5}" for label, count in stats.classes]
    lines += ["", f"sources ({len(stats.sources)}), triples each:"]
    lines += [f"  {count:>5}  {label}  <{iri}>" for iri, label, count in stats.sources]
    return "\n".join(lines)
