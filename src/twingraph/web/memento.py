"""Memento (RFC 7089) for every resource: TimeGate, TimeMap and the headers of originals and mementos.

The original resource of ``/id/<type>/<slug>`` and ``/doc/<type>/<slug>`` is the description
``/doc/<type>/<slug>`` of the newest release; its mementos are ``/releases/<version>/doc/<type>/<slug>``
(one per release in which the entity exists, dated by the release's ``dct:issued``). The TimeGate is
``/timegate/doc/<type>/<slug>`` and the TimeMap ``/timemap/doc/<type>/<slug>`` (``id/`` works too).
Choices and their reasons: twingraph/versions/memento.py.
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import BadRequest, NotFound

from twingraph.formats import split_suffix
from twingraph.versions.memento import (
    LINK_FORMAT,
    BadDatetime,
    http_date,
    parse_http_date,
    select_memento,
    timemap,
)
from twingraph.versions.registry import Release
from twingraph.web.release_apps import get_versions, mounted_release
from twingraph.web.render_cache import is_finished
from twingraph.web.uris import TYPES_BY_SEGMENT, is_slug

bp = Blueprint("memento", __name__)
_RESOURCE = re.compile(r"^/?(id|doc)/([^/]+)/(.+)$")
# Paths of the site that a release's own pages link to: rewritten under /releases/<version>/.
_SITE_PATHS = ("/doc/", "/id/", "/sparql", "/list/", "/search", "/map", "/ontology", "/shapes")


def resource_path(path: str) -> tuple[str, str] | None:
    """``(doc path, entity IRI path)`` of an ``id/`` or ``doc/`` path, None for anything else.

    >>> resource_path("/id/city/amiens.ttl")
    ('/doc/city/amiens.ttl', 'id/city/amiens')
    >>> resource_path("/sparql") is None, resource_path("doc/nothing-known/x") is None
    (True, True)
    """
    match = _RESOURCE.match(path)
    if match is None:
        return None
    _kind, segment, slug = match.groups()
    stem, fmt = split_suffix(slug)
    if segment not in TYPES_BY_SEGMENT or not is_slug(stem):
        return None
    suffix = f".{fmt.suffix}" if fmt else ""
    return f"/doc/{segment}/{stem}{suffix}", f"id/{segment}/{stem}"


def _host() -> str:
    return request.host_url.rstrip("/")


def _memento_url(release: Release, doc_path: str) -> str:
    return f"{_host()}/releases/{release.version}{doc_path}"


def _time_links(doc_path: str) -> list[str]:
    host = _host()
    return [
        f'<{host}{doc_path}>; rel="original"',
        f'<{host}/timegate{doc_path}>; rel="timegate"',
        f'<{host}/timemap{doc_path}>; rel="timemap"; type="{LINK_FORMAT}"',
    ]


def _append_links(response: Response, links: list[str]) -> None:
    existing = response.headers.get("Link")
    response.headers["Link"] = ", ".join([existing, *links] if existing else links)


def _mementos(target: str) -> tuple[str, list[Release]]:
    found = resource_path(target)
    if found is None:
        raise NotFound(f"/{target} is not a resource of this dataset (try /timegate/doc/<type>/<slug>)")
    doc_path, iri_path = found
    state = get_versions()
    mementos = state.history.releases_with(state.settings.base_iri + iri_path, state.registry.releases())
    if not mementos:
        raise NotFound(f"no release describes <{state.settings.base_iri + iri_path}>")
    return doc_path, mementos


@bp.route("/timegate/<path:target>", methods=["GET", "HEAD"])
def timegate(target: str) -> Response:
    """302 to the memento current at ``Accept-Datetime`` (the newest without one)."""
    doc_path, mementos = _mementos(target)
    header = request.headers.get("Accept-Datetime")
    try:
        moment = parse_http_date(header) if header is not None else None
    except BadDatetime as exc:
        raise BadRequest(str(exc)) from exc
    chosen = select_memento(mementos, moment)
    response = Response(status=302)
    response.headers["Location"] = _memento_url(chosen, doc_path)
    response.vary.add("Accept-Datetime")
    _append_links(response, _time_links(doc_path)[:1] + _time_links(doc_path)[2:])
    return response


@bp.route("/timemap/<path:target>", methods=["GET", "HEAD"])
def timemap_of(target: str) -> Response:
    """The TimeMap: every release in which the resource exists, in ``application/link-format``."""
    doc_path, mementos = _mementos(target)
    host = _host()
    body = timemap(
        f"{host}{doc_path}",
        f"{host}/timegate{doc_path}",
        f"{host}/timemap{doc_path}",
        [(_memento_url(r, doc_path), r) for r in mementos],
    )
    return Response(body, content_type=LINK_FORMAT)


def register_original_hooks(app: Flask) -> None:
    """On the main app: ``/id/`` and ``/doc/`` answers link to their TimeGate, TimeMap and original."""

    @app.after_request
    def _original_links(response: Response) -> Response:
        if is_finished(response):
            return response  # kept with these links (web/render_cache.py)
        found = resource_path(request.path)
        if found is not None and response.status_code in (200, 303, 304):
            _append_links(response, _time_links(found[0]))
        return response


def register_memento_hooks(app: Flask) -> None:
    """On a release's app: ``/doc/`` answers are mementos; its own links stay inside the release."""

    @app.after_request
    def _memento_headers(response: Response) -> Response:
        if is_finished(response):
            return response  # kept with these headers and its links inside the release
        release = mounted_release()
        root = request.script_root
        if release is None or not root:
            return response
        _keep_inside(response, root)
        found = resource_path(request.path)
        if found is None or response.status_code not in (200, 303, 304):
            return response
        links = _time_links(found[0])
        if response.status_code != 303:
            response.headers["Memento-Datetime"] = http_date(release.issued)
            url = f"{_host()}{root}{request.path}"
            links.append(f'<{url}>; rel="memento"; datetime="{http_date(release.issued)}"')
        _append_links(response, links)
        return response


def _keep_inside(response: Response, root: str) -> None:
    """Point a release's own absolute paths (Location, Content-Location, Link, HTML links) into it."""
    for name in ("Location", "Content-Location"):
        value = response.headers.get(name)
        if value and value.startswith("/") and not value.startswith(root + "/"):
            response.headers[name] = root + value
    link = response.headers.get("Link")
    if link:
        link = re.sub(r"<(/(?:doc|id)/)", lambda m: f"<{root}{m.group(1)}", link)
        response.headers["Link"] = link.replace("</dumps/>", f"<{root.replace('/releases', '/dumps')}/>")
    if response.mimetype == "text/html" and not response.direct_passthrough and response.status_code == 200:
        text = response.get_data(as_text=True)
        for path in _SITE_PATHS:
            for attr in ('href="', 'action="'):
                text = text.replace(attr + path, attr + root + path)
        response.set_data(text)
