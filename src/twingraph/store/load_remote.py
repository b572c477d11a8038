"""Load a release into a remote SPARQL store, graph by graph.

With a Graph Store Protocol URL each named graph is replaced by an HTTP PUT of its N-Triples (what
Oxigraph server, Fuseki and Virtuoso implement; large graphs go as a PUT and then POSTs of at most
``GSP_CHUNK`` triples, so that no request is unbounded); with only a SPARQL Update URL each graph is
dropped and re-inserted in chunks of INSERT DATA. Graphs the release does not have are dropped, so
the endpoint mirrors the release exactly. A user and password, when given, answer the endpoint's
HTTP digest or basic challenge (Virtuoso's ``/sparql-graph-crud-auth`` and ``/sparql-auth``).

The default graph receives the RDF merge of the release (each triple once), as in the embedded
store: do not turn on a union-default-graph option of the endpoint (Oxigraph's repeats a triple once
per graph that holds it, which inflates counts and joins). An engine without a default graph of its
own (Virtuoso: a query without a dataset sees every graph, its system graphs too, and a triple once
per graph) gets the merge in the named graph ``default_graph`` instead, and beside it a small
manifest graph (``default_graph`` + ``#release``, SPARQL Service Description terms) naming the
release's graphs: the remote backend reads it to state the dataset of every query, and the next load
reads it to know which graphs it put there (it never drops a graph it did not load).
"""

from __future__ import annotations

import urllib.parse
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from twingraph.store.base import StoreError, StoreUnavailable
from twingraph.store.database import DUMP_NAME

UPDATE_CHUNK = 5000  # triples per INSERT DATA request
GSP_CHUNK = 100_000  # triples per Graph Store Protocol request
DEFAULT = ""  # the default graph, in the graph-name slot
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class Credentials:
    """User and password for the endpoint's write URLs (HTTP digest or basic authentication)."""

    user: str = ""
    password: str = ""

    def __bool__(self) -> bool:
        return bool(self.user)


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


def manifest_graph(default_graph: str) -> str:
    """The IRI of the graph naming the release's graphs, beside the merge graph ``default_graph``.

    >>> manifest_graph("urn:x-twingraph:merge")
    'urn:x-twingraph:merge#release'
    """
    return f"{default_graph}#release"


def manifest_query(default_graph: str) -> str:
    """A SELECT of the release's graph names (``?g``) out of the manifest, sorted."""
    return (
        f"PREFIX sd: <{SD}>\nSELECT DISTINCT ?g FROM <{manifest_graph(default_graph)}> "
        "WHERE { ?dataset sd:namedGraph ?named . ?named sd:name ?g } ORDER BY ?g"
    )


def load_remote(
    folder: Path,
    query_url: str,
    store_url: str = "",
    update_url: str = "",
    timeout: float = 300,
    default_graph: str = "",
    credentials: Credentials | None = None,
) -> LoadReport:
    """Make the endpoint hold exactly the release in ``folder`` (its ``twingraph.trig``).

    ``default_graph``: the named graph receiving the merge, for engines without a default graph of
    their own (see the module's docstring); empty: the endpoint's default graph.
    """
    if not store_url and not update_url:
        raise StoreError("loading needs remote_store_url (Graph Store Protocol) or remote_update_url")
    credentials = credentials or Credentials()
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    merge: dict[ox.Triple, None] = {}
    for quad in ox.parse(path=str(folder / DUMP_NAME), format=ox.RdfFormat.TRIG):
        merge[quad.triple] = None
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs[quad.graph_name.value].append(quad.triple)
    if default_graph in graphs:
        raise StoreError(f"remote_default_graph <{default_graph}> is a graph of the release itself")
    previous = _loaded_graphs(query_url, timeout, default_graph)
    stale = [g for g in previous if g not in graphs]
    uploads: list[tuple[str, Sequence[ox.Triple]]] = list(graphs.items())
    if default_graph:
        uploads += [
            (default_graph, list(merge)),
            (manifest_graph(default_graph), _manifest(default_graph, graphs)),
        ]
    else:
        uploads.append((DEFAULT, list(merge)))
    client = _client(credentials, [u for u in (store_url, update_url) if u], timeout)
    try:
        for name, triples in uploads:
            if store_url:
                _put_graph(client, store_url, name, triples)
            else:
                _update_graph(client, update_url, name, triples)
        for name in stale:
            if store_url:
                _request(client, _graph_url(store_url, name), "DELETE", b"", None)
            else:
                _update(client, update_url, f"DROP SILENT GRAPH <{name}>")
    except httpx.HTTPError as exc:
        raise StoreUnavailable(f"loading into the remote store failed: {exc}") from exc
    finally:
        client.close()
    return LoadReport({name: len(triples) for name, triples in graphs.items()}, tuple(stale), len(merge))


