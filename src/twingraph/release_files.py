"""One table of the files a release holds: media type, format IRI and what each file is.

The catalogue (DCAT distributions, written by the build) and the /dumps/ downloads (read by the
server) both read it, so a file's media type is declared once, on neither side.
"""

from __future__ import annotations

from dataclasses import dataclass

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


DUMPS: dict[str, FileKind] = {
    "twingraph.ttl": FileKind(
        "text/turtle",
        "RDF_TURTLE",
        "The whole graph (union of all named graphs) as Turtle, grouped by subject.",
    ),
    "twingraph.nt.gz": FileKind(
        "application/gzip",
        "RDF_N_TRIPLES",
        "The whole graph as sorted N-Triples, gzip-compressed (one triple a line, for line-based tools).",
        package_media_type="application/n-triples",
    ),
    "twingraph.trig": FileKind(
        "application/trig",
        "RDF_TRIG",
        "The dataset as TriG: one named graph per source (graph IRI = source IRI), the ontology and "
        "the inferred graph, so that the provenance of every fact survives.",
    ),
    "twingraph.jsonld": FileKind(
        "application/ld+json",
        "JSON_LD",
        "The whole graph as JSON-LD, with the context of context.jsonld inline.",
    ),
    "twingraph.rdf": FileKind("application/rdf+xml", "RDF_XML", "The whole graph as RDF/XML."),
    "context.jsonld": FileKind(
        "application/ld+json", "JSON_LD", "The JSON-LD @context of twingraph.jsonld, published for reuse."
    ),
    "ontology.ttl": FileKind(
        "text/turtle", "RDF_TURTLE", "The twingraph ontology, IRIs resolved against the base."
    ),
    "shapes.ttl": FileKind(
        "text/turtle", "RDF_TURTLE", "The SHACL shapes the release was validated with, IRIs resolved."
    ),
    "csv-metadata.json": FileKind(
        "application/csvm+json",
        "JSON",
        "CSV on the Web (CSVW) metadata describing every CSV table and column.",
    ),
}

REPORTS: dict[str, FileKind] = {
    "validation-report.ttl": FileKind(
        "text/turtle", "RDF_TURTLE", "The SHACL validation report of this release.", distribution=False
    ),
    "CHANGES.md": FileKind(
        "text/markdown", "MARKDOWN", "What changed since the previous release, by entity.", distribution=False
    ),
    "changes.ttl": FileKind(
        "text/turtle",
        "RDF_TURTLE",
        "What changed since the previous release, one changeset per entity (Changeset vocabulary).",
        distribution=False,
    ),
    "catalog.ttl": FileKind(
        "text/turtle",
        "RDF_TURTLE",
        "DCAT-AP 3 catalogue and VoID description of this release.",
        distribution=False,
    ),
    "SHA256SUMS": FileKind(
        "text/plain",
        "TXT",
        "SHA-256 checksums of every file (check with `sha256sum -c`).",
        distribution=False,
    ),
}

CSV = FileKind("text/csv", "CSV", "")


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
