"""Per-client rate limiting over the last minute, one count for the whole server.

The counts live in the server's shared ledger (sparql/ledger.py), so with several worker processes a
client still gets ``rate_limit`` requests a minute in all, not that many from each process.

A look at the ledger is a transaction under a lock every process of the server shares; counting every
request of a busy client one by one made that lock the slowest part of a cached answer (issue 17's
profile: two thirds of the lean /sparql path). So a process counts a busy client's requests ahead, in
small **leases**: it records ``n`` requests at once and lets the next ``n`` through without looking at
the ledger again, for at most ``LEASE_SECONDS``. A lease never lets more through than the ledger
counted, so the limit holds across processes; what a process counted and did not use is lost, which
can refuse a client a little early, never late. A lease is at most a hundredth of the limit (so below
200 requests a minute every request is counted on its own, as before), starts at one request, doubles
while the client uses each lease up before it expires, and halves when it does not.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from twingraph.sparql.ledger import ClientLedger

LEASE_SECONDS = 1.0
LEASE_SHARE = 100  # a lease is at most per_minute // LEASE_SHARE requests
LEASE_MAX = 256
_MAX_CLIENTS = 4096  # leases kept per process; beyond, the expired ones are dropped


@dataclass
class _Lease:
    left: int
    size: int
    until: float


class RateLimiter:
    """Allows each client ``per_minute`` requests to ``namespace`` in any minute (sliding window)."""

    def __init__(self, per_minute: int, ledger: ClientLedger, namespace: str = "sparql") -> None:
        self.ledger = ledger
        self.namespace = namespace
        self.per_minute = max(1, per_minute)
        self._largest = max(1, min(LEASE_MAX, self.per_minute // LEASE_SHARE))
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> int | None:
        """Count one request of ``client``; None if allowed, else the seconds to wait (Retry-After)."""
        now = time.monotonic()
        with self._lock:
            lease = self._leases.get(client)
            if lease is not None and lease.left > 0 and now < lease.until:
                lease.left -= 1
                return None
            size = 1 if lease is None else _next_size(lease, now, self._largest)
        granted = self.ledger.hit_many(self.namespace, client, self.per_minute, size)
        if isinstance(granted, int):
            with self._lock:
                if len(self._leases) >= _MAX_CLIENTS:
                    self._leases = {c: ls for c, ls in self._leases.items() if ls.until > now}
                self._leases[client] = _Lease(granted - 1, size, now + LEASE_SECONDS)
            return None
        return granted.retry_after


def _next_size(lease: _Lease, now: float, largest: int) -> int:
    """Double a lease the client used up before it expired; halve one it did not.

    >>> _next_size(_Lease(0, 4, 10.0), 9.0, 100), _next_size(_Lease(2, 4, 10.0), 11.0, 100)
    (8, 2)
    """
    if lease.left <= 0 and now < lease.until:
        return min(largest, lease.size * 2)
    return max(1, lease.size // 2)
