"""The embedded backend: a release in an on-disk Oxigraph database, its fast path and its worker pool."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from support.sparql import BASE, EX, quads, write_release
from twingraph.store import Dataset, EmbeddedStore, Limits, QueryRefused, QuerySyntaxError, QueryTimeout
from twingraph.store.database import prepare_database, release_fingerprint


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    folder = write_release(tmp_path / "dist", "1.2.3", quads(extra=300))
    opened = EmbeddedStore.from_release(
        folder, BASE, Limits(timeout=5, result_limit=50), workers=1, cache_dir=tmp_path / "cache"
    )
    yield opened
    opened.close()


def test_default_graph_is_the_merge(store: EmbeddedStore) -> None:
    rows = store.select(
        "SELECT ?l WHERE { <id/city/amiens> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    assert rows == [{"l": ox.Literal("Amiens", language="fr")}], (
        "stated twice, one triple of the default graph"
    )
    per_graph = store.select("SELECT ?g WHERE { GRAPH ?g { <id/city/amiens> ?p ?o } } ORDER BY ?g")
    assert [r["g"].value for r in per_graph] == [
        BASE + "source/one",
        BASE + "source/two",
        BASE + "source/two",
    ]  # type: ignore[union-attr]
    assert store.graphs() == [BASE + "source/one", BASE + "source/two"]


@pytest.mark.parametrize("default", ["none", "part", "merge"])
def test_the_database_default_graph_is_the_merge_whatever_the_dump_has(tmp_path: Path, default: str) -> None:
    """A release's dump holds the merge as its default graph (then no merge is run again, and no
    write-ahead log of it is left in the folder); a dump without it, or with a part, is merged."""
    named = quads(extra=3000)
    merge = sorted({ox.Quad(q.subject, q.predicate, q.object) for q in named}, key=str)
    given = {"none": [], "part": merge[:10], "merge": merge}[default]
    folder = write_release(tmp_path / "dist", "1.0.0", named + given)
    location = prepare_database(folder / "twingraph.trig", release_fingerprint(folder), tmp_path / "cache")
    database = ox.Store.read_only(str(location / "db"))
    assert sorted(database.quads_for_pattern(None, None, None, ox.DefaultGraph()), key=str) == merge
    assert len(database) == len(named) + len(merge)
    logs = sum(path.stat().st_size for path in (location / "db").glob("*.log"))
    assert logs < 100_000 if default == "merge" else logs > 100_000, logs


def test_bindings_and_forms(store: EmbeddedStore) -> None:
    query = "SELECT ?o WHERE { ?s <twinnedWith> ?o }"
    assert store.select(query, {"s": EX(BASE + "id/city/amiens")}) == [{"o": EX(BASE + "id/city/dortmund")}]
    assert store.select(query, {"s": EX(BASE + "id/city/nowhere")}) == []
    assert store.ask("ASK { ?s <twinnedWith> ?o }", {"o": EX(BASE + "id/city/dortmund")}) is True
    triples = store.construct("CONSTRUCT { ?o <twinnedWith> ?s } WHERE { ?s <twinnedWith> ?o }")
    assert triples == [
        ox.Triple(EX(BASE + "id/city/dortmund"), EX(BASE + "twinnedWith"), EX(BASE + "id/city/amiens"))
    ]
    with pytest.raises(QuerySyntaxError):
        store.select("ASK {}")
    with pytest.raises(QuerySyntaxError, match="1:"):
        store.select("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryRefused):
        store.select("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_version_and_fingerprint(tmp_path: Path) -> None:
    a = write_release(tmp_path / "a", "1.0.0", quads())
    b = write_release(tmp_path / "b", "1.0.0", quads(extra=1))
    assert release_fingerprint(a) != release_fingerprint(b), "other content, other fingerprint"
    assert release_fingerprint(a).startswith("1.0.0-")
    (a / "release.json").write_text(json.dumps({"version": "1.0.1"}))
    assert EmbeddedStore.from_release(a, BASE, cache_dir=tmp_path / "c").version == "1.0.1"


def test_database_is_built_once_even_when_raced(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "dist", "1.0.0", quads(extra=2000))
    dump, fingerprint = folder / "twingraph.trig", release_fingerprint(folder)
    locations: list[Path] = []
    threads = [
        threading.Thread(
            target=lambda: locations.append(prepare_database(dump, fingerprint, tmp_path / "cache"))
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(locations)) == 1
    started = time.monotonic()
    assert prepare_database(dump, fingerprint, tmp_path / "cache") == locations[0]
    assert time.monotonic() - started < 0.5
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [locations[0].name], "no temporary folder left"


def test_answer_runs_in_a_worker_with_the_result_limit(store: EmbeddedStore) -> None:
    answer = store.answer("SELECT ?s WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert answer.truncated
    document = json.loads(answer.body)
    assert len(document["results"]["bindings"]) == 50
    small = store.answer("SELECT ?s WHERE { ?s <twinnedWith> ?o }", "text/tab-separated-values")
    assert not small.truncated
    assert small.body.decode().splitlines() == ["?s", f"<{BASE}id/city/amiens>"]
    pids = store.pool().pids()
    assert len(pids) == 1 and pids[0] != os.getpid()


def test_answer_dataset(store: EmbeddedStore) -> None:
    only_two = Dataset(default_graphs=(BASE + "source/two",))
    body = store.answer("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv", only_two).body
    assert body.decode().split() == ["n", "2"]
    named = Dataset(named_graphs=(BASE + "source/one",))
    body = store.answer("SELECT ?g WHERE { GRAPH ?g { } }", "text/csv", named).body
    assert body.decode().split() == ["g", BASE + "source/one"]


def test_in_process_path_stops_at_the_limit(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "dist", "1.0.0", quads(extra=3000))
    store = EmbeddedStore.from_release(folder, BASE, Limits(timeout=0.5), cache_dir=tmp_path / "cache")
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.select("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    # stopped: the cross product would run for hours (slack for a loaded machine)
    assert time.monotonic() - started < 4.0


def test_in_memory_store_is_served_like_a_release(tmp_path: Path) -> None:
    memory = ox.Store()
    memory.extend(quads())
    store = EmbeddedStore(memory, "test", BASE, cache_dir=tmp_path / "cache")
    assert len(store.select("SELECT * WHERE { ?s ?p ?o }")) == 2
    assert store.fingerprint.startswith("test-")
    store.close()


def test_close_ends_the_workers(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "dist", "1.0.0", quads())
    store = EmbeddedStore.from_release(folder, BASE, workers=2, cache_dir=tmp_path / "cache")
    store.answer("ASK {}", "application/sparql-results+json")
    pids = store.pool().pids()
    assert len(pids) == 2
    store.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_unused_databases_are_pruned(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old = prepare_database(write_release(tmp_path / "a", "1.0.0", quads()) / "twingraph.trig", "old", cache)
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old / "twingraph-fingerprint", (ten_days_ago, ten_days_ago))
    fresh = write_release(tmp_path / "b", "1.0.0", quads(extra=1))
    kept = prepare_database(fresh / "twingraph.trig", release_fingerprint(fresh), cache)
    assert not old.exists() and kept.exists()
