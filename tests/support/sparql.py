"""Releases made for the store and SPARQL tests, and the app on either backend.

The fixtures built from these live in tests/sparql/conftest.py; the remote backend is a real
`oxigraph serve` (support.oxigraph).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyoxigraph as ox
from flask import Flask

from support.oxigraph import OxigraphServer
from support.paths import CONFORMANCE
from support.virtuoso import PASSWORD, USER, VirtuosoServer
from twingraph.config import Settings
from twingraph.store import EmbeddedStore
from twingraph.store.load_remote import load_remote
from twingraph.web.state import app_state

PROTOCOL = CONFORMANCE / "sparql11" / "protocol"
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
