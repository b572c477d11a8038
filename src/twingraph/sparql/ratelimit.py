"""Per-client rate limiting over the last minute, one count for the whole server.

The counts live in the server's shared ledger (sparql/ledger.py), so with several worker processes a
client still gets ``rate_limit`` requests a minute in all, not that many from each process.
"""

from __future__ import annotations

from twingraph.sparql.ledger import ClientLedger


class RateLimiter:
    """Allows each client ``per_minute`` requests to ``namespace`` in any minute (sliding window)."""

    def __init__(self, per_minute: int, ledger: ClientLedger, namespace: str = "sparql") -> None:
        self._ledger = ledger
        self._namespace = namespace
        self.per_minute = max(1, per_minute)

    def hit(self, client: str) -> int | None:
        """Count one request of ``client``; None if allowed, else the seconds to wait (Retry-After)."""
        refusal = self._ledger.hit(self._namespace, client, self.per_minute)
        return None if refusal is None else refusal.retry_after
