"""Answers kept by (release, normalized query, dataset, format), and the ETags derived from the same key.

The data of a release never changes, so an answer stays right for as long as the release is served:
a repeated query costs a dictionary look-up. The cache is bounded both in entries and in bytes
(cachetools' LRU cache, each entry weighing at least its share of the byte budget).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from dataclasses import dataclass

from cachetools import LRUCache

from twingraph.store.base import Dataset, QueryAnswer


@dataclass(frozen=True)
class CacheKey:
    """What an answer depends on: nothing else goes into it."""

    fingerprint: str
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    media_type: str

    @classmethod
    def of(cls, fingerprint: str, normalized_query: str, dataset: Dataset, media_type: str) -> CacheKey:
        """The key of one request."""
        return cls(fingerprint, normalized_query, dataset.default_graphs, dataset.named_graphs, media_type)

    @property
    def tag(self) -> str:
        """The opaque part of the entity tag: a digest of the key.

        >>> len(CacheKey("1.0.0-ab", "ASK { }", (), (), "text/csv").tag)
        32
        """
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:32]


class ResultCache:
    """A thread-safe LRU cache of answers, at most ``entries`` of them and ``max_bytes`` in all."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self._floor = max(1, max_bytes // max(1, entries))
        self._cache: LRUCache[CacheKey, QueryAnswer] = LRUCache(max(1, max_bytes), getsizeof=self._weight)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _weight(self, answer: QueryAnswer) -> int:
        return max(self._floor, len(answer.body) + 200)

    def get(self, key: CacheKey) -> QueryAnswer | None:
        """The cached answer, or None."""
        with self._lock:
            answer = self._cache.get(key)
            if answer is None:
                self.misses += 1
            else:
                self.hits += 1
            return answer

    def put(self, key: CacheKey, answer: QueryAnswer) -> None:
        """Keep an answer (one larger than the whole budget is not kept)."""
        with self._lock, contextlib.suppress(ValueError):
            self._cache[key] = answer

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)

    @property
    def size(self) -> int:
        """Bytes the cache counts as used."""
        with self._lock:
            return int(self._cache.currsize)
