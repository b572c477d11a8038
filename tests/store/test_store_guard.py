"""The lexer, the read-only guard and the query rewrites: unit tests, plus properties over random text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twingraph.store.base import QueryRefused, QuerySyntaxError
from twingraph.store.guard import inspect_query
from twingraph.store.lexer import LexError, normalize, tokenize
from twingraph.store.rewrite import with_base, with_values

BASE = "https://w3id.org/twingraph/"
LOCAL = {BASE + "id/source/a", "http://example.org/g"}


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("prefix ex: <http://e/> base <http://b/> ask { ?s ex:p ?o }", "ASK"),
        ("# a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <x>", "DESCRIBE"),
        ("PREFIX : <http://e/>\nSELECT (COUNT(*) AS ?n) { :a :b ?c }", "SELECT"),
    ],
)
def test_query_forms(query: str, form: str) -> None:
    assert inspect_query(query, BASE).form == form


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o . sErViCe SILENT ?endpoint { ?s ?p ?o } }",
        "SELECT * { { SELECT ?s { SERVICE <http://x/> { ?s ?p ?o } } } }",
        "SELECT * { OPTIONAL { SERVICE<http://x/>{?s ?p ?o} } }",
        "ASK { FILTER(?a<?b) SERVICE <http://x/> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_wherever_it_is(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        inspect_query(query, BASE)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT * { ?s ?p '''\nSERVICE <http://x/> {}\n''' }",
        "SELECT * { ?s <http://example.org/SERVICE> ?o } # SERVICE <http://x/> { }",
        "PREFIX service: <http://e/> SELECT * { ?s service:SERVICE ?o }",
        "SELECT ?service { ?service ?p ?o }",
    ],
)
def test_service_in_strings_iris_comments_names_is_not_a_service(query: str) -> None:
    assert inspect_query(query, BASE).form == "SELECT"


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <a> <b> <c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/x.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <g>",
        "PREFIX ex: <http://e/> WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        inspect_query(query, BASE)


def test_from_must_name_a_local_graph() -> None:
    assert inspect_query("SELECT * FROM <http://example.org/g> { ?s ?p ?o }", BASE, LOCAL).from_graphs == (
        "http://example.org/g",
    )
    relative = inspect_query("SELECT * FROM NAMED <id/source/a> { GRAPH ?g { ?s ?p ?o } }", BASE, LOCAL)
    assert relative.from_named_graphs == (BASE + "id/source/a",)
    prefixed = inspect_query("PREFIX src: <id/source/> SELECT * FROM src:a { ?s ?p ?o }", BASE, LOCAL)
    assert prefixed.from_graphs == (BASE + "id/source/a",)
    with pytest.raises(QueryRefused, match="never fetches"):
        inspect_query("SELECT * FROM <http://evil.example/data.ttl> { ?s ?p ?o }", BASE, LOCAL)
    with pytest.raises(QueryRefused):
        inspect_query("SELECT * FROM NAMED <http://evil.example/data.ttl> { ?s ?p ?o }", BASE, LOCAL)


@pytest.mark.parametrize(
    "query", ["", "   # only a comment", "HELLO { }", 'SELECT * { ?s ?p "unterminated }']
)
def test_not_a_query(query: str) -> None:
    with pytest.raises(QuerySyntaxError):
        inspect_query(query, BASE)


def test_normalize_ignores_layout_comments_and_keyword_case() -> None:
    a = normalize(tokenize("select ?s where {\n  ?s a ?c # classes\n}"))
    b = normalize(tokenize("SELECT ?s WHERE { ?s a ?c }"))
    assert a == b
    assert normalize(tokenize('ASK { ?s ?p "x" }')) != normalize(tokenize('ASK { ?s ?p "X" }'))


# Text inside a string literal never makes a query refusable, whatever it holds.
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_string_contents_never_trigger_the_guard(text: str) -> None:
    literal = str(ox.Literal(text))  # N-Triples escaping, which SPARQL reads back
    query = f"SELECT * WHERE {{ ?s ?p {literal} }}"
    assert inspect_query(query, BASE).form == "SELECT"
    assert ox.Store().query(query) is not None  # Oxigraph agrees that it is one literal


# Whatever the text, the lexer either tokenizes it or says where it fails: it never hangs or crashes.
@settings(max_examples=200, deadline=2000)
@given(st.text(alphabet="SELCTRVI{}<>\"'#?\\ \n:abc", max_size=120))
def test_lexer_total(text: str) -> None:
    try:
        tokenize(text)
    except LexError as exc:
        assert 0 <= exc.offset < len(text)


def test_with_values_binds_at_the_start_of_the_where_group() -> None:
    query = "SELECT (COUNT(?e) AS ?n) WHERE { ?e a ?kind } GROUP BY ?kind"
    bound = with_values(query, {"kind": ox.NamedNode("http://e/K")})
    assert (
        bound
        == "SELECT (COUNT(?e) AS ?n) WHERE { VALUES (?kind) { (<http://e/K>) } ?e a ?kind } GROUP BY ?kind"
    )
    construct = with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": ox.NamedNode("http://e/s")})
    assert construct.startswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s)")
    projected = with_values('SELECT (EXISTS { ?x ?y "{" } AS ?e) { ?x ?y ?z }', {"x": ox.Literal("a")})
    assert projected.endswith('{ VALUES (?x) { ("a") } ?x ?y ?z }')
    with pytest.raises(ValueError, match="short form"):
        with_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": ox.NamedNode("http://e/s")})


def test_with_base_only_when_needed() -> None:
    assert with_base("ASK { <http://e/a> ?p ?o }", BASE) == "ASK { <http://e/a> ?p ?o }"
    assert with_base("PREFIX tg: <ontology#> ASK { ?s a tg:City }", BASE).startswith(f"BASE <{BASE}> PREFIX")
