"""Remote backend: any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso, QLever) over HTTP.

SPARQLWrapper is the client; queries go as URL-encoded POSTs (Virtuoso 7.2 never answers a POST of
``application/sparql-query``). Answers are requested in SPARQL JSON or N-Triples and parsed by Oxigraph
as they stream in, so that the result limit stops reading early and both backends serialize with the
same code (``results.py``); what an engine writes against the standard is read as the standard means
it (``quirks.py``). The endpoint's default graph must hold the merge of the named graphs, as
``load_remote`` loads it; an engine without a default graph of its own (Virtuoso) gets the merge in a
named graph (``default_graph``), and then every query that names no dataset is sent with
``default-graph-uri`` = that graph and ``named-graph-uri`` = each graph of the release (from the
manifest ``load_remote`` writes), so that it sees the release and nothing else. The endpoint must
enforce its own time limit (``oxigraph serve --timeout-s``, Virtuoso ``MaxQueryExecutionTime``): a
client can only stop waiting, never stop the query.
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
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from twingraph.store import guard, quirks
from twingraph.store.backend import Backend, boolean_of, solutions_of
from twingraph.store.base import (
    Dataset,
    EndpointFailed,
    Limits,
    QueryAnswer,
    QuerySyntaxError,
    QueryTimeout,
    Row,
    StoreUnavailable,
    Term,
)
from twingraph.store.database import release_fingerprint, release_version
from twingraph.store.lanes import SlowLanePass
from twingraph.store.load_remote import manifest_query
from twingraph.store.results import QueryResult, serialize_result, solution_rows
from twingraph.store.rewrite import with_base

_NTRIPLES = "application/n-triples"
_CLIENT_GRACE = 5.0  # seconds past the limit before the client gives up on a silent endpoint


class RemoteStore(Backend):
    """A SPARQL endpoint holding the release, queried over HTTP."""

    def __init__(
        self,
        query_url: str,
        version: str,
        fingerprint: str,
        base_iri: str,
        limits: Limits | None = None,
        default_graph: str = "",
    ) -> None:
        if not query_url:
            raise StoreUnavailable("the remote backend needs remote_query_url (TWINGRAPH_REMOTE_QUERY_URL)")
        super().__init__(version, fingerprint, base_iri, limits)
        self._url = query_url
        self._default_graph = default_graph

    @classmethod
    def for_release(
        cls,
        query_url: str,
        folder: Path,
        base_iri: str,
        limits: Limits | None = None,
        default_graph: str = "",
    ) -> RemoteStore:
        """A remote store said to hold the release in ``folder`` (``load_remote`` puts it there)."""
        version, fingerprint = release_version(folder), release_fingerprint(folder)
        return cls(query_url, version, fingerprint, base_iri, limits, default_graph)

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> list[Row]:
        """Run a SELECT over the union graph."""
        started = time.monotonic()
        text, dataset = self._bound(query, bindings)
        with self._open(text, JSON, dataset) as response, self._reading(started):
            solutions = ox.parse_query_results(response, format=ox.QueryResultsFormat.JSON)
            return list(solution_rows(solutions_of(solutions)))

    def construct(self, query: str, bindings: dict[str, Term] | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE over the union graph."""
        started = time.monotonic()
        text, dataset = self._bound(query, bindings)
        with self._open(text, _NTRIPLES, dataset) as response, self._reading(started):
            return [q.triple for q in ox.parse(response, format=ox.RdfFormat.N_TRIPLES)]

    def ask(self, query: str, bindings: dict[str, Term] | None = None) -> bool:
        """Run an ASK over the union graph."""
        started = time.monotonic()
        text, dataset = self._bound(query, bindings)
        with self._open(text, JSON, dataset) as response, self._reading(started):
            result = ox.parse_query_results(response, format=ox.QueryResultsFormat.JSON)
            boolean = quirks.as_boolean(result)
            return boolean_of(result if boolean is None else boolean)

    def answer(
        self,
        query: str,
        media_type: str,
        dataset: Dataset | None = None,
        slow_lane: SlowLanePass | None = None,
    ) -> QueryAnswer:
        """Run a protocol query on the endpoint: guarded, capped at the result limit (one lane: the
        endpoint stops long queries itself, so ``slow_lane`` is not asked)."""
        info = self.inspect(query)
        accept = _NTRIPLES if info.is_graph else JSON
        started = time.monotonic()
        text, dataset = self._scoped(query, info, dataset or Dataset())
        with self._open(text, accept, dataset) as response, self._reading(started):
            result: QueryResult | Iterator[ox.Quad]
            if info.is_graph:
                result = ox.parse(response, format=ox.RdfFormat.N_TRIPLES)
            else:
                result = ox.parse_query_results(response, format=ox.QueryResultsFormat.JSON)
                boolean = quirks.as_boolean(result) if info.form == "ASK" else None
                result = result if boolean is None else boolean
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
            raise EndpointFailed(f"the SPARQL endpoint's answer broke off: {exc}") from exc

    def _named_graphs(self) -> list[str]:
        if self._default_graph:
            rows = self.select(manifest_query(self._default_graph))
        else:
            rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g")
        return [g.value for row in rows if isinstance(g := row.get("g"), ox.NamedNode)]

    def _scoped(self, text: str, info: guard.QueryInfo, asked: Dataset) -> tuple[str, Dataset]:
        """The query text and dataset to send. With a merge graph (an engine whose implicit dataset is
        all its graphs) the dataset is always stated: the request's, the query's (completed: FROM
        alone means no named graphs, FROM NAMED alone an empty default graph), else the release's;
        and ``GRAPH <iri>`` naming a graph outside it reads an empty graph instead (see quirks)."""
        if not self._default_graph:
            return with_base(text, self._base), asked
        nothing = quirks.NO_GRAPH
        if not asked.is_empty:
            dataset = Dataset(asked.default_graphs or (nothing,), (*asked.named_graphs, nothing))
        elif info.from_graphs or info.from_named_graphs:
            dataset = Dataset(() if info.from_graphs else (nothing,), (nothing,))
        else:
            dataset = Dataset((self._default_graph,), (*self.graphs(), nothing))
        named = {*dataset.named_graphs, *info.from_named_graphs}
        return with_base(quirks.outside_graphs_emptied(text, self._base, named), self._base), dataset

    def close(self) -> None:
        """Nothing held open between requests."""

    def _bound(self, query: str, bindings: dict[str, Term] | None) -> tuple[str, Dataset]:
        text = self.bind(query, bindings)
        return self._scoped(text, guard.inspect_known_query(query, self._base), Dataset())

    def _open(self, query: str, accept: str, dataset: Dataset | None = None) -> Any:
        """Send the query; return the HTTP response (a context manager streaming the answer)."""
        client = SPARQLWrapper(self._url)
        client.setMethod(POST)  # URL-encoded: Virtuoso 7.2 hangs on a POST of the bare query
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
            response = client.query().response
        except QueryBadFormed as exc:
            raise QuerySyntaxError(f"malformed query: {_endpoint_message(exc)}") from exc
        except SPARQLWrapperException as exc:
            message = _endpoint_message(exc)
            if "timeout" in message.lower() or "timed out" in message.lower():
                raise QueryTimeout(self._timeout_message()) from exc
            raise EndpointFailed(f"the SPARQL endpoint failed: {message}") from exc
        except TimeoutError as exc:
            raise QueryTimeout(self._timeout_message()) from exc
        except urllib.error.HTTPError as exc:
            raise EndpointFailed(f"the SPARQL endpoint answered {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, ConnectionError) as exc:
            raise StoreUnavailable(f"the SPARQL endpoint cannot be reached: {exc}") from exc
        if quirks.is_partial(response.headers):
            response.close()
            raise QueryTimeout(self._timeout_message())
        return response if accept == _NTRIPLES else quirks.BlankNodeLabels(response)

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
