"""Rendered documents kept per release and variant: a release never changes while it is served.

A resource's page or RDF description rendered once for a variant (format, the reader's languages, the
URL it was asked at, which names the host, the page parameters and the language switch's links) is the
same bytes for every later request of that variant, so it is kept and answered from memory. What
differs per request stays out of it: the ``lang`` cookie a ``?lang=`` choice sets and the 304 of a
client that already holds the representation.

An answer is kept as it leaves the app, after the ``after_request`` hooks (signposting, Memento, the
security headers, a release's links kept inside it) added what they add: their headers depend on the
same URL, release and representation as the body, so a later request of the variant gets the finished
answer (a :class:`KeptResponse`) and the hooks pass it by. The hook that keeps answers is the app's
first, so Flask runs it after all the others (``keep_finished``).

A variant's 304 and a resource IRI's 303 are kept the same way (``NOT_MODIFIED``; web/resources.py),
and web/doc_lean.py sends kept answers of ``/doc/`` and ``/id/`` before Flask, from the WSGI environ
(``Rendered.line`` is the status line werkzeug sent).

The cache lives in the app's state (one per app, hence per release) and is bounded in bytes, not only
in entries: cachetools' LRU cache weighs each entry by its body and headers, and drops the least
recently used first. Nothing is rendered ahead: a page costs memory only once someone asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, Response, g, request
from werkzeug.datastructures import Headers

from twingraph.bounded_cache import BoundedCache

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

RenderKey = tuple[str, ...]
ENTRY_OVERHEAD = 400  # bytes an entry costs beyond its body and headers (key, tuples, the LRU's links)
PER_REQUEST_HEADERS = frozenset({"set-cookie"})
KEEP_KEY = "twingraph_keep"  # in flask.g: the key under which this request's answer is kept, its status
# In the WSGI environ: the key the lean path (web/doc_lean.py) looked up and did not find, so that the
# view behind it does not look it up a second time.
MISSED = "twingraph.render_missed"
NOT_MODIFIED = "304"  # the last part of the key of a variant's 304 (``key + (NOT_MODIFIED,)``)


class CheckedHeaders(Headers):
    """Headers made from pairs that werkzeug checked when the answer was first sent.

    ``Headers(pairs)`` checks every value for line breaks again, which costs more than the rest of a
    cache hit; a kept answer's headers were checked once, so they are copied as they are.
    """

    @classmethod
    def of_checked(cls, pairs: tuple[tuple[str, str], ...]) -> CheckedHeaders:
        """Headers holding ``pairs`` (already checked: werkzeug sent them once)."""
        headers = cls()
        headers._list = list(pairs)  # the list a Headers is made of (werkzeug 0.x to 3.x)
        return headers


class KeptResponse(Response):
    """A finished answer from the render cache: the ``after_request`` hooks have added their headers
    already (they pass it by, see :func:`is_finished`), and its headers are those sent the first time."""

    def get_wsgi_headers(self, environ: WSGIEnvironment) -> Headers:
        """The headers as kept: they are what werkzeug's own method made of them the first time (a 200
        without ``Location``, whose other fixes do not depend on the request)."""
        return self.headers


def is_finished(response: Response) -> bool:
    """Whether ``response`` is a finished answer from the render cache (the hooks leave it as it is)."""
    return isinstance(response, KeptResponse)


@dataclass(frozen=True)
class Rendered:
    """A rendered answer as it leaves the view: status, body bytes and headers (none set per request)."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    line: str = "200 OK"
    """The status line werkzeug sends (``303 SEE OTHER``)."""

    @classmethod
    def of(cls, response: Response, environ: WSGIEnvironment) -> Rendered:
        """What ``response`` (finished: after the hooks) holds that a later request of the same variant
        gets too: its body and the headers werkzeug sends for it, less the per-request ones."""
        items = response.get_wsgi_headers(environ).items()
        headers = tuple((name, value) for name, value in items if name.lower() not in PER_REQUEST_HEADERS)
        return cls(response.status_code, response.get_data(), headers, response.status)

    @property
    def weight(self) -> int:
        """Bytes this entry is counted as.

        >>> Rendered(200, b"abc", (("ETag", '"x"'),)).weight
        410
        """
        return ENTRY_OVERHEAD + len(self.body) + sum(len(k) + len(v) for k, v in self.headers)

    def response(self) -> KeptResponse:
        """A fresh finished response of the same status, bytes and headers (its own header list)."""
        return KeptResponse([self.body], status=self.status, headers=CheckedHeaders.of_checked(self.headers))


class RenderCache(BoundedCache[RenderKey, Rendered]):
    """A thread-safe LRU cache of rendered answers, at most ``max_bytes`` in all (0: keeps nothing)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, weight=_weight)


def _weight(rendered: Rendered) -> int:
    return rendered.weight


def keep_when_finished(key: RenderKey, status: int = 200) -> None:
    """Keep this request's answer under ``key`` once the hooks have finished it, if its status is
    ``status`` (a 200 that ``make_conditional`` turned into a 304 or a 206 is not kept as a 200)."""
    setattr(g, KEEP_KEY, (key, status))


def keep_finished(app: Flask, cache: RenderCache) -> None:
    """Register the hook that keeps finished answers in ``cache``: call it before any other
    ``after_request`` hook of ``app`` is registered, since Flask runs them in the reverse order."""

    @app.after_request
    def _keep(response: Response) -> Response:
        kept: tuple[RenderKey, int] | None = g.pop(KEEP_KEY, None)
        if kept is not None and response.status_code == kept[1] and not is_finished(response):
            cache.put(kept[0], Rendered.of(response, request.environ))
        return response
