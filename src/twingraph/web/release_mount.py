"""Mounting the releases on an app: the blueprints of versions (releases, Memento, feed, as-of,
permalinks, signposting) and the dispatcher in front of ``/releases/<version>/...``.

Apart from ``release_apps`` because these blueprints read the versions state through it: installing
them there would make the module import its own readers.
"""

from __future__ import annotations

from flask import Flask

from twingraph.config import Settings
from twingraph.versions.history import History
from twingraph.versions.registry import ReleaseRegistry
from twingraph.web.release_apps import (
    MOUNTING,
    ReleaseApps,
    ReleaseDispatcher,
    VersionsState,
)
from twingraph.web.state import app_state


def install(app: Flask, settings: Settings) -> None:
    """Mount the releases in front of ``app`` (the main app) or mark ``app`` as one release's app."""
    mounting = MOUNTING.get()
    if mounting is not None:
        app_state(app).mounted_release = mounting
        from twingraph.web import asof, memento, signposting

        memento.register_memento_hooks(app)
        signposting.register(app)
        app.register_blueprint(asof.bp)
        return
    from twingraph.web import asof, feed, memento, permalinks, releases, signposting

    registry = ReleaseRegistry(settings.dist_dir)
    state = VersionsState(
        settings,
        registry,
        History(settings.base_iri + "id/"),
        ReleaseApps(settings, registry, settings.releases_open),
    )
    state.apps.state = state
    state.main_limiter = app_state(app).sparql_limiter
    state.main_store = app_state(app).store
    app_state(app).versions = state
    app.register_blueprint(releases.bp)
    app.register_blueprint(memento.bp)
    app.register_blueprint(feed.bp)
    app.register_blueprint(asof.bp)
    app.register_blueprint(permalinks.bp)
    memento.register_original_hooks(app)
    feed.register_feed_links(app)
    signposting.register(app)
    app.wsgi_app = ReleaseDispatcher(app.wsgi_app, state)  # type: ignore[method-assign]
