"""A fair share of the query workers per client, counted for the whole server (sparql/ledger.py).

What one client (its address; behind trusted proxies, the forwarded one) may use, as Wikidata's query
service does it: ``client_queries`` queries running at once, ``client_query_seconds`` seconds of query
time a minute, and ``client_slow_queries`` places in the slow lane (store/lanes.py). Beyond each, 429
with ``Retry-After`` and a message naming the share that is used up. Only queries that reach a query
worker count: answers from the result cache, 304s and pages never ask for a share.

A query stopped because its client had no place left in the slow lane is charged the whole time limit:
it asked for a long run the server had already granted the client elsewhere, and cost the server a
worker process. This is what stops a client from retrying runaway queries in the fast lane.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import TracebackType

from twingraph.config import Settings
from twingraph.sparql.ledger import ClientLedger, Refusal
from twingraph.store.lanes import SlowLaneRefused


@dataclass(frozen=True)
class FairShare:
    """What one client may use."""

    in_flight: int
    seconds_per_minute: float
    slow_per_client: int
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> FairShare:
        """The share the settings give."""
        return cls(
            in_flight=max(1, settings.client_queries),
            seconds_per_minute=settings.client_query_seconds,
            slow_per_client=max(0, settings.client_slow_queries),
            timeout=settings.query_timeout,
        )


class ClientRefused(Exception):
    """A client asked for more than its share."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


class QueryTicket:
    """One admitted query: its place in the ledger from admission until it ends (a context manager).

    It is the ``SlowLanePass`` the store's worker pool asks when the query outgrows the fast lane.
    """

    def __init__(self, ledger: ClientLedger, share: FairShare, client: str, query: int) -> None:
        self._ledger = ledger
        self._share = share
        self._client = client
        self._query = query
        self._started = time.monotonic()
        self._penalty = 0.0

    def running(self) -> None:
        """A worker took the query: the time it waited for one is not charged."""
        self._started = time.monotonic()

    def claim_slow(self) -> SlowLaneRefused | None:
        """A place in the slow lane, or the refusal (429) when the client's places are taken."""
        refusal = self._ledger.claim_slow(
            self._query, self._client, self._share.slow_per_client, self._share.timeout
        )
        if refusal is None:
            return None
        self._penalty = self._share.timeout
        return SlowLaneRefused(f"{refusal.message}; retry in {refusal.retry_after} s", refusal.retry_after)

    def __enter__(self) -> QueryTicket:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        spent = time.monotonic() - self._started
        self._ledger.end(self._query, self._client, max(spent, self._penalty))


class InProcessTicket:
    """A query the store answers in the web process, its work provably small (store/degrees.py):
    admitted against the client's share like any query (its running queries and its query time), but
    it takes no place among the running queries (it holds no worker), and its time is charged after
    it, with other such charges (``ClientLedger.charge_later``): no write transaction of its own."""

    def __init__(self, ledger: ClientLedger, share: FairShare, client: str) -> None:
        self._ledger = ledger
        self._share = share
        self._client = client
        self._started = time.monotonic()

    def running(self) -> None:
        """The query starts now."""
        self._started = time.monotonic()

    def claim_slow(self) -> SlowLaneRefused | None:
        """Never granted: a query admitted to run in process that ends up in a worker (a text the
        engine refuses is worded by the workers) has no place in the slow lane."""
        return SlowLaneRefused("the query was admitted as a light one and ran past the fast lane", 1)

    def __enter__(self) -> InProcessTicket:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._ledger.charge_later(self._client, time.monotonic() - self._started)


class Fairness:
    """The admission desk of the query workers: one per app, over the server's shared ledger."""

    def __init__(self, ledger: ClientLedger, share: FairShare) -> None:
        self.ledger = ledger
        self.share = share

    def admit(self, client: str, in_process: bool = False) -> QueryTicket | InProcessTicket:
        """A ticket for one query of ``client``; ClientRefused when it is over its share.
        ``in_process``: the store answers it in the web process (``Store.in_process``)."""
        if in_process:
            verdict = self.ledger.within_share(
                client, self.share.in_flight, self.share.seconds_per_minute, self.share.timeout
            )
            if isinstance(verdict, Refusal):
                raise ClientRefused(verdict)
            if verdict:
                return InProcessTicket(self.ledger, self.share, client)
        admitted = self.ledger.begin(
            client, self.share.in_flight, self.share.seconds_per_minute, self.share.timeout
        )
        if isinstance(admitted, Refusal):
            raise ClientRefused(admitted)
        return QueryTicket(self.ledger, self.share, client, admitted)
