"""The one table of formats: media types, aliases, URL suffixes, parameter names, charsets, serializers.

Every place that answers in a format reads this table: resource content negotiation
(``web/resources.py``), the SPARQL endpoint (``web/sparql.py``, the Service Description), the
release files (``publish/formats.py``, ``/dumps/``) and the OpenAPI document. Adding a format is
adding one row to :data:`FORMATS`.

A format serves one or more *kinds* of answer:

``page``
    a document for people (HTML, and the same polyglot markup as XHTML);
``graph``
    an RDF graph: a resource's description, a CONSTRUCT or DESCRIBE answer, the ontology;
``dataset``
    an RDF format that also keeps named graphs (TriG, N-Quads): the description plus one graph per
    source;
``results``
    a SPARQL result set (SELECT, ASK);
``file``
    a file of a release that is none of the above (CSV tables, checksums, notes).

Choosing among them goes through :func:`negotiate`, which reads the ``Accept`` header leniently (as
RFC 9110 says, plus what deployed servers such as Apache accept: ``q=.5``, ``q=1.``, parameters
other than ``q`` ignored) and lets werkzeug's ``MIMEAccept`` pick (q-values, wildcards, specificity).
This module sits at the bottom of the layers: it imports nothing of twingraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

Kind = Literal["page", "graph", "dataset", "results", "file"]
W3C = "http://www.w3.org/ns/formats/"
"""The W3C's IRIs for formats (used by the SPARQL Service Description)."""


@dataclass(frozen=True)
class Format:
    """One format: how it is named, asked for, labelled and written.

    ``aliases`` are other media types a client may send for it (old or generic names);
    ``names`` are the values of the ``format``/``output`` parameters some SPARQL clients send;
    ``suffix`` is the URL suffix of a resource's representation (``/doc/city/amiens.ttl``), empty when
    the format has none; ``negotiable`` is False for a variant that only its suffix names.
    """

    key: str
    label: str
    media_type: str
    kinds: frozenset[Kind]
    suffix: str = ""
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    w3c: str = ""
    eu_file_type: str = ""
    negotiable: bool = True
    text: bool = False

    @property
    def content_type(self) -> str:
        """The Content-Type header: text formats say they are UTF-8.

        >>> BY_KEY["ttl"].content_type
        'text/turtle; charset=utf-8'
        >>> BY_KEY["srj"].content_type
        'application/sparql-results+json'
        """
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type

    @property
    def is_dataset(self) -> bool:
        """True for formats that keep named graphs (and so the source of every fact)."""
        return "dataset" in self.kinds

    def accepts(self, media_type: str) -> bool:
        """True when ``media_type`` (lower case, no parameters) names this format."""
        return media_type == self.media_type or media_type in self.aliases


def _kinds(*kinds: Kind) -> frozenset[Kind]:
    return frozenset(kinds)


