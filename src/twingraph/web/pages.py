"""Browsing pages: lists per type, search, the overview map, and what crawlers read (sitemap, robots)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, request

from twingraph.names import name_key
from twingraph.web.conneg import add_vary, revalidate
from twingraph.web.ego import ego_query
from twingraph.web.i18n import Language
from twingraph.web.labels import app_cached, site_data
from twingraph.web.list_formats import FORMATS as LIST_FORMATS
from twingraph.web.list_formats import list_csv, list_json
from twingraph.web.lists import FACETS, PAGE_SIZE, build_list, list_rows
from twingraph.web.maps import MapView, PlacedCity, world_map
from twingraph.web.reconcile import get_index
from twingraph.web.release_facts import release_facts
from twingraph.web.render import current_language, html_variant, render_page, url_with
from twingraph.web.search import search
from twingraph.web.state import get_store
from twingraph.web.uris import RESOURCE_TYPES, TYPES_BY_SEGMENT, is_slug

bp = Blueprint("pages", __name__)
MAX_QUERY = 200
MAX_PAGE_SIZE = 1000


@bp.get("/list/")
def lists() -> Response:
    """Every list there is, with its size."""
    site = site_data()
    lang = current_language()
    counts = {t.segment: 0 for t in RESOURCE_TYPES}
    for iri in site.entities():
        parts = site.uris.split(iri)
        if parts:
            counts[parts[0]] += 1
    types = [
        (t, site.name(site.uris.class_iri(t), lang), counts[t.segment]) for t in RESOURCE_TYPES if t.listed
    ]
    return render_page("lists.html", types=types)


@bp.get("/list/<segment>")
@bp.get("/list/<segment>.<any(csv, json):suffix>")
def type_list(segment: str, suffix: str | None = None) -> Response:
    """All resources of one type: filtered by facets (``country``, ``kind``, ``status``, ``decade``,
    ``source``) and name (``q``), sorted (``sort``, ``order``), paged (``page``, ``_size``); as HTML, or as
    CSV or JSON by suffix (``/list/partnership.csv``) or ``?_format=csv|json``, with every matching row."""
    rtype = TYPES_BY_SEGMENT.get(segment)
    if rtype is None or not rtype.listed:
        abort(
            404,
            f"There is no list of '{segment}'. Lists exist for: "
            + ", ".join(t.segment for t in RESOURCE_TYPES if t.listed)
            + ".",
        )
    negotiated = not suffix and not request.args.get("_format")
    fmt = suffix or request.args.get("_format") or _accepted_list_format()
    if fmt not in ("html", *LIST_FORMATS):
        abort(400, f"Unknown format '{fmt[:20]}'. Lists are offered as html, csv and json.")
    text = request.args.get("q", "")[:MAX_QUERY]
    sort = request.args.get("sort", "")
    descending = request.args.get("order", "") == "desc"
    page = request.args.get("page", 1, type=int) or 1
    size = min(max(request.args.get("_size", PAGE_SIZE, type=int) or PAGE_SIZE, 1), MAX_PAGE_SIZE)
    site, lang = site_data(), current_language()
    filters = {k: request.args.get(k, "")[:MAX_QUERY] for k in FACETS if request.args.get(k)}
    # Keyed by the UI language too: facet names (countries, decades) are written in it.
    data = app_cached(
        "lists", (segment, lang.ui, lang.data), lambda: list_rows(get_store(), site, lang, rtype)
    )
    view = build_list(
        data, rtype, text=text, filters=filters, sort=sort, descending=descending, page=page, page_size=size
    )
    variant = request.query_string.decode("latin-1")
    if fmt in LIST_FORMATS:
        if fmt == "csv":
            response = Response(list_csv(view), content_type=LIST_FORMATS["csv"])
            response.headers["Content-Disposition"] = f'inline; filename="{segment}.csv"'
        else:
            body = json.dumps(list_json(view, filters), ensure_ascii=False, indent=1)
            response = Response(body, content_type=LIST_FORMATS["json"])
        if negotiated:
            add_vary(response, "Accept")
        return revalidate(response, *html_variant(fmt, variant))
    title = site.name(site.uris.class_iri(rtype), lang)
    downloads = [(name, url_with(f"{request.path}.{name}", _format=None, page=None)) for name in LIST_FORMATS]
    answer = render_page(
        "list.html",
        variant,
        view=view,
        title=title,
        text=text,
        filters=filters,
        sort=sort or ("label" if not view.columns else ""),
        descending=descending,
        url_with=url_with,
        downloads=downloads,
    )
    if negotiated:
        add_vary(answer, "Accept")
    return answer


def _accepted_list_format() -> str:
    """``csv`` or ``json`` when the Accept header prefers them to HTML (``*/*`` gets HTML)."""
    offers = ["text/html", "text/csv", "application/json"]
    best = request.accept_mimetypes.best_match(offers, "text/html") if request.headers.get("Accept") else None
    return {"text/csv": "csv", "application/json": "json"}.get(best or "", "html")


@bp.get("/search")
def search_page() -> Response:
    """Label search over all entities (``q``; optional ``type`` segment)."""
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    segment = request.args.get("type") or None
    if segment is not None and segment not in TYPES_BY_SEGMENT:
        abort(400, f"Unknown type '{segment}'.")
    site, lang = site_data(), current_language()
    hits = search(get_index(), query, segment=segment) if query else []
    results = []
    for hit in hits:
        rtype = TYPES_BY_SEGMENT.get(hit.segment)
        type_name = site.name(site.uris.class_iri(rtype), lang) if rtype else ""
        name = site.name(hit.iri, lang)
        # the name that matched, when it is not the one shown ("Neusatz → Novi Sad")
        matched = hit.matched if name_key(hit.matched) != name_key(name) else ""
        results.append((name, site.uris.local_path(hit.iri), type_name, matched))
    return render_page("search.html", query + "\x1f" + (segment or ""), query=query, results=results)


@bp.get("/map")
def overview_map() -> Response:
    """Every partnership on one map, aggregated into country-to-country flows, with the same as a table."""
    return render_page("map.html", map=overview(current_language()))


def overview(lang: Language) -> MapView | None:
    """The world map of all partnerships by country (computed once per app and language)."""
    return app_cached("map", (lang.ui, lang.data), lambda: _overview(lang))


def _overview(lang: Language) -> MapView | None:
    facts = release_facts()  # the release's map rows, computed once per release (release_facts.py)
    cities = {city: PlacedCity(city, lat, long, country) for city, lat, long, country in facts.cities}
    pairs = facts.pairs
    codes = {c.country for c in cities.values() if c.country}
    names = {code: str(lang.locale.territories.get(code, code)) for code in codes}
    hrefs = {code: f"/list/city?country={code}" for code in codes}
    view = world_map(cities, sorted(set(pairs)), names, hrefs)
    if view is not None:
        view.cities_placed = len(cities)
    return view


@bp.get("/network/<slug>.rq")
def network_query(slug: str) -> Response:
    """The SPARQL query that draws a city's ego network on its page, ready to run anywhere."""
    site = site_data()
    iri = site.uris.resource_iri("city", slug)
    if not is_slug(slug) or site.uris.split(iri) is None or iri not in set(site.entities()):
        abort(404, f"There is no city '{slug[:60]}'.")
    body = ego_query(iri, site.uris.base)
    return revalidate(Response(body, content_type="application/sparql-query; charset=utf-8"), "rq", slug)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every page worth crawling: home, lists, ontology, shapes and each resource's description."""
    site = site_data()
    root = request.host_url.rstrip("/")
    paths = ["/", "/map", "/ontology", "/shapes", *(f"/list/{t.segment}" for t in RESOURCE_TYPES if t.listed)]
    paths += [site.uris.local_path(iri) or "" for iri in site.entities()]
    body = render_template("sitemap.xml", urls=[root + p for p in paths if p], stamp=site.version)
    return revalidate(Response(body, mimetype="application/xml"), "sitemap", root)


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawlers welcome, except on the query endpoint; where the sitemap is."""
    root = request.host_url.rstrip("/")
    body = f"User-agent: *\nAllow: /\nDisallow: /sparql\nDisallow: /search\n\nSitemap: {root}/sitemap.xml\n"
    return revalidate(Response(body, mimetype="text/plain"), "robots", root)
