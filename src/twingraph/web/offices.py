"""A person's offices: each term (tg:OfficeTerm) with its post, start and end and their sources."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from twingraph.queries import load_query
from twingraph.store.base import term_text
from twingraph.web.describe import Describer, SourceRef, Value


@dataclass
class OfficeTerm:
    """One term of office as the page shows it."""

    iri: str
    href: str | None
    posts: list[Value] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    sources: list[SourceRef] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[str, str]:
        """Terms in order of their start (undated ones last), then by post."""
        return (self.start or "9999", self.posts[0].text if self.posts else "")


def offices(describer: Describer, iri: str) -> list[OfficeTerm]:
    """The terms of office held by the person ``iri``, in date order."""
    terms: dict[str, OfficeTerm] = {}
    for row in describer.store.select(load_query("pages/person-offices"), {"this": ox.NamedNode(iri)}):
        term = term_text(row["term"])
        entry = terms.setdefault(term, OfficeTerm(term, describer.href(term)))
        what, value, graph = term_text(row["what"]), row["value"], term_text(row["g"])
        if graph != describer.ns.inferred_graph:
            ref = describer.source_ref(graph)
            if ref not in entry.sources:
                entry.sources.append(ref)
        if what == "post":
            post = describer.value(value)
            if all(p.href != post.href for p in entry.posts):
                entry.posts.append(post)
        elif what == "start":
            entry.start = min(filter(None, (entry.start, term_text(value))))
        elif what == "end":
            entry.end = max(filter(None, (entry.end, term_text(value))))
    for entry in terms.values():
        entry.sources.sort(key=lambda r: r.number)
    return sorted(terms.values(), key=lambda t: t.sort_key)
