"""Every example query runs on the real server (embedded, remote Oxigraph, Virtuoso), answers
non-empty, and answers the same as an independent engine (rdflib's) evaluating it over the same
release; together they cover every class of the ontology."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.term import Literal, Node, URIRef

from twingraph.config import Settings
from twingraph.release import resolve_release
from twingraph.sparql.examples import Example, load_examples

EXAMPLES = load_examples()
pytestmark = [pytest.mark.server, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_at_least_twelve_examples_with_title_and_description() -> None:
    assert len(EXAMPLES) >= 12
    for example in EXAMPLES:
        assert example.title and example.description, example.name
    assert {e.form for e in EXAMPLES} == {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def test_examples_cover_every_class(settings: Settings) -> None:
    ontology = Graph().parse(settings.ontology_dir / "twingraph.ttl", publicID=settings.base_iri)
    tg = settings.base_iri + "ontology#"
    classes = {
        str(c)[len(tg) :]
        for c in ontology.subjects(
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("http://www.w3.org/2002/07/owl#Class"),
        )
        if str(c).startswith(tg)
    }
    assert len(classes) >= 20
    used = {name for e in EXAMPLES for name in re.findall(r"\btg:([A-Za-z]+)", e.text)}
    assert classes <= used, f"no example uses: {sorted(classes - used)}"


@cache
def _reference(trig: Path, base: str) -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(trig, format="trig")
    return dataset


def _term(node: Node) -> str:
    """rdflib term -> N-Triples text, as pyoxigraph writes it."""
    if isinstance(node, Literal) and node.datatype is None and node.language is None:
        return str(ox.Literal(str(node)))
    if isinstance(node, Literal) and node.language:
        return str(ox.Literal(str(node), language=node.language))
    if isinstance(node, Literal):
        return str(ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype))))
    return f"<{node}>"


@cache  # the same answer for each backend: rdflib takes seconds over some examples (10-sources: 9 s)
def _expected(example: Example, release: Path, base: str) -> object:
    dataset = _reference(release / "twingraph.trig", base)
    result = dataset.query(example.text, base=base)
    if example.form == "ASK":
        return bool(result.askAnswer)
    if example.form == "SELECT":
        names = [str(v) for v in result.vars]
        return sorted(
            tuple(_term(row[i]) if row[i] is not None else "" for i in range(len(names))) for row in result
        )
    if example.form == "CONSTRUCT":
        return sorted(" ".join(_term(t) for t in triple) for triple in result)
    subject = re.search(r"DESCRIBE <([^>]+)>", example.text)
    assert subject is not None
    about = URIRef(base + subject.group(1))
    return sorted(" ".join(_term(t) for t in (about, p, o)) for p, o in dataset.predicate_objects(about))


def _actual(example: Example, endpoint: str) -> object:
    accept = (
        "application/n-triples"
        if example.form in ("CONSTRUCT", "DESCRIBE")
        else "application/sparql-results+json"
    )
    response = httpx.post(endpoint, data={"query": example.text}, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["X-Result-Truncated"] == "false"
    if example.form == "ASK":
        return json.loads(response.content)["boolean"]
    if example.form == "SELECT":
        solutions = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        width = range(len(solutions.variables))
        return sorted(tuple("" if row[i] is None else str(row[i]) for i in width) for row in solutions)
    return sorted(
        f"{t.subject} {t.predicate} {t.object}"
        for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
    )


# SPARQL 1.1 leaves the answer of DESCRIBE to the engine (section 16.4). Virtuoso's default describe
# mode also returns the triples where the resource is the object (25 more for Amiens, none missing);
# Oxigraph and the reference return those where it is the subject.
VIRTUOSO_DESCRIBE = pytest.mark.xfail(
    reason="Virtuoso's DESCRIBE adds the triples naming the resource as object (SPARQL 1.1, 16.4: "
    "engine-defined)",
    strict=True,
)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_answers_right(
    example: Example,
    dortmund_endpoint: str,
    release_settings: Settings,
    request: pytest.FixtureRequest,
) -> None:
    if example.form == "DESCRIBE" and request.node.callspec.params.get("dortmund_endpoint") == "virtuoso":
        request.applymarker(VIRTUOSO_DESCRIBE)
    actual = _actual(example, dortmund_endpoint)
    assert actual, f"{example.name} answered nothing"
    if example.form == "ASK":
        assert actual is True
    expected = _expected(example, resolve_release(release_settings), release_settings.base_iri)
    assert actual == expected
