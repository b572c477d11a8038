"""Remote backend: any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso, QLever) over HTTP.

SPARQLWrapper is the client. Answers are requested in SPARQL JSON or N-Triples and parsed by Oxigraph
as they stream in, so that the result limit stops reading early and both backends serialize with the
same code (``results.py``). The endpoint must use the union of the named graphs as its default graph
(``oxigraph serve --union-default-graph``; Fuseki ``tdb:unionDefaultGraph true``) and enforce its own
time limit (``oxigraph serve --timeout-s``): a client can only stop waiting, never stop the query.
"""

from __future__ import annotations

import ast
import time
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from twingraph.namespaces import BaseNamespaces
from twingraph.sparql import guard  # a module import: guard imports store.base in turn
from twingraph.sparql.rewrite import with_base, with_values
from twingraph.store.base import (
    Dataset,
    Limits,
    QueryAnswer,
    QuerySyntaxError,
    QueryTimeout,
    Row,
    StoreError,
    StoreUnavailable,
    Term,
)
from twingraph.store.database import release_fingerprint, release_version
from twingraph.store.lanes import SlowLanePass
from twingraph.store.results import QueryResult, serialize_result, solution_rows

_NTRIPLES = "application/n-triples"
_CLIENT_GRACE = 5.0  # seconds past the limit before the client gives up on a silent endpoint


