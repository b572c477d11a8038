"""Dereferenceable resources: ``/id/<type>/<slug>`` answers 303 to its description ``/doc/<type>/<slug>``.

The description negotiates HTML and the RDF formats of FORMATS (or a suffix URL names one), says
so with ``Vary: Accept``, ``Content-Location`` and ``Link`` headers to every alternate and to the
release, and revalidates against the release (ETag, Last-Modified, 304). Unknown IRIs get a 404 page
with suggestions.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import NotAcceptable

from twingraph.queries import load_query
from twingraph.web import get_store
from twingraph.web.conneg import (
    FORMATS,
    HTML,
    Format,
    add_vary,
    choose_format,
    not_modified,
    revalidate,
    serialize,
    split_suffix,
)
from twingraph.web.describe import Describer
from twingraph.web.errors import render_error
from twingraph.web.jsonld import schema_org
from twingraph.web.labels import site_data
from twingraph.web.lifecycle import city_view, timeline
from twingraph.web.reconcile import get_index
from twingraph.web.render import current_language, html_variant, render_page, ui_date, ui_text
from twingraph.web.search import search
from twingraph.web.uris import TYPES_BY_SEGMENT, is_slug

bp = Blueprint("resources", __name__)
bp.add_app_template_global(ui_text, "t")
bp.add_app_template_global(ui_date, "fmt_date")


def describer() -> Describer:
    """A Describer for this request's reader."""
    return Describer(get_store(), site_data(), current_language())


def negotiated(suffix_format: Format | None) -> Format:
    """The format named by the suffix, else the one the Accept header prefers; 406 when none fits."""
    if suffix_format is not None:
        return suffix_format
    fmt = choose_format(request.accept_mimetypes, request.headers.get("Accept"))
    if fmt is None:
        offered = ", ".join(f.media_type for f in FORMATS)
        raise NotAcceptable(
            f"No representation matches the Accept header; this resource is offered as: {offered}."
        )
    return fmt


def link_header(doc_path: str) -> str:
    """``Link`` header: every alternate representation and the release the description belongs to."""
    links = [f'<{doc_path}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS]
    links.append(f'</dumps/>; rel="collection"; title="release {get_store().version}"')
    return ", ".join(links)


def not_found(iri: str, segment: str, slug: str) -> Response:
    """404 for an IRI the dataset does not describe: a page with suggestions, or a short error."""
    fmt = choose_format(request.accept_mimetypes, request.headers.get("Accept"))
    if fmt is not HTML:
        return render_error(404, "Not Found", f"The dataset does not describe <{iri}>.")
    site = site_data()
    words = slug.replace("-", " ")
    hits = search(get_index(), words, limit=8, segment=segment if segment in TYPES_BY_SEGMENT else None)
    if not hits:
        hits = search(get_index(), words, limit=8)
    lang = current_language()
    suggestions = [(site.name(h.iri, lang), site.uris.local_path(h.iri), h.iri) for h in hits]
    return render_page("not_found.html", status=404, iri=iri, suggestions=suggestions, query=words)


@bp.get("/id/<segment>/<path:slug>")
def identify(segment: str, slug: str) -> Response:
    """A resource IRI: 303 See Other to the document that describes it (suffix kept)."""
    stem, fmt = split_suffix(slug)
    if segment not in TYPES_BY_SEGMENT or not is_slug(stem):
        return not_found(site_data().uris.base + f"id/{segment}/{stem}", segment, stem)
    iri = site_data().uris.resource_iri(segment, stem)
    if not describer().exists(iri):
        return not_found(iri, segment, stem)
    target = f"/doc/{segment}/{stem}" + (f".{fmt.suffix}" if fmt else "")
    response = Response(status=303)
    response.headers["Location"] = target
    response.headers["Link"] = f'<{target}>; rel="describedby"'
    return response


@bp.get("/doc/<segment>/<path:slug>")
def document(segment: str, slug: str) -> Response:
    """The description of a resource, in the negotiated or named format."""
    stem, suffix_format = split_suffix(slug)
    iri = site_data().uris.resource_iri(segment, stem)
    if segment not in TYPES_BY_SEGMENT or not is_slug(stem) or not describer().exists(iri):
        return not_found(iri, segment, stem)
    return negotiated_response(
        f"/doc/{segment}/{stem}",
        suffix_format,
        lambda: html_page(segment, iri),
        lambda: description_quads(iri),
    )


def page_variant() -> str:
    """What a negotiated HTML page depends on besides the release and language: its query string."""
    return request.query_string.decode("latin-1")


def negotiated_response(
    doc_path: str,
    suffix_format: Format | None,
    html: Callable[[], Response],
    quads: Callable[[], list[ox.Quad]],
) -> Response:
    """Answer for a document with alternates: HTML or RDF, Link, Vary and Content-Location, validators."""
    fmt = negotiated(suffix_format)
    early = not_modified(*(html_variant(page_variant()) if fmt is HTML else (fmt.suffix,)))
    if early is not None:
        response = early
    elif fmt is HTML:
        response = html()
    else:
        body = serialize(fmt, quads(), site_data().uris.prefixes())
        response = Response(body, mimetype=fmt.media_type)
        if "charset" not in response.content_type:
            response.content_type = f"{fmt.media_type}; charset=utf-8"
        response = revalidate(response, fmt.suffix)
    response.headers["Link"] = link_header(doc_path)
    if suffix_format is None:
        add_vary(response, "Accept")
        response.headers["Content-Location"] = f"{doc_path}.{fmt.suffix}"
    return response


def description_quads(iri: str) -> list[ox.Quad]:
    """What the RDF description holds: every statement about ``iri`` and every link to it, with graphs."""
    store = get_store()
    this = ox.NamedNode(iri)
    quads = [
        ox.Quad(this, r["p"], r["o"], r["g"])  # type: ignore[arg-type]
        for r in store.select(load_query("pages/facts"), {"this": this})
    ]
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
    doc_path = f"/doc/{segment}/{split_suffix(iri.rsplit('/', 1)[1])[0]}"
    jsonld = schema_org(iri, description.facts, request.host_url.rstrip("/") + doc_path)
    return render_page(
        "resource.html",
        page_variant(),
        d=description,
        segment=segment,
        events=events,
        city=city,
        jsonld=jsonld,
        doc_path=doc_path,
        formats=FORMATS[1:],
        footnotes=sorted(d.footnotes.values(), key=lambda r: r.number),
    )
