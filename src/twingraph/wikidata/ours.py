"""Our side of the comparison: twinnings with their cities' QIDs, dates and sources, from the store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from twingraph.namespaces import PREFIXES
from twingraph.queries import load_query
from twingraph.store import Store

WD = PREFIXES["wd"]
XSD = PREFIXES["xsd"]
# Wikidata time precisions: 9 year, 10 month, 11 day.
PRECISION = {XSD + "gYear": 9, XSD + "gYearMonth": 10, XSD + "date": 11, XSD + "dateTime": 11}
CONFIDENCE_ORDER = {"high": 0, "medium-high": 1, "medium": 2}


@dataclass(frozen=True)
class OurDate:
    """A date as one source gives it, with its Wikidata precision (9, 10 or 11)."""

    lexical: str
    precision: int
    source: str


@dataclass(frozen=True)
class Source:
    """A source that states something about a partnership."""

    iri: str
    url: str | None
    confidence: str | None


@dataclass
class Twinning:
    """One of our twinnings (or friendships) between two cities: what Wikidata models as P190."""

    partnership: str
    label: str
    cities: tuple[str, str]
    city_labels: tuple[str, str]
    qids: tuple[str | None, str | None]
    starts: list[OurDate] = field(default_factory=list)
    ends: list[OurDate] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def distinct(self, dates: list[OurDate]) -> list[OurDate]:
        """Dates with the same value given by several sources, once each (first source kept)."""
        seen: dict[str, OurDate] = {}
        for date in dates:
            seen.setdefault(date.lexical, date)
        return list(seen.values())

    def best_source(self, dates: list[OurDate] | None = None) -> Source | None:
        """The most trusted source with a URL: among those giving ``dates`` if any, else among all."""
        wanted = {d.source for d in dates or []}
        pool = [s for s in self.sources if s.url and (not wanted or s.iri in wanted)]
        pool = pool or [s for s in self.sources if s.url]
        pool.sort(key=lambda s: (CONFIDENCE_ORDER.get(s.confidence or "", 9), s.iri))
        return pool[0] if pool else None


def _value(row: Mapping[str, object], name: str) -> str | None:
    term = row.get(name)
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return None


def _date(term: object, source: str) -> OurDate | None:
    if not isinstance(term, ox.Literal):
        return None
    precision = PRECISION.get(term.datatype.value)
    return OurDate(term.value, precision, source) if precision else None


def our_twinnings(store: Store) -> list[Twinning]:
    """Every pair of cities joined by one of our twinnings or friendships, with dates and sources."""
    found: dict[tuple[str, str, str], Twinning] = {}
    for row in store.select(load_query("wikidata/our-twinnings")):
        partnership, a, b = (_value(row, n) or "" for n in ("partnership", "a", "b"))
        qa, qb = (_value(row, n) for n in ("qa", "qb"))
        found.setdefault(
            (partnership, a, b),
            Twinning(
                partnership=partnership,
                label=_value(row, "label") or partnership,
                cities=(a, b),
                city_labels=(_value(row, "labelA") or a, _value(row, "labelB") or b),
                qids=(qa.removeprefix(WD) if qa else None, qb.removeprefix(WD) if qb else None),
            ),
        )
    by_partnership: dict[str, list[Twinning]] = {}
    for twinning in found.values():
        by_partnership.setdefault(twinning.partnership, []).append(twinning)
    for row in store.select(load_query("wikidata/our-partnership-sources")):
        source_iri = _value(row, "source") or ""
        for twinning in by_partnership.get(_value(row, "partnership") or "", []):
            source = Source(source_iri, _value(row, "url"), _value(row, "confidence"))
            if source not in twinning.sources:
                twinning.sources.append(source)
            start, end = _date(row.get("start"), source_iri), _date(row.get("end"), source_iri)
            if start and start not in twinning.starts:
                twinning.starts.append(start)
            if end and end not in twinning.ends:
                twinning.ends.append(end)
    return sorted(found.values(), key=lambda t: (t.label, t.cities))