class RemoteStore:
    """A SPARQL endpoint holding the release, queried over HTTP."""

    def __init__(
        self, query_url: str, version: str, fingerprint: str, base_iri: str, limits: Limits | None = None
    ) -> None:
        if not query_url:
            raise StoreUnavailable("the remote backend needs remote_query_url (TWINGRAPH_REMOTE_QUERY_URL)")
        self._url = query_url
        self._version = version
        self._fingerprint = fingerprint
        self._base = base_iri
        self._limits = limits or Limits()
        self._prefixes = BaseNamespaces(base_iri).prefixes()
        self._graphs: list[str] | None = None

    @classmethod
    def for_release(
        cls, query_url: str, folder: Path, base_iri: str, limits: Limits | None = None
    ) -> RemoteStore:
        """A remote store said to hold the release in ``folder`` (``load_remote`` puts it there)."""
        return cls(query_url, release_version(folder), release_fingerprint(folder), base_iri, limits)

    @property
    def version(self) -> str:
        """Version of the release loaded into the endpoint."""
        return self._version

    @property
    def fingerprint(self) -> str:
        """Version and content digest of the release loaded into the endpoint."""
        return self._fingerprint

    @property
    def limits(self) -> Limits:
        """Time and size limits of protocol queries."""
        return self._limits

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> list[Row]:
        """Run a SELECT over the union graph."""
        started = time.monotonic()
        with self._open(self._bound(query, bindings), JSON) as response, self._reading(started):
            solutions = ox.parse_query_results(response, format=ox.QueryResultsFormat.JSON)
            if not isinstance(solutions, ox.QuerySolutions):
                raise QuerySyntaxError("select() needs a SELECT query")
            return list(solution_rows(solutions))

    def construct(self, query: str, bindings: dict[str, Term] | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE over the union graph."""
        started = time.monotonic()
        with self._open(self._bound(query, bindings), _NTRIPLES) as response, self._reading(started):
            return [q.triple for q in ox.parse(response, format=ox.RdfFormat.N_TRIPLES)]

    def ask(self, query: str, bindings: dict[str, Term] | None = None) -> bool:
        """Run an ASK over the union graph."""
        started = time.monotonic()
        with self._open(self._bound(query, bindings), JSON) as response, self._reading(started):
            result = ox.parse_query_results(response, format=ox.QueryResultsFormat.JSON)
            if not isinstance(result, ox.QueryBoolean):
                raise QuerySyntaxError("ask() needs an ASK query")
            return bool(result)

    def answer(
        self,
        query: str,
        media_type: str,
        dataset: Dataset | None = None,
        slow_lane: SlowLanePass | None = None,
    ) -> QueryAnswer:
        """Run a protocol query on the endpoint: guarded, capped at the result limit (one lane: the
        endpoint stops long queries itself, so ``slow_lane`` is not asked)."""
        dataset = dataset or Dataset()
        info = guard.inspect_query(query, self._base, set(self.graphs()))
        accept = _NTRIPLES if info.is_graph else JSON
        started = time.monotonic()
        with self._open(with_base(query, self._base), accept, dataset) as response, self._reading(started):
            result: QueryResult | Iterator[ox.Quad]
            if info.is_graph:
                result = ox.parse(response, format=ox.RdfFormat.N_TRIPLES)
            else:
                result = ox.parse_query_results(response, format=ox.QueryResultsFormat.JSON)
            return serialize_result(result, media_type, self._limits.result_limit, self._prefixes)

    @contextmanager
    def _reading(self, started: float) -> Iterator[None]:
        """Map failures while the answer streams in. An endpoint that stops a query at its own limit
        has often sent the start of the answer already, and then breaks it off (Oxigraph's server
        appends its error text): an answer that breaks off once the limit has passed timed out."""
        try:
            yield
        except TimeoutError as exc:
            raise QueryTimeout(self._timeout_message()) from exc
        except (SyntaxError, OSError) as exc:
            late = time.monotonic() - started >= 0.8 * self._limits.timeout
            if late or "cancel" in str(exc).lower() or "timeout" in str(exc).lower():
                raise QueryTimeout(self._timeout_message()) from exc
            raise StoreError(f"the SPARQL endpoint's answer broke off: {exc}") from exc

    def graphs(self) -> list[str]:
        """Names of the named graphs of the endpoint."""
        if self._graphs is None:
            rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g")
            self._graphs = [g.value for row in rows if isinstance(g := row.get("g"), ox.NamedNode)]
        return list(self._graphs)

    def close(self) -> None:
        """Nothing held open between requests."""

    def _bound(self, query: str, bindings: dict[str, Term] | None) -> str:
        guard.inspect_known_query(query, self._base)  # our pages' queries, yet SERVICE stays refused
        try:
            return with_base(with_values(query, bindings or {}), self._base)
        except ValueError as exc:
            raise QuerySyntaxError(str(exc)) from exc

    def _open(self, query: str, accept: str, dataset: Dataset | None = None) -> Any:
        """Send the query; return the HTTP response (a context manager streaming the answer)."""
        client = SPARQLWrapper(self._url)
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
        client.setOnlyConneg(True)
        client.setTimeout(int(self._limits.timeout + _CLIENT_GRACE))
        if accept == JSON:
            client.setReturnFormat(JSON)
        else:
            client.addCustomHttpHeader("Accept", accept)
        for graph in dataset.default_graphs if dataset else ():
            client.addDefaultGraph(graph)
        for graph in dataset.named_graphs if dataset else ():
            client.addNamedGraph(graph)
        client.setQuery(query)
        try:
            return client.query().response
        except QueryBadFormed as exc:
            raise QuerySyntaxError(f"malformed query: {_endpoint_message(exc)}") from exc
        except SPARQLWrapperException as exc:
            message = _endpoint_message(exc)
            if "timeout" in message.lower() or "timed out" in message.lower():
                raise QueryTimeout(self._timeout_message()) from exc
            raise StoreError(f"the SPARQL endpoint failed: {message}") from exc
        except TimeoutError as exc:
            raise QueryTimeout(self._timeout_message()) from exc
        except urllib.error.HTTPError as exc:
            raise StoreError(f"the SPARQL endpoint answered {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, ConnectionError) as exc:
            raise StoreUnavailable(f"the SPARQL endpoint cannot be reached: {exc}") from exc

    def _timeout_message(self) -> str:
        return f"the query ran longer than the limit of {self._limits.timeout:g} s and was stopped"


def _endpoint_message(exc: SPARQLWrapperException) -> str:
    """The endpoint's own words, out of SPARQLWrapper's message (which holds them as a bytes repr)."""
    text = str(exc)
    _, found, raw = text.partition("Response:\n")
    if not found:
        return text
    try:
        body = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw
    return body.decode("utf-8", "replace").strip() if isinstance(body, bytes) else str(body)
