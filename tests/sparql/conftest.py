"""Fixtures of the SPARQL endpoint tests: the protocol suite's release and the app on both backends.

Session-scoped and lazy: a server starts only when a test asks for it, and every one listens on
127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.servers import serving
from support.sparql import close_store, load_into_virtuoso, protocol_quads, start_remote, write_release
from twingraph.config import Settings

# "virtuoso": the remote backend on the session's Virtuoso server (tests/support/virtuoso.py).
BACKENDS = ["embedded", "remote", "virtuoso"]


@pytest.fixture(scope="session")
def protocol_settings(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    """Settings serving a release of the protocol suite's data1-3.nt, each in its named graph."""
    dist = tmp_path_factory.mktemp("protocol-dist")
    write_release(dist, "0.0.0-protocol", protocol_quads())
    return dataclasses.replace(settings, dist_dir=dist, rate_limit=100_000)


@pytest.fixture(scope="session", params=BACKENDS)
def protocol_endpoint(
    request: pytest.FixtureRequest, protocol_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of /sparql of the app serving the protocol release, on each backend in turn."""
    yield from _endpoint(request, protocol_settings, tmp_path_factory.mktemp("oxigraph-protocol"))


@pytest.fixture(scope="session", params=BACKENDS)
def dortmund_endpoint(
    request: pytest.FixtureRequest, release_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of /sparql serving the Dortmund release, on each backend in turn (a real HTTP server)."""
    yield from _endpoint(request, release_settings, tmp_path_factory.mktemp("oxigraph-dortmund"))


def _endpoint(request: pytest.FixtureRequest, settings: Settings, oxigraph_dir: Path) -> Iterator[str]:
    """Serve the release of ``settings`` on the embedded or a real remote backend; yield /sparql's URL."""
    from twingraph.web import create_app

    server = None
    chosen = settings
    if request.param == "remote":
        server, chosen = start_remote(settings, oxigraph_dir)
    elif request.param == "virtuoso":
        chosen = load_into_virtuoso(settings, request.getfixturevalue("virtuoso_server"))
    application = create_app(chosen)
    try:
        with serving(application) as base:
            yield f"{base}/sparql"
    finally:
        close_store(application)
        if server is not None:
            server.stop()
