"""The web application: ``create_app()`` and one blueprint per concern."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache

from twingraph.config import Settings, load_settings
from twingraph.release import ReleaseError, resolve_release
from twingraph.store import Store, open_store
from twingraph.web import cors, errors
from twingraph.web.render_cache import keep_finished
from twingraph.web.state import AppState, attach, get_settings, get_store

# get_store/get_settings live in twingraph.web.state (blueprint modules import them from there, so
# that they do not import this package back); named here too for code written before the move.
__all__ = ["create_app", "get_settings", "get_store"]


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the app for one release: settings default to the environment, the store to the release.

    A store passed in stays the caller's to close; one opened here is closed with the app
    (:func:`twingraph.web.state.close_app`, or when the app is garbage-collected or the process exits).
    """
    settings = settings or load_settings()
    try:
        release: Path | None = resolve_release(settings)
    except ReleaseError:
        if store is None:
            raise
        release = None  # a store given without a release folder (tests of a bare store)
    app = Flask(__name__)
    # Compiled templates are kept on disk (keyed by their source's checksum), so that the first page
    # of a fresh worker does not spend half a second compiling the page templates.
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache()
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    owned = store is None
    state = AppState(settings, store if store is not None else open_store(settings), release, owned)
    attach(app, state)
    # The first after_request hook runs last: it keeps pages as the other hooks finished them.
    keep_finished(app, state.renders)
    cors.register(app)  # one table for every route, before the kept answers are kept
    errors.register(app)

    from twingraph.web import home, ontology, pages, resources
    from twingraph.web.render import base_context

    app.register_blueprint(home.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(ontology.bp)

    from twingraph.web import reconcile, reconcile_v1

    app.register_blueprint(reconcile.bp)
    app.register_blueprint(reconcile_v1.bp)

    from twingraph.web import dumps

    app.register_blueprint(dumps.bp)

    from twingraph.web import sparql, sparql_lean

    app.register_blueprint(sparql.bp)
    sparql_lean.install(app)  # query requests of /sparql answered before Flask, same answers

    from twingraph.web import doc_lean

    doc_lean.install(app)  # kept answers of /doc/ and /id/ sent before Flask, same answers

    from twingraph.web import health, openapi, security

    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    security.register(app)
    app.context_processor(base_context)
    from twingraph.web import release_mount

    release_mount.install(app, settings)  # /releases/<version>/..., Memento, the change feed
    if settings.proxy_hops > 0:
        # Behind nginx (docs/deploy.md): the client's address, scheme and host come from the proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def warm_up(app: Flask) -> threading.Thread:
    """Build what the first requests would otherwise build (the reconciliation and search index, the
    site's labels) in a background thread, so that a fresh server worker answers its first
    reconciliation batch from a ready index; a request that comes sooner waits for the same build."""

    def build() -> None:
        from twingraph.web.labels import site_data
        from twingraph.web.reconcile import get_index

        with app.app_context():
            site_data()
            get_index()

    thread = threading.Thread(target=build, name="twingraph-warm-up", daemon=True)
    thread.start()
    return thread
