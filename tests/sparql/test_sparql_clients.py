"""Real SPARQL clients against the real server, on every backend: SPARQLWrapper in every return
format it has (and N-Triples through its custom Accept), and rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

pytestmark = [pytest.mark.server, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

CITIES = """PREFIX tg: <https://w3id.org/twingraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?city ?name WHERE { ?city a tg:City ; rdfs:label ?name FILTER(LANG(?name) = "en") } ORDER BY ?name"""
GRAPH = """PREFIX tg: <https://w3id.org/twingraph/ontology#>
CONSTRUCT { ?a tg:twinnedWith ?b } WHERE { ?a tg:twinnedWith ?b }"""
AMIENS = "https://w3id.org/twingraph/id/city/amiens"


def client(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    wrapper = SPARQLWrapper(endpoint)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    wrapper.setMethod(method)
    return wrapper


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json(dortmund_endpoint: str, method: str) -> None:
    data = client(dortmund_endpoint, CITIES, JSON, method).queryAndConvert()
    assert isinstance(data, dict)
    names = [b["name"]["value"] for b in data["results"]["bindings"]]
    assert "Amiens" in names and "Dortmund" in names and len(names) == 13


def test_select_xml(dortmund_endpoint: str) -> None:
    document = client(dortmund_endpoint, CITIES, XML).queryAndConvert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]  # type: ignore[attr-defined]
    assert AMIENS in uris


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(dortmund_endpoint: str, fmt: str, delimiter: str) -> None:
    raw = client(dortmund_endpoint, CITIES, fmt).queryAndConvert()
    assert isinstance(raw, bytes)
    rows = list(csv.reader(io.StringIO(raw.decode()), delimiter=delimiter))
    assert rows[0] in (["city", "name"], ["?city", "?name"])
    assert len(rows) == 14
    assert any(AMIENS in cell for row in rows for cell in row)


def test_ask_json(dortmund_endpoint: str) -> None:
    data = client(dortmund_endpoint, f"ASK {{ <{AMIENS}> ?p ?o }}", JSON).queryAndConvert()
    assert data == {"head": {}, "boolean": True}


def link_count(endpoint: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a <https://w3id.org/twingraph/ontology#twinnedWith> ?b }"
    data = client(endpoint, query, JSON).queryAndConvert()
    assert isinstance(data, dict)
    return int(data["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_construct_formats(dortmund_endpoint: str, fmt: str) -> None:
    result = client(dortmund_endpoint, GRAPH, fmt).queryAndConvert()
    graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(data=result, format="turtle")
    assert len(graph) == link_count(dortmund_endpoint) > 10
    assert (rdflib.URIRef(AMIENS), None, None) in graph


def test_construct_ntriples_by_accept(dortmund_endpoint: str) -> None:
    wrapper = client(dortmund_endpoint, GRAPH, TURTLE)
    wrapper.setOnlyConneg(True)
    wrapper.addCustomHttpHeader("Accept", "application/n-triples")
    result = wrapper.query()
    assert result.response.headers["Content-Type"].startswith("application/n-triples")
    triples = list(ox.parse(result.response.read(), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == link_count(dortmund_endpoint)


def test_describe_turtle(dortmund_endpoint: str) -> None:
    turtle = client(dortmund_endpoint, f"DESCRIBE <{AMIENS}>", TURTLE).queryAndConvert()
    assert isinstance(turtle, bytes)
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert (rdflib.URIRef(AMIENS), rdflib.RDFS.label, rdflib.Literal("Amiens", lang="fr")) in graph


@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_rdflib_sparqlstore(dortmund_endpoint: str, return_format: str) -> None:
    store = SPARQLStore(dortmund_endpoint, returnFormat=return_format)
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(CITIES))
    assert len(rows) == 13
    assert rdflib.Literal("Amiens", lang="en") in {row[1] for row in rows}  # type: ignore[index]
    assert graph.query(f"ASK {{ <{AMIENS}> ?p ?o }}").askAnswer is True
    assert len(store) > 1000  # SPARQLStore's own COUNT query


def test_rdflib_sparqlstore_construct(dortmund_endpoint: str) -> None:
    # rdflib asks for the formats its returnFormat can parse: "xml" includes RDF/XML for graphs.
    graph = rdflib.Graph(store=SPARQLStore(dortmund_endpoint, returnFormat="xml"))
    constructed = graph.query(GRAPH).graph
    assert constructed is not None and len(constructed) == link_count(dortmund_endpoint)


def test_rdflib_sparqlstore_triples(dortmund_endpoint: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(dortmund_endpoint))
    labels = set(graph.objects(rdflib.URIRef(AMIENS), rdflib.RDFS.label))
    assert rdflib.Literal("Amiens", lang="fr") in labels
