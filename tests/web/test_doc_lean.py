"""The lean path of /doc and /id (web/doc_lean.py) answers exactly what Flask answers, and what a fresh
render answers, for documents x ways of asking x language setups, 304s and 303s included.

Three real HTTP servers on 127.0.0.1: the caching app as served (the lean path in front of Flask), the
same app as Flask alone (``Flask.wsgi_app``: what it was before the lean path, its render cache
shared), and an app that keeps nothing (``page_cache_bytes=0``: every request rendered afresh). Each
request of the table goes to all three, twice to the lean one (the first is rendered and kept, the
second sent from the cache); status, body and every header but ``Date`` and ``Server`` must agree.
Then what only the lean path does: a repeated request does not enter Flask at all.
"""

from __future__ import annotations

import dataclasses
import http.client
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask import request as flask_request

from support.servers import serving
from twingraph.config import Settings
from twingraph.formats import negotiate, resource_formats, split_suffix
from twingraph.web import create_app
from twingraph.web.state import app_state, close_app

pytestmark = [pytest.mark.server]

HOST = "twingraph.test"
# Two releases: the pages fixture (a person with offices, long lists of incoming links) and a
# published build of the curated graph (a served release: its answers carry signposts, and it is
# mounted under /releases/<version>/ as well).
DOCS = {
    "pages": ["/doc/city/amiens", "/doc/partnership/dortmund-amiens", "/doc/person/dietrich-keuning"],
    "release": ["/doc/city/amiens", "/doc/partnership/dortmund-amiens", "/doc/person/maurice-vast"],
}
# Every way to ask: each suffix (HTML and XHTML pages among them), each negotiable type by Accept,
# no Accept at all, and a browser's Accept.
ASKED: list[tuple[str, dict[str, str]]] = [
    *[(f".{f.suffix}", {}) for f in resource_formats()],
    *[("", {"Accept": f.media_type}) for f in resource_formats() if f.negotiable],
    ("", {}),
    ("", {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}),
]
# Language setups: (query string, headers). Pages depend on them; RDF gets the first two.
LANGUAGES: list[tuple[str, dict[str, str]]] = [
    ("", {}),
    ("", {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}),
    ("", {"Cookie": "lang=de"}),
    ("", {"Cookie": "theme=dark; lang=en", "Accept-Language": "de"}),
    ("", {"Accept-Language": "fr"}),
    ("?incoming=1", {"Accept-Language": "de"}),
    ("?lang=de", {}),  # a choice: Flask answers it (the cookie is set on every such answer)
]
Answer = tuple[int, dict[str, str], bytes]


@dataclasses.dataclass
class Servers:
    docs: list[str]
    cached: Flask
    lean: str
    flask: str
    fresh: str
    entered: list[str]  # paths that reached Flask on the cached app


