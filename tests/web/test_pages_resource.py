"""Resource pages: facts with sources, conflicts side by side, derived facts, incoming links, timeline, map,
embedded JSON-LD; read with a real HTML parser."""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask.testing import FlaskClient

from support.pages import get_page

BASE = "https://w3id.org/twingraph/"


def test_partnership_timeline_in_order_with_places_people_sources(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/partnership/dortmund-amiens", **{"Accept-Language": "en"})
    timeline = page.text("timeline")
    order = ["1952", "20 November 1959", "2 April 1960", "14 May 1960"]  # dates as readers write them
    positions = [timeline.index(date) for date in order]
    assert positions == sorted(positions)
    machine = [a.get("datetime") for tag, a in page.tags if tag == "time"]
    assert machine[:4] == ["1952", "1959-11-20", "1960-04-02", "1960-05-14"]
    proclamation = timeline[timeline.index("2 April 1960") : timeline.index("14 May 1960")]
    for expected in ("Festive proclamation", "Goldsaal, Westfalenhalle", "Dietrich Keuning", "Maurice Vast"):
        assert expected in proclamation
    assert "Council of the City of Dortmund" in timeline[timeline.index("20 November 1959") :]
    assert "/doc/place/goldsaal-westfalenhalle" in page.links
    german = get_page(pages_client, "/doc/partnership/dortmund-amiens", **{"Accept-Language": "de"})
    assert "20. November 1959" in german.text("timeline")


def test_every_fact_links_its_sources(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/person/dietrich-keuning")
    props = page.text("properties")
    assert "27 September 1908" in props
    sources = page.text("sources")
    assert "Research notes on Dortmund's partnerships" in sources
    assert "/doc/source/research-notes" in page.links
    assert any(link.startswith("#source-") for link in page.links)
    # The original page of a source is linked too.
    amiens = get_page(pages_client, "/doc/city/amiens")
    assert "https://www.dortmund.de/themen/internationales/staedtepartnerschaften/amiens/" in amiens.links


def test_conflicting_values_side_by_side_with_their_sources(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/person/maurice-vast", **{"Accept-Language": "en"})
    conflicts = page.text("conflicts")
    # One side per source (in IRI order: frwiki-vast, maitron-vast), each with the value it gives.
    frwiki = conflicts.index("French Wikipedia: Maurice Vast")
    pierre = conflicts.index("Pierre Crocquet", frwiki)
    maitron = conflicts.index("Maitron: VAST Maurice")
    max_ = conflicts.index("Max Croquet", maitron)
    assert frwiki < pierre < maitron < max_
    assert 'Maitron gives "Max Croquet"' in conflicts
    assert "/doc/conflict/maurice-vast-pseudonym" in page.links


def test_a_conflicts_document_describes_its_claims(pages_client: FlaskClient) -> None:
    """A claim is a hash IRI of its conflict (``conflict/x#source--value``): a client dereferencing
    it gets the conflict's document, and the claim's value and source must be in it."""
    conflict = BASE + "id/conflict/maurice-vast-pseudonym"
    answer = pages_client.get(
        "/doc/conflict/maurice-vast-pseudonym", headers={"Accept": "application/n-quads"}
    )
    assert answer.status_code == 200
    quads = list(ox.parse(answer.data, format=ox.RdfFormat.N_QUADS))
    claims = {q.object.value for q in quads if q.predicate.value == BASE + "ontology#claim"}
    assert len(claims) >= 2 and all(c.startswith(conflict + "#") for c in claims)
    for claim in claims:
        said = {q.predicate.value: q.object for q in quads if q.subject.value == claim}
        assert BASE + "ontology#claimValue" in said, claim
        assert said[BASE + "ontology#claimSource"].value.startswith(BASE + "id/source/"), claim
    maitron = next(c for c in claims if "#maitron-vast--" in c)
    values = [
        q for q in quads if q.subject.value == maitron and q.predicate.value == BASE + "ontology#claimValue"
    ]
    assert {q.object.value for q in values} == {"Max Croquet"}
    assert any(isinstance(q.graph_name, ox.NamedNode) for q in values), "with the graph that states it"


def test_derived_facts_are_marked_not_sourced(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/city/amiens", **{"Accept-Language": "en"})
    assert "schema:name" not in page.text("properties")
    derived = page.text("derived")
    assert "twinned with" in derived  # derived from the twinning, and marked so
    assert "schema:name" not in derived  # the label's schema.org twin is read once, as the name
    assert "derived" in derived


def test_incoming_links_with_counts(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/city/dortmund", **{"Accept-Language": "en"})
    incoming = page.text("incoming")
    assert "partner city (3)" in incoming  # three partnerships name Dortmund as partner
    assert "/doc/partnership/dortmund-leeds" in page.links


def test_incoming_links_are_paged(pages_client: FlaskClient) -> None:
    from twingraph.web import describe

    original = describe.INCOMING_PAGE_SIZE
    describe.INCOMING_PAGE_SIZE = 2
    try:
        first = get_page(pages_client, "/doc/city/dortmund?incoming=1")
        second = get_page(pages_client, "/doc/city/dortmund?incoming=2")
    finally:
        describe.INCOMING_PAGE_SIZE = original
    assert "?incoming=2#incoming" in first.links
    assert "?incoming=1#incoming" in second.links
    assert first.text("incoming") != second.text("incoming")


def test_city_page_lists_partnerships_and_draws_the_map(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/city/dortmund")
    assert {"/doc/partnership/dortmund-amiens", "/doc/partnership/dortmund-leeds"} <= set(page.links)
    maps = [attrs for tag, attrs in page.tags if tag == "div" and "leaflet-map" in (attrs.get("class") or "")]
    assert len(maps) == 1 and maps[0]["data-land"] == "/static/land.geojson"  # the shipped outline
    html = pages_client.get("/doc/city/dortmund").get_data(as_text=True)
    start = html.index('<script type="application/json" id="city-map-data">') + 51
    data = json.loads(html[start : html.index("</script>", start)])
    assert len(data["points"]) == 4  # Dortmund and its three partners with coordinates
    assert data["points"][0]["primary"] and len(data["lines"]) == 3
    assert "/static/leaflet/leaflet.js" in [a.get("src") for tag, a in page.tags if tag == "script"]


def test_pages_embed_schema_org_json_ld(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/city/amiens")
    assert len(page.jsonld) == 1
    data = json.loads(page.jsonld[0])
    assert data["@id"] == BASE + "id/city/amiens"
    assert "City" in data["@type"]
    assert {"@value": "Amiens", "@language": "fr"} in data["name"]
    # And it is real JSON-LD: it parses as RDF with a schema.org context given inline.
    data["@context"] = {"@vocab": "https://schema.org/"}
    quads = list(ox.parse(json.dumps(data).encode(), format=ox.RdfFormat.JSON_LD))
    assert any(q.predicate.value == "https://schema.org/name" for q in quads)


def test_no_page_loads_anything_from_elsewhere(pages_client: FlaskClient) -> None:
    for url in (
        "/",
        "/doc/city/dortmund",
        "/doc/partnership/dortmund-amiens",
        "/map",
        "/ontology",
        "/list/city",
    ):
        page = get_page(pages_client, url)
        for tag, attrs in page.tags:
            for name in ("src", "href"):
                value = attrs.get(name) or ""
                if tag in ("script", "link", "img", "use", "iframe", "source"):
                    assert not value.startswith(("http:", "https:", "//")), (url, tag, value)
        # No inline or remote JS: scripts are data blocks or files of this server.
        for script in page.scripts:
            assert script.get("type") in ("application/ld+json", "application/json") or str(
                script.get("src")
            ).startswith("/static/"), (url, script)


def test_downloads_in_every_format(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/person/maurice-vast")
    for suffix in ("ttl", "jsonld", "nt", "rdf", "trig", "nq"):
        assert f"/doc/person/maurice-vast.{suffix}" in page.links


def test_ontology_page_has_an_anchor_per_term(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/ontology", **{"Accept-Language": "de"})
    assert {"Partnership", "City", "partner", "date"} <= page.ids
    assert "Partnerschaft" in page.text("classes")
    person = get_page(pages_client, "/doc/person/maurice-vast")
    assert "/ontology#Person" in person.links


def test_shapes_page(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/shapes")
    assert any(i.endswith("Shape") for i in page.ids)


def test_concept_page_cites_the_ontology(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/doc/concept/twinning", **{"Accept-Language": "en"})
    assert "Ontology" in page.text("sources")
    assert "/ontology" in page.links
    # The partnerships of this kind link here.
    assert "/doc/partnership/dortmund-amiens" in page.links
