"""JSON-LD compaction with the release's context: by a name pyld keeps it under, the same document."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from twingraph.jsonld_context import NamedContext, build_context, compact
from twingraph.namespaces import PREFIXES, BaseNamespaces

NS = BaseNamespaces("https://example.org/tg/")
RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")


def city(slug: str) -> ox.NamedNode:
    return ox.NamedNode(NS.resource + f"city/{slug}")


TRIPLES = [
    ox.Triple(city("amiens"), RDFS_LABEL, ox.Literal("Amiens", language="fr")),
    ox.Triple(city("amiens"), RDFS_LABEL, ox.Literal("Amiens", language="de")),
    ox.Triple(city("amiens"), ox.NamedNode(NS.tg + "partner"), city("dortmund")),
    ox.Triple(
        city("dortmund"),
        ox.NamedNode(NS.tg + "startDate"),
        ox.Literal("1960-01-01", datatype=ox.NamedNode(PREFIXES["xsd"] + "date")),
    ),
    ox.Triple(city("dortmund"), ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(NS.tg + "City")),
]


def test_a_named_context_compacts_as_the_inline_one_every_time() -> None:
    context = build_context(TRIPLES, NS)
    named = NamedContext.of(context)
    inline = compact(TRIPLES, context, "http://x.test/context.jsonld", city("amiens").value)
    assert inline["@graph"][0]["id"] == city("amiens").value  # compacted with the short terms
    assert "partner" in inline["@graph"][0]
    for _ in range(3):  # the first call processes it, the others find it by its name
        again = compact(TRIPLES, named, "http://x.test/context.jsonld", city("amiens").value)
        assert json.dumps(again) == json.dumps(inline)


def test_two_contexts_get_two_names_and_nothing_else_is_loaded() -> None:
    one = NamedContext.of(build_context(TRIPLES, NS))
    other = NamedContext.of(build_context(TRIPLES[:1], NS))
    assert one.name != other.name and one.name == NamedContext.of(dict(one.context)).name
    assert one.load(one.name)["document"] == {"@context": one.context}
    with pytest.raises(ValueError, match="no JSON-LD context"):
        one.load("https://example.org/elsewhere.jsonld")
