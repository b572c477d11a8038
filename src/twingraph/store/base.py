"""The store interface every web feature goes through, whatever the backend.

Terms are pyoxigraph terms on both backends (the remote backend parses its endpoint's answers
into them), so pages, reconciliation and the SPARQL endpoint run unchanged on either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

if TYPE_CHECKING:
    from twingraph.store.guard import QueryInfo
    from twingraph.store.lanes import SlowLanePass

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def term_text(term: Term) -> str:
    """The lexical form of a literal or the IRI of a node (quoted triples as N-Triples).

    >>> term_text(ox.Literal("Amiens", language="fr")), term_text(ox.NamedNode("https://example.org/a"))
    ('Amiens', 'https://example.org/a')
    """
    return str(term) if isinstance(term, ox.Triple) else term.value


Row = dict[str, Term]


class StoreError(Exception):
    """Base of store errors; ``status`` is the HTTP status the web layer answers with, ``title`` the
    short name its error answers carry (the ``error`` field of JSON, the first words of text)."""

    status = 500
    title = "Store Error"


class QuerySyntaxError(StoreError):
    """The query does not parse; the message holds the parser's message and position."""

    status = 400
    title = "Malformed Query"


class QueryRefused(StoreError):
    """The query is well-formed but not allowed here (update, SERVICE, remote FROM, ...)."""

    status = 403
    title = "Query Refused"


class QueryTimeout(StoreError):
    """The query ran past the time limit and was stopped (its worker process was ended).

    422 Unprocessable Content, not 503: the request is understood and well-formed, but this server
    will not finish it, now or later, so retrying the same query cannot help (503 and ``Retry-After``
    say the opposite, and clients and proxies retry 5xx and 408 on their own). The client has to
    change the query; the message says how.
    """

    status = 422
    title = "Query Timeout"


class QueryTooLarge(StoreError):
    """The query needed more memory than a query may use, and was stopped.

    422 like :class:`QueryTimeout`: the same query would be stopped again, so no 503 and no retry.
    """

    status = 422
    title = "Query Too Large"


class EndpointFailed(StoreError):
    """The remote SPARQL endpoint answered the query with an error of its own (one of its limits, an
    internal error) or broke its answer off: 502, the upstream server's failure, with its words."""

    status = 502
    title = "Bad Gateway"


class StoreUnavailable(StoreError):
    """The backend cannot be reached; retry later."""

    status = 503
    title = "Store Unavailable"


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a protocol request (``default-graph-uri`` / ``named-graph-uri``)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the request names no graphs (the store's own union default graph applies)."""
        return not self.default_graphs and not self.named_graphs


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized query answer for the SPARQL endpoint; ``truncated`` when the result limit cut it."""

    body: bytes
    media_type: str
    truncated: bool = False


@dataclass(frozen=True)
class Limits:
    """What one query may cost: seconds before it is stopped, rows or triples it may return, and the
    memory (MiB) of the process that runs it (embedded backend)."""

    timeout: float = 10.0
    result_limit: int = 10000
    memory_mb: int = 2048


class Store(Protocol):
    """A read-only SPARQL store holding one release."""

    @property
    def version(self) -> str:
        """Version of the release the store holds (part of every ETag)."""
        ...

    @property
    def fingerprint(self) -> str:
        """Identifies the exact data held (version and content): the key of ETags and cached results."""
        ...

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> list[Row]:
        """Run a SELECT over the union graph; rows map variable names to terms (unbound ones absent)."""
        ...

    def construct(self, query: str, bindings: dict[str, Term] | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE over the union graph."""
        ...

    def ask(self, query: str, bindings: dict[str, Term] | None = None) -> bool:
        """Run an ASK over the union graph."""
        ...

    def answer(
        self,
        query: str,
        media_type: str,
        dataset: Dataset | None = None,
        slow_lane: SlowLanePass | None = None,
    ) -> QueryAnswer:
        """Run a protocol query and serialize its answer in ``media_type`` (``slow_lane``: the client's
        share of the slow lane, for backends that have lanes, store/lanes.py)."""
        ...

    def graphs(self) -> list[str]:
        """Names of the named graphs (the sources, the ontology, the inferred graph)."""
        ...

    def in_process(self, query: str, dataset: Dataset) -> bool:
        """Whether :meth:`answer` answers this guarded query in the web process, without a worker
        (its work provably small; store/degrees.py)."""
        ...

    def inspect(self, query: str) -> QueryInfo:
        """Guard a protocol query (store/guard.py: raises QueryRefused / QuerySyntaxError) and say
        what it is."""
        ...

    def close(self) -> None:
        """Release processes, connections and files."""
        ...
