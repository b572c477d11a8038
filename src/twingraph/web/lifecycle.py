"""The parts of a page that only some types have: a partnership's timeline, a city's partnerships and map."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from twingraph.queries import load_query
from twingraph.store.base import term_text
from twingraph.web.describe import Describer, SourceRef, Value
from twingraph.web.maps import MapPoint, MapView, city_map


@dataclass
class TimelineEvent:
    """One event of a life cycle; several dates when sources disagree."""

    iri: str
    label: str
    href: str | None
    dates: list[tuple[str, list[SourceRef]]] = field(default_factory=list)
    end: str | None = None
    bounds: str = ""  # "<earliest>/<latest>" as xsd:dates (rules/12-date-bounds.rq)
    types: list[Value] = field(default_factory=list)
    places: list[Value] = field(default_factory=list)
    participants: list[Value] = field(default_factory=list)
    bodies: list[Value] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[int, str, str]:
        """Dated events first, by their comparable bounds ("1988-12" after 1988-12-01), then by label."""
        return (0 if self.bounds else 1, self.bounds, self.label)


def timeline(describer: Describer, iri: str) -> list[TimelineEvent]:
    """The events of the partnership ``iri`` in order, with places, people and the sources of each date."""
    rows = describer.store.select(load_query("pages/timeline"), {"this": ox.NamedNode(iri)})
    events: dict[str, TimelineEvent] = {}
    dates: dict[str, dict[str, list[SourceRef]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        event = term_text(row["event"])
        entry = events.get(event)
        if entry is None:
            entry = events[event] = TimelineEvent(
                event, describer.site.name(event, describer.lang), describer.href(event)
            )
        what, term = term_text(row["what"]), row["value"]
        if what == "date":
            graph = term_text(row["g"])
            if graph != describer.ns.inferred_graph:
                dates[event][term_text(term)].append(describer.source_ref(graph))
        elif what == "bounds":
            entry.bounds = term_text(term)
        elif what == "end":
            entry.end = term_text(term)
        else:
            target = {
                "type": entry.types,
                "place": entry.places,
                "participant": entry.participants,
                "body": entry.bodies,
            }[what]
            value = describer.value(term)
            if all(v.text != value.text for v in target):
                target.append(value)
    for event, by_date in dates.items():
        events[event].dates = sorted(
            (d, sorted(set(refs), key=lambda r: r.number)) for d, refs in by_date.items()
        )
    ordered = sorted(events.values(), key=lambda e: e.sort_key)
    for entry in ordered:
        for values in (entry.types, entry.places, entry.participants, entry.bodies):
            values.sort(key=lambda v: v.text)
    return ordered


@dataclass
class CityPartnership:
    """A partnership of a city, seen from that city."""

    label: str
    href: str | None
    partners: list[Value]
    kind: Value | None
    start: str | None
    status: Value | None
    start_earliest: str = ""  # xsd:date bound of the start: what the partnerships are ordered by


@dataclass
class CityView:
    """A city's partnerships and the map of its partner cities (partners without coordinates in its table)."""

    partnerships: list[CityPartnership]
    map: MapView | None


def _float(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> float | None:
    try:
        return float(term_text(term)) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


def city_view(describer: Describer, iri: str) -> CityView:
    """The partnerships of the city ``iri`` and a map with a line to each partner city."""
    store, site, lang = describer.store, describer.site, describer.lang
    this = ox.NamedNode(iri)
    found: dict[str, CityPartnership] = {}
    for row in store.select(load_query("pages/city-partnerships"), {"this": this}):
        p = term_text(row["partnership"])
        entry = found.get(p)
        if entry is None:
            entry = found[p] = CityPartnership(site.name(p, lang), describer.href(p), [], None, None, None)
        what, term = term_text(row["what"]), row["value"]
        if what == "partner":
            if all(v.href != describer.href(term_text(term)) for v in entry.partners):
                entry.partners.append(describer.value(term))
        elif what == "kind":
            entry.kind = describer.value(term)
        elif what == "status":
            entry.status = describer.value(term)
        elif what == "start":
            entry.start = min(filter(None, (entry.start, term_text(term))))
        elif what == "startEarliest":
            entry.start_earliest = term_text(term)
    partners: dict[str, MapPoint] = {}
    for row in store.select(load_query("pages/partner-coordinates"), {"this": this}):
        partner = term_text(row["partner"])
        lat, long = _float(row.get("lat")), _float(row.get("long"))
        if partner not in partners and lat is not None and long is not None:
            partners[partner] = MapPoint(lat, long, site.name(partner, lang), describer.href(partner))
    ordered = sorted(found.values(), key=lambda e: (e.start_earliest or "9999", e.label))
    own = store.select(load_query("pages/coordinates"), {"this": this})
    center = None
    if own:
        lat, long = _float(own[0].get("lat")), _float(own[0].get("long"))
        if lat is not None and long is not None:
            center = MapPoint(lat, long, site.name(iri, lang), describer.href(iri), primary=True)
    placed = {p.href for p in partners.values()}
    unplaced: dict[str, MapPoint] = {}
    for entry in ordered:
        for other in entry.partners:
            if other.href and other.href not in placed and other.href != describer.href(iri):
                unplaced.setdefault(other.href, MapPoint(0, 0, other.text, other.href))
    return CityView(ordered, city_map(center, list(partners.values()), list(unplaced.values())))
