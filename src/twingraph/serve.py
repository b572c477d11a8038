"""Run the app under gunicorn, the production WSGI server (never Flask's development server)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from twingraph.config import Settings
from twingraph.release import resolve_release


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self._settings
        self.cfg.set("bind", f"{s.host}:{s.port}")
        self.cfg.set("workers", s.workers)
        self.cfg.set("graceful_timeout", 10)
        self.cfg.set("timeout", int(s.query_timeout) + 30)
        self.cfg.set("accesslog", "-")

    def load(self) -> Any:
        from twingraph.web import create_app

        return create_app(self._settings)


def serve(settings: Settings) -> None:
    """Serve the configured release until interrupted (checks the release before forking workers)."""
    resolve_release(settings)
    _Gunicorn(settings).run()
