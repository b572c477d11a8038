"""``/feed``: what changed between consecutive releases, as an ActivityStreams 2.0 ``OrderedCollection``.

``/feed`` is the whole history; ``/feed/<version>`` the activities of one release;
``/feed/<version>/page/<n>`` a page (``OrderedCollectionPage``, linked ``prev``/``next`` across
releases). The home page and the catalogue link here with ``rel="alternate"``. Why no LDES view:
docs/versions.md.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import NotFound

from twingraph.versions.feed import CONTEXT, MEDIA_TYPE, Page, page_items, pages
from twingraph.versions.registry import Release
from twingraph.web.release_apps import get_versions
from twingraph.web.render_cache import is_finished

bp = Blueprint("feed", __name__)
FEED_LINK = f'</feed>; rel="alternate"; type="{MEDIA_TYPE}"'


def _host() -> str:
    return request.host_url.rstrip("/")


def _page_url(page: Page) -> str:
    return f"{_host()}/feed/{page.release.version}/page/{page.number}"


def _dataset(release: Release) -> str:
    return f"{get_versions().settings.base_iri}dataset/{release.version}"


def _answer(document: dict[str, Any], immutable: bool = False) -> Response:
    body = json.dumps({"@context": CONTEXT, **document}, ensure_ascii=False, indent=1)
    response = Response(body, content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response.headers["Cache-Control"] = (
        "public, max-age=31536000, immutable" if immutable else "public, max-age=60"
    )
    return response


def _collection(url: str, selected: list[Page], total: int, summary: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": url,
        "type": "OrderedCollection",
        "summary": summary,
        "totalItems": total,
    }
    if selected:
        document["first"] = {"id": _page_url(selected[0]), "type": "OrderedCollectionPage"}
        document["last"] = {"id": _page_url(selected[-1]), "type": "OrderedCollectionPage"}
    return document


@bp.get("/feed")
def collection() -> Response:
    """The whole change history."""
    state = get_versions()
    releases = state.registry.releases()
    total = sum(len(state.history.changes(r).changes) for r in releases)
    summary = "Entities created, updated and deleted by each release of twingraph, oldest first."
    return _answer(_collection(f"{_host()}/feed", pages(releases, state.history), total, summary))


@bp.get("/feed/<version>")
def release_collection(version: str) -> Response:
    """The activities of one release (what a harvester that read the release before it needs)."""
    state = get_versions()
    release = state.registry.get(version)
    if release is None:
        raise NotFound(f"there is no release {version!r} (see /releases/)")
    selected = [p for p in pages(state.registry.releases(), state.history) if p.release == release]
    changes = state.history.changes(release)
    since = (
        f"since {changes.previous}" if changes.previous else "(the first release: every entity is created)"
    )
    document = _collection(
        f"{_host()}/feed/{version}", selected, len(changes.changes), f"Changes of release {version} {since}."
    )
    document["partOf"] = f"{_host()}/feed"
    return _answer(document, immutable=True)


@bp.get("/feed/<version>/page/<int:number>")
def page(version: str, number: int) -> Response:
    """One page of activities."""
    state = get_versions()
    every = pages(state.registry.releases(), state.history)
    found = next((p for p in every if p.release.version == version and p.number == number), None)
    if found is None:
        raise NotFound(f"the feed has no page {number} for release {version!r}")
    items = page_items(found, state.history, _dataset(found.release))
    document: dict[str, Any] = {
        "id": _page_url(found),
        "type": "OrderedCollectionPage",
        "partOf": f"{_host()}/feed",
        "startIndex": sum(len(state.history.changes(r).changes) for r in _before(found, every)) + found.start,
        "orderedItems": items,
    }
    if found.index > 0:
        document["prev"] = {"id": _page_url(every[found.index - 1]), "type": "OrderedCollectionPage"}
    if found.index + 1 < len(every):
        document["next"] = {"id": _page_url(every[found.index + 1]), "type": "OrderedCollectionPage"}
    # Only a page with a successor is final: the last page of the newest release gains a `next` later.
    return _answer(document, immutable="next" in document)


def _before(page: Page, every: list[Page]) -> list[Release]:
    seen: list[Release] = []
    for p in every:
        if p.release == page.release:
            break
        if p.release not in seen:
            seen.append(p.release)
    return seen


def register_feed_links(app: Flask) -> None:
    """The home page and the catalogue (``/dumps/``) point to the feed."""

    @app.after_request
    def _feed_link(response: Response) -> Response:
        if is_finished(response):
            return response
        if request.script_root == "" and (request.path == "/" or request.path.startswith("/dumps/")):
            existing = response.headers.get("Link")
            response.headers["Link"] = f"{existing}, {FEED_LINK}" if existing else FEED_LINK
        return response
