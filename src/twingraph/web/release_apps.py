"""Every release served side by side: ``/releases/<version>/...`` is the whole site of that release.

Each release gets its own app (the same ``create_app``, so the same pages, SPARQL protocol, limits
and Service Description) over its own read-only store; their protocol queries run in the main
release's pool of query worker processes (a job names its release's database), so that serving more
releases adds no processes. Apps are opened on the first request for
their release and kept in a small LRU: past ``CAPACITY`` open releases, or after ``IDLE_SECONDS``
without a request, the least recently used one is closed (its query worker processes end, its store
and caches are dropped), so memory stays bounded however many releases are on disk. An app that is
answering a request is never closed under it.

A WSGI middleware in front of the main app routes ``/releases/<version>/<rest>`` to the release's app
with ``SCRIPT_NAME`` extended, the way a mounted sub-application is (so ``url_for`` stays right).
"""

from __future__ import annotations

import contextvars
import dataclasses
import re
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask
from werkzeug.wsgi import ClosingIterator

from twingraph.config import Settings
from twingraph.release import ReleaseError
from twingraph.sparql.ratelimit import RateLimiter
from twingraph.store import EmbeddedStore, Store, open_store
from twingraph.store.database import (
    LAYOUT,
    _complete,
    cache_root,
    release_fingerprint,
)
from twingraph.versions.history import History
from twingraph.versions.permalinks import PermalinkStore
from twingraph.versions.registry import Release, ReleaseRegistry
from twingraph.web.state import AppState, Once, app_state, current_state

CAPACITY = 3  # default of settings.releases_open: releases open at once (store, caches, query workers)
IDLE_SECONDS = 600.0  # a release nobody asked for in this long is closed at the next request
_PATH = re.compile(r"^/releases/([^/]+)(/.*)$")
# Set while a release's app is built, so that create_app mounts no releases inside a release.
MOUNTING: contextvars.ContextVar[Release | None] = contextvars.ContextVar("twingraph_mounting", default=None)

T = TypeVar("T")
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class _Open:
    app: Flask
    store: Store
    last_used: float
    in_use: int = 0


class ReleaseApps:
    """The open releases' apps, least recently used first."""

    def __init__(self, settings: Settings, registry: ReleaseRegistry, capacity: int = CAPACITY) -> None:
        """Open apps for the releases of ``registry`` with ``settings`` (their ``release`` replaced)."""
        self._settings = settings
        self._registry = registry
        self.capacity = max(1, capacity)
        self._lock = threading.Lock()
        self._open: OrderedDict[str, _Open] = OrderedDict()
        self.state: VersionsState | None = None  # set by install(): the release apps share it

    def acquire(self, release: Release) -> Flask:
        """The app of ``release``, opened if need be; pair with :meth:`release_app`."""
        with self._lock:
            entry = self._open.get(release.version)
            if entry is None:
                entry = _Open(*self._build(release), last_used=time.monotonic())
                self._open[release.version] = entry
            self._open.move_to_end(release.version)
            entry.in_use += 1
            entry.last_used = time.monotonic()
            self._evict()
            return entry.app

    def release_app(self, version: str) -> None:
        """A request on ``version``'s app has ended."""
        with self._lock:
            entry = self._open.get(version)
            if entry is not None:
                entry.in_use -= 1
                entry.last_used = time.monotonic()

    def run_on(self, release: Release, task: Callable[[Store], T]) -> T:
        """Run ``task`` on ``release``'s store (opened if need be, kept open while it runs)."""
        self.acquire(release)
        try:
            with self._lock:
                store = self._open[release.version].store
            return task(store)
        finally:
            self.release_app(release.version)

    def open_versions(self) -> list[str]:
        """Versions whose apps are open, least recently used first."""
        with self._lock:
            return list(self._open)

    def close(self) -> None:
        """Close every open release."""
        with self._lock:
            for entry in self._open.values():
                entry.store.close()
            self._open.clear()

    def _build(self, release: Release) -> tuple[Flask, Store]:
        from twingraph.web import create_app

        settings = dataclasses.replace(self._settings, release=release.version)
        if settings.store == "embedded":
            prepare_apart(release, settings.store_cache_dir or None)
        store = open_store(settings)
        main = self.state.main_store if self.state else None
        if isinstance(store, EmbeddedStore) and isinstance(main, EmbeddedStore):
            store.share_pool(main)  # one pool of query processes for every release, not one each
        token = MOUNTING.set(release)
        try:
            app = create_app(settings, store)
        finally:
            MOUNTING.reset(token)
        app_state(app).versions = self.state
        limiter = self.state.main_limiter if self.state else None
        if limiter is not None:
            # One request budget per client across all releases, not one per release.
            app_state(app).sparql_limiter = limiter
        return app, store

    def _evict(self) -> None:
        now = time.monotonic()
        for version, entry in list(self._open.items()):
            idle = now - entry.last_used > IDLE_SECONDS
            over = len(self._open) > self.capacity
            if entry.in_use == 0 and (over or idle):
                entry.store.close()
                del self._open[version]