# Order matters: when a client likes several formats equally (``*/*``, ``text/*``), the first wins.
# fmt: off
FORMATS: tuple[Format, ...] = (
    Format("html", "HTML", "text/html", _kinds("page"), "html", text=True),
    Format("srj", "SPARQL JSON", "application/sparql-results+json", _kinds("results"), "",
           ("application/json",), ("json", "srj"), results=ox.QueryResultsFormat.JSON,
           w3c=W3C + "SPARQL_Results_JSON"),
    Format("srx", "SPARQL XML", "application/sparql-results+xml", _kinds("results"), "",
           ("application/xml", "text/xml"), ("xml", "srx"), results=ox.QueryResultsFormat.XML,
           w3c=W3C + "SPARQL_Results_XML"),
    Format("csv", "CSV", "text/csv", _kinds("results", "file"), "", (), ("csv",),
           results=ox.QueryResultsFormat.CSV, w3c=W3C + "SPARQL_Results_CSV", eu_file_type="CSV",
           text=True),
    Format("tsv", "TSV", "text/tab-separated-values", _kinds("results"), "", (), ("tsv", "tab"),
           results=ox.QueryResultsFormat.TSV, w3c=W3C + "SPARQL_Results_TSV", text=True),
    Format("ttl", "Turtle", "text/turtle", _kinds("graph"), "ttl",
           ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"), ("turtle", "ttl", "n3"),
           rdf=ox.RdfFormat.TURTLE, w3c=W3C + "Turtle", eu_file_type="RDF_TURTLE", text=True),
    Format("jsonld", "JSON-LD", "application/ld+json", _kinds("graph"), "jsonld",
           ("application/json", "application/x-json+ld"), ("json-ld", "jsonld", "json"),
           rdf=ox.RdfFormat.JSON_LD, w3c=W3C + "JSON-LD", eu_file_type="JSON_LD"),
    Format("nt", "N-Triples", "application/n-triples", _kinds("graph"), "nt", ("text/plain",),
           ("nt", "ntriples", "n-triples"), rdf=ox.RdfFormat.N_TRIPLES, w3c=W3C + "N-Triples",
           eu_file_type="RDF_N_TRIPLES", text=True),
    # XML-only clients of a graph query (roqet asks CONSTRUCT answers as SPARQL XML) get RDF/XML.
    Format("rdf", "RDF/XML", "application/rdf+xml", _kinds("graph"), "rdf",
           ("application/xml", "text/xml", "application/sparql-results+xml"),
           ("rdf+xml", "rdfxml", "rdf", "xml"),
           rdf=ox.RdfFormat.RDF_XML, w3c=W3C + "RDF_XML", eu_file_type="RDF_XML"),
    Format("trig", "TriG", "application/trig", _kinds("graph", "dataset"), "trig", (), ("trig",),
           rdf=ox.RdfFormat.TRIG, w3c=W3C + "TriG", eu_file_type="RDF_TRIG", text=True),
    Format("nq", "N-Quads", "application/n-quads", _kinds("graph", "dataset"), "nq", (),
           ("nquads", "n-quads", "nq"), rdf=ox.RdfFormat.N_QUADS, w3c=W3C + "N-Quads",
           eu_file_type="RDF_N_QUADS", text=True),
    # The page as XHTML for XML-only clients: the same polyglot markup (after the RDF formats, so that
    # ``application/*`` picks data).
    Format("xhtml", "XHTML", "application/xhtml+xml", _kinds("page"), "xhtml", text=True),
    # The named-graph form of JSON-LD: only its suffix names it (Accept cannot tell the two apart).
    Format("graphs.jsonld", "JSON-LD with named graphs", "application/ld+json", _kinds("graph", "dataset"),
           "graphs.jsonld", rdf=ox.RdfFormat.JSON_LD, eu_file_type="JSON_LD", negotiable=False),
    # Files of a release that are no RDF and no result set.
    Format("gz", "gzip", "application/gzip", _kinds("file")),
    Format("csvm", "CSVW metadata", "application/csvm+json", _kinds("file"), eu_file_type="JSON"),
    Format("md", "Markdown", "text/markdown", _kinds("file"), eu_file_type="MARKDOWN", text=True),
    Format("txt", "plain text", "text/plain", _kinds("file"), eu_file_type="TXT", text=True),
    Format("json", "JSON", "application/json", _kinds("file"), eu_file_type="JSON"),
    Format("js", "JavaScript (JSONP)", "application/javascript", _kinds("file"), text=True),
    Format("sparql", "SPARQL query", "application/sparql-query", _kinds("file"), text=True),
)
# fmt: on
BY_KEY: dict[str, Format] = {f.key: f for f in FORMATS}
BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in FORMATS if f.suffix}
HTML = BY_KEY["html"]


def formats_of(*kinds: Kind) -> list[Format]:
    """The formats that serve any of ``kinds``, in table order.

    >>> [f.key for f in formats_of("dataset")]
    ['trig', 'nq', 'graphs.jsonld']
    """
    return [f for f in FORMATS if f.kinds.intersection(kinds)]


def resource_formats() -> list[Format]:
    """What a resource's description is offered in: the page, then every RDF format, each with a suffix."""
    return [f for f in FORMATS if f.suffix and f.kinds & {"page", "graph"}]


def by_media_type(media_type: str, kinds: Iterable[Kind] | None = None) -> Format:
    """The format whose main media type is ``media_type`` (among ``kinds``); KeyError when none.

    >>> by_media_type("application/ld+json").key
    'jsonld'
    """
    wanted = set(kinds) if kinds is not None else None
    for f in FORMATS:
        if f.media_type == media_type and (wanted is None or f.kinds & wanted):
            return f
    raise KeyError(media_type)


