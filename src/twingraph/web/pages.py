"""Browsing pages: lists per type, search, the overview map, and what crawlers read (sitemap, robots)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from twingraph.queries import load_query
from twingraph.reconcile.normalise import name_key
from twingraph.web import get_store
from twingraph.web.conneg import revalidate
from twingraph.web.i18n import Language
from twingraph.web.labels import app_cached, site_data, term_text
from twingraph.web.lists import build_list, list_rows
from twingraph.web.maps import MapPoint, MapView, map_view
from twingraph.web.reconcile import get_index
from twingraph.web.render import current_language, render_page, url_with
from twingraph.web.search import search
from twingraph.web.uris import RESOURCE_TYPES, TYPES_BY_SEGMENT

bp = Blueprint("pages", __name__)
MAX_QUERY = 200


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
def type_list(segment: str) -> Response:
    """All resources of one type, sortable and filterable (``q``, ``sort``, ``order``, facet parameters)."""
    rtype = TYPES_BY_SEGMENT.get(segment)
    if rtype is None or not rtype.listed:
        abort(
            404,
            f"There is no list of '{segment}'. Lists exist for: "
            + ", ".join(t.segment for t in RESOURCE_TYPES if t.listed)
            + ".",
        )
    text = request.args.get("q", "")[:MAX_QUERY]
    sort = request.args.get("sort", "")
    descending = request.args.get("order", "") == "desc"
    page = request.args.get("page", 1, type=int) or 1
    site, lang = site_data(), current_language()
    filters = {k: v for k, v in request.args.items() if k not in ("q", "sort", "order", "page", "lang")}
    rows = app_cached("lists", (segment, lang.data), lambda: list_rows(get_store(), site, lang, rtype))
    view = build_list(
        rows,
        rtype,
        text=text,
        filters=filters,
        sort=sort,
        descending=descending,
        page=page,
    )
    title = site.name(site.uris.class_iri(rtype), lang)
    variant = request.query_string.decode("latin-1")
    return render_page(
        "list.html",
        variant,
        view=view,
        title=title,
        text=text,
        filters=filters,
        sort=sort or ("label" if not view.columns else ""),
        descending=descending,
        url_with=url_with,
    )


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
    """All cities with coordinates and a line for each partnership between two of them."""
    view, cities, pairs = overview(current_language())
    return render_page("map.html", map=view, cities=cities, pairs=pairs)


def overview(lang: Language) -> tuple[MapView | None, list[MapPoint], int]:
    """The map of every city with coordinates and its partnerships (computed once per app and language)."""
    return app_cached("map", lang.data, lambda: _overview(lang))


def _overview(lang: Language) -> tuple[MapView | None, list[MapPoint], int]:
    site, store = site_data(), get_store()
    points: dict[str, MapPoint] = {}
    for row in store.select(load_query("pages/map-cities")):
        city = term_text(row["city"])
        if city not in points:
            lat, long = float(term_text(row["lat"])), float(term_text(row["long"]))
            points[city] = MapPoint(lat, long, site.name(city, lang), site.uris.local_path(city))
    pairs = {(term_text(r["a"]), term_text(r["b"])) for r in store.select(load_query("pages/map-pairs"))}
    pairs = {(a, b) for a, b in pairs if a in points and b in points}
    ordered = sorted(points.values(), key=lambda p: p.label)
    view = map_view(ordered, [(points[a], points[b]) for a, b in sorted(pairs)])
    return view, ordered, len(pairs)


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
