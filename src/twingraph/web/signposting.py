"""FAIR Signposting (signposting.org/FAIR, level 1) in ``Link`` headers: landing pages and resources.

The landing page ``/`` (the newest release), each release's page ``/releases/<version>/`` and each
resource's description say what to cite (``cite-as``: a persistent IRI under the base), what
describes them (``describedby``: the DCAT-AP catalogue or the Turtle description), what they hold
(``item``: the release's dumps), under which ``license``, of which ``type``, and in which
``collection`` they are.
"""

from __future__ import annotations

from flask import Flask, Response, request

from twingraph.versions.registry import Release
from twingraph.web.memento import resource_path
from twingraph.web.release_apps import get_versions, mounted_release
from twingraph.web.render_cache import is_finished
from twingraph.web.state import AppState

SCHEMA = "https://schema.org/"
# The dumps a release holds (publish/formats.py writes them) with their media types.
ITEMS = (
    ("twingraph.trig", "application/trig"),
    ("twingraph.ttl", "text/turtle"),
    ("twingraph.jsonld", "application/ld+json"),
    ("twingraph.rdf", "application/rdf+xml"),
    ("twingraph.nt.gz", "application/gzip"),
)


def release_links(release: Release, base_iri: str, host: str, *, newest: bool) -> list[str]:
    """Signposts of a release's landing page (the home page for the newest one)."""
    cite = base_iri if newest else f"{base_iri}releases/{release.version}/"
    links = [
        f'<{cite}>; rel="cite-as"',
        f'<{host}/dumps/{release.version}/catalog.ttl>; rel="describedby"; type="text/turtle"',
        f'<{SCHEMA}Dataset>; rel="type"',
        f'<{SCHEMA}AboutPage>; rel="type"',
        f'<{host}/releases/>; rel="collection"',
    ]
    links += [
        f'<{host}/dumps/{release.version}/{name}>; rel="item"; type="{media}"'
        for name, media in ITEMS
        if (release.folder / name).is_file()
    ]
    if release.license:
        links.append(f'<{release.license}>; rel="license"')
    return links


def resource_links(release: Release, base_iri: str, host: str, doc_path: str, iri_path: str) -> list[str]:
    """Signposts of a resource's description in ``release`` (a memento unless it is the newest)."""
    newest = mounted_release() is None
    root = "" if newest else f"/releases/{release.version}"
    cite = f"{base_iri}{iri_path}" if newest else f"{base_iri}releases/{release.version}{doc_path}"
    stem = doc_path.rsplit(".", 1)[0] if "." in doc_path.rsplit("/", 1)[1] else doc_path
    links = [
        f'<{cite}>; rel="cite-as"',
        f'<{host}{root}{stem}.ttl>; rel="describedby"; type="text/turtle"',
        f'<{SCHEMA}AboutPage>; rel="type"',
        f'<{host}/releases/{release.version}/>; rel="collection"',
    ]
    if release.license:
        links.append(f'<{release.license}>; rel="license"')
    return links


def signposted_release(state: AppState | None = None) -> Release | None:
    """The release whose signposts this request's answers carry: the release app's own, else the
    newest served (the registry looks for new releases at most once a second). Of the app of
    ``state`` when given (the lean path's, before Flask); LookupError when the app serves no
    releases side by side."""
    return mounted_release(state) or get_versions(state).registry.newest()


def register(app: Flask) -> None:
    """Add the signposts to the answers of ``app`` (the main app or one release's app)."""

    @app.after_request
    def _signposts(response: Response) -> Response:
        if response.status_code not in (200, 304) or is_finished(response):
            return response  # a finished answer was kept with its signposts (web/render_cache.py)
        if request.path != "/" and not request.path.startswith("/doc/"):
            return response  # before any look at the releases: most answers need no signposts
        release = signposted_release()
        if release is None:
            return response
        host = request.host_url.rstrip("/")
        base = get_versions().settings.base_iri
        if request.path == "/":
            links = release_links(release, base, host, newest=mounted_release() is None)
        elif (found := resource_path(request.path)) is not None and request.path.startswith("/doc/"):
            links = resource_links(release, base, host, *found)
        else:
            return response
        existing = response.headers.get("Link")
        response.headers["Link"] = ", ".join([existing, *links] if existing else links)
        return response
