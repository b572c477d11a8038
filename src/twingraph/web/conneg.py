"""Content negotiation and revalidation: one FORMATS table, werkzeug's Accept parsing, release ETags.

Every description is offered as HTML and in each RDF format; the client's ``Accept`` header picks
one (q-values and wildcards included) or a suffix URL names it. Validators are tied to the release:
a new release changes every ETag and the Last-Modified date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox
from flask import Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import is_resource_modified

from twingraph.release import DUMP_FILE, ReleaseError
from twingraph.web.state import current_state


@dataclass(frozen=True)
class Format:
    """One representation: URL suffix, media type (and aliases a client may ask for), pyoxigraph format."""

    suffix: str
    media_type: str
    label: str
    rdf: ox.RdfFormat | None = None
    aliases: tuple[str, ...] = ()

    @property
    def is_dataset(self) -> bool:
        """True for formats that keep named graphs (and so the source of every fact)."""
        return self.rdf is not None and self.rdf.supports_datasets


FORMATS: tuple[Format, ...] = (
    Format("html", "text/html", "HTML"),
    Format("ttl", "text/turtle", "Turtle", ox.RdfFormat.TURTLE, ("application/x-turtle",)),
    Format("jsonld", "application/ld+json", "JSON-LD", ox.RdfFormat.JSON_LD, ("application/json",)),
    Format("nt", "application/n-triples", "N-Triples", ox.RdfFormat.N_TRIPLES),
    Format("rdf", "application/rdf+xml", "RDF/XML", ox.RdfFormat.RDF_XML),
    Format("trig", "application/trig", "TriG", ox.RdfFormat.TRIG),
    Format("nq", "application/n-quads", "N-Quads", ox.RdfFormat.N_QUADS),
)
FORMATS_BY_SUFFIX = {f.suffix: f for f in FORMATS}
# Primary types first, aliases after: a wildcard (``application/*``) picks a primary type.
_BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS} | {alias: f for f in FORMATS for alias in f.aliases}
HTML = FORMATS[0]


def choose_format(accept: MIMEAccept, raw_header: str | None) -> Format | None:
    """The format the client prefers, HTML when it sent no Accept header, None when nothing fits (406).

    Ties go to the order of FORMATS, so ``*/*`` and ``text/*`` get HTML.
    """
    if raw_header is None or not raw_header.strip():
        return HTML
    best = accept.best_match(list(_BY_MEDIA_TYPE))
    return _BY_MEDIA_TYPE[best] if best else None


def split_suffix(slug: str) -> tuple[str, Format | None]:
    """Split ``amiens.ttl`` into (``amiens``, Turtle); a slug without a known suffix keeps None.

    >>> split_suffix("amiens.ttl")[1].media_type
    'text/turtle'
    >>> split_suffix("amiens")
    ('amiens', None)
    """
    stem, dot, suffix = slug.rpartition(".")
    if dot and suffix in FORMATS_BY_SUFFIX:
        return stem, FORMATS_BY_SUFFIX[suffix]
    return slug, None


def serialize(fmt: Format, quads: Iterable[ox.Quad], prefixes: dict[str, str]) -> bytes:
    """Serialize quads: graph names kept in dataset formats, merged away (no duplicates) in the others."""
    assert fmt.rdf is not None
    items: list[ox.Quad] | list[ox.Triple]
    if fmt.is_dataset:
        items = sorted(set(quads), key=str)
    else:
        items = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    usable = prefixes if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    body = ox.serialize(items, format=fmt.rdf, prefixes=usable)
    assert body is not None  # no output file given: the bytes are returned
    return body


@dataclass(frozen=True)
class ReleaseStamp:
    """The version and build time of the served release (what every validator is made of)."""

    version: str
    built: datetime | None


def release_stamp() -> ReleaseStamp:
    """Version and build time of the served release (the release file's time; none for a remote store)."""
    state = current_state()

    def build() -> ReleaseStamp:
        built: datetime | None
        try:
            trig = state.release_folder() / DUMP_FILE
            built = datetime.fromtimestamp(int(trig.stat().st_mtime), tz=UTC)
        except (ReleaseError, OSError):
            built = None
        return ReleaseStamp(state.store.version, built)

    return state.release_stamp.get(build)


def etag_for(*variant: str) -> str:
    """The ETag of a representation: the release, and what else it depends on (format, language, page)."""
    stamp = release_stamp()
    return hashlib.sha256("\x1f".join((stamp.version, str(stamp.built), *variant)).encode()).hexdigest()[:20]


def not_modified(*variant: str) -> Response | None:
    """A 304 before any work when the client already holds this representation, else None."""
    stamp = release_stamp()
    tag = etag_for(*variant)
    if is_resource_modified(request.environ, etag=tag, last_modified=stamp.built):
        return None
    response = Response(status=304)
    response.set_etag(tag)
    if stamp.built is not None:
        response.last_modified = stamp.built
    response.headers["Cache-Control"] = "no-cache"
    return response


def revalidate(response: Response, *variant: str) -> Response:
    """Set ETag and Last-Modified from the release (and the variant), answer 304 when the client is current.

    ``variant`` names what else the representation depends on (format, language, page parameters).
    """
    stamp = release_stamp()
    tag = etag_for(*variant)
    response.set_etag(tag)
    if stamp.built is not None:
        response.last_modified = stamp.built
    response.headers.setdefault("Cache-Control", "no-cache")
    response.make_conditional(request)  # turns it into a 304 in place when the client is current
    return response


def add_vary(response: Response, *headers: str) -> None:
    """Add header names to ``Vary`` without repeating one."""
    for name in headers:
        response.vary.add(name)
