"""A city's ego network: its partners (first ring) and their partners (second ring), drawn as a
radial SVG on the server, from one SPARQL query (``queries/pages/ego-network.rq``) that the page
links to so that anyone can run it themselves.

The layout is radial, not force-directed, so that it is the same on every request: the partners on
an inner circle, their partners on an outer one, each near the partners it is linked to.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from twingraph.queries import load_query
from twingraph.store.base import term_text
from twingraph.web.describe import Describer

QUERY = "pages/ego-network"
SIZE = 1000  # the drawing's viewBox is SIZE x SIZE
MAX_OUTER = 120  # second-ring cities drawn at most (the most linked first); the table lists them all
MAX_OUTER_LABELS = 40


@dataclass(frozen=True)
class Node:
    """A city in the drawing."""

    iri: str
    label: str
    href: str | None
    ring: int
    x: float
    y: float
    labelled: bool
    anchor: str

    @property
    def label_at(self) -> tuple[float, float]:
        """Where the name goes: beside the point, away from the centre."""
        if self.ring == 0:
            return self.x, self.y - 22
        dx = {"start": 12, "end": -12}.get(self.anchor, 0)
        dy = 5 if self.anchor != "middle" else (-14 if self.y < SIZE / 2 else 24)
        return round(self.x + dx, 1), round(self.y + dy, 1)


@dataclass
class EgoNetwork:
    """The drawing (nodes, edges as node index pairs) and, for the table, each partner's partners."""

    nodes: list[Node]
    edges: list[tuple[int, int]]
    partners: list[tuple[Node, list[tuple[str, str | None]]]]
    outer_total: int

    @property
    def hidden(self) -> int:
        """Second-ring cities left out of the drawing (still in the table)."""
        return self.outer_total - sum(1 for n in self.nodes if n.ring == 2)


def ego_query(iri: str, base_iri: str) -> str:
    """The query as a reader can run it: BASE line, and ?this bound to the city by VALUES."""
    text = load_query(QUERY)
    body = text.replace("WHERE {\n", f"WHERE {{\n  VALUES ?this {{ <{iri}> }}\n", 1)
    return f"BASE <{base_iri}>\n{body}"


def _at(angle: float, radius: float) -> tuple[float, float]:
    return round(SIZE / 2 + radius * math.cos(angle), 1), round(SIZE / 2 + radius * math.sin(angle), 1)


def ego_network(describer: Describer, iri: str) -> EgoNetwork | None:
    """The ego network of the city ``iri``; None when it has no partners."""
    site, lang = describer.site, describer.lang
    links: dict[str, set[str]] = defaultdict(set)
    for row in describer.store.select(load_query(QUERY), {"this": ox.NamedNode(iri)}):
        links[term_text(row["a"])].add(term_text(row["b"]))
    if not links:
        return None

    def name(city: str) -> str:
        return site.name(city, lang)

    first = sorted(links, key=lambda c: name(c).casefold())
    first_set = set(first)
    outer_links: dict[str, set[str]] = defaultdict(set)
    for a in first:
        for b in links[a]:
            if b != iri and b not in first_set:
                outer_links[b].add(a)
    nodes = [Node(iri, name(iri), describer.href(iri), 0, SIZE / 2, SIZE / 2, True, "middle")]
    index = {iri: 0}
    angle_of: dict[str, float] = {}
    for i, city in enumerate(first):
        angle = 2 * math.pi * i / len(first) - math.pi / 2
        angle_of[city] = angle
        x, y = _at(angle, SIZE * 0.22)
        index[city] = len(nodes)
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        nodes.append(Node(city, name(city), describer.href(city), 1, x, y, True, anchor))
    # The most linked second-ring cities, ordered by the mean angle of the partners they hang on.
    outer = sorted(outer_links, key=lambda c: (-len(outer_links[c]), name(c).casefold()))[:MAX_OUTER]

    def mean_angle(city: str) -> float:
        sx = sum(math.cos(angle_of[a]) for a in outer_links[city])
        sy = sum(math.sin(angle_of[a]) for a in outer_links[city])
        return math.atan2(sy, sx)

    ordered = sorted(outer, key=mean_angle)
    label_outer = len(ordered) <= MAX_OUTER_LABELS
    for i, city in enumerate(ordered):
        angle = mean_angle(ordered[0]) + 2 * math.pi * i / len(ordered)
        x, y = _at(angle, SIZE * 0.40)
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        index[city] = len(nodes)
        nodes.append(Node(city, name(city), describer.href(city), 2, x, y, label_outer, anchor))
    edges = sorted(
        {(min(index[a], index[b]), max(index[a], index[b])) for a in first for b in links[a] if b in index}
    )
    table = [
        (
            nodes[index[a]],
            sorted(
                ((name(b), describer.href(b)) for b in links[a] if b != iri), key=lambda v: v[0].casefold()
            ),
        )
        for a in first
    ]
    return EgoNetwork(nodes, edges, table, len(outer_links))
