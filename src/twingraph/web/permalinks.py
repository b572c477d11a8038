"""``/q``: query permalinks. ``POST /q`` pins a query to a release and a format; ``/q/<id>`` answers it.

``POST /q`` (form or query string: ``query``, optional ``release`` — a version, default the newest —
and ``format`` — a media type or short name, default the first format of the answer's kind) runs the
query once on that release, keeps the answer (versions/permalinks.py) and answers ``201 Created``
with the permalink: a page saying how to cite the result for browsers (the query UI's "Cite this
result" button), JSON for programs. ``/q/<id>`` then answers those bytes in that format, forever.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, NotFound, TooManyRequests

from twingraph.sparql.formats import UnknownFormat, choose_format, formats_for
from twingraph.store import guard
from twingraph.store.base import Store
from twingraph.versions.permalinks import Permalink, PermalinkStore
from twingraph.web.release_apps import get_versions
from twingraph.web.state import current_state

bp = Blueprint("permalinks", __name__)
FILE = "permalinks.sqlite"


def _links() -> PermalinkStore:
    state = get_versions()
    return state.permalinks.get(lambda: PermalinkStore(state.settings.run_dir / FILE))


def cite_url(link: Permalink) -> str:
    """The persistent IRI of a permalink (under the base IRI)."""
    return f"{get_versions().settings.base_iri}q/{link.id}"


@bp.post("/q")
def create() -> Response:
    """Pin a query to a release and a format, run it once, keep the answer; 201 with the permalink."""
    state = get_versions()
    limiter = current_state().sparql_limiter  # making a permalink runs a query: counted like one on /sparql
    wait = limiter.hit(request.remote_addr or "unknown")
    if wait is not None:
        raise TooManyRequests(
            f"more than {limiter.per_minute} queries a minute from this client", retry_after=wait
        )
    values = request.values
    query = values.get("query", "")
    if not query.strip():
        raise BadRequest("send the query to pin as query=...")
    version = values.get("release", "latest") or "latest"
    release = state.registry.newest() if version == "latest" else state.registry.get(version)
    if release is None:
        raise NotFound(f"there is no release {version!r} (see /releases/)")
    info = guard.inspect_query(query, state.settings.base_iri, None)
    try:
        fmt = choose_format(info.is_graph, None, [values.get("format", "")])
    except UnknownFormat as exc:
        raise BadRequest(str(exc)) from exc
    assert fmt is not None  # no Accept header: the first format of the kind
    if len(query.encode()) > state.settings.max_request_bytes:
        raise BadRequest("the query is longer than a request may be")

    def run(store: Store) -> bytes:
        return store.answer(query, fmt.media_type).body

    answer = state.apps.run_on(release, run)
    link = _links().add(release.version, fmt.media_type, query, answer)
    url = f"{request.host_url.rstrip('/')}/q/{link.id}"
    offered = (
        "application/json"
        if request.accept_mimetypes.best_match(["text/html", "application/json"]) == ("application/json")
        else "text/html"
    )
    if offered == "application/json":
        response = jsonify(_describe(link, url))
    else:
        response = Response(
            render_template("permalink.html", link=_describe(link, url)), mimetype="text/html"
        )
    response.status_code = 201
    response.headers["Location"] = url
    return response


def _describe(link: Permalink, url: str) -> dict[str, str]:
    cite = cite_url(link)
    return {
        "id": link.id,
        "permalink": url,
        "cite_as": cite,
        "release": link.release,
        "format": link.media_type,
        "query": link.query,
        "created": link.created,
        "citation": f"Query result {link.id}, twingraph release {link.release}, made {link.created}. {cite}",
    }


@bp.get("/q/<link_id>")
def answer(link_id: str) -> Response:
    """The pinned answer: the same bytes in the same format as when the permalink was made."""
    link = _links().get(link_id)
    if link is None:
        raise NotFound(f"there is no query permalink {link_id!r}")
    fmt = next(f for f in formats_for(True) + formats_for(False) if f.media_type == link.media_type)
    response = Response(link.answer, content_type=fmt.content_type)
    response.set_etag(link.id)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Link"] = ", ".join(
        [
            f'<{cite_url(link)}>; rel="cite-as"',
            f'<{request.host_url.rstrip("/")}/releases/{link.release}/>; rel="collection"',
        ]
    )
    response.headers["X-Query-Release"] = link.release
    return response
