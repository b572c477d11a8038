"""One thread-safe LRU cache bounded in bytes, for everything a release computes once and keeps: the
/sparql result cache (sparql/cache.py) and the rendered pages and descriptions (web/render_cache.py).

Built on cachetools' ``LRUCache`` (its ``getsizeof`` weighs each entry); what this adds is the lock
(cachetools' caches are not thread-safe, and the server runs several threads per process), the hit
and miss counters, and "an entry heavier than the whole budget is not kept" instead of an error.

>>> cache = BoundedCache(10, weight=len)
>>> cache.put("a", "12345"); cache.put("b", "123456"); cache.get("a") is None, cache.get("b")
(True, '123456')
>>> cache.put("c", "x" * 11); cache.get("c") is None, cache.size
(True, 6)
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most ``max_bytes`` of values in all, each weighing ``weight(value)``; least recently used
    first out. ``max_bytes`` 0 keeps nothing."""

    def __init__(self, max_bytes: int, weight: Callable[[V], int]) -> None:
        self.max_bytes = max(0, max_bytes)
        self._cache: LRUCache[K, V] = LRUCache(max(1, self.max_bytes), getsizeof=weight)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        """The value kept for ``key``, or None."""
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

    def put(self, key: K, value: V) -> None:
        """Keep a value (one heavier than the whole budget is not kept)."""
        if not self.max_bytes:
            return
        with self._lock, contextlib.suppress(ValueError):  # ValueError: heavier than the whole cache
            self._cache[key] = value

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)

    @property
    def size(self) -> int:
        """Bytes the cache counts as used."""
        with self._lock:
            return int(self._cache.currsize)
