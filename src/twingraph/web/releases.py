"""``/releases/``: the served releases, each a whole site under ``/releases/<version>/``.

The list says, per release, when it was issued, its SPARQL endpoint, its pages, its downloads and
its citation; ``/releases/<version>/...`` itself is answered by the release's own app
(web/release_apps.py) and reaches this blueprint only for a version that is not served.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.exceptions import NotFound
from werkzeug.wrappers.response import Response as BaseResponse

from twingraph.versions.registry import Release
from twingraph.web.release_apps import get_versions

bp = Blueprint("releases", __name__)


def release_entry(release: Release, newest: str) -> dict[str, Any]:
    """What the listing says about one release."""
    root = f"/releases/{release.version}/"
    return {
        "version": release.version,
        "issued": release.issued.isoformat(),
        "newest": release.version == newest,
        "home": root,
        "sparql": root + "sparql",
        "dumps": f"/dumps/{release.version}/",
        "feed": f"/feed/{release.version}",
    }


@bp.get("/releases/")
@bp.get("/releases/index.<any(json, html):suffix>")
def index(suffix: str | None = None) -> Response:
    """Every served release, newest first (HTML, or JSON by suffix or ``Accept``)."""
    releases = list(reversed(get_versions().registry.releases()))
    newest = releases[0].version if releases else ""
    entries = [release_entry(r, newest) for r in releases]
    wants_json = suffix == "json" or (
        suffix is None
        and request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )
    if wants_json:
        response = jsonify({"releases": entries})
    else:
        response = Response(render_template("releases.html", releases=entries), mimetype="text/html")
    if suffix is None:
        response.vary.add("Accept")
    return response


@bp.get("/releases")
@bp.get("/releases/<version>")
def with_slash(version: str | None = None) -> BaseResponse:
    """The folder form of a release's address."""
    return redirect(f"/releases/{version}/" if version else "/releases/", code=308)


@bp.route("/releases/<version>/<path:rest>", methods=["GET", "POST", "HEAD"])
def unknown(version: str, rest: str) -> Response:
    """Only reached for a version that is not served (a served one goes to its own app)."""
    state = get_versions()
    if state.settings.store == "remote" and state.registry.get(version) is not None:
        raise NotFound("with the remote store only the newest release is served (at the top of the site)")
    raise NotFound(f"there is no release {version!r} here; the served releases are listed at /releases/")
