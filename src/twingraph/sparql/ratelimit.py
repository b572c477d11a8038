"""Per-client rate limiting (a moving window over the last minute), with the ``limits`` library.

The counts live in the memory of each server process, so with several workers a client gets up to
``rate_limit`` requests per minute from each; put a proxy in front for a global limit.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimiter:
    """Allows each client ``per_minute`` requests in any 60-second window."""

    def __init__(self, per_minute: int, namespace: str = "sparql") -> None:
        self._item = RateLimitItemPerMinute(max(1, per_minute))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._namespace = namespace
        self.per_minute = per_minute

    def hit(self, client: str) -> int | None:
        """Count one request of ``client``; None if allowed, else the seconds to wait (Retry-After)."""
        if self._limiter.hit(self._item, self._namespace, client):
            return None
        stats = self._limiter.get_window_stats(self._item, self._namespace, client)
        return max(1, math.ceil(stats.reset_time - time.time()))
