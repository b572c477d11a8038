"""The base class of the store backends: what the embedded and the remote backend share.

Both hold one release (its version and fingerprint), the query limits and the base IRI; both pass
every query through the read-only guard first, bind values the same way (a VALUES block, see
:mod:`twingraph.store.rewrite`), and check that a query has the form the caller asked for. Only how
a query reaches the data differs: an Oxigraph database in worker processes, or an HTTP endpoint.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import pyoxigraph as ox

from twingraph.namespaces import BaseNamespaces
from twingraph.store import guard
from twingraph.store.base import Dataset, Limits, QueryAnswer, QuerySyntaxError, Row, Term
from twingraph.store.rewrite import with_values

INSPECTED_ENTRIES = 256  # guarded query texts remembered per store
INSPECTED_TEXT = 8192  # longer texts are guarded anew each time


class Backend(ABC):
    """A read-only store holding one release; subclasses say how a query reaches the data."""

    def __init__(self, version: str, fingerprint: str, base_iri: str, limits: Limits | None = None) -> None:
        self._version = version
        self._fingerprint = fingerprint
        self._base = base_iri
        self._limits = limits or Limits()
        self._prefixes = BaseNamespaces(base_iri).prefixes()
        self._graphs: list[str] | None = None
        self._inspected: dict[str, guard.QueryInfo] = {}

    @property
    def version(self) -> str:
        """Version of the release the store holds (part of every ETag)."""
        return self._version

    @property
    def fingerprint(self) -> str:
        """Version and content digest of the data: the key of ETags and cached results."""
        return self._fingerprint

    @property
    def limits(self) -> Limits:
        """Time and size limits of protocol queries."""
        return self._limits

    def graphs(self) -> list[str]:
        """Names of the named graphs (asked once: the release does not change under the store)."""
        if self._graphs is None:
            self._graphs = self._named_graphs()
        return list(self._graphs)

    def inspect(self, query: str) -> guard.QueryInfo:
        """Guard a protocol query (raises QueryRefused / QuerySyntaxError) and say what it is.

        Remembered for the last queries that passed: the web layer guards a request before it counts
        it, and :meth:`answer` guards the same text again (the guard's lexer is Python, about as slow
        as a light query's whole run in the engine)."""
        info = self._inspected.get(query)
        if info is None:
            info = guard.inspect_query(query, self._base, set(self.graphs()))
            if len(query) <= INSPECTED_TEXT:
                if len(self._inspected) >= INSPECTED_ENTRIES:
                    self._inspected.clear()
                self._inspected[query] = info
        return info

    def in_process(self, query: str, dataset: Dataset) -> bool:
        """Whether :meth:`answer` answers this guarded query in the web process (only the embedded
        backend does, for queries whose work is provably small)."""
        return False

    def bind(self, query: str, bindings: dict[str, Term] | None) -> str:
        """One of our own queries with ``bindings`` as a VALUES block (SERVICE stays refused)."""
        guard.inspect_known_query(query, self._base)
        try:
            return with_values(query, bindings or {})
        except ValueError as exc:
            raise QuerySyntaxError(f"malformed query: {exc}") from exc

    @abstractmethod
    def select(self, query: str, bindings: dict[str, Term] | None = None) -> list[Row]:
        """Run a SELECT over the union graph; rows map variable names to terms (unbound ones absent)."""

    @abstractmethod
    def construct(self, query: str, bindings: dict[str, Term] | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE over the union graph."""

    @abstractmethod
    def ask(self, query: str, bindings: dict[str, Term] | None = None) -> bool:
        """Run an ASK over the union graph."""

    @abstractmethod
    def answer(self, query: str, media_type: str, dataset: Dataset | None = None) -> QueryAnswer:
        """Run a protocol query and serialize its answer in ``media_type``."""

    @abstractmethod
    def close(self) -> None:
        """Release processes, connections and files."""

    @abstractmethod
    def _named_graphs(self) -> list[str]:
        """Ask the data for the names of its named graphs, sorted."""


def solutions_of(result: object) -> ox.QuerySolutions:
    """``result`` as the solutions of a SELECT; QuerySyntaxError when the query was of another form."""
    if not isinstance(result, ox.QuerySolutions):
        raise QuerySyntaxError("select() needs a SELECT query")
    return result


def triples_of(result: object) -> ox.QueryTriples:
    """``result`` as the triples of a CONSTRUCT or DESCRIBE; QuerySyntaxError otherwise."""
    if not isinstance(result, ox.QueryTriples):
        raise QuerySyntaxError("construct() needs a CONSTRUCT or DESCRIBE query")
    return result


def boolean_of(result: object) -> bool:
    """``result`` as the answer of an ASK; QuerySyntaxError otherwise."""
    if not isinstance(result, ox.QueryBoolean):
        raise QuerySyntaxError("ask() needs an ASK query")
    return bool(result)
