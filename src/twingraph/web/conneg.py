"""Content negotiation and revalidation of descriptions: formats from the registry, release ETags.

Every description is offered as HTML (and the same polyglot page as XHTML) and in each RDF format
of the registry (``twingraph.formats``); the client's ``Accept`` header picks one or a suffix URL
names it. Validators are tied to the release: a new release changes every ETag and the
Last-Modified date.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
from flask import Response, request
from werkzeug.http import is_resource_modified

from twingraph.formats import Format, negotiate, resource_formats
from twingraph.jsonld_context import NamedContext, compact
from twingraph.namespaces import BaseNamespaces
from twingraph.release import DUMP_FILE, ReleaseError
from twingraph.web.state import AppState, current_state

CONDITIONAL_HEADERS = frozenset({"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_RANGE"})
ACCEPT_MEMO = 512  # distinct Accept headers remembered per app (clients send a few dozen)


def choose_format(raw_header: str | None) -> Format | None:
    """The representation of a resource the client prefers, HTML without an Accept header, None: 406.

    The answer per header is remembered in the app's state: parsing and matching an Accept header
    costs more than answering a page from the render cache.
    """
    return format_for(current_state(), raw_header)


def format_for(state: AppState, raw_header: str | None) -> Format | None:
    """:func:`choose_format` for the app of ``state`` (no request context needed: the lean path's)."""
    offers = resource_formats
    return state.pages.get("accept", raw_header, lambda: negotiate(offers(), raw_header), ACCEPT_MEMO)


def serialize(
    fmt: Format,
    quads: Iterable[ox.Quad],
    prefixes: dict[str, str],
    first: str | None = None,
) -> bytes:
    """Serialize a description: the merged description in the default graph of every format.

    Every format carries the same triples in its default graph (each once, whatever graphs
    state it); dataset formats add each source's named graph beside it, so that provenance stays
    one ``GRAPH`` away. JSON-LD is compacted with the release's context (``first`` on top).
    """
    assert fmt.rdf is not None
    quads = list(quads)
    merged = sorted({q.triple for q in quads}, key=str)
    if fmt.rdf == ox.RdfFormat.JSON_LD and not fmt.is_dataset:
        context_url = request.host_url + "context.jsonld"
        document = compact(merged, named_context(), context_url, first)
        return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    items: list[ox.Quad] | list[ox.Triple]
    if fmt.is_dataset:
        named = {q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in merged]
        items += sorted(named, key=str)
    else:
        items = merged
    usable = prefixes if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    body = ox.serialize(items, format=fmt.rdf, prefixes=usable)
    assert body is not None  # no output file given: the bytes are returned
    return body


def published_context() -> dict[str, Any]:
    """The JSON-LD context of the served release (its ``context.jsonld``), read once per app.

    A release without the file (an older build, or a remote store with no release folder here)
    gets the context of the prefixes alone, which compacts to the same triples.
    """
    state = current_state()

    def read() -> dict[str, Any]:
        try:
            path = state.release_folder() / "context.jsonld"
            context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["@context"]
        except (ReleaseError, OSError, ValueError, KeyError):
            context = dict(sorted(BaseNamespaces(state.settings.base_iri).prefixes().items()))
        return context

    return state.jsonld_context.get(read)


def named_context() -> NamedContext:
    """The release's JSON-LD context with the name pyld keeps it under once processed (once per app)."""
    context = published_context()
    return current_state().pages.get("jsonld-context", "named", lambda: NamedContext.of(context))


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
    return etag_of(release_stamp(), variant)


def etag_of(stamp: ReleaseStamp, variant: tuple[str, ...]) -> str:
    """:func:`etag_for` of the release ``stamp``."""
    return hashlib.sha256("\x1f".join((stamp.version, str(stamp.built), *variant)).encode()).hexdigest()[:20]


def client_holds(environ: dict[str, Any], stamp: ReleaseStamp, variant: tuple[str, ...]) -> str | None:
    """The ETag of the representation when the request's validators say the client holds it (a 304),
    else None (also when the request has no validators)."""
    if not CONDITIONAL_HEADERS.intersection(environ):
        return None  # nothing to compare with: skip making the validators
    tag = etag_of(stamp, variant)
    return None if is_resource_modified(environ, etag=tag, last_modified=stamp.built) else tag


def not_modified(*variant: str) -> Response | None:
    """A 304 before any work when the client already holds this representation, else None."""
    stamp = release_stamp()
    tag = client_holds(request.environ, stamp, variant)
    if tag is None:
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
