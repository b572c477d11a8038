"""Changes between two releases, by entity, on small graphs (fast; full builds: test_build_atomic)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from twingraph.namespaces import BaseNamespaces
from twingraph.publish.changes import (
    changes_markdown,
    changes_triples,
    compare_lines,
    compute_changes,
    graph_lines,
    ntriples_lines,
    write_changes,
)
from twingraph.publish.serialize import stable_literal
from twingraph.publish.tables import TABLES, TableError, index_by_subject, table_rows

NS = BaseNamespaces("https://example.org/tg/")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CS = "http://purl.org/vocab/changeset/schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _t(s: str, p: ox.NamedNode | str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    predicate = p if isinstance(p, ox.NamedNode) else ox.NamedNode(NS.tg + p)
    return ox.Triple(ox.NamedNode(NS.resource + s), predicate, o)


def _city(slug: str, label: str) -> list[ox.Triple]:
    return [_t(f"city/{slug}", RDF_TYPE, ox.NamedNode(NS.tg + "City")),
            _t(f"city/{slug}", RDFS_LABEL, ox.Literal(label, language="en"))]  # fmt: skip


ONTOLOGY = [ox.Triple(ox.NamedNode(NS.tg + "City"), RDFS_LABEL, ox.Literal("City", language="en"))]


def test_entities_added_removed_and_changed() -> None:
    before = ONTOLOGY + _city("amiens", "Amiens") + _city("leeds", "Leeds")
    after = ONTOLOGY + _city("amiens", "Amiens (Somme)") + _city("zwickau", "Zwickau")
    changes = compute_changes(after, before, NS, "0.2.0", "2026-12-01", "0.1.0")
    kinds = {e.iri.rsplit("/", 1)[1]: e.kind for e in changes.entities}
    assert kinds == {"amiens": "changed", "leeds": "removed", "zwickau": "added"}
    assert changes.summary() == "Since 0.1.0: 1 entities added, 1 removed, 1 changed."
    (amiens,) = [e for e in changes.entities if e.kind == "changed"]
    assert [t.object for t in amiens.removed] == [ox.Literal("Amiens", language="en")]
    assert [t.object for t in amiens.added] == [ox.Literal("Amiens (Somme)", language="en")]

    text = changes_markdown(changes, NS, {NS.tg + "City": "City"})
    assert "## Removed (1)\n\n### City (1)\n\n- Leeds `<id/city/leeds>`" in text
    assert '  - `rdfs:label`: removed `"Amiens"@en`; added `"Amiens (Somme)"@en`' in text


def test_an_unchanged_graph_has_no_changes_and_the_first_release_adds_everything() -> None:
    graph = ONTOLOGY + _city("amiens", "Amiens")
    assert compute_changes(graph, graph, NS, "0.1.1", "2026-12-01", "0.1.0").entities == []
    first = compute_changes(graph, None, NS, "0.1.0", "2026-11-25", None)
    assert [e.kind for e in first.entities] == ["added"]
    assert "First release" in changes_markdown(first, NS, {})


def test_changes_as_rdf_reify_the_changed_values_with_stable_iris() -> None:
    before = _city("amiens", "Amiens")
    after = _city("amiens", "Amiens (Somme)")
    triples = changes_triples(compute_changes(after, before, NS, "0.2.0", "2026-12-01", "0.1.0"), NS)
    again = changes_triples(compute_changes(after, before, NS, "0.2.0", "2026-12-01", "0.1.0"), NS)
    assert triples == again
    changeset = ox.NamedNode(f"{NS.base}dataset/0.2.0/changes/city/amiens")
    assert (
        ox.Triple(changeset, ox.NamedNode(CS + "subjectOfChange"), ox.NamedNode(NS.resource + "city/amiens"))
        in triples
    )
    additions = [t.object for t in triples if t.subject == changeset and t.predicate.value == CS + "addition"]
    assert len(additions) == 1 and isinstance(additions[0], ox.NamedNode)
    assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)


def test_a_changed_claim_whose_iri_has_a_fragment_gives_valid_changes_rdf(tmp_path: Path) -> None:
    """A conflict's claims are ``id/conflict/x#source--value``: their change sets and reified
    statements must still be IRIs (a second '#' made the build's changes job fail)."""
    claim = "conflict/dortmund-buffalo-start-date#ruhrnachrichten-2015--1977"
    value = ox.NamedNode(NS.tg + "claimedValue")
    before = [_t(claim, value, ox.Literal("1977", datatype=ox.NamedNode(XSD + "gYear")))]
    after = [_t(claim, value, ox.Literal("1978", datatype=ox.NamedNode(XSD + "gYear")))]
    changes = compute_changes(after, before, NS, "0.2.0", "2026-12-01", "0.1.0")
    assert [(e.iri, e.kind) for e in changes.entities] == [(NS.resource + claim, "changed")]
    write_changes(changes, tmp_path, NS, {})
    graph = ox.Store()
    graph.load(path=str(tmp_path / "changes.ttl"), format=ox.RdfFormat.TURTLE)
    changeset = ox.NamedNode(f"{NS.base}dataset/0.2.0/changes/{claim.replace('#', '%23')}")
    subject = graph.quads_for_pattern(changeset, ox.NamedNode(CS + "subjectOfChange"), None)
    assert [q.object for q in subject] == [ox.NamedNode(NS.resource + claim)]
    statements = [
        q.object.value
        for what in ("removal", "addition")
        for q in graph.quads_for_pattern(changeset, ox.NamedNode(CS + what), None)
    ]
    assert len(statements) == 2 and all(s.startswith(changeset.value + "#") for s in statements)


def test_lines_spelt_otherwise_are_no_change_and_other_triples_are_counted() -> None:
    """Lines are compared as bytes first; where they differ they are compared as triples."""
    amiens = ntriples_lines(_city("amiens", "Amiens"))
    escaped = [line.replace(b'"Amiens"', b'"\\u0041miens"') for line in amiens]
    assert escaped != amiens
    extra = ox.Triple(ox.NamedNode("http://example.org/x"), RDFS_LABEL, ox.Literal("x"))
    now, before = graph_lines(amiens + ntriples_lines([extra]), NS), graph_lines(escaped, NS)
    changes = compare_lines(now, before, NS, "0.2.0", "2026-12-01", "0.1.0")
    assert changes.entities == []
    assert (changes.other_added, changes.other_removed) == (1, 0)


def test_two_uncontested_values_in_a_one_value_column_stop_the_table() -> None:
    cities = next(t for t in TABLES if t.name == "cities")
    two = [*_city("amiens", "Amiens"), *_city("amiens", "Amiens (Somme)")]
    with pytest.raises(TableError, match="one-value column label_en"):
        table_rows(cities, index_by_subject(two), NS)
    rows = table_rows(cities, index_by_subject(_city("amiens", "Amiens")), NS)
    assert rows[1][:2] == [NS.resource + "city/amiens", "Amiens"]


@pytest.mark.parametrize(
    ("lexical", "datatype", "stable"),
    [
        ("53.1958", "decimal", "53.1958"),
        ("150", "double", "150.0"),
        ("2020-01-01T00:00:00Z", "dateTime", "2020-01-01T00:00:00+00:00"),
        ("1960", "gYear", "1960"),
        ("1960-04-02", "date", "1960-04-02"),
        ("true", "boolean", "true"),
    ],
)
def test_stable_literals_are_fixed_points_of_rdflib(lexical: str, datatype: str, stable: str) -> None:
    import rdflib

    xsd = "http://www.w3.org/2001/XMLSchema#"
    literal = stable_literal(ox.Literal(lexical, datatype=ox.NamedNode(xsd + datatype)))
    assert literal.value == stable
    assert str(rdflib.Literal(literal.value, datatype=xsd + datatype)) == stable
