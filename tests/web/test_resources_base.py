"""The server answers for the configured base IRI on whatever host it runs on (localhost included)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from twingraph.config import Settings
from twingraph.load import load_graph

OTHER_BASE = "http://data.example.org/tg/"


@pytest.fixture(scope="module")
def other_base_client(tmp_path_factory: pytest.TempPathFactory, pages_settings: Settings) -> FlaskClient:
    """The fixture graph published under another base IRI."""
    from twingraph.web import create_app

    project = tmp_path_factory.mktemp("other-base")
    for name in ("ontology", "shapes", "data"):
        os.symlink(Path(os.readlink(pages_settings.project_dir / name)), project / name)
    built = dataclasses.replace(
        pages_settings,
        project_dir=project,
        dist_dir=project / "dist",
        imports_dir=project,
        base_iri=OTHER_BASE,
    )
    release = built.dist_dir / "0.0.1-test"
    release.mkdir(parents=True)
    load_graph(built).store.dump(output=str(release / "twingraph.trig"), format=ox.RdfFormat.TRIG)
    (built.dist_dir / "latest").symlink_to(release.name)
    app = create_app(built)
    app.config["TESTING"] = True
    return app.test_client()


def test_local_paths_stand_for_base_iris(other_base_client: FlaskClient) -> None:
    response = other_base_client.get("/id/city/amiens")
    assert response.status_code == 303
    turtle = other_base_client.get("/doc/city/amiens.nt").data
    subjects = {t.subject.value for t in ox.parse(turtle, format=ox.RdfFormat.N_TRIPLES)}
    assert OTHER_BASE + "id/city/amiens" in subjects
    assert not any(s.startswith("https://w3id.org/") for s in subjects)


def test_pages_show_the_base_iri_and_link_locally(other_base_client: FlaskClient) -> None:
    body = other_base_client.get("/doc/partnership/dortmund-amiens").get_data(as_text=True)
    assert f"<code>{OTHER_BASE}id/partnership/dortmund-amiens</code>" in body
    assert 'href="/doc/city/amiens"' in body
    assert 'href="/ontology#Partnership"' in body
    assert f'href="{OTHER_BASE}' not in body


def test_ontology_terms_under_the_base(other_base_client: FlaskClient) -> None:
    data = other_base_client.get("/ontology.nt").data
    subjects = {t.subject.value for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
    assert OTHER_BASE + "ontology#Partnership" in subjects
