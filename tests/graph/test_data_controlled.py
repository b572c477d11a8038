"""Controlled values are IRIs: confidence is a SKOS concept, publisher an organisation, language an IRI."""

from __future__ import annotations

import pyoxigraph as ox

from twingraph.load import LoadedGraph

QUERY = """
PREFIX tg: <https://w3id.org/twingraph/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?source ?what ?value ?ok WHERE {
  ?source a tg:Source .
  {
    ?source tg:confidence ?value BIND("confidence" AS ?what)
    BIND(EXISTS { ?value a skos:Concept ;
                  skos:inScheme <https://w3id.org/twingraph/id/concept/confidence-levels> ;
                  skos:prefLabel ?l FILTER(LANG(?l) = "en") } AS ?ok)
  } UNION {
    ?source dct:publisher ?value BIND("publisher" AS ?what)
    BIND(EXISTS { ?value a tg:Organisation ; rdfs:label ?l FILTER(LANG(?l) = "en") } AS ?ok)
  } UNION {
    ?source dct:language ?value BIND("language" AS ?what)
    BIND(STRSTARTS(STR(?value), "http://publications.europa.eu/resource/authority/language/") AS ?ok)
  }
}
"""


def test_every_controlled_value_of_a_source_is_an_iri_of_its_kind(loaded: LoadedGraph) -> None:
    result = loaded.store.query(QUERY)
    assert isinstance(result, ox.QuerySolutions)
    rows = [(r["source"], r["what"].value, r["value"], r["ok"].value) for r in result]  # type: ignore[union-attr]
    sources = {s for s, _w, _v, _ok in rows}
    assert len(sources) > 30
    for what in ("confidence", "publisher", "language"):
        assert {s for s, w, _v, _ok in rows if w == what} == sources, what
    bad = [(s, w, v) for s, w, v, ok in rows if not isinstance(v, ox.NamedNode) or ok != "true"]
    assert not bad


def test_claims_carry_the_confidence_concept_of_their_source(loaded: LoadedGraph) -> None:
    result = loaded.store.query(
        "PREFIX tg: <https://w3id.org/twingraph/ontology#> SELECT ?c WHERE { ?c a tg:Claim ; "
        "tg:claimSource ?s ; tg:confidence ?x . FILTER NOT EXISTS { ?s tg:confidence ?x } }"
    )
    assert isinstance(result, ox.QuerySolutions)
    assert not list(result)
