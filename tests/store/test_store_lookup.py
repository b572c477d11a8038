"""Protocol DESCRIBEs of named resources, answered in the server process (no worker round trip):
the same bytes as the worker pool gives, cut at the result limit, and every other query still sent
to the workers that can be killed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from support.sparql import BASE, EX, write_release
from twingraph.store import EmbeddedStore, Limits, QuerySyntaxError
from twingraph.store.guard import inspect_query

HUB = EX(BASE + "id/city/hub")
TURTLE = "text/turtle"


def hub_quads() -> list[ox.Quad]:
    """A city with 80 partners and an address held by a blank node (which DESCRIBE follows)."""
    graph = EX(BASE + "source/one")
    address = ox.BlankNode("address")
    out = [ox.Quad(HUB, EX(BASE + "twinnedWith"), EX(f"{BASE}id/city/c{i}"), graph) for i in range(80)]
    out.append(ox.Quad(HUB, EX(BASE + "address"), address, graph))
    out.append(ox.Quad(address, EX(BASE + "street"), ox.Literal("Markt 1"), graph))
    return out


def open_store(tmp_path: Path, result_limit: int) -> EmbeddedStore:
    folder = write_release(tmp_path / f"dist{result_limit}", "1.0.0", hub_quads())
    limits = Limits(timeout=5, result_limit=result_limit)
    return EmbeddedStore.from_release(folder, BASE, limits, workers=1, cache_dir=tmp_path / "cache")


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = open_store(tmp_path, 50)
    yield opened
    opened.close()


@pytest.mark.parametrize(("result_limit", "media_type"), [(50, TURTLE), (100, "application/n-triples")])
def test_describe_of_named_resources_is_answered_in_process_like_a_worker(
    tmp_path: Path, result_limit: int, media_type: str
) -> None:
    store = open_store(tmp_path, result_limit)
    try:
        here = store.answer(f"PREFIX c: <{BASE}id/city/> DESCRIBE c:hub", media_type)
        assert store._pool is None, "no worker was asked"
        worker = store.answer(f"PREFIX c: <{BASE}id/city/> DESCRIBE c:hub WHERE {{}}", media_type)
        assert store._pool is not None
    finally:
        store.close()
    assert (here.body, here.media_type, here.truncated) == (worker.body, worker.media_type, worker.truncated)
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    assert rdf_format is not None
    assert len(list(ox.parse(here.body, format=rdf_format))) == min(result_limit, 82)
    assert here.truncated is (result_limit == 50)


def test_what_the_engine_refuses_is_worded_by_the_worker(store: EmbeddedStore) -> None:
    with pytest.raises(QuerySyntaxError, match="malformed query") as refused:
        store.answer("DESCRIBE nowhere:hub", TURTLE)
    assert store._pool is not None, "the worker pool words the error as for any query"
    assert "Prefix not found" in str(refused.value)


def test_the_guard_tells_look_ups_and_top_level_limits() -> None:
    lookup = "PREFIX c: <http://c/> DESCRIBE c:a <http://b/>"
    assert inspect_query(lookup, BASE).lookup is True
    for other in (
        "DESCRIBE ?c WHERE { ?c ?p ?o }",
        "DESCRIBE <http://a/> FROM <http://g/>",
        "DESCRIBE <http://a/> WHERE {}",
        "SELECT * { <http://a/> ?p ?o }",
    ):
        assert inspect_query(other, BASE).lookup is False, other
    assert inspect_query("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } } LIMIT 7", BASE).limit == 7
    assert inspect_query("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } }", BASE).limit is None
    assert inspect_query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } LIMIT 1 OFFSET 3", BASE).limit == 1
