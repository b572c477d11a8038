"""The release's catalogue: DCAT-AP 3 (catalogue, dataset, distributions) and VoID statistics.

The dataset node is both a ``dcat:Dataset`` and a ``void:Dataset``; every file of the release
that carries data is a ``dcat:Distribution`` with its byte size, media type and SHA-256. The
nodes DCAT-AP's range shapes expect to be typed (licence, media types, publisher) are typed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from twingraph.namespaces import PREFIXES, BaseNamespaces
from twingraph.publish.dataset import DatasetInfo
from twingraph.queries import load_query
from twingraph.release import sha256_file
from twingraph.release_files import DUMPS, EU_FILE_TYPE, IANA, describe_table, file_kind

DCAT, DCT, FOAF, VOID = PREFIXES["dcat"], PREFIXES["dct"], PREFIXES["foaf"], PREFIXES["void"]
RDF, RDFS, OWL, XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["xsd"]
SPDX = "http://spdx.org/rdf/terms#"
ADMS = "http://www.w3.org/ns/adms#"
CATALOG_PREFIXES = {"spdx": SPDX, "adms": ADMS}
# Datasets the graph links to with owl:sameAs: (key, title, namespace, homepage).
LINK_TARGETS = (
    ("wikidata", "Wikidata", "http://www.wikidata.org/entity/", "https://www.wikidata.org/"),
    ("geonames", "GeoNames", "https://sws.geonames.org/", "https://www.geonames.org/"),
)


@dataclass(frozen=True)
class VoidStats:
    """Counts of the graph for its VoID description."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: list[tuple[str, int]]  # class IRI, entities
    properties: list[tuple[str, int]]  # property IRI, triples
    links: dict[str, int]  # link target key -> owl:sameAs triples


def store_void_stats(store: ox.Store, ns: BaseNamespaces, resource_iris: dict[str, bool]) -> VoidStats:
    """Count triples, entities (resources under ``<base>id/``), classes, properties and links of the
    store's merged graph (its default graph), with SPARQL.

    ``resource_iris``: every IRI in subject or object position, True for subjects
    (``queries/build/resource-iris.rq``, which the build reads once for the dumps' prefixes too).
    """

    def rows(name: str) -> list[ox.QuerySolution]:
        result = store.query(load_query(f"build/{name}"))
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    (counts,) = rows("graph-counts")
    linked = [row["o"].value for row in rows("same-as-targets")]
    return VoidStats(
        triples=int(counts["triples"].value),
        entities=sum(1 for iri, subject in resource_iris.items() if subject and iri.startswith(ns.resource)),
        distinct_subjects=int(counts["subjects"].value),
        distinct_objects=int(counts["objects"].value),
        classes=sorted((row["class"].value, int(row["n"].value)) for row in rows("classes")),
        properties=sorted((row["p"].value, int(row["n"].value)) for row in rows("properties")),
        links={
            key: sum(1 for iri in linked if iri.startswith(namespace))
            for key, _title, namespace, _home in LINK_TARGETS
        },
    )


