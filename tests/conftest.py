"""Shared fixtures: settings, the loaded graph, a built release, the app and a real HTTP server."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.paths import WORLD_SNAPSHOT
from support.servers import serving
from support.sparql import close_store
from support.virtuoso import virtuoso_server  # noqa: F401  (one Virtuoso server per session)
from twingraph.config import Settings, load_settings
from twingraph.load import LoadedGraph, load_graph
from twingraph.reconcile import ReconIndex


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Default settings, ignoring the environment and any local ``imports/`` (tests are hermetic)."""
    return load_settings({"imports_dir": tmp_path_factory.mktemp("no-imports")}, environ={})


@pytest.fixture(scope="session")
def loaded(settings: Settings) -> LoadedGraph:
    """The curated graph with the rules applied."""
    return load_graph(settings)


@pytest.fixture(scope="session")
def release_settings(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    """Settings whose dist folder holds a freshly built release of the curated graph."""
    from twingraph.build import build_release

    dist = tmp_path_factory.mktemp("dist")
    built = dataclasses.replace(settings, dist_dir=dist)
    build_release(built, publish=True)
    return built


@pytest.fixture(scope="session")
def app(release_settings: Settings) -> Flask:
    """The app serving the test release on the embedded store."""
    from twingraph.web import create_app

    application = create_app(release_settings)
    application.config["TESTING"] = True
    return application


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A Flask test client (in-process) for fast tests."""
    return app.test_client()


# --- The test release with no rate limit, for the modules that send many requests (fuzz, security). ---


@pytest.fixture(scope="module")
def unlimited_settings(release_settings: Settings) -> Settings:
    """The test release's settings with the rate limit lifted (the shared app's budget is for others)."""
    return dataclasses.replace(release_settings, rate_limit=10_000_000)


@pytest.fixture(scope="module")
def unlimited_app(unlimited_settings: Settings) -> Iterator[Flask]:
    """An app of its own for the module, its store closed at the end."""
    from twingraph.web import create_app

    application = create_app(unlimited_settings)
    yield application
    close_store(application)


@pytest.fixture()
def unlimited_client(unlimited_app: Flask) -> FlaskClient:
    """A test client of :func:`unlimited_app`."""
    return unlimited_app.test_client()


def _serve(application: Flask) -> Iterator[str]:
    with serving(application) as base:
        yield base


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """Base URL of a real HTTP server on 127.0.0.1 serving the app (for real clients)."""
    yield from _serve(app)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (installed by `make test`'s sysdeps)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs it (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """A fresh browser page (its own context) per test."""
    context = browser.new_context()  # type: ignore[attr-defined]
    tab = context.new_page()
    yield tab
    context.close()


# --- The page tests' own small graph (tests/data/pages), served without the SHACL gate. ---

PAGES_FIXTURE = Path(__file__).parent / "data" / "pages"


@pytest.fixture(scope="session")
def pages_settings(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    """Settings serving a release made from the fixture graph of tests/data/pages (ontology included)."""
    import os

    import pyoxigraph as ox

    project = tmp_path_factory.mktemp("pages-project")
    for name in ("ontology", "shapes"):
        os.symlink(settings.project_dir / name, project / name)
    os.symlink(PAGES_FIXTURE, project / "data")
    # No generated imports: the fixture graph alone (imports_dir is an empty folder).
    (project / "imports").mkdir()
    built = dataclasses.replace(
        settings, project_dir=project, dist_dir=project / "dist", imports_dir=project / "imports"
    )
    release = built.dist_dir / "0.0.1-test"
    release.mkdir(parents=True)
    load_graph(built).store.dump(output=str(release / "twingraph.trig"), format=ox.RdfFormat.TRIG)
    # The server reads the shapes from the release (as the build writes them), never from shapes/.
    from twingraph.validate import load_shapes

    load_shapes(built).serialize(release / "shapes.ttl", format="turtle")
    (built.dist_dir / "latest").symlink_to(release.name)
    return built


@pytest.fixture(scope="session")
def pages_app(pages_settings: Settings) -> Flask:
    """The app serving the fixture graph."""
    from twingraph.web import create_app

    application = create_app(pages_settings)
    application.config["TESTING"] = True
    return application


@pytest.fixture()
def pages_client(pages_app: Flask) -> FlaskClient:
    """A test client on the fixture graph."""
    return pages_app.test_client()


@pytest.fixture(scope="session")
def pages_server(pages_app: Flask) -> Iterator[str]:
    """Base URL of a real HTTP server serving the fixture graph."""
    yield from _serve(pages_app)


# --- The world twinnings import (tests/world/), made once into a temporary imports folder. ---


@pytest.fixture(scope="session")
def world_settings(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    """Settings whose imports folder holds a fresh import of the world twinnings snapshot."""
    from twingraph.importers.world_twinnings import import_world_twinnings

    imported = dataclasses.replace(settings, imports_dir=tmp_path_factory.mktemp("imports"))
    import_world_twinnings(imported, WORLD_SNAPSHOT)
    return imported


@pytest.fixture(scope="session")
def world_loaded(world_settings: Settings) -> LoadedGraph:
    """The curated graph together with the world import, rules applied."""
    return load_graph(world_settings)


# --- The world graph with GeoNames' names, imported as `make build` does (reconciliation, search). ---


@pytest.fixture(scope="session")
def world_imports(release_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The world graph and the GeoNames graph, imported into a temp folder: (world file, GeoNames file)."""
    from twingraph.importers.geonames import import_geonames
    from twingraph.importers.world_twinnings import import_world_twinnings

    local = dataclasses.replace(release_settings, imports_dir=tmp_path_factory.mktemp("world-imports"))
    snapshot = WORLD_SNAPSHOT
    return import_world_twinnings(local, snapshot).path, import_geonames(local, snapshot).path


def world_index(release_settings: Settings, files: list[Path], name: str) -> ReconIndex:
    """The reconciliation index of the curated release plus the given import files."""
    import pyoxigraph as ox

    from twingraph.reconcile import build_index
    from twingraph.release import resolve_release
    from twingraph.store import EmbeddedStore

    base = release_settings.base_iri
    store = ox.Store()
    store.bulk_load(path=str(resolve_release(release_settings) / "twingraph.trig"), format=ox.RdfFormat.TRIG)
    for path in files:
        store.load(path=str(path), format=ox.RdfFormat.TRIG, base_iri=base)
    return build_index(EmbeddedStore(store, name, base), base)


@pytest.fixture(scope="session")
def world_labels_index(release_settings: Settings, world_imports: tuple[Path, Path]) -> ReconIndex:
    """Before GeoNames: the Dortmund graph and the world graph, one English label per world city."""
    return world_index(release_settings, [world_imports[0]], "test-world-labels")


@pytest.fixture(scope="session")
def world_names_index(release_settings: Settings, world_imports: tuple[Path, Path]) -> ReconIndex:
    """With GeoNames' links and alternate names: every name of every city."""
    return world_index(release_settings, list(world_imports), "test-world-names")
