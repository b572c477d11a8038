"""The render cache: a document answered from it is the answer a fresh render gives, byte for byte and
header for header, in every format and both languages; validators and 304s hold; it stays in its bytes.

Two apps on the fixture release, each behind a real HTTP server on 127.0.0.1: one keeps what it renders,
the other (``page_cache_bytes=0``) renders every request afresh.
"""

from __future__ import annotations

import dataclasses
import http.client
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from rdflib.compare import isomorphic

from support.servers import serving
from twingraph.config import Settings
from twingraph.formats import resource_formats
from twingraph.web import create_app
from twingraph.web.state import app_state, close_app

DOCS = ["/doc/city/amiens", "/doc/partnership/dortmund-amiens", "/doc/person/dietrich-keuning", "/ontology"]
# Every way to ask for a representation: each suffix, and each negotiable media type by Accept.
ASKED = [(f".{f.suffix}", "") for f in resource_formats()] + [
    ("", f.media_type) for f in resource_formats() if f.negotiable
]
HOST = "twingraph.test"
LANGUAGES = [("", "en"), ("", "de"), ("?lang=de", "en"), ("?lang=en&incoming=1", "de")]
# What a client reads of an answer besides its body (Date changes by the second, Server is the server's).
COMPARED = (
    "Content-Type",
    "Content-Length",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Vary",
    "Content-Location",
    "Link",
    "Set-Cookie",
    "Memento-Datetime",
    "Content-Security-Policy",
)


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]


def fetch(base: str, path: str, headers: dict[str, str] | None = None, host: str = HOST) -> Answer:
    """GET ``path`` over HTTP, naming ``host`` (http.client: no redirects followed, no header added).

    Pages and JSON-LD name the host they were asked at: both servers are asked as the same host.
    """
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        body = response.read()
        headers = {k: ", ".join(response.headers.get_all(k) or []) for k in COMPARED}
        # a cookie's expiry is counted from the second it was set
        headers["Set-Cookie"] = re.sub(r"Expires=[^;]*; ", "", headers["Set-Cookie"])
        return Answer(response.status, body, headers)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def apps(pages_settings: Settings) -> Iterator[tuple[Flask, Flask]]:
    """An app keeping its renders, and one rendering every request (same release)."""
    cached = create_app(pages_settings)
    fresh = create_app(dataclasses.replace(pages_settings, page_cache_bytes=0))
    yield cached, fresh
    close_app(cached)
    close_app(fresh)


@pytest.fixture(scope="module")
def servers(apps: tuple[Flask, Flask]) -> Iterator[tuple[str, str]]:
    with serving(apps[0]) as cached, serving(apps[1]) as fresh:
        yield cached, fresh


@pytest.mark.parametrize("doc", DOCS)
def test_cached_answers_are_the_fresh_render(
    apps: tuple[Flask, Flask], servers: tuple[str, str], doc: str
) -> None:
    cached_base, fresh_base = servers
    renders = app_state(apps[0]).renders
    for suffix, accept in ASKED:
        for query, language in LANGUAGES:
            path = doc + suffix + query
            headers = {"Accept-Language": language, **({"Accept": accept} if accept else {})}
            fresh = fetch(fresh_base, path, headers)
            assert fresh.status == 200, (path, headers)
            hits = renders.hits
            first = fetch(cached_base, path, headers)
            again = fetch(cached_base, path, headers)
            assert renders.hits >= hits + 1, f"{path} {headers}: the repeat was rendered again"
            for answer in (first, again):
                assert answer.status == 200
                assert answer.body == fresh.body, (path, headers)
                assert answer.headers == fresh.headers, (path, headers)
    assert not app_state(apps[1]).renders.hits  # the peer rendered everything itself


# The two longest RDF bodies per triple, asked for by suffix and by Accept, with their parsers.
LONG_FORMATS = [
    (".nt", "", ox.RdfFormat.N_TRIPLES, "nt"),
    ("", "application/n-triples", ox.RdfFormat.N_TRIPLES, "nt"),
    (".rdf", "", ox.RdfFormat.RDF_XML, "xml"),
    ("", "application/rdf+xml", ox.RdfFormat.RDF_XML, "xml"),
]


@pytest.mark.parametrize("doc", DOCS[:3])
@pytest.mark.parametrize(("suffix", "accept", "rdf", "rdflib_format"), LONG_FORMATS)
def test_kept_ntriples_and_rdfxml_are_the_fresh_render_and_its_graph(
    apps: tuple[Flask, Flask],
    servers: tuple[str, str],
    doc: str,
    suffix: str,
    accept: str,
    rdf: ox.RdfFormat,
    rdflib_format: str,
) -> None:
    """A kept N-Triples or RDF/XML answer (sent from the cache, not rendered again) is the fresh
    render's bytes and headers, and two parsers read from it the graph the fresh Turtle holds."""
    cached_base, fresh_base = servers
    renders = app_state(apps[0]).renders
    path, headers = doc + suffix, ({"Accept": accept} if accept else {})
    fresh = fetch(fresh_base, path, headers)
    turtle = fetch(fresh_base, doc + ".ttl")
    assert fresh.status == turtle.status == 200
    fetch(cached_base, path, headers)  # rendered and kept, unless an earlier test asked already
    hits = renders.hits
    kept = fetch(cached_base, path, headers)
    assert renders.hits == hits + 1, f"{path} {headers}: the repeat was not answered from the cache"
    assert (kept.status, kept.body, kept.headers) == (fresh.status, fresh.body, fresh.headers)
    expected = {q.triple for q in ox.parse(turtle.body, format=ox.RdfFormat.TURTLE)}
    assert expected and {q.triple for q in ox.parse(kept.body, format=rdf)} == expected
    read = rdflib.Graph().parse(data=kept.body, format=rdflib_format)
    assert isomorphic(read, rdflib.Graph().parse(data=turtle.body, format="turtle"))


