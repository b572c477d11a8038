"""Run the app under Granian, a production HTTP server (never Flask's development server).

Granian was chosen over gunicorn by measurement (docs/hardening.md): on the realistic mix at 64
connections it served about 1.6x gunicorn gthread's and 2x gunicorn sync's throughput at half the
median latency, and because its HTTP layer is Rust (hyper) on an event loop, slow clients hold no
Python thread: a request reaches the app only once its headers are complete, and a client that has
not sent them within ``header_timeout`` seconds (a setting, 10 by default) is disconnected (slowloris).

Before any worker starts, the main process checks the release it is asked to serve: every file listed
in ``SHA256SUMS`` must be there with that digest, and the dump must load into the embedded store's
database. A partial or corrupted release stops ``twingraph serve`` with one line saying what is wrong
(exit code 2) instead of workers failing to boot one after another.
It also saves the release's reconciliation index once (reconcile/saved.py), which every worker reads
before it serves: a fresh worker's first reconciliation answer waits for no build; and the home page's
per-release values (web/release_facts.py): its first ``/`` runs no whole-release query.

SIGTERM or SIGINT is a graceful shutdown: the socket stops accepting, requests under way get up to
``query_timeout + GRACE_SECONDS`` to finish, and a worker's SPARQL query processes end with it
(they watch their parent). A worker that dies is started again.
"""

from __future__ import annotations

import dataclasses
import errno
import gc
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings

from twingraph.access_log import AccessLog, BatchedLines
from twingraph.config import Settings
from twingraph.reconcile.saved import index_path
from twingraph.release import ReleaseError, resolve_release, verify_release

APP_FACTORY = "twingraph.serve:served_app"
GRACE_SECONDS = 5  # beyond the query time limit, for a request under way to finish at shutdown
WARM_UP_SECONDS = 60.0  # longest a starting worker waits for its warm-up before it serves
# The time limit of each query that builds the saved index and values: whole-release reads of our own,
# run once per release, not a visitor's query. At 1M generated triples (about 30 s to build in all) one
# of them ran past the request limit (10 s by default) on a busy machine, and then every start tried
# again and every worker built the index itself (a start of 64 s instead of 9).
SAVE_QUERY_TIMEOUT = 600.0


class PortUnavailable(Exception):
    """The server cannot listen where the settings say (the port is taken, or the address is not ours)."""


def check_port(host: str, port: int) -> None:
    """Raise PortUnavailable, naming the port and the setting that changes it, unless we can listen there.

    Granian binds in Rust and fails with a long trace; trying the address first turns that into one
    line. (Another process may take the port between this check and the bind: then the trace shows.)
    """
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is fine
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"port {port} on {host} is in use by another program: stop it, or choose another port "
                "with --port or TWINGRAPH_PORT"
            ) from exc
        reason = exc.strerror or str(exc)
        raise PortUnavailable(
            f"cannot listen on {host}:{port} ({reason}): choose another address with --host/--port "
            "or TWINGRAPH_HOST/TWINGRAPH_PORT"
        ) from exc


def served_app() -> Flask:
    """The app as each server worker process builds it: ``create_app()`` from the environment, with the
    embedded store's query workers started at once, so that the first query after a worker (re)starts
    does not wait a second for them (they start lazily elsewhere: tests make many apps), and the
    reconciliation index and the site's labels ready before its first request."""
    from twingraph.store import EmbeddedStore
    from twingraph.web import create_app, warm_up
    from twingraph.web.reconcile import load_saved_index
    from twingraph.web.state import app_state

    app = create_app()
    store = app_state(app).store
    if isinstance(store, EmbeddedStore):
        store.pool()
    # Read before the first request (a fraction of a second; check_release saved it): the worker's
    # first reconciliation answer then needs no build. Without a saved index, warm_up builds one.
    load_saved_index(app)
    # Waited for (up to a bound): the site's labels are what the first page needs anyway, and built
    # beside the first requests they took the CPU those needed (a fresh worker's first reconciliation
    # batch took 3x a warm one). Past the bound (a slow remote store) the worker serves meanwhile.
    warm_up(app).join(WARM_UP_SECONDS)
    # What the worker built to serve (the site's labels, the reconciliation index, the release's
    # values: some 280,000 objects on the world graph) lives as long as the worker: moved out of the
    # garbage collector's reach, a full collection no longer walks it. Walking it held the GIL for 280
    # to 360 ms, once every few thousand pages under load, stalling every request of the worker (the
    # p99 of /doc); after the freeze a full collection takes 3 to 7 ms (docs/benchmarks.md).
    gc.freeze()
    if app_state(app).settings.access_log:
        app.wsgi_app = AccessLog(app.wsgi_app, BatchedLines())  # type: ignore[method-assign]
    return app


