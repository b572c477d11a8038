"""What the maps show, as data for the vendored Leaflet (static/maps.js) and as a table for readers
who do not see the map: a city's partners, or the world aggregated into country-to-country flows.

The browser draws the shipped land outline (static/land.geojson, no tile server), the points, and a
great-circle arc for each line, split where it crosses the antimeridian; labels are placed where they
overlap no other label. Everything drawn is also in the table beside the map.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MapPoint:
    """A place on a map: a city, or a country standing for its cities (``weight`` = how many)."""

    lat: float
    long: float
    label: str
    href: str | None
    primary: bool = False
    weight: int = 1


@dataclass(frozen=True)
class MapLine:
    """A line between two points (indexes into the map's points), ``weight`` partnerships strong."""

    a: int
    b: int
    weight: int = 1


@dataclass
class MapView:
    """A map: its points and lines, and what has no coordinates (listed in the table, not drawn)."""

    points: list[MapPoint]
    lines: list[MapLine]
    unplaced: list[MapPoint] = field(default_factory=list)
    aggregated: bool = False
    cities_placed: int = 0
    """How many cities the map places (a world map draws countries, not its cities)."""

    def as_json(self) -> dict[str, Any]:
        """The data maps.js reads (coordinates rounded to about 100 m)."""
        return {
            "aggregated": self.aggregated,
            "points": [
                {
                    "lat": round(p.lat, 3),
                    "long": round(p.long, 3),
                    "label": p.label,
                    "href": p.href,
                    "primary": p.primary,
                    "weight": p.weight,
                }
                for p in self.points
            ],
            "lines": [[line.a, line.b, line.weight] for line in self.lines],
        }


def city_map(center: MapPoint | None, partners: list[MapPoint], unplaced: list[MapPoint]) -> MapView | None:
    """The map of one city: the city, each partner with coordinates and a line to it; None without points."""
    points = ([center] if center else []) + sorted(partners, key=lambda p: p.label)
    if not points:
        return None
    lines = [MapLine(0, i) for i in range(1, len(points))] if center else []
    return MapView(points, lines, sorted(unplaced, key=lambda p: p.label))


@dataclass(frozen=True)
class PlacedCity:
    """A city with coordinates and its country (ISO 3166 code, or "" when not known)."""

    iri: str
    lat: float
    long: float
    country: str


def world_map(
    cities: dict[str, PlacedCity], pairs: list[tuple[str, str]], names: dict[str, str], hrefs: dict[str, str]
) -> MapView | None:
    """Every partnership aggregated by country: a point per country (at the mean of its cities, weighted
    by how many cities it has) and a line per pair of countries, weighted by the partnerships between
    them. Partnerships within one country add to its point, not to a line.

    >>> cities = {c: PlacedCity(c, lat, long, cc) for c, lat, long, cc in
    ...           [("a", 50, 7, "DE"), ("b", 52, 9, "DE"), ("c", 49, 2, "FR")]}
    >>> view = world_map(cities, [("a", "c"), ("b", "c"), ("a", "b")], {"DE": "Germany", "FR": "France"}, {})
    >>> [(p.label, p.lat, p.weight) for p in view.points], [(l.a, l.b, l.weight) for l in view.lines]
    ([('Germany', 51.0, 2), ('France', 49.0, 1)], [(0, 1, 2)])
    """
    by_country: dict[str, list[PlacedCity]] = defaultdict(list)
    for city in cities.values():
        if city.country:
            by_country[city.country].append(city)
    if not by_country:
        return None
    order = sorted(by_country, key=lambda c: (-len(by_country[c]), names.get(c, c)))
    index = {code: i for i, code in enumerate(order)}
    points = [
        MapPoint(
            sum(c.lat for c in by_country[code]) / len(by_country[code]),
            sum(c.long for c in by_country[code]) / len(by_country[code]),
            names.get(code, code),
            hrefs.get(code),
            weight=len(by_country[code]),
        )
        for code in order
    ]
    flows: Counter[tuple[int, int]] = Counter()
    for a, b in pairs:
        ca, cb = cities[a].country if a in cities else "", cities[b].country if b in cities else ""
        if ca and cb and ca != cb:
            i, j = sorted((index[ca], index[cb]))
            flows[(i, j)] += 1
    lines = [MapLine(i, j, n) for (i, j), n in sorted(flows.items(), key=lambda f: (-f[1], f[0]))]
    return MapView(points, lines, aggregated=True)
