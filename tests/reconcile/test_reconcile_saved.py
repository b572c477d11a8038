"""The matching index saved beside the release's database (reconcile/saved.py): ``twingraph serve``
saves it before its workers start, a worker reads it before its first request, and an index that
cannot be read is built again instead of failing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from twingraph.config import Settings
from twingraph.reconcile import reconcile_json
from twingraph.reconcile.saved import index_path, read_index, saved_index
from twingraph.store import open_store
from twingraph.web import create_app
from twingraph.web.reconcile import load_saved_index
from twingraph.web.state import app_state, close_app

QUERIES = json.dumps(
    {
        "q0": {"query": "Amiens", "type": "City"},
        "q1": {"query": "dortmund"},
        "q2": {"query": "Amiens", "properties": [{"pid": "country", "v": "France"}]},
    }
)


@pytest.fixture()
def own_cache(release_settings: Settings, tmp_path: Path) -> Settings:
    """The test release with a store cache folder of its own (no index saved there yet)."""
    return dataclasses.replace(release_settings, store_cache_dir=str(tmp_path / "cache"))


def test_a_saved_index_answers_as_the_index_it_was_built_from(own_cache: Settings) -> None:
    store = open_store(own_cache)
    try:
        path = index_path(store, own_cache.store_cache_dir)
        assert not path.exists()
        built = saved_index(store, own_cache.base_iri, own_cache.store_cache_dir)
        assert path.is_file()
        read = read_index(path)
        assert read is not None and read is not built
        assert reconcile_json(read, QUERIES) == reconcile_json(built, QUERIES)
        assert read.entity("city/amiens") is not None
    finally:
        store.close()


def test_an_app_takes_the_saved_index_before_any_request(own_cache: Settings) -> None:
    application = create_app(own_cache)
    try:
        assert not load_saved_index(application), "nothing saved yet: nothing read, nothing built"
        assert app_state(application).reconcile_index.built is None
        store = app_state(application).store
        saved_index(store, own_cache.base_iri, own_cache.store_cache_dir)
        assert load_saved_index(application)
        assert app_state(application).reconcile_index.built is not None
        answer = application.test_client().post("/reconcile", data={"queries": QUERIES})
        assert answer.status_code == 200
        assert answer.json["q0"]["result"][0]["id"] == "city/amiens"  # type: ignore[index]
    finally:
        close_app(application)


def test_an_unreadable_saved_index_is_built_again(own_cache: Settings) -> None:
    store = open_store(own_cache)
    try:
        path = index_path(store, own_cache.store_cache_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not a pickle")
        assert read_index(path) is None
        index = saved_index(store, own_cache.base_iri, own_cache.store_cache_dir)
        assert index.entity("city/amiens") is not None
        assert read_index(path) is not None, "the rebuilt index replaced the unreadable file"
    finally:
        store.close()


def test_serving_a_release_saves_its_index_before_the_workers_start(own_cache: Settings) -> None:
    from twingraph.serve import check_release

    check_release(own_cache)
    store = open_store(own_cache)
    try:
        saved = read_index(index_path(store, own_cache.store_cache_dir))
        assert saved is not None and saved.version == store.version
    finally:
        store.close()


def test_the_index_is_saved_even_when_its_queries_outlast_the_request_limit(own_cache: Settings) -> None:
    """The index and the home page's values are built by whole-release queries of our own: the time
    limit of a visitor's query does not apply to them (at 1M generated triples one of them ran past
    the default 10 s on a busy machine, and the index was then never saved)."""
    from twingraph.serve import check_release
    from twingraph.web.release_facts import facts_path

    hurried = dataclasses.replace(own_cache, query_timeout=0.0001)
    check_release(hurried)
    store = open_store(own_cache)
    try:
        assert read_index(index_path(store, own_cache.store_cache_dir)) is not None
        assert facts_path(store, own_cache.base_iri, own_cache.store_cache_dir).is_file()
    finally:
        store.close()
