"""One formats registry: every negotiation decision as a table row, one description in every format.

The held-out Accept rows come from a Linked Data validator's table (issue 12); the SPARQL rows from
real clients (roqet asks CONSTRUCT answers as SPARQL XML).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from support.formats import default_graph, parse_answer
from twingraph.formats import FORMATS, by_media_type, negotiate, parse_accept, resource_formats

BASE = "https://w3id.org/twingraph/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

# (Accept header, the format key a resource answers in, or None for 406)
RESOURCE_TABLE = [
    # held out: q=.5 is 0.5 (RFC 9110 wants a leading 0; Apache and most servers read it)
    ("application/rdf+xml;q=0.3,text/html;q=.5", "html"),
    ("text/html;q=.5,application/rdf+xml;q=0.3", "html"),
    ("application/rdf+xml;q=.9,text/turtle;q=.8", "rdf"),
    # held out: an XHTML-only client gets the polyglot page as XHTML
    ("application/xhtml+xml;q=0.5", "xhtml"),
    ("application/xhtml+xml", "xhtml"),
    ("text/turtle;q=1.", "ttl"),
    ("text/turtle;q=7", "ttl"),
    ("text/turtle;charset=utf-8", "ttl"),
    ("text/turtle;q=0.4;charset=utf-8, text/html;level=1;q=0.3", "ttl"),
    ("TEXT/TURTLE", "ttl"),
    (BROWSER, "html"),
    ("*/*", "html"),
    ("text/*", "html"),
    ("application/*", "jsonld"),
    ("application/json", "jsonld"),
    ("text/plain", "nt"),
    ("text/n3", "ttl"),
    ("application/xml", "rdf"),
    ("application/sparql-results+xml", "rdf"),
    ("application/n-quads, application/trig;q=0.9", "nq"),
    ("*/*;q=0.1, application/ld+json;q=0.2", "jsonld"),
    ("text/html;q=0", None),
    ("image/png", None),
    ("nonsense", None),
]


@pytest.mark.parametrize(("accept", "key"), RESOURCE_TABLE)
def test_resource_negotiation(pages_client: FlaskClient, accept: str, key: str | None) -> None:
    assert (negotiate(resource_formats(), accept) or None) == (
        key and next(f for f in FORMATS if f.key == key)
    )
    response = pages_client.get("/doc/city/amiens", headers={"Accept": accept})
    if key is None:
        assert response.status_code == 406
        return
    fmt = next(f for f in FORMATS if f.key == key)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == fmt.media_type
    assert response.headers["Content-Location"] == f"/doc/city/amiens.{fmt.suffix}"


# (query form, Accept header, the media type /sparql answers in, or None for 406)
SPARQL_TABLE = [
    ("CONSTRUCT", "application/sparql-results+xml", "application/rdf+xml"),  # roqet
    ("DESCRIBE", "application/sparql-results+xml, application/xml;q=0.5", "application/rdf+xml"),
    ("CONSTRUCT", "application/xml", "application/rdf+xml"),
    ("CONSTRUCT", "text/turtle;q=.5, application/n-triples;q=.4", "text/turtle"),
    ("CONSTRUCT", "application/n-quads", "application/n-quads"),
    ("CONSTRUCT", "text/csv", None),
    ("SELECT", "application/sparql-results+xml", "application/sparql-results+xml"),
    ("SELECT", "application/xml", "application/sparql-results+xml"),
    ("SELECT", "application/json", "application/sparql-results+json"),
    ("SELECT", "text/csv;q=.9, text/tab-separated-values;q=.8", "text/csv"),
    ("ASK", "*/*", "application/sparql-results+json"),
    ("SELECT", "text/turtle", None),
]
QUERIES = {
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "DESCRIBE": f"DESCRIBE <{BASE}id/city/amiens>",
    "SELECT": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3",
    "ASK": "ASK { ?s ?p ?o }",
}


@pytest.mark.parametrize(("form", "accept", "expected"), SPARQL_TABLE)
def test_sparql_negotiation(pages_client: FlaskClient, form: str, accept: str, expected: str | None) -> None:
    response = pages_client.get("/sparql", query_string={"query": QUERIES[form]}, headers={"Accept": accept})
    if expected is None:
        assert response.status_code == 406
        return
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == expected
    if expected == "application/rdf+xml":
        assert list(ox.parse(response.data, format=ox.RdfFormat.RDF_XML))


def test_lenient_accept_reading() -> None:
    assert list(parse_accept("a/b;q=.5, c/d;q=1., e/f;q=2, g/h;level=1")) == [
        ("c/d", 1.0),
        ("e/f", 1.0),
        ("g/h", 1.0),
        ("a/b", 0.5),
    ]


def test_every_answer_media_type_is_a_registry_row(client: FlaskClient) -> None:
    """Resource, SPARQL and dumps answers all name media types of the registry."""
    seen = set()
    for fmt in resource_formats():
        seen.add(client.get(f"/doc/city/amiens.{fmt.suffix}").mimetype)
    for accept in ("text/csv", "application/sparql-results+xml", "text/tab-separated-values"):
        seen.add(
            client.get(
                "/sparql", query_string={"query": QUERIES["SELECT"]}, headers={"Accept": accept}
            ).mimetype
        )
    listing = client.get("/dumps/index.json").json
    assert listing is not None
    for release in listing["releases"]:
        seen.update(f["media_type"] for f in release["files"])
    for media_type in seen:
        assert by_media_type(media_type), media_type


RESOURCES = ["city/amiens", "partnership/dortmund-amiens", "city/dortmund", "person/ullrich-sierau"]
RDF = [f for f in resource_formats() if f.rdf is not None]


@pytest.mark.parametrize("path", RESOURCES)
def test_one_description_in_every_format(client: FlaskClient, path: str) -> None:
    """Every format's default graph holds the same merged description; dataset formats add the sources."""
    fetch = lambda url: client.get(url).data  # noqa: E731
    turtle = default_graph(parse_answer(fetch(f"/doc/{path}.ttl"), ox.RdfFormat.TURTLE, fetch))
    assert len(turtle) > 10
    counts = {}
    for fmt in RDF:
        assert fmt.rdf is not None
        quads = parse_answer(fetch(f"/doc/{path}.{fmt.suffix}"), fmt.rdf, fetch)
        merged = default_graph(quads)
        assert ox.Dataset(ox.Quad(*t) for t in merged) == ox.Dataset(ox.Quad(*t) for t in turtle), fmt.key
        named = [q for q in quads if isinstance(q.graph_name, ox.NamedNode)]
        if fmt.is_dataset:
            sources = {q.graph_name.value for q in named}  # type: ignore[union-attr]
            assert any(s.startswith(BASE + "id/source/") for s in sources), fmt.key
            assert {q.triple for q in named} == merged  # every fact is in some source graph, nothing more
        else:
            assert not named
        counts[fmt.key] = (len(quads), len(merged))
    print(path, counts)  # the figures of the report: all default graphs equal


