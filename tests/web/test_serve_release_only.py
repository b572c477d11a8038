"""The server reads nothing but the release: served from a copy of a release with no project beside it.

Regression: ``/shapes.ttl`` was parsed from the project's ``shapes/`` folder, so a server started where
there is no project folder answered 200 with 0 bytes although the release holds ``shapes.ttl``.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from twingraph.config import Settings
from twingraph.release import ONTOLOGY_FILE, SHAPES_FILE, resolve_release
from twingraph.web import create_app
from twingraph.web.state import close_app

SH_NODE_SHAPE = "http://www.w3.org/ns/shacl#NodeShape"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _copy_release(source: Settings, root: Path, leave_out: tuple[str, ...] = ()) -> Settings:
    """Settings serving a copy of ``source``'s release under ``root``, with an empty project folder."""
    release = resolve_release(source)
    dist = root / "dist"
    shutil.copytree(release, dist / release.name, ignore=shutil.ignore_patterns(*leave_out))
    (dist / "latest").symlink_to(release.name)
    empty = root / "no-project"
    empty.mkdir()
    return dataclasses.replace(source, project_dir=empty, dist_dir=dist, imports_dir=empty)


@pytest.fixture(scope="module")
def bare_settings(release_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the test release, served with ``project_dir`` pointing at an empty folder."""
    return _copy_release(release_settings, tmp_path_factory.mktemp("bare"))


@pytest.fixture(scope="module")
def bare_server(bare_settings: Settings) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the copied release."""
    from support.servers import serving

    application = create_app(bare_settings)
    try:
        with serving(application) as base:
            yield base
    finally:
        close_app(application)


def _graph(data: bytes | str, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=fmt)


def test_shapes_come_from_the_release(bare_server: str, bare_settings: Settings) -> None:
    response = httpx.get(f"{bare_server}/shapes.ttl")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    served = _graph(response.content, "turtle")
    released = rdflib.Graph().parse(resolve_release(bare_settings) / SHAPES_FILE, format="turtle")
    assert len(served) > 100
    assert isomorphic(served, released)
    assert not any(bare_settings.project_dir.iterdir())


def test_shapes_page_lists_the_release_shapes(bare_server: str, bare_settings: Settings) -> None:
    released = ox.parse(path=str(resolve_release(bare_settings) / SHAPES_FILE), format=ox.RdfFormat.TURTLE)
    names = {
        q.subject.value.rsplit("#", 1)[-1]
        for q in released
        if q.predicate.value == RDF_TYPE and q.object.value == SH_NODE_SHAPE
    }
    page = httpx.get(f"{bare_server}/shapes", headers={"Accept": "text/html"}).text
    assert names and all(f'id="{name}"' in page for name in names)


def test_ontology_is_the_release_ontology(bare_server: str, bare_settings: Settings) -> None:
    served = _graph(httpx.get(f"{bare_server}/ontology.nt").content, "nt")
    released = rdflib.Graph().parse(resolve_release(bare_settings) / ONTOLOGY_FILE, format="turtle")
    assert len(served) > 100 and isomorphic(served, released)
    page = httpx.get(f"{bare_server}/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="Partnership"' in page.text


def test_data_dumps_and_sparql_from_the_copy(bare_server: str, bare_settings: Settings) -> None:
    version = resolve_release(bare_settings).name
    listing = httpx.get(f"{bare_server}/dumps/", headers={"Accept": "application/json"}).json()
    assert [r["version"] for r in listing["releases"]] == [version]
    assert httpx.get(f"{bare_server}/.well-known/void").status_code == 200
    assert httpx.get(f"{bare_server}/doc/city/amiens.ttl").status_code == 200
    ask = httpx.get(
        f"{bare_server}/sparql",
        params={"query": "ASK { ?s a <https://w3id.org/twingraph/ontology#City> }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is True


def test_a_release_without_shapes_says_so(release_settings: Settings, tmp_path: Path) -> None:
    """Not 200 with an empty body: the release holds no shapes, and the answer says it."""
    application = create_app(_copy_release(release_settings, tmp_path, leave_out=(SHAPES_FILE,)))
    try:
        response = application.test_client().get("/shapes.ttl")
        assert response.status_code == 404
        assert SHAPES_FILE in response.get_data(as_text=True)
    finally:
        close_app(application)
