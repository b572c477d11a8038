"""Dereferenceable resources: ``/id/<type>/<slug>`` answers 303 to its description ``/doc/<type>/<slug>``.

The description negotiates HTML and the RDF formats of the registry (or a suffix URL names one), says
so with ``Vary: Accept``, ``Content-Location`` and ``Link`` headers to every alternate and to the
release, and revalidates against the release (ETag, Last-Modified, 304). Unknown IRIs get a 404 page
with suggestions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import NotAcceptable

from twingraph.formats import HTML, Format, resource_formats, split_suffix
from twingraph.jsonld_context import context_document
from twingraph.queries import load_query
from twingraph.versions.registry import Release
from twingraph.web.conneg import (
    ReleaseStamp,
    add_vary,
    choose_format,
    etag_for,
    not_modified,
    published_context,
    release_stamp,
    revalidate,
    serialize,
)
from twingraph.web.describe import Describer
from twingraph.web.ego import ego_network, ego_query
from twingraph.web.errors import render_error
from twingraph.web.i18n import Language
from twingraph.web.jsonld import schema_org
from twingraph.web.labels import site_data
from twingraph.web.lifecycle import city_view, timeline
from twingraph.web.offices import offices
from twingraph.web.reconcile import get_index
from twingraph.web.render import (
    current_language,
    html_variant_of,
    remember_language,
    render_page,
    ui_code,
    ui_date,
    ui_gettext,
    ui_language_name,
    ui_number,
    ui_text,
    ui_text_or,
)
from twingraph.web.render_cache import MISSED, NOT_MODIFIED, RenderKey, keep_when_finished
from twingraph.web.search import search
from twingraph.web.signposting import signposted_release
from twingraph.web.state import current_state, get_store
from twingraph.web.timelines import city_timeline, partnership_timeline
from twingraph.web.uris import TYPES_BY_SEGMENT, is_slug

bp = Blueprint("resources", __name__)
JSONLD_CONTEXT = "http://www.w3.org/ns/json-ld#context"
bp.add_app_template_global(ui_text, "t")
bp.add_app_template_global(ui_date, "fmt_date")
bp.add_app_template_global(ui_gettext, "tr")
bp.add_app_template_global(ui_number, "fmt_num")
bp.add_app_template_global(ui_language_name, "lang_name")
bp.add_app_template_global(ui_code, "page_ui")
bp.add_app_template_global(ui_text_or, "t_or")


def describer() -> Describer:
    """A Describer for this request's reader."""
    return Describer(get_store(), site_data(), current_language())


def negotiated(suffix_format: Format | None) -> Format:
    """The format named by the suffix, else the one the Accept header prefers; 406 when none fits."""
    if suffix_format is not None:
        return suffix_format
    fmt = choose_format(request.headers.get("Accept"))
    if fmt is None:
        offered = ", ".join(f.media_type for f in resource_formats() if f.negotiable)
        raise NotAcceptable(
            f"No representation matches the Accept header; this resource is offered as: {offered}."
        )
    return fmt


def link_header(doc_path: str) -> str:
    """``Link`` header: every alternate representation and the release the description belongs to."""
    links = [
        f'<{doc_path}.{f.suffix}>; rel="alternate"; type="{f.media_type}"; title="{f.label}"'
        for f in resource_formats()
    ]
    links.append(f'<{request.host_url}context.jsonld>; rel="{JSONLD_CONTEXT}"; type="application/ld+json"')
    links.append(f'</dumps/>; rel="collection"; title="release {get_store().version}"')
    return ", ".join(links)


def not_found(iri: str, segment: str, slug: str) -> Response:
    """404 for an IRI the dataset does not describe: a page with suggestions, or a short error."""
    fmt = choose_format(request.headers.get("Accept"))
    if fmt is None or "page" not in fmt.kinds:
        return render_error(404, "Not Found", f"The dataset does not describe <{iri}>.")
    site = site_data()
    words = slug.replace("-", " ")
    hits = search(get_index(), words, limit=8, segment=segment if segment in TYPES_BY_SEGMENT else None)
    if not hits:
        hits = search(get_index(), words, limit=8)
    lang = current_language()
    suggestions = [(site.name(h.iri, lang), site.uris.local_path(h.iri), h.iri) for h in hits]
    return render_page("not_found.html", status=404, iri=iri, suggestions=suggestions, query=words)


@bp.get("/context.jsonld")
def context() -> Response:
    """The release's JSON-LD context at a stable URL: every JSON-LD answer names it as its ``@context``."""
    early = not_modified("context.jsonld")
    if early is not None:
        return early
    response = Response(context_document(published_context()), content_type="application/ld+json")
    return revalidate(response, "context.jsonld")