def _manifest(default_graph: str, graphs: dict[str, list[ox.Triple]]) -> list[ox.Triple]:
    """The release's dataset in Service Description terms: the merge graph and the named graphs."""
    dataset = ox.NamedNode(manifest_graph(default_graph))
    out = [
        ox.Triple(dataset, RDF_TYPE, ox.NamedNode(SD + "Dataset")),
        ox.Triple(dataset, ox.NamedNode(SD + "defaultGraph"), ox.NamedNode(default_graph)),
    ]
    for name in sorted(graphs):
        graph = ox.NamedNode(name)
        out.append(ox.Triple(dataset, ox.NamedNode(SD + "namedGraph"), graph))
        out.append(ox.Triple(graph, ox.NamedNode(SD + "name"), graph))
    return out


def _client(credentials: Credentials, urls: list[str], timeout: float) -> httpx.Client:
    """An HTTP client for the write URLs, authenticated before any large body is sent.

    Digest authentication answers a challenge, and an engine that challenges a PUT of megabytes may
    close the connection before reading it (Virtuoso does: a broken pipe). So a body-less GET asks
    for the challenge first, and httpx then sends every request with its answer up front."""
    client = httpx.Client(timeout=timeout)
    if not credentials:
        return client
    try:
        _authenticate(client, credentials, urls)
    except httpx.HTTPError as exc:
        client.close()
        raise StoreUnavailable(f"the remote store cannot be reached: {exc}") from exc
    return client


def _authenticate(client: httpx.Client, credentials: Credentials, urls: list[str]) -> None:
    schemes = set()
    for url in urls:
        challenge = client.get(url).headers.get("www-authenticate", "")
        schemes.add(challenge.split(" ", 1)[0].lower())
    if "digest" in schemes:
        client.auth = httpx.DigestAuth(credentials.user, credentials.password)
        for url in urls:
            client.get(url)  # answers the challenge once; the digest is then reused up front
    else:
        client.auth = httpx.BasicAuth(credentials.user, credentials.password)


def _graph_url(store_url: str, graph: str) -> str:
    separator = "&" if "?" in store_url else "?"
    if graph == DEFAULT:
        return f"{store_url}{separator}default"
    return f"{store_url}{separator}graph={urllib.parse.quote(graph, safe='')}"


def _put_graph(client: httpx.Client, store_url: str, graph: str, triples: Sequence[ox.Triple]) -> None:
    """PUT the first chunk (replacing the graph), POST the others (adding to it)."""
    url = _graph_url(store_url, graph)
    for start in range(0, max(len(triples), 1), GSP_CHUNK):
        body = ox.serialize(triples[start : start + GSP_CHUNK], format=ox.RdfFormat.N_TRIPLES) or b""
        _request(client, url, "PUT" if start == 0 else "POST", body, "application/n-triples")


def _request(client: httpx.Client, url: str, method: str, body: bytes, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.request(method, url, content=body, headers=headers)
    if response.status_code >= 400:
        message = f"{method} {url} answered {response.status_code}: {response.text[:300]}"
        if response.status_code in (401, 403):  # the credentials in the settings: for the user to fix
            raise StoreError(message + " (check TWINGRAPH_REMOTE_USER and TWINGRAPH_REMOTE_PASSWORD)")
        raise StoreUnavailable(message)


def _update_graph(client: httpx.Client, update_url: str, graph: str, triples: Sequence[ox.Triple]) -> None:
    target = "DEFAULT" if graph == DEFAULT else f"GRAPH <{graph}>"
    _update(client, update_url, f"DROP SILENT {target}")
    for start in range(0, len(triples), UPDATE_CHUNK):
        nt = ox.serialize(triples[start : start + UPDATE_CHUNK], format=ox.RdfFormat.N_TRIPLES) or b""
        chunk = nt.decode("utf-8")
        data = chunk if graph == DEFAULT else f"GRAPH <{graph}> {{\n{chunk}}}"
        _update(client, update_url, f"INSERT DATA {{ {data} }}")


def _update(client: httpx.Client, update_url: str, text: str) -> None:
    # A URL-encoded POST (update=...): Virtuoso 7.2 never answers a POST of application/sparql-update.
    body = urllib.parse.urlencode({"update": text}).encode("utf-8")
    _request(client, update_url, "POST", body, "application/x-www-form-urlencoded")


def _loaded_graphs(query_url: str, timeout: float, default_graph: str) -> list[str]:
    """The graphs a previous load put there: every named graph, or those of the manifest."""
    client = SPARQLWrapper(query_url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setOnlyConneg(True)
    client.setTimeout(int(timeout))
    if default_graph:
        client.setQuery(manifest_query(default_graph))
    else:
        client.setQuery("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    try:
        data = client.queryAndConvert()
    except (OSError, SPARQLWrapperException) as exc:
        raise StoreUnavailable(f"the SPARQL endpoint cannot be reached: {exc}") from exc
    assert isinstance(data, dict)
    return [b["g"]["value"] for b in data["results"]["bindings"] if b.get("g", {}).get("type") == "uri"]