class _Graph:
    """A small builder of triples with IRIs and typed literals."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, s: str, p: str, o: str | ox.Literal) -> None:
        obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
        self.triples.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    def texts(self, s: str, p: str, texts: dict[str, str]) -> None:
        for lang, text in texts.items():
            self.add(s, p, ox.Literal(text, language=lang))


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _text(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def dataset_iri(ns: BaseNamespaces, version: str) -> str:
    """IRI of the dataset of one release."""
    return f"{ns.base}dataset/{version}"


def download_url(ns: BaseNamespaces, version: str, name: str) -> str:
    """Where a release file is downloaded from (the /dumps/ blueprint serves it)."""
    return f"{ns.base}dumps/{version}/{name}"


def catalog_triples(
    info: DatasetInfo,
    ns: BaseNamespaces,
    folder: Path,
    stats: VoidStats,
    previous: str | None,
    version_notes: str,
    documents: Iterable[str],
) -> list[ox.Triple]:
    """The DCAT-AP + VoID description of the release in ``folder`` (its files must be written)."""
    g = _Graph()
    catalog, dataset = f"{ns.base}catalog", dataset_iri(ns, info.version)
    publisher = info.publisher_url or f"{ns.base}publisher"
    issued = _typed(info.date.isoformat(), "date")
    g.add(catalog, RDF + "type", DCAT + "Catalog")
    g.texts(catalog, DCT + "title", info.title)
    g.texts(catalog, DCT + "description", info.description)
    g.add(catalog, DCT + "publisher", publisher)
    g.add(catalog, DCT + "license", info.license)
    g.add(catalog, FOAF + "homepage", ns.base)
    g.add(catalog, DCAT + "dataset", dataset)
    g.add(ns.base, RDF + "type", FOAF + "Document")
    g.add(publisher, RDF + "type", FOAF + "Agent")
    g.add(publisher, FOAF + "name", ox.Literal(info.publisher))
    g.add(info.license, RDF + "type", DCT + "LicenseDocument")

    for rdf_type in (DCAT + "Dataset", VOID + "Dataset"):
        g.add(dataset, RDF + "type", rdf_type)
    g.texts(dataset, DCT + "title", info.title)
    g.texts(dataset, DCT + "description", info.description)
    g.add(dataset, DCT + "publisher", publisher)
    g.add(dataset, DCT + "issued", issued)
    g.add(dataset, DCAT + "version", ox.Literal(info.version))
    g.add(dataset, ADMS + "versionNotes", _text(version_notes))
    g.add(dataset, DCAT + "landingPage", ns.base)
    if previous:
        g.add(dataset, DCAT + "previousVersion", dataset_iri(ns, previous))
        g.add(dataset, DCAT + "prev", dataset_iri(ns, previous))  # DCAT 3: the series member before
    _series(g, info, ns, catalog, dataset, publisher)
    for name in documents:
        url = download_url(ns, info.version, name)
        g.add(dataset, FOAF + "page", url)
        g.add(url, RDF + "type", FOAF + "Document")
        g.add(url, DCT + "title", _text(file_kind(name).description))

    names = [*DUMPS, *sorted(p.name for p in folder.glob("*.csv"))]
    for name in names:
        _distribution(g, info, ns, folder, dataset, name, issued)

    _void(g, ns, info.version, dataset, stats, names)
    return list(dict.fromkeys(g.triples))


def series_iri(ns: BaseNamespaces) -> str:
    """IRI of the dataset series every release belongs to (DCAT-AP 3 ``dcat:DatasetSeries``)."""
    return f"{ns.base}dataset"


def _series(
    g: _Graph, info: DatasetInfo, ns: BaseNamespaces, catalog: str, dataset: str, publisher: str
) -> None:
    """The releases as one DCAT-AP 3 dataset series: each release ``dcat:inSeries`` it, the newest is
    its ``dcat:last`` (as of this release: a release's catalogue is immutable, later ones say more)."""
    series = series_iri(ns)
    g.add(catalog, DCAT + "dataset", series)
    g.add(series, RDF + "type", DCAT + "DatasetSeries")
    # Entailed (dcat:DatasetSeries rdfs:subClassOf dcat:Dataset), stated for checkers without inference.
    g.add(series, RDF + "type", DCAT + "Dataset")
    g.texts(series, DCT + "title", info.title)
    g.texts(series, DCT + "description", info.description)
    g.add(series, DCT + "publisher", publisher)
    g.add(series, DCAT + "last", dataset)
    g.add(dataset, DCAT + "inSeries", series)


def _distribution(
    g: _Graph,
    info: DatasetInfo,
    ns: BaseNamespaces,
    folder: Path,
    dataset: str,
    name: str,
    issued: ox.Literal,
) -> None:
    kind = file_kind(name)
    dist = f"{dataset}/distribution/{name}"
    checksum = f"{dataset}/checksum/{name}"
    media_type = IANA + kind.dcat_media_type
    file_type = EU_FILE_TYPE + kind.file_type
    g.add(dataset, DCAT + "distribution", dist)
    g.add(dist, RDF + "type", DCAT + "Distribution")
    g.add(dist, DCT + "title", ox.Literal(name))
    description = kind.description or describe_table(name)
    g.add(dist, DCT + "description", _text(description))
    g.add(dist, DCAT + "accessURL", f"{ns.base}dumps/{info.version}/")
    g.add(dist, DCAT + "downloadURL", download_url(ns, info.version, name))
    g.add(dist, DCAT + "mediaType", media_type)
    g.add(media_type, RDF + "type", DCT + "MediaType")
    if kind.package_media_type:
        compress = IANA + kind.media_type
        g.add(dist, DCAT + "compressFormat", compress)
        g.add(compress, RDF + "type", DCT + "MediaType")
    g.add(dist, DCT + "format", file_type)
    g.add(file_type, RDF + "type", DCT + "MediaTypeOrExtent")
    g.add(dist, DCT + "license", info.license)
    g.add(dist, DCT + "issued", issued)
    g.add(dist, DCAT + "byteSize", _typed(str((folder / name).stat().st_size), "nonNegativeInteger"))
    g.add(dist, SPDX + "checksum", checksum)
    g.add(checksum, RDF + "type", SPDX + "Checksum")
    g.add(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
    g.add(checksum, SPDX + "checksumValue", _typed(sha256_file(folder / name), "hexBinary"))


def _void(
    g: _Graph, ns: BaseNamespaces, version: str, dataset: str, stats: VoidStats, names: list[str]
) -> None:
    def count(s: str, p: str, n: int) -> None:
        g.add(s, VOID + p, _typed(str(n), "integer"))

    count(dataset, "triples", stats.triples)
    count(dataset, "entities", stats.entities)
    count(dataset, "classes", len(stats.classes))
    count(dataset, "properties", len(stats.properties))
    count(dataset, "distinctSubjects", stats.distinct_subjects)
    count(dataset, "distinctObjects", stats.distinct_objects)
    g.add(dataset, VOID + "uriSpace", ox.Literal(ns.resource))
    g.add(dataset, VOID + "vocabulary", ns.ontology)
    for name in names:
        if name.startswith("twingraph."):
            g.add(dataset, VOID + "dataDump", download_url(ns, version, name))
    for cls, entities in stats.classes:
        if cls.startswith(ns.tg):
            partition = f"{dataset}/class/{cls[len(ns.tg) :]}"
            g.add(dataset, VOID + "classPartition", partition)
            g.add(partition, VOID + "class", cls)
            count(partition, "entities", entities)
    for prop, triples in stats.properties:
        if prop.startswith(ns.tg):
            partition = f"{dataset}/property/{prop[len(ns.tg) :]}"
            g.add(dataset, VOID + "propertyPartition", partition)
            g.add(partition, VOID + "property", prop)
            count(partition, "triples", triples)
    for key, title, namespace, homepage in LINK_TARGETS:
        target, linkset = f"{dataset}/target/{key}", f"{dataset}/linkset/{key}"
        g.add(target, RDF + "type", VOID + "Dataset")
        g.add(target, DCT + "title", ox.Literal(title))
        g.add(target, VOID + "uriSpace", ox.Literal(namespace))
        g.add(target, FOAF + "homepage", homepage)
        g.add(dataset, VOID + "subset", linkset)
        g.add(linkset, RDF + "type", VOID + "Linkset")
        g.add(linkset, VOID + "linkPredicate", OWL + "sameAs")
        g.add(linkset, VOID + "subjectsTarget", dataset)
        g.add(linkset, VOID + "objectsTarget", target)
        count(linkset, "triples", stats.links[key])