@bp.get("/id/<segment>/<path:slug>")
def identify(segment: str, slug: str) -> Response:
    """A resource IRI: 303 See Other to the document that describes it (suffix kept)."""
    stem, fmt = split_suffix(slug)
    if segment not in TYPES_BY_SEGMENT or not is_slug(stem):
        return not_found(site_data().uris.base + f"id/{segment}/{stem}", segment, stem)
    key = render_key(request.environ, release_stamp(), signposted_release(), SEE_OTHER)
    kept = current_state().renders.get(key) if request.environ.get(MISSED) != key else None
    if kept is not None:
        return kept.response()
    iri = site_data().uris.resource_iri(segment, stem)
    if not describer().exists(iri):
        return not_found(iri, segment, stem)
    target = f"/doc/{segment}/{stem}" + (f".{fmt.suffix}" if fmt else "")
    response = Response(status=303)
    response.headers["Location"] = target
    response.headers["Link"] = f'<{target}>; rel="describedby"'
    keep_when_finished(key, 303)  # the same for every later request of this URL (nothing negotiated)
    return response


@bp.get("/doc/<segment>/<path:slug>")
def document(segment: str, slug: str) -> Response:
    """The description of a resource, in the negotiated or named format (from the render cache when
    this variant was rendered before: only a resource that exists is ever kept there)."""
    stem, suffix_format = split_suffix(slug)
    if segment not in TYPES_BY_SEGMENT or not is_slug(stem):
        return not_found(site_data().uris.resource_iri(segment, stem), segment, stem)
    doc_path = f"/doc/{segment}/{stem}"
    kept = cached_response(doc_path, suffix_format)
    if kept is not None:
        return kept
    iri = site_data().uris.resource_iri(segment, stem)
    if not describer().exists(iri):
        return not_found(iri, segment, stem)
    return rendered_response(
        doc_path, suffix_format, lambda: html_page(segment, iri), lambda: description_quads(iri), iri
    )


def page_variant() -> str:
    """What a negotiated HTML page depends on besides the release and language: its query string."""
    return str(request.environ.get("QUERY_STRING", ""))


@dataclass(frozen=True)
class Choice:
    """The representation a request gets: its format, what its validators depend on, its cache key."""

    fmt: Format
    variant: tuple[str, ...]
    key: RenderKey

    @property
    def is_page(self) -> bool:
        """True for the HTML page (and the same page as XHTML)."""
        return "page" in self.fmt.kinds


SEE_OTHER = ("see-other",)  # the variant of a resource IRI's 303 (nothing negotiated)
ASKED_AT = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO")


def choice(fmt: Format) -> Choice:
    """The variant of this request in ``fmt``: the validators' parts, and the render cache's key.

    Answers name the URL they were asked at (pages their host in the JSON-LD and their path in the
    language switch's links, RDF its host in ``Link`` and JSON-LD's context URL), so the key holds
    what that URL is made of, read from the WSGI environ without building it; the query string, which
    only pages depend on, is part of their validators' variant. Both hold the release. The key also
    names the release the signposts point to (the newest served, for the main app's answers), since
    answers are kept with the headers the hooks add.
    """
    lang = current_language() if "page" in fmt.kinds else None
    variant = variant_of(fmt, lang, page_variant(), lambda: request.host_url)
    key = render_key(request.environ, release_stamp(), signposted_release(), variant)
    return Choice(fmt, variant, key)


def variant_of(
    fmt: Format, lang: Language | None, query: str, host_url: Callable[[], str]
) -> tuple[str, ...]:
    """What a representation's validators depend on besides the release: for a page the reader's
    language ``lang`` and the query string, for RDF its format (and for JSON-LD, which names this
    host's /context.jsonld, the host: ``host_url`` is called for it alone)."""
    if "page" in fmt.kinds:
        assert lang is not None
        return html_variant_of(lang, query, *(() if fmt is HTML else (fmt.suffix,)))
    return (fmt.suffix, host_url()) if fmt.rdf == ox.RdfFormat.JSON_LD else (fmt.suffix,)


def render_key(
    environ: dict[str, Any], stamp: ReleaseStamp, signposted: Release | None, variant: tuple[str, ...]
) -> RenderKey:
    """The render cache's key of a representation (see :func:`choice`): release, the release the
    signposts name, the URL asked at (from the WSGI environ) and the variant."""
    asked_at = tuple(str(environ.get(name, "")) for name in ASKED_AT)
    hooks = signposted.version if signposted is not None else ""
    return (stamp.version, str(stamp.built), hooks, *asked_at, *variant)


def described(response: Response, doc_path: str, chosen: Choice, suffix_format: Format | None) -> Response:
    """Add what every answer about a document says: alternates (``Link``), ``Vary``, ``Content-Location``."""
    response.headers["Link"] = link_header(doc_path)
    if suffix_format is None:
        add_vary(response, "Accept")
        response.headers["Content-Location"] = f"{doc_path}.{chosen.fmt.suffix}"
    return response


def keep_not_modified(doc_path: str, chosen: Choice) -> None:
    """Keep a description's 304 for the lean path (web/doc_lean.py), which answers ``/doc/`` alone."""
    if doc_path.startswith("/doc/"):
        keep_when_finished((*chosen.key, NOT_MODIFIED), 304)


