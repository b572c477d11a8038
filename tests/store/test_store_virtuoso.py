"""The remote backend on a real Virtuoso 7 (the session's server): loading, the dataset, its quirks."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from support.sparql import BASE, EX, quads, write_release
from support.virtuoso import PASSWORD, USER, VirtuosoServer
from twingraph.store import EndpointFailed, Limits, QueryTimeout, RemoteStore, StoreError
from twingraph.store.load_remote import Credentials, load_remote
from twingraph.store.quirks import NO_GRAPH, is_partial

pytestmark = pytest.mark.server
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"  # a system graph every Virtuoso holds
DBA = Credentials(USER, PASSWORD)


def _load(server: VirtuosoServer, folder: Path, merge: str, via_update: bool = False) -> RemoteStore:
    store_url, update_url = ("", server.update_url) if via_update else (server.store_url, "")
    load_remote(folder, server.query_url, store_url, update_url, default_graph=merge, credentials=DBA)
    return RemoteStore.for_release(server.query_url, folder, BASE, Limits(timeout=5), default_graph=merge)


def _with_blank_node() -> list[ox.Quad]:
    node = ox.BlankNode("charter")
    graph = EX(BASE + "source/two")
    return [
        *quads(extra=30),
        ox.Quad(EX(BASE + "id/city/amiens"), EX(BASE + "charter"), node, graph),
        ox.Quad(node, EX(LABEL), ox.Literal("Charta"), graph),
    ]


@pytest.fixture()
def store(virtuoso_server: VirtuosoServer, tmp_path: Path) -> RemoteStore:
    folder = write_release(tmp_path / "dist", "3.0.0", _with_blank_node())
    return _load(virtuoso_server, folder, f"urn:x-twingraph:merge:{tmp_path.name}")


def test_the_dataset_is_the_release_and_nothing_else(store: RemoteStore) -> None:
    assert store.graphs() == [BASE + "source/one", BASE + "source/two"], "no system graph, no merge graph"
    rows = store.select(f"SELECT ?l WHERE {{ <id/city/amiens> <{LABEL}> ?l }}")
    assert rows == [{"l": ox.Literal("Amiens", language="fr")}], "the merge: a fact of two sources once"
    assert len(store.select("SELECT * WHERE { ?s ?p ?o }")) == 30 + 2 + 2
    assert store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == [
        {"n": ox.Literal("35", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))}
    ]
    assert store.ask(f"ASK {{ GRAPH <{VIRTRDF}> {{ ?s ?p ?o }} }}") is False


def test_answers_are_read_as_the_standard_means_them(store: RemoteStore) -> None:
    # ASK comes back from Virtuoso as an __ASK_RETVAL table: true and false both survive.
    assert store.ask("ASK { ?s <twinnedWith> ?o }") is True
    assert store.ask("ASK { ?s <noSuchProperty> ?o }") is False
    answer = store.answer("ASK { ?s <noSuchProperty> ?o }", "application/sparql-results+json")
    assert answer.body == b'{"head":{},"boolean":false}'
    # GRAPH <g> outside the dataset with a constant pattern: Virtuoso alone would say true.
    unknown = "ASK { GRAPH <http://example.org/elsewhere> { <id/city/amiens> <twinnedWith> ?o } }"
    assert store.ask(unknown.replace("?o", "<id/city/dortmund>")) is False
    # Blank nodes come back from Virtuoso's JSON as "nodeID://...": read as blank nodes.
    rows = store.select("SELECT ?c ?l WHERE { <id/city/amiens> <charter> ?c . ?c ?p ?l }")
    assert len(rows) == 1 and isinstance(rows[0]["c"], ox.BlankNode)
    assert rows[0]["l"] == ox.Literal("Charta")


def test_reload_drops_only_what_it_loaded(virtuoso_server: VirtuosoServer, tmp_path: Path) -> None:
    merge = f"urn:x-twingraph:merge:{tmp_path.name}"
    _load(virtuoso_server, write_release(tmp_path / "a", "1.0.0", quads(extra=3)), merge)
    smaller = [q for q in quads() if q.graph_name == EX(BASE + "source/two")]
    folder = write_release(tmp_path / "b", "1.0.1", smaller)
    report = load_remote(
        folder,
        virtuoso_server.query_url,
        update_url=virtuoso_server.update_url,  # the SPARQL Update route, digest-authenticated too
        default_graph=merge,
        credentials=DBA,
    )
    assert report.dropped == (BASE + "source/one",)
    fresh = RemoteStore.for_release(virtuoso_server.query_url, folder, BASE, default_graph=merge)
    assert fresh.graphs() == [BASE + "source/two"]
    assert len(fresh.select("SELECT * WHERE { ?s ?p ?o }")) == 2
    # Virtuoso's own graphs (never loaded by us) are still there.
    raw = httpx.get(
        virtuoso_server.query_url,
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{VIRTRDF}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "text/csv"},
    )
    assert int(raw.text.splitlines()[1]) > 1000


def test_loading_needs_the_credentials(virtuoso_server: VirtuosoServer, tmp_path: Path) -> None:
    folder = write_release(tmp_path / "dist", "1.0.0", quads())
    with pytest.raises(StoreError, match="401"):
        load_remote(folder, virtuoso_server.query_url, virtuoso_server.store_url, default_graph="urn:x:m")
    with pytest.raises(StoreError, match="is a graph of the release"):
        load_remote(
            folder, virtuoso_server.query_url, virtuoso_server.store_url, default_graph=BASE + "source/one"
        )


def test_no_graph_is_never_filled(store: RemoteStore) -> None:
    assert store.ask(f"ASK {{ GRAPH <{NO_GRAPH}> {{ ?s ?p ?o }} }}") is False


def test_partial_answers_are_recognised(virtuoso_server: VirtuosoServer, store: RemoteStore) -> None:
    """Virtuoso's "anytime" answers (asked for with its timeout parameter) are 200s marked only by a
    header; the backend takes them for timeouts."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    failures: list[str] = []
    for _ in range(3):  # on a loaded machine the engine's hard limit (5 s) can strike before its budget
        response = httpx.post(
            virtuoso_server.query_url,
            data={"query": runaway, "timeout": "500"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        if response.status_code == 200:
            break
        failures.append(f"{response.status_code} {response.headers.get('X-SQL-State')} {response.text[:300]}")
    assert response.status_code == 200, failures
    assert is_partial(response.headers)
    assert not is_partial(httpx.get(virtuoso_server.query_url, params={"query": "ASK {}"}).headers)


@pytest.mark.slow
def test_a_sorted_answer_with_a_large_limit(store: RemoteStore) -> None:
    # Virtuoso's MaxSortedTopRows (10,000 by default) counts the LIMIT, not the rows: the deployment's
    # virtuoso.ini raises it (docs/deploy.md), and beyond it Virtuoso's refusal is a 502 in its words.
    rows = store.select("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 20000")
    assert len(rows) == 30 + 2 + 2
    with pytest.raises(EndpointFailed, match="SR353") as refused:
        store.select("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2000000")
    assert refused.value.status == 502 and refused.value.title == "Bad Gateway"


def test_runaway_query_times_out(store: RemoteStore) -> None:
    with pytest.raises(QueryTimeout, match="limit of 5 s"):
        patterns = " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(6))  # 34^6 rows to count
        store.answer(f"SELECT (COUNT(*) AS ?n) WHERE {{ {patterns} }}", "text/csv")


def test_load_remote_command(virtuoso_server: VirtuosoServer, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from twingraph.cli import main

    write_release(tmp_path / "dist", "4.0.0", quads(extra=5))
    merge = f"urn:x-twingraph:merge:{tmp_path.name}"
    env = {
        "TWINGRAPH_DIST_DIR": str(tmp_path / "dist"),
        "TWINGRAPH_REMOTE_QUERY_URL": virtuoso_server.query_url,
        "TWINGRAPH_REMOTE_STORE_URL": virtuoso_server.store_url,
        "TWINGRAPH_REMOTE_DEFAULT_GRAPH": merge,
        "TWINGRAPH_REMOTE_USER": USER,
        "TWINGRAPH_REMOTE_PASSWORD": PASSWORD,
    }
    done = CliRunner().invoke(main, ["load-remote"], env=env)
    assert done.exit_code == 0, done.output
    assert f"loaded 8 triples in 2 named graphs and 7 in the graph <{merge}>" in done.output
    refused = CliRunner().invoke(main, ["load-remote"], env={**env, "TWINGRAPH_REMOTE_PASSWORD": "wrong"})
    assert refused.exit_code == 2
    assert refused.output.startswith("error: ") and "401" in refused.output
    assert "Traceback" not in refused.output