@dataclass
class VersionsState:
    """What the main app keeps for its releases: the registry, their change history, the open apps."""

    settings: Settings
    registry: ReleaseRegistry
    history: History
    apps: ReleaseApps
    main_store: Store | None = None
    """The main app's store, whose query worker pool the releases share."""
    main_limiter: RateLimiter | None = None
    """The main app's /sparql rate limiter: one request budget per client across all releases."""
    permalinks: Once[PermalinkStore] = dataclasses.field(default_factory=Once)
    """The permalinks of stored queries (one database for the main app and every release)."""


_PREPARE = (
    "import sys; from pathlib import Path; "
    "from twingraph.store.database import DUMP_NAME, prepare_database, release_fingerprint; "
    "folder = Path(sys.argv[1]); "
    "prepare_database(folder / DUMP_NAME, release_fingerprint(folder), sys.argv[2] or None)"
)


def prepare_apart(release: Release, cache_dir: str | None) -> None:
    """Bulk-load a release's database in a fresh Python process, unless it is loaded already.

    Why apart: the server's worker processes are forked from a parent that has used Oxigraph, and
    Oxigraph's bulk loader starts threads of its own, which hang in a forked child (found under
    Granian: the first request for an older release never answered). A new interpreter rather than
    multiprocessing's spawn, which would import the caller's ``__main__`` again.
    """
    fingerprint = release_fingerprint(release.folder)
    if _complete(cache_root(cache_dir) / f"{fingerprint}.{LAYOUT}", fingerprint):
        return
    done = subprocess.run(
        [sys.executable, "-c", _PREPARE, str(release.folder), cache_dir or ""],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ReleaseError(f"release {release.version!r} could not be loaded: {last}")


def get_versions(state: AppState | None = None) -> VersionsState:
    """The versions state of the running main app (a release's own app shares its parent's); of the
    app of ``state`` when given (no request context needed: web/doc_lean.py's, before Flask)."""
    versions = (state or current_state()).versions
    if not isinstance(versions, VersionsState):
        raise LookupError("this app serves no releases side by side")
    return versions


def mounted_release(state: AppState | None = None) -> Release | None:
    """The release a release's app serves (None in the main app); of the app of ``state`` when given."""
    return (state or current_state()).mounted_release


class ReleaseDispatcher:
    """WSGI middleware: ``/releases/<version>/<rest>`` to that release's app, the rest to the main app."""

    def __init__(self, main: WSGIApp, state: VersionsState) -> None:
        """Route in front of ``main``."""
        self._main = main
        self._state = state

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        match = _PATH.match(environ.get("PATH_INFO", ""))
        release = self._state.registry.get(match.group(1)) if match else None
        if match is None or release is None or self._state.settings.store == "remote":
            return self._main(environ, start_response)
        app = self._state.apps.acquire(release)
        inner = dict(environ)
        inner["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/releases/{release.version}"
        inner["PATH_INFO"] = match.group(2)
        try:
            body = app(inner, start_response)
        except BaseException:
            self._state.apps.release_app(release.version)
            raise
        return ClosingIterator(body, [lambda: self._state.apps.release_app(release.version)])