def server_options(settings: Settings) -> dict[str, Any]:
    """Granian's options for ``settings``: address, workers, threads, limits, graceful shutdown.

    >>> from twingraph.config import load_settings
    >>> options = server_options(load_settings({"threads": 3, "header_timeout": 2.5}, environ={}))
    >>> options["blocking_threads"], options["http1_settings"].header_read_timeout
    (3, 2500)
    """
    return {
        "address": settings.host,
        "port": settings.port,
        "interface": Interfaces.WSGI,
        "factory": True,
        "workers": max(1, settings.workers),
        "blocking_threads": max(1, settings.threads),
        "http": HTTPModes.http1,
        "websockets": False,
        "http1_settings": HTTP1Settings(header_read_timeout=round(settings.header_timeout * 1000)),
        # The access log is written by the app's own middleware (access_log.py, served_app): Granian's
        # called back into Python's logging after each response, 40% of a cached page's CPU.
        "log_access": False,
        "respawn_failed_workers": True,
        "workers_kill_timeout": int(settings.query_timeout) + GRACE_SECONDS,
    }


def settings_environment(settings: Settings) -> dict[str, str]:
    """``TWINGRAPH_*`` variables that make ``load_settings()`` return ``settings`` again.

    Granian starts its workers as fresh interpreters that build the app with ``create_app()``, which
    reads the environment: this is how the settings the command line gave reach them.
    """
    return {
        f"TWINGRAPH_{f.name.upper()}": str(getattr(settings, f.name)) for f in dataclasses.fields(settings)
    }


def check_release(settings: Settings) -> Path:
    """The release folder to serve, verified and loadable; ReleaseError (one line) if it is not.

    Opening the store here also prepares the embedded backend's database once, in the main process,
    before the workers open it.
    """
    folder = resolve_release(settings)
    verify_release(folder)
    from twingraph.store import StoreError, open_store
    from twingraph.web.release_facts import facts_path

    try:
        store = open_store(settings)
    except (SyntaxError, ValueError, OSError, StoreError) as exc:
        lines = str(exc).strip().splitlines()
        raise ReleaseError(
            f"release {folder.name!r} cannot be loaded: {lines[0] if lines else type(exc).__name__}"
        ) from exc
    cache_dir = settings.store_cache_dir or None
    missing = [
        module
        for module, saved in (
            ("twingraph.reconcile.saved", index_path(store, cache_dir)),
            ("twingraph.web.release_facts", facts_path(store, settings.base_iri, cache_dir)),
        )
        if not saved.is_file()
    ]
    store.close()
    del store  # the main process keeps no database open; each worker opens its own
    if missing:
        save_index_apart(settings, missing)
    return folder


def save_index_apart(settings: Settings, modules: list[str] | None = None) -> None:
    """Build and save the release's reconciliation index and the home page's values in a fresh
    interpreter, once per release, so that every worker reads them at start instead of building them
    (reconcile/saved.py, web/release_facts.py). ``modules``: which of the two to save (default both).

    Apart so that the main process, whose memory counts beside its workers', does not keep the index's
    objects (Python seldom returns freed memory to the system). Its queries may each run up to
    ``SAVE_QUERY_TIMEOUT`` seconds (the request limit, when longer). A failure only costs speed: the
    workers then build the index themselves, as before.
    """
    chosen = modules or ["twingraph.reconcile.saved", "twingraph.web.release_facts"]
    code = "; ".join(f"import {module}; {module}.save_configured()" for module in chosen)
    timeout = max(settings.query_timeout, SAVE_QUERY_TIMEOUT)
    env = {**os.environ, **settings_environment(dataclasses.replace(settings, query_timeout=timeout))}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        logging.getLogger(__name__).warning("reconciliation index or home page values not saved: %s", last)


def serve(settings: Settings) -> None:
    """Serve the configured release until SIGTERM/SIGINT (checks port and release before the workers).

    The workers share one run folder (``ledger_dir``; a new temporary one unless set) holding the
    per-client counters, so that rate limits and fair shares count a client once for the server.
    """
    check_port(settings.host, settings.port)
    check_release(settings)
    made = None
    if not settings.ledger_dir:
        made = tempfile.mkdtemp(prefix="twingraph-run-")
        settings = dataclasses.replace(settings, ledger_dir=made)
    os.environ.update(settings_environment(settings))
    try:
        Granian(APP_FACTORY, **server_options(settings)).serve()
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