def cached_response(doc_path: str, suffix_format: Format | None) -> Response | None:
    """The answer from the render cache (a 304 when the client is current), or None: render it."""
    fmt = suffix_format or choose_format(request.headers.get("Accept"))
    if fmt is None:
        return None
    chosen = choice(fmt)
    if request.environ.get(MISSED) == chosen.key:
        return None  # the lean path looked it up already (web/doc_lean.py)
    kept = current_state().renders.get(chosen.key)
    if kept is None:
        return None
    early = not_modified(*chosen.variant)
    if early is not None:
        keep_not_modified(doc_path, chosen)
        return described(early, doc_path, chosen, suffix_format)
    response = kept.response()
    if chosen.is_page:
        remember_language(response)
    return response


def negotiated_response(
    doc_path: str,
    suffix_format: Format | None,
    html: Callable[[], Response],
    quads: Callable[[], list[ox.Quad]],
    first: str | None = None,
) -> Response:
    """Answer for a document with alternates, from the render cache or rendered (and then kept)."""
    kept = cached_response(doc_path, suffix_format)
    if kept is not None:
        return kept
    return rendered_response(doc_path, suffix_format, html, quads, first)


def rendered_response(
    doc_path: str,
    suffix_format: Format | None,
    html: Callable[[], Response],
    quads: Callable[[], list[ox.Quad]],
    first: str | None = None,
) -> Response:
    """Render a document's answer: a page or RDF, Link, Vary and Content-Location, validators; a 200 is
    kept in the render cache, once the hooks have finished it, for the next request of the variant.

    The page is polyglot markup: the same bytes are well-formed XML, sent as XHTML when the client
    asked for that. JSON-LD answers link the release's context.
    """
    chosen = choice(negotiated(suffix_format))
    fmt = chosen.fmt
    early = not_modified(*chosen.variant)
    if early is not None:
        keep_not_modified(doc_path, chosen)
        return described(early, doc_path, chosen, suffix_format)
    if chosen.is_page:
        response = html()
        if fmt is not HTML:  # same page, its own media type and validator
            response.content_type = fmt.content_type
            response.set_etag(etag_for(*chosen.variant))
    else:
        body = serialize(fmt, quads(), site_data().uris.prefixes(), first)
        response = Response(body, content_type=fmt.content_type)
        response = revalidate(response, *chosen.variant)
    response = described(response, doc_path, chosen, suffix_format)
    keep_when_finished(chosen.key)
    return response


def description_quads(iri: str) -> list[ox.Quad]:
    """What the RDF description holds: every statement about ``iri`` and every link to it, and the
    statements about the hash IRIs of its document that it links to (``iri#...``), with graphs."""
    store = get_store()
    this = ox.NamedNode(iri)
    quads = [
        ox.Quad(this, r["p"], r["o"], r["g"])  # type: ignore[arg-type]
        for r in store.select(load_query("pages/facts"), {"this": this})
    ]
    for row in store.select(load_query("pages/fragment-facts"), {"this": this}):
        quads.append(ox.Quad(row["s"], row["p"], row["o"], row["g"]))  # type: ignore[arg-type]
    for row in store.select(load_query("pages/incoming-quads"), {"this": this}):
        quads.append(ox.Quad(row["x"], row["p"], this, row["g"]))  # type: ignore[arg-type]
    return quads


def html_page(segment: str, iri: str) -> Response:
    """The HTML page of a resource (with a timeline for partnerships, partnerships and a map for cities)."""
    d = describer()
    page = max(1, request.args.get("incoming", 1, type=int) or 1)
    description = d.describe(iri, incoming_page=page)
    events = timeline(d, iri) if segment == "partnership" else None
    city = city_view(d, iri) if segment == "city" else None
    terms = offices(d, iri) if segment == "person" else None
    drawing = None
    if events is not None:
        dated = [(e.label, day, e.href) for e in events for day, _ in e.dates]
        drawing = partnership_timeline(d, iri, dated)
    elif segment == "city":
        drawing = city_timeline(d, iri)
    network = ego_network(d, iri) if segment == "city" else None
    network_query = ego_query(iri, d.site.uris.base) if network else ""
    doc_path = f"/doc/{segment}/{split_suffix(iri.rsplit('/', 1)[1])[0]}"
    jsonld = schema_org(iri, description.facts, request.host_url.rstrip("/") + doc_path)
    return render_page(
        "resource.html",
        page_variant(),
        d=description,
        segment=segment,
        events=events,
        city=city,
        terms=terms,
        drawing=drawing,
        network=network,
        network_query=network_query,
        jsonld=jsonld,
        doc_path=doc_path,
        formats=[f for f in resource_formats() if "page" not in f.kinds],
        footnotes=sorted(d.footnotes.values(), key=lambda r: r.number),
    )
