"""The web application: ``create_app()`` and one blueprint per concern."""

from __future__ import annotations

from flask import Flask, current_app

from twingraph.config import Settings, load_settings
from twingraph.store import Store, open_store
from twingraph.web import errors

STORE_KEY = "twingraph.store"
SETTINGS_KEY = "twingraph.settings"


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the app for one release: settings default to the environment, the store to the release."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[STORE_KEY] = store if store is not None else open_store(settings)
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

    from twingraph.web import sparql

    app.register_blueprint(sparql.bp)

    from twingraph.web import health, openapi, security

    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    security.register(app)
    app.context_processor(base_context)
    if settings.proxy_hops > 0:
        # Behind nginx (docs/deploy.md): the client's address, scheme and host come from the proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def get_store() -> Store:
    """The store of the running app."""
    store: Store = current_app.extensions[STORE_KEY]
    return store


def get_settings() -> Settings:
    """The settings of the running app."""
    settings: Settings = current_app.extensions[SETTINGS_KEY]
    return settings