@pytest.fixture(scope="module", params=sorted(DOCS))
def servers(request: pytest.FixtureRequest) -> Iterator[Servers]:
    settings: Settings = request.getfixturevalue(f"{request.param}_settings")
    cached = create_app(settings)
    fresh = create_app(dataclasses.replace(settings, page_cache_bytes=0))
    entered: list[str] = []
    cached.before_request_funcs.setdefault(None, []).append(lambda: entered.append(flask_request.full_path))

    def flask_alone(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return Flask.wsgi_app(cached, environ, start_response)

    try:
        with serving(cached) as lean, serving(flask_alone) as plain, serving(fresh) as renders:
            yield Servers(DOCS[request.param], cached, lean, plain, renders, entered)
    finally:
        close_app(cached)
        close_app(fresh)


def send(base: str, path: str, headers: dict[str, str], method: str = "GET") -> Answer:
    """One request naming ``HOST`` (http.client: no redirect followed, no header added); status,
    headers (Date and Server left out, a cookie's expiry second dropped) and body."""
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=60)
    try:
        connection.request(method, path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        body = response.read()
        found = {
            name: ", ".join(response.headers.get_all(name) or [])
            for name in response.headers
            if name not in ("Date", "Server")
        }
    finally:
        connection.close()
    if "Set-Cookie" in found:
        found["Set-Cookie"] = re.sub(r"Expires=[^;]*; ", "", found["Set-Cookie"])
    return response.status, found, body


def assert_same(
    servers: Servers, path: str, headers: dict[str, str], status: int, method: str = "GET"
) -> None:
    """The fresh render, Flask alone and the lean path (twice) answer the same."""
    fresh = send(servers.fresh, path, headers, method)
    assert fresh[0] == status, (path, headers, fresh[2][:200])
    first = send(servers.lean, path, headers, method)
    again = send(servers.lean, path, headers, method)
    plain = send(servers.flask, path, headers, method)
    for answer in (first, again, plain):
        assert answer[0] == fresh[0], (path, headers)
        assert answer[1] == fresh[1], (path, headers)
        assert answer[2] == fresh[2], (path, headers)


def asked_lean(servers: Servers, path: str, headers: dict[str, str]) -> bool:
    """Whether the lean path answered a repeat of this request without entering Flask."""
    send(servers.lean, path, headers)
    before = len(servers.entered)
    send(servers.lean, path, headers)
    return len(servers.entered) == before


@pytest.mark.parametrize("which", range(3))
def test_every_way_of_asking_answers_as_flask(servers: Servers, which: int) -> None:
    doc = servers.docs[which]
    for suffix, accept in ASKED:
        fmt = split_suffix(doc + suffix)[1] or negotiate(resource_formats(), accept.get("Accept"))
        page = fmt is not None and "page" in fmt.kinds
        for query, language in LANGUAGES if page else LANGUAGES[:2]:
            path, headers = doc + suffix + query, {**accept, **language}
            assert_same(servers, path, headers, 200)
            assert asked_lean(servers, path, headers) == ("lang=" not in query), (path, headers)


@pytest.mark.parametrize("which", range(3))
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_conditional_requests_answer_as_flask(servers: Servers, which: int, accept: str) -> None:
    doc = servers.docs[which]
    _status, full, _body = send(servers.fresh, doc, {"Accept": accept, "Accept-Language": "de"})
    for condition in (
        {"If-None-Match": full["ETag"]},
        {"If-Modified-Since": full["Last-Modified"]},
        {"If-None-Match": f'"other", {full["ETag"]}'},
        {"If-None-Match": "*"},
    ):
        headers = {"Accept": accept, "Accept-Language": "de", **condition}
        assert_same(servers, doc, headers, 304)
        assert asked_lean(servers, doc, headers), headers
    for stale in (
        {"If-None-Match": '"another-release"'},
        {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"},
    ):
        headers = {"Accept": accept, "Accept-Language": "de", **stale}
        assert_same(servers, doc, headers, 200)
        assert asked_lean(servers, doc, headers), headers


@pytest.mark.parametrize("which", range(3))
@pytest.mark.parametrize("suffix", ["", ".ttl", ".html"])
def test_resource_iris_see_other_as_flask(servers: Servers, which: int, suffix: str) -> None:
    path = "/id/" + servers.docs[which][len("/doc/") :] + suffix
    for headers in ({}, {"Accept": "text/turtle"}, {"If-None-Match": "*"}):
        assert_same(servers, path, headers, 303)
        assert asked_lean(servers, path, headers)


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/doc/city/nowhere-at-all", {}, 404),
        ("/doc/city/nowhere-at-all.ttl", {}, 404),
        ("/id/city/nowhere-at-all", {}, 404),
        ("/doc/city/amiens", {"Accept": "image/png"}, 406),
        ("/doc/city/amiens?%6Cang=de", {}, 200),  # an escaped ?lang=: Flask reads it
        ("/doc/city/amiens", {"Range": "bytes=0-10"}, 200),  # no ranges on pages, as before
        ("/doc/no-such-type/amiens", {}, 404),
        ("/doc/city", {}, 404),
    ],
)
def test_what_the_lean_path_leaves_to_flask(
    servers: Servers, path: str, headers: dict[str, str], status: int
) -> None:
    fresh = send(servers.fresh, path, headers)
    assert fresh[0] == status
    for _ in range(2):
        assert send(servers.lean, path, headers) == fresh
    assert not asked_lean(servers, path, headers)


def test_head_requests_answer_as_flask(servers: Servers) -> None:
    assert_same(servers, "/doc/city/amiens.ttl", {}, 200, method="HEAD")
    assert_same(servers, "/doc/city/amiens", {"Accept-Language": "de"}, 200, method="HEAD")


def test_a_mounted_release_answers_as_a_fresh_render(servers: Servers) -> None:
    """Under /releases/<version>/ the release's own app (its own lean path) answers: mementos keep
    their Memento-Datetime and links inside the release on hits too."""
    newest = app_state(servers.cached).versions.registry.newest()  # type: ignore[attr-defined]
    if newest is None:
        pytest.skip("the pages fixture is no served release (only the published build is)")
    version = newest.version
    for path, headers, status in (
        (f"/releases/{version}/doc/city/amiens", {"Accept-Language": "de"}, 200),
        (f"/releases/{version}/doc/city/amiens", {"Accept": "text/turtle"}, 200),
        (f"/releases/{version}/doc/partnership/dortmund-amiens.jsonld", {}, 200),
        (f"/releases/{version}/id/city/amiens", {}, 303),
    ):
        fresh = send(servers.fresh, path, headers)
        assert fresh[0] == status
        assert status == 303 or "Memento-Datetime" in fresh[1]
        for _ in range(2):
            assert send(servers.lean, path, headers) == fresh, path


def test_hits_are_counted_once(servers: Servers) -> None:
    """A lean miss is looked up once, not again by the view behind it; a lean hit counts as a hit."""
    renders = app_state(servers.cached).renders
    path = "/doc/city/dortmund.nt"
    misses, hits = renders.misses, renders.hits
    send(servers.lean, path, {})
    assert (renders.misses, renders.hits) == (misses + 1, hits)
    send(servers.lean, path, {})
    assert (renders.misses, renders.hits) == (misses + 1, hits + 1)
