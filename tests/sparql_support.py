"""Fixtures of the SPARQL endpoint tests: releases made for them, the app on each backend, servers.

Imported by the test modules that use them (``from sparql_support import ...``), not a conftest, so
that they start nothing for other tests. Every server listens on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from fixtures_virtuoso import PASSWORD, USER, VirtuosoServer
from twingraph.config import Settings
from twingraph.store import EmbeddedStore
from twingraph.store.load_remote import load_remote
from twingraph.web.state import app_state

SHARED = Path(__file__).resolve().parents[2] / "shared"
PROTOCOL = SHARED / "specs" / "sparql11" / "protocol"
KASEI = "http://kasei.us/2009/09/sparql/data/"


BASE = "http://example.org/"  # the small release of the store tests
EX = ox.NamedNode


def quads(extra: int = 0) -> list[ox.Quad]:
    """A fact stated by two sources, one stated by one, and ``extra`` filler facts."""
    g1, g2 = EX(BASE + "source/one"), EX(BASE + "source/two")
    city, label = EX(BASE + "id/city/amiens"), EX("http://www.w3.org/2000/01/rdf-schema#label")
    out = [
        ox.Quad(city, label, ox.Literal("Amiens", language="fr"), g1),
        ox.Quad(city, label, ox.Literal("Amiens", language="fr"), g2),
        ox.Quad(city, EX(BASE + "twinnedWith"), EX(BASE + "id/city/dortmund"), g2),
    ]
    out += [ox.Quad(EX(f"{BASE}id/n/{i}"), label, ox.Literal(str(i)), g1) for i in range(extra)]
    return out


def write_release(dist: Path, version: str, quads: list[ox.Quad]) -> Path:
    """A release folder holding ``quads`` as its twingraph.trig, with dist/latest pointing to it."""
    folder = dist / version
    folder.mkdir(parents=True)
    (folder / "twingraph.trig").write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG) or b"")
    latest = dist / "latest"
    latest.unlink(missing_ok=True)
    latest.symlink_to(version)
    return folder


def protocol_quads() -> list[ox.Quad]:
    """data1.nt .. data3.nt of the protocol suite, each in the named graph the suite names."""
    quads: list[ox.Quad] = []
    for n in (1, 2, 3):
        graph = ox.NamedNode(f"{KASEI}data{n}.rdf")
        for triple in ox.parse(path=str(PROTOCOL / f"data{n}.nt"), format=ox.RdfFormat.N_TRIPLES):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    return quads


@contextmanager
def serving(application: Flask) -> Iterator[str]:
    """Serve an app on 127.0.0.1 (threaded) and yield its base URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def oxigraph_command() -> str:
    """The `oxigraph` CLI of the test environment (PyPI package `oxigraph`)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph command is missing: pip install -e '.[test]' installs it")
    return found


class OxigraphServer:
    """An `oxigraph serve` process on 127.0.0.1 over an empty database folder."""

    def __init__(self, location: Path, timeout_s: int = 5) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                oxigraph_command(),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout-s",
                str(timeout_s),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                pytest.fail(f"oxigraph serve stopped: {err}")
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail("oxigraph serve did not start within 30 s")
                time.sleep(0.1)

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def store_url(self) -> str:
        return f"{self.url}/store"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def remote_settings(base: Settings, server: OxigraphServer) -> Settings:
    """Settings of the remote backend on ``server``."""
    return dataclasses.replace(
        base,
        store="remote",
        remote_query_url=server.query_url,
        remote_store_url=server.store_url,
        remote_update_url=server.update_url,
    )


def start_remote(base: Settings, location: Path, timeout_s: int = 5) -> tuple[OxigraphServer, Settings]:
    """Start `oxigraph serve`, load the release of ``base`` into it, return it with remote settings."""
    from twingraph.release import resolve_release

    server = OxigraphServer(location, timeout_s)
    load_remote(resolve_release(base), server.query_url, store_url=server.store_url)
    return server, remote_settings(base, server)


def load_into_virtuoso(base: Settings, server: VirtuosoServer) -> Settings:
    """Load the release of ``base`` into a Virtuoso server under its own merge graph (named after the
    release's fingerprint, so that several releases share one server); return the remote settings."""
    from twingraph.release import resolve_release
    from twingraph.store.database import release_fingerprint
    from twingraph.store.load_remote import Credentials

    folder = resolve_release(base)
    chosen = dataclasses.replace(
        base,
        store="remote",
        remote_query_url=server.query_url,
        remote_store_url=server.store_url,
        remote_default_graph=f"urn:x-twingraph:merge:{release_fingerprint(folder)}",
        remote_user=USER,
        remote_password=PASSWORD,
    )
    load_remote(
        folder,
        chosen.remote_query_url,
        store_url=chosen.remote_store_url,
        default_graph=chosen.remote_default_graph,
        credentials=Credentials(USER, PASSWORD),
    )
    return chosen


def close_store(application: Flask) -> None:
    """End the worker processes of an app's embedded store."""
    store = app_state(application).store
    if isinstance(store, EmbeddedStore):
        store.close()


@pytest.fixture(scope="session")
def protocol_settings(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    """Settings serving a release of the protocol suite's data1-3.nt, each in its named graph."""
    dist = tmp_path_factory.mktemp("protocol-dist")
    write_release(dist, "0.0.0-protocol", protocol_quads())
    return dataclasses.replace(settings, dist_dir=dist, rate_limit=100_000)


# "virtuoso": the remote backend on the session's Virtuoso server (tests/fixtures_virtuoso.py).
BACKENDS = ["embedded", "remote", "virtuoso"]


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
