"""Everything one app keeps between requests, in one object: ``AppState``, reached through one accessor.

Flask's tutorial app keeps its database in the app and closes it in one hook; this is the same for a
read-only release: the settings, the store, the release folder, the caches and indexes built from the
release on first use, and the rate limiters. Nothing lives at module level, so two apps in one process
(the tests make dozens) never share a cache, a lock or an index.

``create_app`` makes the state; :func:`app_state` (any app) and :func:`current_state` (the app of the
request) reach it; :meth:`AppState.close` ends what it holds (the store's query processes) and runs by
itself when the app is garbage-collected or the process exits.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from flask import Flask, current_app

from twingraph.config import Settings
from twingraph.release import ReleaseError
from twingraph.sparql.cache import ResultCache
from twingraph.sparql.fairness import Fairness, FairShare
from twingraph.sparql.ledger import ClientLedger
from twingraph.sparql.ratelimit import RateLimiter
from twingraph.store import Store
from twingraph.web.render_cache import RenderCache

if TYPE_CHECKING:
    from twingraph.reconcile import ReconIndex
    from twingraph.sparql.description import DatasetStats
    from twingraph.versions.registry import Release
    from twingraph.web.conneg import ReleaseStamp
    from twingraph.web.labels import SiteData
    from twingraph.web.ontology import Graph

T = TypeVar("T")
EXTENSION = "twingraph"  # the one key of app.extensions this app uses
MEMO_LIMIT = 64  # values one page cache keeps before it starts again


class Once(Generic[T]):
    """A value built on first use, exactly once, however many threads ask for it at the same time."""

    def __init__(self) -> None:
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self, build: Callable[[], T]) -> T:
        """The value, built with ``build()`` by the first caller (the others wait for it)."""
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = build()
                value = self._value
        return value

    @property
    def built(self) -> T | None:
        """The value if it was built, else None (builds nothing)."""
        return self._value


@dataclass
class PageCache:
    """Values computed once per app, page kind and key (the release never changes under the app);
    a bounded number per kind, so that free-text keys cannot fill the memory."""

    _memo: dict[str, dict[Hashable, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, name: str, key: Hashable, build: Callable[[], T], limit: int = MEMO_LIMIT) -> T:
        """The value of ``key`` for the page kind ``name``, computed with ``build()`` when missing;
        the kind's values are dropped once it holds ``limit`` of them."""
        with self._lock:
            memo = self._memo.setdefault(name, {})
            if key in memo:
                found: T = memo[key]
                return found
        value = build()  # outside the lock: a page's queries take a while and may use other caches
        with self._lock:
            if len(memo) >= limit:
                memo.clear()
            memo[key] = value
        return value


@dataclass
class AppState:
    """What one app holds: settings, store, release folder, caches, indexes and limiters."""

    settings: Settings
    store: Store
    release: Path | None
    """The release folder served (``None`` when the app was given a store and there is no release)."""
    owns_store: bool = True
    """Whether closing the app closes the store (not when the caller passed its own store in)."""
    result_cache: ResultCache = field(init=False)
    ledger: ClientLedger = field(init=False)
    """The per-client counters, shared by the server's processes (rate limits, fair shares)."""
    fairness: Fairness = field(init=False)
    sparql_limiter: RateLimiter = field(init=False)
    reconcile_limiter: RateLimiter = field(init=False)
    site: Once[SiteData] = field(default_factory=Once)
    reconcile_index: Once[ReconIndex] = field(default_factory=Once)
    ontology: Once[Graph] = field(default_factory=Once)
    shapes: Once[Graph] = field(default_factory=Once)
    release_stamp: Once[ReleaseStamp] = field(default_factory=Once)
    sparql_stats: Once[DatasetStats] = field(default_factory=Once)
    jsonld_context: Once[dict[str, Any]] = field(default_factory=Once)
    pages: PageCache = field(default_factory=PageCache)
    renders: RenderCache = field(init=False)
    """Rendered documents (pages and RDF descriptions) per release and variant, bounded in bytes."""
    openapi: Once[dict[str, Any]] = field(default_factory=Once)
    """The generated OpenAPI document (without the ``servers`` entry, which names the host asked)."""
    versions: object = None
    """The releases served side by side (``web.release_apps.VersionsState``), shared by the main app
    and every release's app; ``None`` until the releases are mounted."""
    mounted_release: Release | None = None
    """The release a release's own app serves (``None`` in the main app)."""
    closed: bool = False

    def __post_init__(self) -> None:
        self.result_cache = ResultCache(self.settings.cache_entries, self.settings.cache_max_bytes)
        self.renders = RenderCache(self.settings.page_cache_bytes)
        self.ledger = open_ledger(self.settings)
        self.fairness = Fairness(self.ledger, FairShare.from_settings(self.settings))
        self.sparql_limiter = RateLimiter(self.settings.rate_limit, self.ledger)
        self.reconcile_limiter = RateLimiter(self.settings.rate_limit, self.ledger, namespace="reconcile")

    def release_folder(self) -> Path:
        """The release folder served; ReleaseError when the app serves a store without one."""
        if self.release is None:
            raise ReleaseError("this app serves a store without a release folder")
        return self.release

    def close(self) -> None:
        """End what the app holds: the store's query processes and connections (once; later calls
        do nothing). A store passed in by the caller stays open: it is the caller's to close."""
        if self.closed:
            return
        self.closed = True
        if self.owns_store:
            self.store.close()


def open_ledger(settings: Settings) -> ClientLedger:
    """The per-client ledger in the server's ledger folder.

    ``twingraph serve`` makes one folder for all its worker processes (serve.py), so they count each
    client once; an app made on its own (tests, a WSGI server of one's choice) without ``ledger_dir``
    gets a private temporary folder, removed when the process exits.
    """
    folder = settings.ledger_dir
    if not folder:
        folder = tempfile.mkdtemp(prefix="twingraph-run-")
        atexit.register(shutil.rmtree, folder, True)
    return ClientLedger(Path(folder))


def attach(app: Flask, state: AppState) -> None:
    """Keep ``state`` in ``app`` and close it when the app goes away or the process exits."""
    app.extensions[EXTENSION] = state
    # A finalizer, not a teardown_appcontext hook: that one runs after every request, while the store
    # lives as long as the app. weakref.finalize also runs at interpreter exit (a worker's shutdown).
    weakref.finalize(app, state.close)


def app_state(app: Flask) -> AppState:
    """The state of ``app``."""
    state: AppState = app.extensions[EXTENSION]
    return state


def current_state() -> AppState:
    """The state of the app handling the current request."""
    state: AppState = current_app.extensions[EXTENSION]
    return state


def get_store() -> Store:
    """The store of the running app."""
    return current_state().store


def get_settings() -> Settings:
    """The settings of the running app."""
    return current_state().settings


def close_app(app: Flask) -> None:
    """Close what ``app`` holds now, without waiting for it to be garbage-collected."""
    app_state(app).close()
