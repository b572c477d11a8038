"""The one table of media types the SPARQL endpoint answers in, and how a request picks one.

Result sets (SELECT, ASK) and graphs (CONSTRUCT, DESCRIBE, the Service Description) have their own
formats. A request picks by its ``Accept`` header (werkzeug's parser: q-values, wildcards) or by the
``format``/``output`` parameter some clients send (SPARQLWrapper sends both); the parameter wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept


@dataclass(frozen=True)
class Format:
    """One answer format: its media type, other media types and parameter names clients use for it."""

    name: str
    media_type: str
    graph: bool
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    w3c: str = ""

    @property
    def content_type(self) -> str:
        """The Content-Type header: text formats say they are UTF-8."""
        if self.media_type.startswith("text/") or self.media_type in ("application/n-triples",):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


_W3C = "http://www.w3.org/ns/formats/"

FORMATS: tuple[Format, ...] = (
    Format(
        "SPARQL JSON",
        "application/sparql-results+json",
        False,
        ("application/json",),
        ("json", "srj"),
        _W3C + "SPARQL_Results_JSON",
    ),
    Format(
        "SPARQL XML",
        "application/sparql-results+xml",
        False,
        ("application/xml", "text/xml"),
        ("xml", "srx"),
        _W3C + "SPARQL_Results_XML",
    ),
    Format("CSV", "text/csv", False, (), ("csv",), _W3C + "SPARQL_Results_CSV"),
    Format("TSV", "text/tab-separated-values", False, (), ("tsv", "tab"), _W3C + "SPARQL_Results_TSV"),
    Format(
        "Turtle",
        "text/turtle",
        True,
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
        ("turtle", "ttl", "n3"),
        _W3C + "Turtle",
    ),
    Format(
        "N-Triples",
        "application/n-triples",
        True,
        ("text/plain",),
        ("nt", "ntriples", "n-triples"),
        _W3C + "N-Triples",
    ),
    Format(
        "JSON-LD",
        "application/ld+json",
        True,
        ("application/json", "application/x-json+ld"),
        ("json-ld", "jsonld", "json"),
        _W3C + "JSON-LD",
    ),
    Format(
        "RDF/XML",
        "application/rdf+xml",
        True,
        ("application/xml", "text/xml"),
        ("rdf+xml", "rdfxml", "rdf", "xml"),
        _W3C + "RDF_XML",
    ),
    Format("TriG", "application/trig", True, (), ("trig",), _W3C + "TriG"),
    Format("N-Quads", "application/n-quads", True, (), ("nquads", "n-quads", "nq"), _W3C + "N-Quads"),
)


def formats_for(graph: bool) -> list[Format]:
    """The formats of graph answers (True) or of result sets (False), preferred first."""
    return [f for f in FORMATS if f.graph == graph]


class UnknownFormat(ValueError):
    """A ``format`` parameter names no format this kind of answer comes in."""


def choose_format(
    graph: bool, accept: MIMEAccept, accept_header: str | None, params: list[str]
) -> Format | None:
    """The format to answer in; None when the Accept header allows none of ours (406).

    ``params`` are the values of the ``format``/``output`` parameters: the first that names a format
    (by short name or media type) wins over the header. No Accept header means the first format.
    """
    offers = formats_for(graph)
    named = [value.strip().lower() for value in params if value.strip()]
    for key in named:
        for fmt in offers:
            if key in fmt.names or key == fmt.media_type or key in fmt.aliases:
                return fmt
    if named:
        names = ", ".join(f.names[0] for f in offers)
        raise UnknownFormat(f"format {named[0]!r} is not offered for this query; use one of: {names}")
    if accept_header is None or not accept_header.strip():
        return offers[0]
    # Canonical media types first, aliases after: a wildcard such as text/* picks a canonical one.
    by_type = {f.media_type: f for f in offers}
    for f in offers:
        for alias in f.aliases:
            by_type.setdefault(alias, f)
    best = accept.best_match(list(by_type))
    return by_type[best] if best else None


def media_types(graph: bool) -> list[str]:
    """Media types of one kind of answer, for messages and the Service Description."""
    return [f.media_type for f in formats_for(graph)]
