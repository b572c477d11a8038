"""One state object per app: nothing shared between two apps, and closing an app ends its processes."""

from __future__ import annotations

import os
import time

from twingraph.config import Settings
from twingraph.store import EmbeddedStore, open_store
from twingraph.web import create_app
from twingraph.web.state import app_state, close_app


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_dead(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def test_two_apps_share_no_cache(pages_settings: Settings) -> None:
    first, second = create_app(pages_settings), create_app(pages_settings)
    try:
        for application in (first, second):
            assert application.test_client().get("/search?q=amiens").status_code == 200
        a, b = app_state(first), app_state(second)
        assert a.site.built is not None and b.site.built is not None
        assert a.site.built is not b.site.built
        assert a.reconcile_index.built is not None and a.reconcile_index.built is not b.reconcile_index.built
        assert a.result_cache is not b.result_cache
    finally:
        close_app(first)
        close_app(second)


def test_closing_the_app_ends_its_query_processes(release_settings: Settings) -> None:
    application = create_app(release_settings)
    response = application.test_client().get(
        "/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    store = app_state(application).store
    assert isinstance(store, EmbeddedStore)
    pids = store.pool().pids()
    assert pids and all(_alive(p) for p in pids)
    close_app(application)
    assert _wait_dead(pids) == []
    close_app(application)  # a second close does nothing


def test_a_store_passed_in_stays_open(release_settings: Settings) -> None:
    store = open_store(release_settings)
    assert isinstance(store, EmbeddedStore)
    try:
        application = create_app(release_settings, store=store)
        answer = application.test_client().get(
            "/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"}
        )
        assert answer.status_code == 200
        pids = store.pool().pids()
        close_app(application)
        assert all(_alive(p) for p in pids)  # the caller's store: the caller closes it
    finally:
        store.close()


def test_warm_up_builds_the_indexes_before_any_request(pages_settings: Settings) -> None:
    from twingraph.web import warm_up

    application = create_app(pages_settings)
    state = app_state(application)
    try:
        assert state.reconcile_index.built is None and state.site.built is None
        warm_up(application).join(timeout=60)
        assert state.reconcile_index.built is not None, "the reconciliation index was built at start"
        assert state.site.built is not None, "the site's labels were read at start"
        answer = application.test_client().get(
            "/reconcile", query_string={"queries": '{"q0":{"query":"Amiens"}}'}
        )
        assert answer.status_code == 200 and answer.json["q0"]["result"]  # type: ignore[index]
    finally:
        close_app(application)
