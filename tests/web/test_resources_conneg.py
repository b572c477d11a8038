"""Dereferencing: 303 from /id/ to /doc/, the content negotiation table, suffix URLs, headers, 304s."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from support.formats import parse_answer
from twingraph.config import Settings

BASE = "https://w3id.org/twingraph/"
AMIENS = BASE + "id/city/amiens"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

# (Accept header or None for no header, the media type expected, or None for 406)
CONNEG_TABLE = [
    (None, "text/html"),
    ("", "text/html"),
    ("*/*", "text/html"),
    ("text/*", "text/html"),
    (BROWSER, "text/html"),
    ("text/html", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/x-turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/trig", "application/trig"),
    ("application/n-quads", "application/n-quads"),
    ("application/*", "application/ld+json"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("application/rdf+xml;q=0.1, text/turtle;q=0.2", "text/turtle"),
    ("text/html;q=0.1, text/turtle", "text/turtle"),
    ("text/turtle;q=0, */*;q=0.5", "text/html"),
    ("image/png, */*;q=0.1", "text/html"),
    ("image/png", None),
    ("application/pdf, text/csv;q=0.5", None),
    ("text/turtle;q=0", None),
]


@pytest.mark.parametrize(("accept", "expected"), CONNEG_TABLE)
def test_conneg_table(pages_client: FlaskClient, accept: str | None, expected: str | None) -> None:
    headers = {} if accept is None else {"Accept": accept}
    response = pages_client.get("/doc/city/amiens", headers=headers)
    if expected is None:
        assert response.status_code == 406
        assert "text/turtle" in response.get_data(as_text=True)  # says what is on offer
        return
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == expected
    assert "Accept" in response.vary
    suffix = {
        "text/html": "html",
        "text/turtle": "ttl",
        "application/ld+json": "jsonld",
        "application/n-triples": "nt",
        "application/rdf+xml": "rdf",
        "application/trig": "trig",
        "application/n-quads": "nq",
    }[expected]
    assert response.headers["Content-Location"] == f"/doc/city/amiens.{suffix}"


def test_id_answers_303_to_doc(pages_client: FlaskClient) -> None:
    response = pages_client.get("/id/city/amiens", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/doc/city/amiens"


def test_id_with_suffix_keeps_it(pages_client: FlaskClient) -> None:
    response = pages_client.get("/id/city/amiens.ttl")
    assert response.status_code == 303
    assert response.headers["Location"] == "/doc/city/amiens.ttl"


def test_following_the_303_gives_the_description(pages_client: FlaskClient) -> None:
    response = pages_client.get(
        "/id/partnership/dortmund-amiens", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    triples = list(ox.parse(response.data, format=ox.RdfFormat.TURTLE))
    assert any(t.subject.value == BASE + "id/partnership/dortmund-amiens" for t in triples)


@pytest.mark.parametrize(
    ("suffix", "media_type", "fmt"),
    [
        ("ttl", "text/turtle", ox.RdfFormat.TURTLE),
        ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("trig", "application/trig", ox.RdfFormat.TRIG),
        ("nq", "application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
def test_suffix_urls_parse_and_hold_the_facts(
    pages_client: FlaskClient, suffix: str, media_type: str, fmt: ox.RdfFormat
) -> None:
    response = pages_client.get(f"/doc/city/amiens.{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" not in response.vary  # the suffix decides, not the header
    assert "Content-Location" not in response.headers
    quads = parse_answer(response.data, fmt, lambda url: pages_client.get(url).data)
    label = ox.Literal("Amiens", language="fr")
    assert any(q.subject.value == AMIENS and q.object == label for q in quads)
    # Incoming links are part of the description: the partnership names Amiens as partner.
    assert any(
        q.object == ox.NamedNode(AMIENS) and q.predicate.value == BASE + "ontology#partner" for q in quads
    )
    if suffix in ("trig", "nq"):
        graphs = {
            q.graph_name.value
            for q in quads
            if q.subject.value == AMIENS and isinstance(q.graph_name, ox.NamedNode)
        }
        assert BASE + "id/source/dortmund-de-amiens" in graphs
        assert BASE + "id/source/research-notes" in graphs


def test_link_header_lists_alternates_and_release(pages_client: FlaskClient) -> None:
    response = pages_client.get("/doc/city/amiens")
    link = response.headers["Link"]
    for suffix, media_type in (
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
        ("html", "text/html"),
    ):
        assert f'</doc/city/amiens.{suffix}>; rel="alternate"; type="{media_type}"' in link
    assert '</dumps/>; rel="collection"; title="release 0.0.1-test"' in link


@pytest.mark.parametrize("url", ["/doc/city/amiens", "/doc/city/amiens.ttl", "/ontology", "/ontology.nt"])
def test_etag_and_last_modified_revalidate(pages_client: FlaskClient, url: str) -> None:
    first = pages_client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = pages_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    since = pages_client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    stale = pages_client.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_etag_differs_per_format_and_language(pages_client: FlaskClient) -> None:
    html_en = pages_client.get("/doc/city/amiens", headers={"Accept-Language": "en"}).headers["ETag"]
    html_de = pages_client.get("/doc/city/amiens", headers={"Accept-Language": "de"}).headers["ETag"]
    turtle = pages_client.get("/doc/city/amiens.ttl").headers["ETag"]
    assert len({html_en, html_de, turtle}) == 3


def test_etag_changes_with_the_release(
    pages_client: FlaskClient, pages_settings: Settings, tmp_path: pytest.TempPathFactory
) -> None:
    import dataclasses
    import shutil
    from pathlib import Path

    from twingraph.web import create_app

    dist = Path(str(tmp_path)) / "dist"
    (dist / "0.0.2-test").mkdir(parents=True)
    shutil.copy(pages_settings.dist_dir / "latest" / "twingraph.trig", dist / "0.0.2-test" / "twingraph.trig")
    newer = create_app(dataclasses.replace(pages_settings, dist_dir=dist, release="0.0.2-test")).test_client()
    old = pages_client.get("/doc/city/amiens.ttl")
    new = newer.get("/doc/city/amiens.ttl", headers={"If-None-Match": old.headers["ETag"]})
    assert new.status_code == 200  # a client holding the old release's copy gets the new one
    assert new.headers["ETag"] != old.headers["ETag"]
    assert new.data == old.data


@pytest.mark.parametrize(
    "url", ["/id/city/nowhere", "/doc/city/nowhere", "/id/planet/mars", "/doc/city/Amiens"]
)
def test_unknown_iris_are_404_with_help(pages_client: FlaskClient, url: str) -> None:
    response = pages_client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "/search?q=" in body


def test_404_suggests_close_matches(pages_client: FlaskClient) -> None:
    body = pages_client.get("/id/city/amien", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/doc/city/amiens"' in body


def test_404_for_rdf_clients_is_short(pages_client: FlaskClient) -> None:
    response = pages_client.get("/id/city/nowhere", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert BASE + "id/city/nowhere" in response.get_data(as_text=True)


def test_406_on_the_ontology_too(pages_client: FlaskClient) -> None:
    assert pages_client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(
    ("url", "fmt"),
    [
        ("/ontology.ttl", ox.RdfFormat.TURTLE),
        ("/shapes.ttl", ox.RdfFormat.TURTLE),
        ("/ontology.jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_ontology_and_shapes_as_rdf(pages_client: FlaskClient, url: str, fmt: ox.RdfFormat) -> None:
    response = pages_client.get(url)
    assert response.status_code == 200
    quads = parse_answer(response.data, fmt, lambda url: pages_client.get(url).data)
    subjects = {q.subject.value for q in quads}
    if url.startswith("/ontology"):
        assert BASE + "ontology#Partnership" in subjects
    else:
        assert any(s.startswith(BASE + "shapes#") for s in subjects)


def test_ontology_negotiates(pages_client: FlaskClient) -> None:
    response = pages_client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    assert response.headers["Content-Location"] == "/ontology.ttl"
    assert "Accept" in response.vary
    assert pages_client.get("/ontology.xyz").status_code == 404


@pytest.mark.parametrize("url", ["/doc/partnership/dortmund-amiens", "/doc/partnership/dortmund-amiens.ttl"])
def test_304_is_answered_without_building_the_page(pages_client: FlaskClient, url: str) -> None:
    from unittest import mock

    from twingraph.web import describe

    etag = pages_client.get(url).headers["ETag"]
    with mock.patch.object(describe.Describer, "facts", side_effect=AssertionError("page was built")):
        response = pages_client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert ("Accept" in response.vary) == (not url.endswith(".ttl"))  # a 304 keeps the Vary of the 200
