"""The remote backend against a real `oxigraph serve` on 127.0.0.1: loading, the interface, limits."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from support.oxigraph import OxigraphServer
from support.ports import free_port
from support.sparql import BASE, EX, quads, write_release
from twingraph.store import (
    Limits,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    RemoteStore,
    StoreUnavailable,
)
from twingraph.store.load_remote import load_remote

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    running = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), timeout_s=2)
    yield running
    running.stop()


@pytest.fixture()
def store(server: OxigraphServer, tmp_path: Path) -> RemoteStore:
    folder = write_release(tmp_path / "dist", "2.0.0", quads(extra=300))
    report = load_remote(folder, server.query_url, store_url=server.store_url)
    assert report.graphs == {BASE + "source/one": 301, BASE + "source/two": 2}
    assert report.default_triples == 302
    return RemoteStore.for_release(server.query_url, folder, BASE, Limits(timeout=2, result_limit=50))


def test_interface_matches_the_embedded_backend(store: RemoteStore) -> None:
    rows = store.select(
        "SELECT ?l WHERE { <id/city/amiens> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    assert rows == [{"l": ox.Literal("Amiens", language="fr")}], (
        "the default graph is the merge, no duplicates"
    )
    query = "SELECT ?o WHERE { ?s <twinnedWith> ?o }"
    assert store.select(query, {"s": EX(BASE + "id/city/amiens")}) == [{"o": EX(BASE + "id/city/dortmund")}]
    assert store.ask("ASK { ?s <twinnedWith> ?o }", {"o": EX(BASE + "id/city/dortmund")}) is True
    assert len(store.construct("CONSTRUCT WHERE { ?s <twinnedWith> ?o }")) == 1
    assert store.graphs() == [BASE + "source/one", BASE + "source/two"]
    assert store.version == "2.0.0" and store.fingerprint.startswith("2.0.0-")


def test_answer_is_capped_and_stated(store: RemoteStore) -> None:
    answer = store.answer("SELECT ?s WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert answer.truncated
    assert len(json.loads(answer.body)["results"]["bindings"]) == 50
    turtle = store.answer("CONSTRUCT WHERE { ?s <twinnedWith> ?o }", "text/turtle")
    assert not turtle.truncated
    assert len(list(ox.parse(turtle.body, format=ox.RdfFormat.TURTLE))) == 1


def test_errors(store: RemoteStore) -> None:
    with pytest.raises(QuerySyntaxError, match="1:"):
        store.answer("SELECT * WHERE { ?s ?p }", "text/csv")
    with pytest.raises(QueryRefused):
        store.answer("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "text/csv")
    with pytest.raises(QueryRefused):
        store.select("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


@pytest.mark.slow
def test_runaway_query_times_out(store: RemoteStore) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="limit of 2 s"):
        store.answer(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "text/csv"
        )
    assert time.monotonic() - started < 2 + 6


def test_reload_mirrors_the_release(server: OxigraphServer, tmp_path: Path, store: RemoteStore) -> None:
    smaller = [q for q in quads() if q.graph_name == EX(BASE + "source/two")]
    folder = write_release(tmp_path / "dist2", "2.0.1", smaller)
    report = load_remote(folder, server.query_url, update_url=server.update_url)
    assert report.dropped == (BASE + "source/one",)
    fresh = RemoteStore.for_release(server.query_url, folder, BASE)
    assert fresh.graphs() == [BASE + "source/two"]
    assert len(fresh.select("SELECT * WHERE { ?s ?p ?o }")) == 2


def test_unreachable_endpoint() -> None:
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query", "v", "v", BASE)
    with pytest.raises(StoreUnavailable):
        store.select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(StoreUnavailable):
        RemoteStore("", "v", "v", BASE)
