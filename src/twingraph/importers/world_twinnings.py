"""``twingraph import world-twinnings``: the Wikidata P190 snapshot as the graph <id/source/world-twinnings>.

Every city becomes a tg:City (English label, owl:sameAs its Wikidata item, country code,
coordinates with the CSV's lexical form) and every link a tg:Partnership of kind twinning
between two cities (no dates and no events: the snapshot has none). Identity with the curated
graph goes by Wikidata item:

- a city the curated graph has (same owl:sameAs) keeps its curated IRI; the import adds only what
  the curated graph does not say about it yet (the curated values win);
- a link between two curated cities that a curated twinning already joins is that partnership:
  the import states it again in its own graph (partners and kind), never a second partnership.

The source itself is described in ``data/sources.trig``; the import adds ``dct:type
dcmitype:Dataset``, which tells the shapes that its partnerships need no dated event.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from slugify import slugify

from twingraph.atomic_file import write_atomically
from twingraph.config import PROJECT_DIR, Settings
from twingraph.importers.world_csv import (
    CITIES_FILE,
    LINKS_FILE,
    WorldCity,
    WorldLink,
    read_cities,
    read_links,
)
from twingraph.load import DataError, data_files, parse_file
from twingraph.namespaces import PREFIXES
from twingraph.queries import load_query

OUTPUT_NAME = "world-twinnings.trig"
SOURCE = "id/source/world-twinnings"
TWINNING = "id/concept/twinning"
DATASET = "http://purl.org/dc/dcmitype/Dataset"
# The file is written against this base and the base is then dropped: relative IRIs, like data/.
WRITE_BASE = "https://twingraph.invalid/"
_PREFIXES = {
    "tg": WRITE_BASE + "ontology#",
    **{p: PREFIXES[p] for p in ("rdf", "rdfs", "owl", "xsd", "geo", "dct", "wd")},
    "dcmitype": "http://purl.org/dc/dcmitype/",
}
_RDF, _RDFS, _OWL, _XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["xsd"]
_GEO, _DCT, _WD, _TG = PREFIXES["geo"], PREFIXES["dct"], PREFIXES["wd"], WRITE_BASE + "ontology#"


def default_source(project_dir: Path = PROJECT_DIR) -> Path:
    """Where the snapshot lies: ``data/world-twinnings/`` of the project (vendored with its README)."""
    return project_dir / "data" / "world-twinnings"


@dataclass
class CuratedIndex:
    """What the curated graph already knows, with IRIs relative to the base (``id/city/amiens``)."""

    cities: dict[str, str] = field(default_factory=dict)  # Wikidata QID -> city IRI
    known: dict[str, set[str]] = field(
        default_factory=dict
    )  # city IRI -> {"label", "country", "coordinates"}
    twinnings: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (city, city) in order -> partnership
    geonames: dict[str, set[str]] = field(default_factory=dict)  # city IRI -> curated GeoNames IRIs


@dataclass
class ImportResult:
    """What an import wrote: the file, counts and time."""

    path: Path
    cities: int = 0
    curated_cities: int = 0
    partnerships: int = 0
    curated_partnerships: int = 0
    triples: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the command line."""
        return (
            f"{self.cities} cities ({self.curated_cities} curated), {self.partnerships} partnerships "
            f"({self.curated_partnerships} curated), {self.triples} triples -> {self.path} "
            f"in {self.seconds:.1f} s"
        )