def split_suffix(slug: str) -> tuple[str, Format | None]:
    """Split ``amiens.ttl`` into (``amiens``, Turtle); a slug without a known suffix keeps None.

    The longest suffix wins, so ``amiens.graphs.jsonld`` is the named-graph JSON-LD.

    >>> split_suffix("amiens.ttl")[1].media_type
    'text/turtle'
    >>> split_suffix("amiens.graphs.jsonld")[1].key
    'graphs.jsonld'
    >>> split_suffix("amiens")
    ('amiens', None)
    """
    for suffix in sorted(BY_SUFFIX, key=len, reverse=True):
        if slug.endswith("." + suffix) and len(slug) > len(suffix) + 1:
            return slug[: -len(suffix) - 1], BY_SUFFIX[suffix]
    return slug, None


_QVALUE = re.compile(r"^\s*[qQ]\s*=\s*\"?([0-9]*\.?[0-9]*)\"?\s*$")


def parse_accept(header: str) -> MIMEAccept:
    """Read an Accept header as deployed servers do: lenient q-values, other parameters ignored.

    ``q=.5`` and ``q=1.`` count as 0.5 and 1 (Apache reads them so; werkzeug drops the range), a
    q-value past 1 counts as 1, and parameters other than ``q`` (``charset``, ``level``) do not stop
    a range from matching. A range that is not ``type/subtype`` is skipped.

    >>> list(parse_accept("application/rdf+xml;q=0.3,text/html;q=.5"))
    [('text/html', 0.5), ('application/rdf+xml', 0.3)]
    >>> list(parse_accept("text/turtle;charset=utf-8;q=1."))
    [('text/turtle', 1.0)]
    """
    ranges: list[tuple[str, float]] = []
    for item in header.split(","):
        media_range, *params = item.split(";")
        media_range = media_range.strip().lower()
        if media_range.count("/") != 1 or " " in media_range:
            continue
        quality = 1.0
        for param in params:
            match = _QVALUE.match(param)
            if match is None:
                continue  # accept-extensions and media type parameters do not change the choice
            number = match.group(1)
            try:
                quality = min(1.0, float(number)) if number not in ("", ".") else 1.0
            except ValueError:
                quality = 1.0
            break
        ranges.append((media_range, quality))
    return MIMEAccept(ranges)


def negotiate(offers: Sequence[Format], header: str | None) -> Format | None:
    """The format of ``offers`` the ``Accept`` header prefers; the first offer when there is no header.

    None when the header accepts none of them (the caller answers 406). Main media types are
    offered before aliases, so a wildcard (``text/*``, ``*/*``) picks a main one, in table order.

    >>> negotiate(resource_formats(), "application/rdf+xml;q=0.3,text/html;q=.5").key
    'html'
    >>> negotiate(formats_of("graph"), "application/sparql-results+xml").key
    'rdf'
    >>> negotiate(formats_of("results"), "image/png") is None
    True
    """
    usable = [f for f in offers if f.negotiable]
    if header is None or not header.strip():
        return usable[0] if usable else None
    by_type: dict[str, Format] = {}
    for f in usable:
        by_type.setdefault(f.media_type, f)
    for f in usable:
        for alias in f.aliases:
            by_type.setdefault(alias, f)
    accept = parse_accept(header)
    best = accept.best_match(list(by_type))
    if best is None or accept[best] <= 0:
        return None
    return by_type[best]


def by_name(offers: Sequence[Format], value: str) -> Format | None:
    """The format of ``offers`` a ``format``/``output`` parameter names (short name or media type).

    >>> by_name(formats_of("results"), "json").key
    'srj'
    >>> by_name(formats_of("graph"), "json").key
    'jsonld'
    """
    key = value.strip().lower()
    for f in offers:
        if key in f.names or f.accepts(key):
            return f
    return None


def media_types(offers: Iterable[Format]) -> list[str]:
    """The main media types of ``offers``, without repeats, for messages and descriptions."""
    return list(dict.fromkeys(f.media_type for f in offers))
