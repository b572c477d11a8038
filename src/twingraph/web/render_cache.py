"""Rendered documents kept per release and variant: a release never changes while it is served.

A resource's page or RDF description rendered once for a variant (format, the reader's languages, the
URL it was asked at, which names the host, the page parameters and the language switch's links) is the
same bytes for every later request of that variant, so it is kept and answered from memory. What
differs per request stays out of it: the ``lang`` cookie a ``?lang=`` choice sets, the 304 of a
client that already holds the representation, and what the app's ``after_request`` hooks add.

The cache lives in the app's state (one per app, hence per release) and is bounded in bytes, not only
in entries: cachetools' LRU cache weighs each entry by its body and headers, and drops the least
recently used first. Nothing is rendered ahead: a page costs memory only once someone asked for it.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import Response

RenderKey = tuple[str, ...]
ENTRY_OVERHEAD = 400  # bytes an entry costs beyond its body and headers (key, tuples, the LRU's links)
PER_REQUEST_HEADERS = frozenset({"set-cookie"})


@dataclass(frozen=True)
class Rendered:
    """A rendered answer as it leaves the view: status, body bytes and headers (none set per request)."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, response: Response) -> Rendered:
        """What ``response`` holds that a later request of the same variant gets too."""
        items = response.headers.items()
        headers = tuple((name, value) for name, value in items if name.lower() not in PER_REQUEST_HEADERS)
        return cls(response.status_code, response.get_data(), headers)

    @property
    def weight(self) -> int:
        """Bytes this entry is counted as.

        >>> Rendered(200, b"abc", (("ETag", '"x"'),)).weight
        410
        """
        return ENTRY_OVERHEAD + len(self.body) + sum(len(k) + len(v) for k, v in self.headers)

    def response(self) -> Response:
        """A fresh response of the same status, bytes and headers (the hooks may change it freely)."""
        return Response(self.body, status=self.status, headers=list(self.headers))


class RenderCache:
    """A thread-safe LRU cache of rendered answers, at most ``max_bytes`` in all (0: keeps nothing)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self._cache: LRUCache[RenderKey, Rendered] = LRUCache(max(1, self.max_bytes), getsizeof=_weight)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: RenderKey) -> Rendered | None:
        """The rendered answer of ``key``, or None."""
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

    def put(self, key: RenderKey, rendered: Rendered) -> None:
        """Keep an answer (one heavier than the whole budget is not kept)."""
        if not self.max_bytes:
            return
        with self._lock, contextlib.suppress(ValueError):  # ValueError: larger than the cache
            self._cache[key] = rendered

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)

    @property
    def size(self) -> int:
        """Bytes the cache counts as used."""
        with self._lock:
            return int(self._cache.currsize)


def _weight(rendered: Rendered) -> int:
    return rendered.weight