def test_a_query_language_choice_sets_its_cookie_on_every_hit(servers: tuple[str, str]) -> None:
    cached_base, _ = servers
    for _ in range(3):
        answer = fetch(cached_base, "/doc/city/dortmund?lang=de")
        assert answer.headers["Set-Cookie"].startswith("lang=de")
        assert 'lang="de"' in answer.body.decode()
    assert fetch(cached_base, "/doc/city/dortmund").headers["Set-Cookie"] == ""


@pytest.mark.parametrize(
    ("path", "headers", "ui", "cookie"),
    [
        ("/doc/city/amiens?%6Cang=de", {}, "de", "lang=de"),  # an escaped name is still ?lang=
        ("/doc/city/amiens?langx=de&lang=de", {}, "de", "lang=de"),
        ("/doc/city/amiens", {"Cookie": "theme=dark; lang=de"}, "de", ""),
        ("/doc/city/amiens", {"Cookie": "theme=dark", "Accept-Language": "de"}, "de", ""),
        ("/doc/city/amiens?incoming=1", {"Cookie": "theme=dark"}, "en", ""),
    ],
)
def test_every_way_of_choosing_a_language_is_read_on_hits_too(
    servers: tuple[str, str], path: str, headers: dict[str, str], ui: str, cookie: str
) -> None:
    cached_base, fresh_base = servers
    fresh = fetch(fresh_base, path, headers)
    for answer in (fetch(cached_base, path, headers), fetch(cached_base, path, headers)):
        assert f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{ui}"' in answer.body.decode()
        set_cookie = answer.headers["Set-Cookie"]
        assert set_cookie.startswith(cookie) if cookie else set_cookie == ""
        assert (answer.body, answer.headers) == (fresh.body, fresh.headers)


@pytest.mark.parametrize("suffix", ["", ".ttl", ".jsonld", ".xhtml"])
def test_conditional_requests_get_304_from_the_cache(servers: tuple[str, str], suffix: str) -> None:
    cached_base, fresh_base = servers
    path = "/doc/city/leeds" + suffix
    for base in (cached_base, fresh_base):
        full = fetch(base, path)
        assert full.status == 200 and full.headers["ETag"] and full.headers["Last-Modified"]
        fetch(base, path)  # the cached server answers this one from memory
        for condition in (
            {"If-None-Match": full.headers["ETag"]},
            {"If-Modified-Since": full.headers["Last-Modified"]},
        ):
            answer = fetch(base, path, condition)
            assert answer.status == 304, (base, path, condition)
            assert answer.body == b""
            assert answer.headers["ETag"] == full.headers["ETag"]
            assert answer.headers["Link"] == full.headers["Link"]
            assert answer.headers["Content-Location"] == full.headers["Content-Location"]
        stale = fetch(base, path, {"If-None-Match": '"another-release"'})
        assert stale.status == 200 and stale.body == full.body


def test_each_host_gets_its_own_render(apps: tuple[Flask, Flask]) -> None:
    """JSON-LD names this host's context and the page this host's URL: two hosts, two entries."""
    with serving(apps[0]) as base:
        for _ in range(2):
            for host in ("one.test", "two.test:8080"):
                for suffix in (".jsonld", ".html"):
                    body = fetch(base, "/doc/city/amiens" + suffix, host=host).body.decode()
                    assert f"http://{host}/" in body
                    assert "one.test" not in body or "two.test" not in body


def test_unknown_resources_are_never_kept(apps: tuple[Flask, Flask], servers: tuple[str, str]) -> None:
    renders = app_state(apps[0]).renders
    before = len(renders)
    for suffix in ("", ".ttl"):
        for _ in range(2):
            assert fetch(servers[0], "/doc/city/nowhere-at-all" + suffix).status == 404
    assert fetch(servers[0], "/doc/city/amiens", {"Accept": "image/png"}).status == 406
    assert len(renders) == before


def test_the_cache_stays_within_its_bytes(pages_settings: Settings) -> None:
    budget = 120_000  # a few pages of the fixture release
    application = create_app(dataclasses.replace(pages_settings, page_cache_bytes=budget))
    renders = app_state(application).renders
    client = application.test_client()
    try:
        paths = [doc + suffix for doc in DOCS[:3] for suffix, _ in ASKED[:9]]
        first = client.get(paths[0]).data
        for path in paths[1:]:
            assert client.get(path).status_code == 200
            assert 0 < renders.size <= budget
        assert len(renders) < len(paths)  # the oldest went first
        misses = renders.misses
        assert client.get(paths[0]).data == first  # rendered again, the same bytes
        assert renders.misses > misses
    finally:
        close_app(application)
