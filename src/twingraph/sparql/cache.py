"""Answers kept by (release, normalized query, dataset, format), and the ETags derived from the same key.

The data of a release never changes, so an answer stays right for as long as the release is served:
a repeated query costs a dictionary look-up. The cache is bounded both in entries and in bytes
(cachetools' LRU cache, each entry weighing at least its share of the byte budget).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from twingraph.bounded_cache import BoundedCache
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


class ResultCache(BoundedCache[CacheKey, QueryAnswer]):
    """A thread-safe LRU cache of answers, at most ``entries`` of them and ``max_bytes`` in all: each
    answer weighs at least ``max_bytes / entries``."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        floor = max(1, max_bytes // max(1, entries))
        super().__init__(max_bytes, weight=lambda answer: max(floor, len(answer.body) + 200))
