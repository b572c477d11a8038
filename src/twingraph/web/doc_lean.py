"""The lean path of ``/doc/...`` and ``/id/...``: answers kept in the render cache, sent before Flask.

A kept answer (web/render_cache.py) costs a dictionary look-up; on the way to it, Flask's request and
app contexts, URL routing, the ``after_request`` hooks (which pass a kept answer by) and flask-cors
cost several times that on every request. This middleware, installed by ``create_app`` around Flask's
own WSGI app (as web/sparql_lean.py is for ``/sparql``), works out the render cache's key of a GET
from the WSGI environ with the functions the views use (web/resources.py: the format from the suffix
or ``Accept``, the reader's language, the release, the URL asked at) and sends what is kept under it:

- a description (``/doc/<type>/<slug>``, any format), status, bytes and headers as first sent;
- its 304 when the request's validators say the client holds it (kept the first time Flask answered
  that 304: a 304's headers are the same for every request of the variant);
- the 303 of a resource IRI (``/id/<type>/<slug>``), which depends on nothing but the URL.

Everything else goes to Flask untouched, which answers as it always did and keeps what it rendered:
a miss, a method other than GET, a ``?lang=`` choice (its answer sets the language cookie), a query
string with an escape (it might spell ``lang``), a ``Range`` request, a state not built yet (the
release stamp, before the first page), or a fault here. Nothing is counted or limited on pages, so
there is nothing the lean path must do that Flask would otherwise do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.sansio.utils import get_current_url
from werkzeug.wsgi import get_host

from twingraph.formats import split_suffix
from twingraph.web.conneg import CONDITIONAL_HEADERS, client_holds, format_for
from twingraph.web.render import LANG_PARAMETER, language_of
from twingraph.web.render_cache import MISSED, NOT_MODIFIED, Rendered
from twingraph.web.resources import SEE_OTHER, render_key, variant_of
from twingraph.web.signposting import signposted_release
from twingraph.web.state import AppState, app_state

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
DOC = "/doc/"
ID = "/id/"
HOST_MEMO = 64  # distinct hosts remembered per app


class LeanDocs:
    """WSGI middleware: kept answers of ``/doc/`` and ``/id/`` sent here, everything else by Flask."""

    def __init__(self, app: Flask, flask_wsgi: WSGIApp) -> None:
        """Answer for ``app`` (its state is read at each request) in front of ``flask_wsgi``."""
        self._app = app
        self._flask = flask_wsgi

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        path = environ.get("PATH_INFO", "")
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not (path.startswith(DOC) or path.startswith(ID))
            or "HTTP_RANGE" in environ
        ):
            return self._flask(environ, start_response)
        try:
            kept = kept_answer(app_state(self._app), environ, path)
        except Exception:  # anything unexpected: Flask answers (and says what went wrong)
            kept = None
        if kept is None:
            return self._flask(environ, start_response)
        start_response(kept.line, list(kept.headers))
        return [kept.body] if kept.body else []


def kept_answer(state: AppState, environ: dict[str, Any], path: str) -> Rendered | None:
    """The kept answer to the GET ``environ`` of ``path``, or None (Flask answers it). A miss is
    marked in the environ (``MISSED``), so that the view does not look the same key up again."""
    stamp = state.release_stamp.built
    if stamp is None:
        return None
    signposted = signposted_release(state)
    if path.startswith(ID):
        key = render_key(environ, stamp, signposted, SEE_OTHER)
    else:
        query = str(environ.get("QUERY_STRING", ""))
        if LANG_PARAMETER in query or "%" in query:
            return None  # a language choice: its answer sets the cookie
        _segment, slash, slug = path[len(DOC) :].partition("/")
        if not slash:
            return None
        fmt = split_suffix(slug)[1] or format_for(state, environ.get("HTTP_ACCEPT"))
        if fmt is None:
            return None  # 406: Flask says which formats there are
        lang = language_of(state, environ, "") if "page" in fmt.kinds else None
        variant = variant_of(fmt, lang, query, lambda: host_url(state, environ))
        key = render_key(environ, stamp, signposted, variant)
        if CONDITIONAL_HEADERS.intersection(environ) and client_holds(environ, stamp, variant):
            return state.renders.get((*key, NOT_MODIFIED))
    kept = state.renders.get(key)
    if kept is None:
        environ[MISSED] = key
    return kept


def host_url(state: AppState, environ: dict[str, Any]) -> str:
    """``request.host_url`` of ``environ`` (scheme and host, as werkzeug makes it), remembered per app
    for each combination of what it is made of (werkzeug's IRI conversion costs more than a hit)."""
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    asked = (scheme, *(str(environ.get(name, "")) for name in ("HTTP_HOST", "SERVER_NAME", "SERVER_PORT")))
    return state.pages.get("host-url", asked, lambda: get_current_url(scheme, get_host(environ)), HOST_MEMO)


def install(app: Flask) -> None:
    """Put the lean path in front of ``app``'s Flask WSGI app (inside ProxyFix and the release
    dispatcher, which are installed after it)."""
    app.wsgi_app = LeanDocs(app, app.wsgi_app)  # type: ignore[method-assign]