def test_jsonld_is_compacted_with_the_published_context(client: FlaskClient) -> None:
    response = client.get("/doc/city/amiens.jsonld")
    context_link = "http://www.w3.org/ns/json-ld#context"
    assert context_link in response.headers["Link"]
    document = response.json
    assert document is not None
    assert document["@context"].endswith("/context.jsonld")
    first = document["@graph"][0]
    assert first["id"] == BASE + "id/city/amiens"  # the resource's node first
    assert first["label"]["fr"] == "Amiens"  # a language map with a short key
    assert "City" in first["type"]
    assert client.get("/context.jsonld").json["@context"]["partner"]["@id"] == "tg:partner"  # type: ignore[index]
    named = client.get("/doc/city/amiens.graphs.jsonld")
    assert named.mimetype == "application/ld+json"
    assert "amiens.graphs.jsonld" in response.headers["Link"]


def test_the_served_context_is_the_release_file(client: FlaskClient, release_settings: object) -> None:
    from twingraph.release import resolve_release

    folder = resolve_release(release_settings)  # type: ignore[arg-type]
    assert client.get("/context.jsonld").data == (folder / "context.jsonld").read_bytes()


@pytest.mark.parametrize(
    "path", ["/doc/city/amiens", "/doc/partnership/dortmund-amiens", "/doc/city/dortmund"]
)
def test_pages_are_well_formed_xml(client: FlaskClient, path: str) -> None:
    """Polyglot markup: the page parses as XML, in the XHTML namespace."""
    response = client.get(path, headers={"Accept": "application/xhtml+xml"})
    assert response.mimetype == "application/xhtml+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "{http://www.w3.org/1999/xhtml}html"
