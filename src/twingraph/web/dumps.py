"""Release downloads: ``/dumps/`` lists releases and files (HTML, JSON); files are served as stored.

Every file is served with its media type, ``Content-Length``, ``ETag`` = its SHA-256 (from the
release's SHA256SUMS), ``Last-Modified`` = the release date, and werkzeug's conditional and
``Range`` handling (304, 206, 416). Only files listed in SHA256SUMS are served, so no path
outside a release can be asked for. ``/.well-known/void`` returns the served release's VoID and
DCAT description (catalog.ttl), in the RDF format the client asks for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, render_template, request, send_file, url_for
from markupsafe import Markup
from werkzeug.exceptions import NotAcceptable, NotFound
from werkzeug.wrappers.response import Response as BaseResponse

from twingraph.formats import formats_of, negotiate
from twingraph.release import ReleaseError, ReleaseFile, ReleaseInfo, is_version, list_releases, read_release
from twingraph.release_files import table_description
from twingraph.web.conneg import add_vary
from twingraph.web.i18n import Language, format_size
from twingraph.web.markdown import markdown_inline
from twingraph.web.render import current_language
from twingraph.web.state import get_settings, get_store

bp = Blueprint("dumps", __name__)

MAX_AGE = 3600  # a release does not change; revalidation with the ETag is cheap anyway
LISTING_TYPES = ("text/html", "application/json")
VOID_FORMATS = [f for f in formats_of("graph") if f.negotiable]


def _releases() -> list[ReleaseInfo]:
    """The releases that can be served, newest first; an incomplete one on disk is left out (logged)."""
    dist = get_settings().dist_dir
    found = []
    for version in list_releases(dist):
        try:
            found.append(read_release(dist / version))
        except ReleaseError as exc:
            current_app.logger.warning("not listed under /dumps/: %s", exc)
    return found


def _release(version: str) -> ReleaseInfo:
    dist = get_settings().dist_dir
    if not is_version(version) or version not in list_releases(dist):
        raise NotFound(f"There is no release {version!r}; /dumps/ lists the releases.")
    try:
        return read_release(dist / version)
    except ReleaseError as exc:
        raise NotFound(f"Release {version} is incomplete on this server; /dumps/ lists the others.") from exc


def _midnight(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


def _as_json(release: ReleaseInfo, newest: str) -> dict[str, Any]:
    return {
        "version": release.version,
        "date": release.date.isoformat(),
        "latest": release.version == newest,
        "url": url_for("dumps.release", version=release.version, _external=True),
        "files": [
            {
                "name": f.name,
                "url": url_for("dumps.download", version=release.version, name=f.name, _external=True),
                "size": f.size,
                "sha256": f.sha256,
                "media_type": f.media_type,
                "description": f.description,
            }
            for f in release.files
        ],
    }


def _file_description(file: ReleaseFile, lang: Language) -> Markup:
    """What a release file is, in the reader's language, its Markdown (`code`) rendered."""
    if file.media_type == "text/csv":
        message, values = table_description(file.name)
        translated = lang.gettext(message)
        return markdown_inline(translated % values if values else translated)
    return markdown_inline(lang.gettext(file.description))


def _listing(releases: list[ReleaseInfo], suffix: str | None, title: tuple[str, str]) -> Response:
    """Render releases as HTML or JSON (by suffix, else by the Accept header)."""
    newest = releases[0].version if releases else ""
    kind = {"json": "application/json", "html": "text/html"}.get(suffix or "")
    if kind is None:
        kind = (
            request.accept_mimetypes.best_match(LISTING_TYPES)
            if request.headers.get("Accept")
            else "text/html"
        )
    if kind is None:
        raise NotAcceptable("The listing is available as text/html and application/json.")
    if kind == "application/json":
        body = {"releases": [_as_json(r, newest) for r in releases]}
        response = Response(Response.json_module.dumps(body, indent=2) + "\n", mimetype="application/json")
    else:
        lang = current_language()
        html = render_template(
            "dumps.html",
            releases=releases,
            newest=newest,
            title=lang.text(title[0], version=title[1]),
            size=lambda n: format_size(n, lang.ui),
            describe=lambda f: _file_description(f, lang),
        )
        response = Response(html, mimetype="text/html")
        add_vary(response, "Accept-Language", "Cookie")
    if suffix is None:
        add_vary(response, "Accept")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.headers["Cache-Control"] = "no-cache"
    response.make_conditional(request)
    return response


@bp.get("/dumps/")
@bp.get("/dumps/index.<any(json, html):suffix>")
def index(suffix: str | None = None) -> Response:
    """Every release, newest first, with its files (HTML, or JSON by Accept or ``index.json``)."""
    return _listing(_releases(), suffix, ("dumps_title", ""))


@bp.get("/dumps/<version>/")
@bp.get("/dumps/<version>/index.<any(json, html):suffix>")
def release(version: str, suffix: str | None = None) -> Response | BaseResponse:
    """One release and its files."""
    if version == "latest":
        return redirect(url_for("dumps.release", version=_newest(), suffix=suffix), code=302)
    return _listing([_release(version)], suffix, ("dumps_release_title", version))


@bp.get("/dumps/<version>/<name>")
def download(version: str, name: str) -> Response | BaseResponse:
    """One file of a release, with ETag (SHA-256), Last-Modified, 304 and Range support."""
    if version == "latest":
        return redirect(url_for("dumps.download", version=_newest(), name=name), code=302)
    info = _release(version)
    item = info.file(name)
    if item is None:
        raise NotFound(f"Release {version} has no file {name!r}; /dumps/{version}/ lists its files.")
    response = send_file(
        info.folder / name,
        mimetype=item.media_type,
        conditional=True,
        etag=item.sha256,
        last_modified=_midnight(info.date),
        max_age=MAX_AGE,
    )
    response.headers["X-Checksum-SHA256"] = item.sha256
    return response


def _newest() -> str:
    releases = _releases()
    if not releases:
        raise NotFound("There is no release yet: run 'twingraph build'.")
    return releases[0].version


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID and DCAT description of the served release (Turtle unless asked for another RDF format)."""
    fmt = negotiate(VOID_FORMATS, request.headers.get("Accept"))
    if fmt is None:
        offered = ", ".join(f.media_type for f in VOID_FORMATS)
        raise NotAcceptable(f"The VoID description is available as {offered}.")
    info = _release(get_store().version)
    catalog = info.folder / "catalog.ttl"
    rdf = fmt.rdf or ox.RdfFormat.TURTLE
    if rdf == ox.RdfFormat.TURTLE:
        body = catalog.read_bytes()
    else:
        quads = list(ox.parse(path=str(catalog), format=ox.RdfFormat.TURTLE))
        items = quads if rdf.supports_datasets else [q.triple for q in quads]
        body = ox.serialize(items, format=rdf) or b""
    response = Response(body, content_type=fmt.content_type)
    add_vary(response, "Accept")
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.last_modified = _midnight(info.date)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.make_conditional(request)
    return response
