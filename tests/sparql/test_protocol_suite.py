"""The W3C SPARQL 1.1 Protocol tests, generated from the official manifest, over HTTP, on every backend
(embedded, remote Oxigraph, Virtuoso).

Each test's requests are sent as the manifest writes them (method, headers, body, body encoding) to
the real server, with ``/sparql/`` rewritten to the endpoint. The service is read-only, so the tests
that expect an update to succeed are inverted: the update must be refused with a 4xx, the follow-up
ASK must not see its effect, and the whole dataset must be unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from support.sparql import PROTOCOL

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

pytestmark = pytest.mark.server


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    encoding: str
    statuses: list[str]
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        return (
            "sparql-update" in content_type
            or (self.body or "").startswith("update=")
            or "update=" in self.path.split("?", 1)[-1]
        )


@dataclass
class ProtocolTest:
    name: str
    requests: list[Request] = field(default_factory=list)


def _items(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head))


def load_manifest() -> list[ProtocolTest]:
    """Every test of manifest.ttl, in the manifest's order (rdflib parses the manifest)."""
    graph = Graph()
    manifest = PROTOCOL / "manifest.ttl"
    graph.parse(manifest, format="turtle", publicID=manifest.as_uri())
    head = graph.value(URIRef(manifest.as_uri()), MF.entries)
    tests = []
    for entry in _items(graph, head):
        test = ProtocolTest(str(entry).rsplit("#", 1)[-1])
        action = graph.value(entry, MF.action)
        for req in _items(graph, graph.value(action, HT.requests)):
            headers = {}
            headers_list = graph.value(req, HT.headers)
            if headers_list is not None:
                for header in _items(graph, headers_list):
                    headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                        graph.value(header, HT.fieldValue)
                    )
            body_node = graph.value(req, HT.body)
            body = str(graph.value(body_node, CNT.chars)) if body_node is not None else None
            encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8") if body_node else "UTF-8"
            resp = graph.value(req, HT.resp)
            statuses = sorted(str(s).rsplit("#", 1)[-1] for s in graph.objects(resp, MF.expectedStatus))
            fmt = graph.value(resp, MF.expectedFormat)
            boolean = graph.value(resp, MF.expectedBoolean)
            test.requests.append(
                Request(
                    method=str(graph.value(req, HT.methodName)),
                    path=str(graph.value(req, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    encoding=encoding,
                    statuses=statuses,
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=boolean.toPython() if boolean is not None else None,
                )
            )
        tests.append(test)
    return tests


TESTS = load_manifest()


def test_the_manifest_has_all_34_tests() -> None:
    assert len(TESTS) == 34
    assert sum(1 for t in TESTS if t.name.startswith("update_")) == 7


def _url(endpoint: str, path: str) -> str:
    assert path.startswith("/sparql/"), path
    return endpoint + path[len("/sparql/") :]


def _send(client: httpx.Client, endpoint: str, req: Request) -> httpx.Response:
    content = None
    if req.body is not None:
        content = req.body.encode("utf-16" if req.encoding.upper() == "UTF-16" else "utf-8")
    return client.request(req.method, _url(endpoint, req.path), headers=req.headers, content=content)


def _status_ok(status: int, expected: list[str]) -> bool:
    classes = {f"StatusCode{status // 100}xx", f"StatusCode{status}"}
    return bool(classes & set(expected))


def _check_format(response: httpx.Response, req: Request) -> bool | None:
    """Parse the answer as the format the test expects; return the boolean of an ASK answer."""
    media_type = response.headers["content-type"].split(";")[0].strip()
    if req.expected_format == "RDF":
        fmt = ox.RdfFormat.from_media_type(media_type)
        assert fmt is not None, f"not an RDF media type: {media_type}"
        list(ox.parse(response.content, format=fmt))
        return None
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    assert results_format is not None, f"not a SPARQL results media type: {media_type}"
    result = ox.parse_query_results(response.content, format=results_format)
    if req.expected_format == "boolean":
        assert isinstance(result, ox.QueryBoolean)
        return bool(result)
    assert isinstance(result, ox.QuerySolutions)
    list(result)
    return None


def _dataset_snapshot(client: httpx.Client, endpoint: str) -> list[str]:
    """Every quad the service holds, named graphs and default graph, sorted (N-Quads lines)."""
    query = "SELECT ?g ?s ?p ?o WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
    response = client.get(f"{endpoint}?query={quote(query)}", headers={"Accept": "text/tab-separated-values"})
    assert response.status_code == 200
    rows = response.text.splitlines()[1:]
    assert rows, "the protocol release holds data"
    return sorted(rows)


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(test: ProtocolTest, protocol_endpoint: str) -> None:
    with httpx.Client(timeout=30) as client:
        inverted = any(
            r.is_update and any(s.startswith("StatusCode2") for s in r.statuses) for r in test.requests
        )
        before = _dataset_snapshot(client, protocol_endpoint) if inverted else None
        for req in test.requests:
            response = _send(client, protocol_endpoint, req)
            assert "access-control-allow-origin" in response.headers, "CORS on every response"
            if req.is_update:
                # Read-only service: every update is refused with a 4xx and a message saying why.
                assert 400 <= response.status_code < 500, (response.status_code, response.text)
                assert response.text.strip()
                continue
            if inverted and req.expected_boolean is not None:
                # The follow-up ASK of an inverted test: the refused update must have had no effect.
                assert response.status_code == 200, response.text
                assert _check_format(response, req) is (not req.expected_boolean)
                continue
            assert _status_ok(response.status_code, req.statuses), (response.status_code, response.text)
            if response.status_code >= 400:
                assert response.text.strip(), "a refusal says why"
                continue
            answer = _check_format(response, req) if req.expected_format else None
            if req.expected_boolean is not None:
                assert answer is req.expected_boolean
        if before is not None:
            assert _dataset_snapshot(client, protocol_endpoint) == before, "the data must be unchanged"
