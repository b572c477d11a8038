"""One table of the files a release holds: which registry format each is, and what it is.

The catalogue (DCAT distributions) and the /dumps/ downloads both read it; media types and EU file
types come from the formats registry (``twingraph.formats``), so a file's media type is declared once.
"""

from __future__ import annotations

from dataclasses import dataclass

from twingraph.formats import BY_KEY

IANA = "http://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


@dataclass(frozen=True)
class FileKind:
    """What a release file is: its media type (as served), DCAT format and description."""

    media_type: str
    file_type: str
    description: str
    distribution: bool = True
    package_media_type: str = ""

    @property
    def dcat_media_type(self) -> str:
        """Media type of the content (inside the gzip for compressed files)."""
        return self.package_media_type or self.media_type


def _kind(key: str, description: str, distribution: bool = True, package: str = "") -> FileKind:
    """A file kind whose media type and EU file type come from the registry row ``key``.

    ``package`` names the format inside a compressed file (its file type is the content's).
    """
    fmt = BY_KEY[key]
    inner = BY_KEY[package] if package else fmt
    return FileKind(
        fmt.media_type, inner.eu_file_type, description, distribution, inner.media_type if package else ""
    )


DUMPS: dict[str, FileKind] = {
    "twingraph.ttl": _kind(
        "ttl",
        "The whole graph (union of all named graphs) as Turtle, grouped by subject.",
    ),
    "twingraph.nt.gz": _kind(
        "gz",
        "The whole graph as sorted N-Triples, gzip-compressed (one triple a line, for line-based tools).",
        package="nt",
    ),
    "twingraph.trig": _kind(
        "trig",
        "The dataset as TriG: one named graph per source (graph IRI = source IRI), the ontology and "
        "the inferred graph, so that the provenance of every fact survives.",
    ),
    "twingraph.jsonld": _kind(
        "jsonld",
        "The whole graph as JSON-LD, compacted with the context of context.jsonld (inline).",
    ),
    "twingraph.rdf": _kind("rdf", "The whole graph as RDF/XML."),
    "context.jsonld": _kind("jsonld", "The JSON-LD @context of twingraph.jsonld, published for reuse."),
    "ontology.ttl": _kind("ttl", "The twingraph ontology, IRIs resolved against the base."),
    "shapes.ttl": _kind("ttl", "The SHACL shapes the release was validated with, IRIs resolved."),
    "csv-metadata.json": _kind(
        "csvm",
        "CSV on the Web (CSVW) metadata describing every CSV table and column.",
    ),
}

REPORTS: dict[str, FileKind] = {
    "validation-report.ttl": _kind("ttl", "The SHACL validation report of this release.", distribution=False),
    "CHANGES.md": _kind("md", "What changed since the previous release, by entity.", distribution=False),
    "changes.ttl": _kind(
        "ttl",
        "What changed since the previous release, one changeset per entity (Changeset vocabulary).",
        distribution=False,
    ),
    "catalog.ttl": _kind(
        "ttl",
        "DCAT-AP 3 catalogue and VoID description of this release.",
        distribution=False,
    ),
    "SHA256SUMS": _kind(
        "txt",
        "SHA-256 checksums of every file (check with `sha256sum -c`).",
        distribution=False,
    ),
}

CSV = _kind("csv", "")

# The CSV tables, described by what one row is (English source strings, translated in the web
# catalogues; ``%(name)s`` is the file, ``%(table)s`` the entity table of a long table).
ENTITY_TABLE = (
    "Table %(name)s: one row per entity (its IRI in `id`), one column per one-value property; "
    "see csv-metadata.json."
)
VALUES_TABLE = (
    "Long table %(name)s: the values of the many-valued properties of %(table)s, one row per value; "
    "see csv-metadata.json."
)
VALUES_SUFFIX = "-values.csv"
TABLES: dict[str, str] = {
    "contested-values.csv": (
        "Contested values: one row per value of a fact the sources disagree on (a recorded conflict), with "
        "the source that states it and that source's confidence; the entity tables leave such cells empty."
    ),
    "network-cities.csv": (
        "Network view: one row per city with its number of twin cities and of partnerships and its "
        "connected component (computed figures)."
    ),
    "network-country-pairs.csv": (
        "Network view: the number of partnerships per pair of country codes, one row per pair."
    ),
}


def table_description(name: str) -> tuple[str, dict[str, str]]:
    """The description of a CSV table: its English message and the values of its placeholders.

    >>> table_description("cities-values.csv")[1]
    {'name': 'cities-values.csv', 'table': 'cities.csv'}
    >>> message, values = table_description("contested-values.csv")
    >>> message.startswith("Contested values: one row per value"), values
    (True, {})
    """
    if name in TABLES:
        return TABLES[name], {}
    if name.endswith(VALUES_SUFFIX):
        return VALUES_TABLE, {"name": name, "table": name.removesuffix(VALUES_SUFFIX) + ".csv"}
    return ENTITY_TABLE, {"name": name}


def describe_table(name: str) -> str:
    """The English description of a CSV table (as the catalogue and /dumps/ JSON give it).

    >>> describe_table("cities-values.csv")[:80]
    'Long table cities-values.csv: the values of the many-valued properties of cities'
    """
    message, values = table_description(name)
    return message % values if values else message


def file_kind(name: str) -> FileKind:
    """The kind of a release file, by name (CSV tables by suffix).

    >>> file_kind("twingraph.nt.gz").dcat_media_type
    'application/n-triples'
    >>> file_kind("cities.csv").media_type
    'text/csv'
    """
    if name in DUMPS:
        return DUMPS[name]
    if name in REPORTS:
        return REPORTS[name]
    if name.endswith(".csv"):
        return CSV
    raise KeyError(name)
