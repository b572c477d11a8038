"""Load a release into a remote SPARQL store, graph by graph.

With a Graph Store Protocol URL each named graph is replaced by an HTTP PUT of its N-Triples (what
Oxigraph server, Fuseki and Virtuoso implement); with only a SPARQL Update URL each graph is dropped
and re-inserted in chunks of INSERT DATA. Graphs the endpoint holds that the release does not are
dropped, so the endpoint mirrors the release exactly.

The default graph receives the RDF merge of the release (each triple once), as in the embedded
store: do not turn on a union-default-graph option of the endpoint (Oxigraph's repeats a triple once
per graph that holds it, which inflates counts and joins).
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from twingraph.store.base import StoreUnavailable
from twingraph.store.database import DUMP_NAME

UPDATE_CHUNK = 5000  # triples per INSERT DATA request
DEFAULT = ""  # the default graph, in the graph-name slot


@dataclass(frozen=True)
class LoadReport:
    """What was loaded: triples per named graph, graphs dropped, triples of the default graph (the merge)."""

    graphs: dict[str, int]
    dropped: tuple[str, ...]
    default_triples: int = 0

    @property
    def triples(self) -> int:
        """Triples loaded in all."""
        return sum(self.graphs.values())


def load_remote(
    folder: Path, query_url: str, store_url: str = "", update_url: str = "", timeout: float = 300
) -> LoadReport:
    """Make the endpoint hold exactly the release in ``folder`` (its ``twingraph.trig``)."""
    if not store_url and not update_url:
        raise StoreUnavailable("loading needs remote_store_url (Graph Store Protocol) or remote_update_url")
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    merge: dict[ox.Triple, None] = {}
    for quad in ox.parse(path=str(folder / DUMP_NAME), format=ox.RdfFormat.TRIG):
        merge[quad.triple] = None
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs[quad.graph_name.value].append(quad.triple)
    stale = [g for g in _remote_graphs(query_url, timeout) if g not in graphs]
    try:
        for name, triples in [*graphs.items(), (DEFAULT, list(merge))]:
            if store_url:
                _put_graph(store_url, name, triples, timeout)
            else:
                _update_graph(update_url, name, triples, timeout)
        for name in stale:
            if store_url:
                _request(_graph_url(store_url, name), "DELETE", b"", None, timeout)
            else:
                _update(update_url, f"DROP SILENT GRAPH <{name}>", timeout)
    except (OSError, SPARQLWrapperException) as exc:
        raise StoreUnavailable(f"loading into the remote store failed: {exc}") from exc
    return LoadReport({name: len(triples) for name, triples in graphs.items()}, tuple(stale), len(merge))


def _graph_url(store_url: str, graph: str) -> str:
    separator = "&" if "?" in store_url else "?"
    if graph == DEFAULT:
        return f"{store_url}{separator}default"
    return f"{store_url}{separator}graph={urllib.parse.quote(graph, safe='')}"


def _put_graph(store_url: str, graph: str, triples: list[ox.Triple], timeout: float) -> None:
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    _request(_graph_url(store_url, graph), "PUT", body, "application/n-triples", timeout)


def _request(url: str, method: str, body: bytes, content_type: str | None, timeout: float) -> None:
    request = urllib.request.Request(url, data=body, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


def _update_graph(update_url: str, graph: str, triples: list[ox.Triple], timeout: float) -> None:
    target = "DEFAULT" if graph == DEFAULT else f"GRAPH <{graph}>"
    _update(update_url, f"DROP SILENT {target}", timeout)
    for start in range(0, len(triples), UPDATE_CHUNK):
        nt = ox.serialize(triples[start : start + UPDATE_CHUNK], format=ox.RdfFormat.N_TRIPLES) or b""
        chunk = nt.decode("utf-8")
        data = chunk if graph == DEFAULT else f"GRAPH <{graph}> {{\n{chunk}}}"
        _update(update_url, f"INSERT DATA {{ {data} }}", timeout)


def _update(update_url: str, text: str, timeout: float) -> None:
    client = SPARQLWrapper(update_url, updateEndpoint=update_url)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    client.setTimeout(int(timeout))
    client.setQuery(text)
    client.query()


def _remote_graphs(query_url: str, timeout: float) -> list[str]:
    client = SPARQLWrapper(query_url)
    client.setReturnFormat(JSON)
    client.setOnlyConneg(True)
    client.setTimeout(int(timeout))
    client.setQuery("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    try:
        data = client.queryAndConvert()
    except (OSError, SPARQLWrapperException) as exc:
        raise StoreUnavailable(f"the SPARQL endpoint cannot be reached: {exc}") from exc
    assert isinstance(data, dict)
    return [b["g"]["value"] for b in data["results"]["bindings"] if b.get("g", {}).get("type") == "uri"]
