"""Errors mapped to responses in one visible table, rendered in the format the client asked for."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from twingraph.store.base import QueryTimeout, QueryTooLarge, StoreError, StoreUnavailable
from twingraph.store.lanes import SlowLaneFull, SlowLaneRefused

RETRY_AFTER_SECONDS = 5


def render_error(status: int, title: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """One renderer for every error: HTML for browsers, JSON for API clients, plain text otherwise."""
    best = request.accept_mimetypes.best_match(["text/plain", "application/json", "text/html"], "text/plain")
    if best == "text/html":
        body = render_template("error.html", status=status, title=title, message=message)
        response = Response(body, status=status, mimetype="text/html")
    elif best == "application/json":
        response = Response(
            Response.json_module.dumps({"status": status, "error": title, "message": message}) + "\n",
            status=status,
            mimetype="application/json",
        )
    else:
        response = Response(f"{status} {title}: {message}\n", status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_error(exc: HTTPException) -> Response:
    headers = dict(exc.get_headers())
    headers.pop("Content-Type", None)
    return render_error(exc.code or 500, exc.name, exc.description or exc.name, headers)


NARROW_A_QUERY = (
    "Retrying will not help: narrow the query. Put a LIMIT on it, bind a subject or a type first "
    "(?s a tg:Partnership), avoid unbounded property paths (tg:twinnedWith+), or download the data "
    "from /dumps/ and query it on your own machine."
)


def _store_error(exc: StoreError) -> Response:
    # Retry-After only where waiting helps (the backend is away, the slow lane is full, the client's
    # share frees); a stopped query needs another query.
    headers = (
        {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(exc, StoreUnavailable | SlowLaneFull) else {}
    )
    if isinstance(exc, SlowLaneRefused):  # the client's share: it knows when a place frees
        headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, QueryTimeout | QueryTooLarge):
        return render_error(exc.status, exc.title, f"{exc}. {NARROW_A_QUERY}", headers)
    return render_error(exc.status, exc.title, str(exc), headers)


def _unexpected(exc: Exception) -> Response:
    # Never a stack trace or a path in a response; the log keeps the details.
    from flask import current_app

    current_app.logger.exception("unexpected error")
    return render_error(
        500, "Internal Server Error", "The server met an unexpected error; it has been logged."
    )


def register(app: Flask) -> None:
    """Register the table of exception -> response on the app."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StoreError, _store_error)
    app.register_error_handler(Exception, _unexpected)