def curated_index(settings: Settings) -> CuratedIndex:
    """Read the curated files of ``data/`` (not the imports) and index cities by QID and twinnings by pair."""
    store = ox.Store()
    for path in data_files(settings):
        store.extend(parse_file(path, settings.base_iri))
    index = CuratedIndex()

    def relative(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
        assert isinstance(term, ox.NamedNode) and term.value.startswith(settings.base_iri), term
        return term.value.removeprefix(settings.base_iri)

    def select(name: str) -> ox.QuerySolutions:
        result = store.query(load_query(name), base_iri=settings.base_iri, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        return result

    for row in select("world/curated-cities"):
        city, qid = relative(row["city"]), str(row["item"].value).removeprefix(_WD)
        if index.cities.setdefault(qid, city) != city:
            raise DataError(
                f"data/: two curated cities have owl:sameAs wd:{qid}: {index.cities[qid]}, {city}"
            )
        index.known[city] = {key for key in ("label", "country", "coordinates") if row[key].value == "true"}
    for row in select("world/curated-twinnings"):
        pair, partnership = (relative(row["a"]), relative(row["b"])), relative(row["partnership"])
        if index.twinnings.setdefault(pair, partnership) != partnership:
            raise DataError(
                f"data/: two curated twinnings join {pair[0]} and {pair[1]}: "
                f"{index.twinnings[pair]}, {partnership}"
            )
    for row in select("world/curated-geonames"):
        index.geonames.setdefault(relative(row["city"]), set()).add(str(row["feature"].value))
    return index


def city_slug(name: str, qid: str) -> str:
    """The IRI slug of an imported city: its name in lowercase ASCII, then its QID.

    >>> city_slug("Dessau-Roßlau", "Q14826")
    'dessau-rosslau-q14826'
    >>> city_slug("Munster, Lower Saxony", "Q506599")
    'munster-lower-saxony-q506599'
    """
    return "-".join(part for part in (slugify(name), qid.lower()) if part)


def world_quads(
    cities: list[WorldCity], links: list[WorldLink], curated: CuratedIndex, result: ImportResult
) -> list[ox.Quad]:
    """The quads of the world graph, IRIs under :data:`WRITE_BASE`, in a stable order."""
    graph = _iri(SOURCE)
    triples: set[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = set()

    def add(subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        triples.add((_iri(subject), ox.NamedNode(predicate), obj))

    add(SOURCE, _DCT + "type", ox.NamedNode(DATASET))
    iri_of: dict[str, str] = {}
    names: dict[str, str] = {}
    for city in cities:
        iri = curated.cities.get(city.qid) or f"id/city/{city_slug(city.name, city.qid)}"
        iri_of[city.qid], names[iri] = iri, city.name
        known = curated.known.get(iri, set())
        result.curated_cities += city.qid in curated.cities
        add(iri, _RDF + "type", ox.NamedNode(_TG + "City"))
        add(iri, _OWL + "sameAs", ox.NamedNode(_WD + city.qid))
        if "label" not in known:
            add(iri, _RDFS + "label", ox.Literal(city.name, language="en"))
        if city.country and "country" not in known:
            add(iri, _TG + "countryCode", ox.Literal(city.country))
        if "coordinates" not in known:
            add(iri, _GEO + "lat", ox.Literal(city.lat, datatype=ox.NamedNode(_XSD + "decimal")))
            add(iri, _GEO + "long", ox.Literal(city.long, datatype=ox.NamedNode(_XSD + "decimal")))
    partnerships: dict[str, int] = {}
    for link in links:
        a, b = sorted((iri_of[link.a], iri_of[link.b]))
        partnership = curated.twinnings.get((a, b))
        if partnership is None:
            partnership = f"id/partnership/{_slug(a)}--{_slug(b)}"
            label = f"{names[a]} – {names[b]}"
            add(partnership, _RDFS + "label", ox.Literal(label, language="en"))
            add(partnership, _RDFS + "label", ox.Literal(label, language="de"))
        else:
            result.curated_partnerships += 1
        if partnership in partnerships:
            raise DataError(
                f"{LINKS_FILE}:{link.line}: {partnership} is also made by line {partnerships[partnership]}"
            )
        partnerships[partnership] = link.line
        add(partnership, _RDF + "type", ox.NamedNode(_TG + "Partnership"))
        add(partnership, _TG + "partner", _iri(a))
        add(partnership, _TG + "partner", _iri(b))
        add(partnership, _TG + "kind", _iri(TWINNING))
    result.cities, result.partnerships, result.triples = len(cities), len(partnerships), len(triples)
    return [ox.Quad(s, p, o, graph) for s, p, o in sorted(triples, key=_triple_key)]


def write_trig(
    quads: list[ox.Quad], path: Path, header: list[str], prefixes: dict[str, str] | None = None
) -> None:
    """Write quads as TriG with relative IRIs (no ``@base``), atomically (temp file + rename)."""
    data = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes or _PREFIXES, base_iri=WRITE_BASE)
    assert data is not None, "without an output, serialize returns the bytes"
    first, _, body = data.decode("utf-8").partition("\n")
    if first != f"@base <{WRITE_BASE}> .":
        raise RuntimeError(f"unexpected TriG head from pyoxigraph: {first!r}")
    if WRITE_BASE in body:
        raise RuntimeError("an IRI could not be written relative to the base")
    content = "".join(f"# {line}".rstrip() + "\n" for line in header) + "\n" + body
    write_atomically(path, lambda handle: handle.write(content))


def import_world_twinnings(settings: Settings, source: Path | None = None) -> ImportResult:
    """Read the snapshot in ``source``, map it onto the curated graph, write it to the imports folder."""
    start = time.perf_counter()
    folder = source or default_source(settings.project_dir)
    cities = read_cities(folder / CITIES_FILE)
    links = read_links(folder / LINKS_FILE, {c.qid for c in cities})
    result = ImportResult(path=settings.imports_dir / OUTPUT_NAME)
    quads = world_quads(cities, links, curated_index(settings), result)
    digests = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in (CITIES_FILE, LINKS_FILE)
    }
    header = [
        "World twinnings: the Wikidata P190 snapshot (cities, links), graph <id/source/world-twinnings>.",
        "Generated by `twingraph import world-twinnings`: do not edit; import again instead.",
        "The source is described in data/sources.trig; here it is marked a dataset (dct:type",
        "dcmitype:Dataset), so its partnerships, undated in the snapshot, need no dated event (shapes).",
        "Curated cities and twinnings keep their IRIs (matched by Wikidata item); curated values win.",
        "",
        *(f"sha256 {name}: {digest}" for name, digest in digests.items()),
        f"{result.cities} cities ({result.curated_cities} curated), {len(links)} links -> "
        f"{result.partnerships} partnerships ({result.curated_partnerships} curated), "
        f"{result.triples} triples.",
    ]
    write_trig(quads, result.path, header)
    result.seconds = time.perf_counter() - start
    return result


def _iri(relative: str) -> ox.NamedNode:
    return ox.NamedNode(WRITE_BASE + relative)


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def _triple_key(
    triple: tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal],
) -> tuple[str, bool, str, str]:
    subject, predicate, obj = triple
    return (subject.value, predicate.value != _RDF + "type", predicate.value, str(obj))
