"""The per-release values (labels, sources, the home page's) saved beside the release's database
(web/release_facts.py): ``twingraph serve`` saves them before its workers start, a saved file gives
the same landing page as the store's queries, and a file that cannot be read is computed again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from twingraph.config import Settings
from twingraph.store import open_store
from twingraph.web import create_app
from twingraph.web.release_facts import compute_facts, facts_path, read_facts, saved_facts
from twingraph.web.state import close_app


@pytest.fixture()
def own_cache(release_settings: Settings, tmp_path: Path) -> Settings:
    """The test release with a store cache folder of its own (nothing saved there yet)."""
    return dataclasses.replace(release_settings, store_cache_dir=str(tmp_path / "cache"))


def home_pages(settings: Settings) -> list[bytes]:
    """The landing page and the world map, in English and German, from a fresh app."""
    application = create_app(settings)
    try:
        client = application.test_client()
        pages = []
        for language in ("en", "de"):
            for path in ("/", "/map"):
                answer = client.get(path, headers={"Accept-Language": language})
                assert answer.status_code == 200
                pages.append(answer.data)
        return pages
    finally:
        close_app(application)


def test_saved_facts_read_back_as_computed(own_cache: Settings) -> None:
    store = open_store(own_cache)
    try:
        path = facts_path(store, own_cache.base_iri, own_cache.store_cache_dir)
        assert not path.exists()
        computed = saved_facts(store, own_cache.base_iri, own_cache.store_cache_dir)
        assert path.is_file()
        assert read_facts(path) == computed == compute_facts(store)
        assert computed.cities and computed.pairs and computed.counts and computed.labels and computed.sources
        other = facts_path(store, "https://example.org/other/", own_cache.store_cache_dir)
        assert other != path, "another base IRI gives other IRIs: never the same file"
    finally:
        store.close()


def test_the_landing_page_is_the_same_from_saved_facts(own_cache: Settings) -> None:
    computed = home_pages(own_cache)  # computes and saves the facts on the first page
    store = open_store(own_cache)
    try:
        path = facts_path(store, own_cache.base_iri, own_cache.store_cache_dir)
    finally:
        store.close()
    assert read_facts(path) is not None
    assert home_pages(own_cache) == computed  # a fresh app reads them back


def test_unreadable_saved_facts_are_computed_again(own_cache: Settings) -> None:
    store = open_store(own_cache)
    try:
        path = facts_path(store, own_cache.base_iri, own_cache.store_cache_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"counts": [1, 2]}', encoding="utf-8")
        assert read_facts(path) is None
        facts = saved_facts(store, own_cache.base_iri, own_cache.store_cache_dir)
        assert facts == compute_facts(store)
        assert read_facts(path) == facts, "the computed facts replaced the unreadable file"
    finally:
        store.close()


def test_serving_a_release_saves_its_home_facts_before_the_workers_start(own_cache: Settings) -> None:
    from twingraph.serve import check_release

    check_release(own_cache)
    store = open_store(own_cache)
    try:
        saved = read_facts(facts_path(store, own_cache.base_iri, own_cache.store_cache_dir))
        assert saved == compute_facts(store)
    finally:
        store.close()
