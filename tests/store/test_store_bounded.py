"""Protocol queries whose work the release's degrees bound (store/degrees.py) are answered in the server
process: the same bytes and errors as a worker gives, in every result format; anything unproven still
goes to the workers that can be killed at the time limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from support.sparql import BASE, EX, write_release
from twingraph.store import EmbeddedStore, Limits, QuerySyntaxError, QueryTimeout
from twingraph.store import degrees as release_degrees
from twingraph.store.database import LAYOUT
from twingraph.store.degrees import Degrees, work_bound
from twingraph.store.embedded import BOUNDED_WORK
from twingraph.store.guard import inspect_query
from twingraph.store.worker import Job

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TWIN = EX(BASE + "twinnedWith")
PROLOGUE = (
    f"PREFIX tg: <{BASE}> PREFIX c: <{BASE}id/city/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
PARTNERS = (
    PROLOGUE + "SELECT ?p ?l WHERE { c:hub tg:twinnedWith ?p . ?p rdfs:label ?l } ORDER BY ?p ?l LIMIT 100"
)
PARTNERS_OF_PARTNERS = (
    PROLOGUE + "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { c:hub tg:twinnedWith ?p . ?p tg:twinnedWith ?o "
    "FILTER(?o != c:hub) }"
)
ASK = PROLOGUE + "ASK { c:c3 tg:twinnedWith ?p ; rdfs:label ?l FILTER(LANG(?l) = 'de') }"
UNCAPPED = PROLOGUE + "SELECT ?p ?l { c:hub tg:twinnedWith ?p . ?p rdfs:label ?l }"  # cut at the limit
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
RESULT_FORMATS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]


def city(i: int | str) -> ox.NamedNode:
    return EX(f"{BASE}id/city/{'hub' if i == 'hub' else f'c{i}'}")


def network() -> list[ox.Quad]:
    """A hub with 40 partners, each with labels in two languages and two partners of its own."""
    graph = EX(BASE + "source/one")
    out = []
    for i in range(40):
        out.append(ox.Quad(city("hub"), TWIN, city(i), graph))
        out.append(ox.Quad(city(i), LABEL, ox.Literal(f"Stadt {i}", language="de"), graph))
        out.append(ox.Quad(city(i), LABEL, ox.Literal(f"City {i}", language="en"), graph))
        out += [ox.Quad(city(i), TWIN, city((i + k) % 40), graph) for k in (1, 2)]
    return out


def open_store(tmp_path: Path, result_limit: int = 1000, timeout: float = 5) -> EmbeddedStore:
    folder = tmp_path / "dist" / "1.0.0"
    if not folder.is_dir():
        write_release(tmp_path / "dist", "1.0.0", network())
    limits = Limits(timeout=timeout, result_limit=result_limit)
    return EmbeddedStore.from_release(folder, BASE, limits, workers=1, cache_dir=tmp_path / "cache")


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def by_worker(store: EmbeddedStore, query: str, media_type: str) -> tuple[bytes, str, bool]:
    """The answer of the worker path to the same job as ``answer`` would send it."""
    info = store.inspect(query)
    within = info.limit is not None and info.limit <= store.limits.result_limit
    job = Job(query, media_type, store.limits.result_limit, prefixes=store._prefixes, within_limit=within)
    answer = store.pool().run(job)
    return answer.body, answer.media_type, answer.truncated


@pytest.mark.parametrize("media_type", RESULT_FORMATS)
@pytest.mark.parametrize("query", [PARTNERS, PARTNERS_OF_PARTNERS, ASK])
def test_a_bounded_query_is_answered_in_process_like_a_worker(
    store: EmbeddedStore, query: str, media_type: str
) -> None:
    here = store.answer(query, media_type)
    assert store._pool is None, "no worker was asked"
    assert (here.body, here.media_type, here.truncated) == by_worker(store, query, media_type)


def test_the_result_limit_still_cuts_an_answer_given_in_process(tmp_path: Path) -> None:
    store = open_store(tmp_path, result_limit=50)
    try:
        here = store.answer(UNCAPPED, RESULT_FORMATS[0])
        assert store._pool is None
        assert here.truncated is True
        assert (here.body, here.media_type, here.truncated) == by_worker(store, UNCAPPED, RESULT_FORMATS[0])
    finally:
        store.close()


def test_an_error_of_the_engine_is_worded_as_by_a_worker(store: EmbeddedStore) -> None:
    wrong = PROLOGUE + "SELECT (COUNT(?p) ?n) { c:hub tg:twinnedWith ?p }"  # no AS: the engine refuses it
    assert inspect_query(wrong, BASE).patterns is not None
    with pytest.raises(QuerySyntaxError) as here:
        store.answer(wrong, RESULT_FORMATS[0])
    assert store._pool is None
    with pytest.raises(QuerySyntaxError) as worker:
        by_worker(store, wrong, RESULT_FORMATS[0])
    assert str(here.value) == str(worker.value)


@pytest.mark.parametrize(
    "query",
    [
        # A bound subject, but then a pattern nothing binds: a cross product with the whole graph.
        PROLOGUE + "SELECT (COUNT(*) AS ?n) { c:hub tg:twinnedWith ?p . ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        EXPLOSIVE,
    ],
)
def test_an_unbounded_query_still_runs_in_a_worker_that_is_killed(tmp_path: Path, query: str) -> None:
    store = open_store(tmp_path, timeout=1)
    try:
        assert store.degrees() is not None
        with pytest.raises(QueryTimeout):
            store.answer(query, RESULT_FORMATS[0])
        assert store._pool is not None
        assert store._pool.replaced == 1, "the worker running it was ended"
    finally:
        store.close()


def test_a_query_over_the_work_bound_goes_to_the_workers(store: EmbeddedStore) -> None:
    many_steps = " . ".join(f"?x{i} tg:twinnedWith ?x{i + 1}" for i in range(8))
    query = PROLOGUE + f"SELECT (COUNT(*) AS ?n) {{ c:hub tg:twinnedWith ?x0 . {many_steps} }}"
    info = inspect_query(query, BASE)
    degrees = store.degrees()
    assert info.patterns is not None and degrees is not None
    work = work_bound(info.patterns, degrees)
    assert work is not None and work > BOUNDED_WORK
    store.answer(query, RESULT_FORMATS[0])
    assert store._pool is not None


def test_degrees_are_measured_with_the_database(store: EmbeddedStore, tmp_path: Path) -> None:
    degrees = store.degrees()
    assert degrees == Degrees(out={TWIN.value: 40, LABEL.value: 2}, in_={TWIN.value: 3, LABEL.value: 1})
    (location,) = (tmp_path / "cache").glob(f"*.{LAYOUT}")
    assert release_degrees.read(location) == degrees


def test_a_database_loaded_before_degrees_gets_them_on_first_use(tmp_path: Path) -> None:
    opened = open_store(tmp_path)
    opened.close()
    (location,) = (tmp_path / "cache").glob(f"*.{LAYOUT}")
    (location / release_degrees.FILE_NAME).unlink()
    store = open_store(tmp_path)  # the same database, without its degrees
    try:
        assert store._degrees is None
        measured = store.degrees(wait=30)
        assert measured is not None and measured.out[TWIN.value] == 40
        assert release_degrees.read(location) == measured, "saved for the next process"
        store.answer(PARTNERS, RESULT_FORMATS[0])
        assert store._pool is None
    finally:
        store.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s <http://e/p>+ ?o }",
        "SELECT * { ?s <http://e/p>/<http://e/q> ?o }",
        "SELECT * { ?s ^<http://e/p> ?o }",
        "SELECT * { <http://e/a> <http://e/p> ?o OPTIONAL { ?o ?p ?x } }",
        "SELECT * { { <http://e/a> ?p ?o } UNION { ?s ?p ?o } }",
        "SELECT * { <http://e/a> ?p ?o FILTER NOT EXISTS { ?o ?q ?r } }",
        "SELECT * { <http://e/a> ?p ?o FILTER(EXISTS { ?o ?q ?r }) }",
        "SELECT * { <http://e/a> ?p ?o BIND(1 AS ?x) }",
        "SELECT * { <http://e/a> ?p ?o } VALUES ?o { 1 }",
        "SELECT * FROM <http://e/g> { <http://e/a> ?p ?o }",
        "SELECT * { GRAPH ?g { <http://e/a> ?p ?o } }",
        "SELECT * { <http://e/a> ?p [ ?q ?r ] }",
        "SELECT * { { SELECT * { ?s ?p ?o } } <http://e/a> ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } { <http://e/a> ?p ?o }",
        "SELECT * { <http://e/a> ?p undeclared:o }",
    ],
)
def test_the_reader_gives_up_on_every_other_shape(query: str) -> None:
    assert inspect_query(query, BASE).patterns is None


def test_the_reader_reads_lists_literals_and_modifiers() -> None:
    query = (
        "PREFIX e: <http://e/> SELECT DISTINCT ?s (COUNT(?o) AS ?n) WHERE { ?s e:p 'x'@en, 1 ; a e:C ; "
        'e:q "y"^^e:t . FILTER(?s != e:a) FILTER regex(?o, "a") } GROUP BY ?s HAVING (COUNT(?o) > 1) '
        "ORDER BY DESC(?n) ?s LIMIT 5 OFFSET 1"
    )
    patterns = inspect_query(query, BASE).patterns
    assert patterns is not None
    assert [(p.predicate.value, p.object.value) for p in patterns] == [
        ("http://e/p", "'x'@en"),
        ("http://e/p", "1"),
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://e/C"),
        ("http://e/q", '"y"^^<http://e/t>'),
    ]
