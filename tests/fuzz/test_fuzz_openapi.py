"""/openapi.json: the description the fuzzer (`make fuzz`, schemathesis) works from must match the app.

It is generated from the routes and the formats registry (web/openapi.py) with the words of
web/api_docs.py: every route has words, every media type is a registry row, the document is valid
OpenAPI 3.1, and requests to each operation get an answer the description lists.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from twingraph.formats import FORMATS
from twingraph.web.api_docs import OPERATIONS
from twingraph.web.openapi import NOT_API, openapi_path, operation_keys


def as_openapi(rule: str) -> str:
    """A Flask rule written as an OpenAPI path template (the generator's own function)."""
    return openapi_path(rule)


def test_description_and_routes_agree(client: FlaskClient, app: Flask) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document["openapi"].startswith("3.1")
    assert document["servers"][0]["url"] == "http://localhost"
    described = {path: set(ops) for path, ops in document["paths"].items()}
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule in NOT_API:
            continue
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        routes.setdefault(as_openapi(rule.rule), set()).update(methods)
    if "/list/{segment}" in routes:
        routes.pop("/list/{segment}")
        described.pop("/list/{segment}")
    assert described == routes


def test_every_reference_resolves_and_every_operation_is_documented(client: FlaskClient) -> None:
    document = client.get("/openapi.json").json
    text = client.get("/openapi.json").get_data(as_text=True)
    for ref in set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', text)):
        assert ref[1] in document["components"][ref[0]], ref
    ids = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            ids.append(operation["operationId"])
            assert operation["summary"] and operation["responses"], (path, method)
            for name in re.findall(r"{(\w+)}", path):
                assert any(
                    p["name"] == name and p["in"] == "path" for p in operation.get("parameters", [])
                ), (path, name)
    assert len(ids) == len(set(ids))


def test_documented_statuses_are_the_ones_answered(client: FlaskClient) -> None:
    """A few requests per operation: each status the app gives is one the description lists."""
    document = client.get("/openapi.json").json
    requests = [
        ("get", "/sparql", "/sparql?query=ASK%7B%7D"),
        ("get", "/sparql", "/sparql?query=nonsense"),
        ("post", "/sparql", "/sparql"),
        ("get", "/sparql/examples/{name}", "/sparql/examples/none"),
        ("get", "/reconcile", "/reconcile?queries=%7B%7D"),
        ("get", "/reconcile/preview", "/reconcile/preview"),
        ("get", "/reconcile/suggest/entity", "/reconcile/suggest/entity?prefix=am"),
        ("get", "/id/{type}/{slug}", "/id/city/amiens"),
        ("get", "/id/{type}/{slug}", "/id/city/nowhere"),
        ("get", "/doc/{type}/{slug}", "/doc/city/amiens.ttl"),
        ("get", "/dumps/{version}/", "/dumps/latest/"),
        ("get", "/dumps/{version}/{name}", "/dumps/latest/nothing"),
        ("get", "/health", "/health"),
        ("get", "/search", "/search?type=nothing"),
    ]
    for method, template, url in requests:
        response = client.open(url, method=method.upper())
        listed = document["paths"][template][method]["responses"]
        assert str(response.status_code) in listed, (url, response.status_code, sorted(listed))


def test_the_document_is_valid_openapi(client: FlaskClient) -> None:
    validate(client.get("/openapi.json").json)  # openapi-spec-validator: the 3.1 schema and more


def test_every_route_has_words_and_every_word_a_route(app: Flask) -> None:
    """A new route fails here until web/api_docs.py says what it does; a removed one leaves no words."""
    routes = set(operation_keys(app))
    assert routes == set(OPERATIONS), (sorted(routes - set(OPERATIONS)), sorted(set(OPERATIONS) - routes))


def test_every_media_type_comes_from_the_registry(client: FlaskClient) -> None:
    document = client.get("/openapi.json").json
    registry = {f.media_type for f in FORMATS}
    text = client.get("/openapi.json").get_data(as_text=True)
    found = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            for answer in operation["responses"].values():
                found.update(answer.get("content", {}))
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "Accept":
                    found.update(parameter["schema"]["enum"])
    for answer in document["components"]["responses"].values():
        found.update(answer["content"])
    assert found and found <= registry, sorted(found - registry)
    for fmt in FORMATS:  # a format the resources negotiate is offered in the description
        if fmt.suffix and fmt.negotiable:
            assert fmt.media_type in text


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_path_parameters_are_the_rule_arguments(app: Flask, key: str) -> None:
    path = key.split(" ", 1)[1]
    documented = {p["name"] for p in OPERATIONS[key].get("parameters", []) if p["in"] == "path"}
    assert documented == set(re.findall(r"{(\w+)}", path))


def test_doctests() -> None:
    import doctest

    import twingraph.web.openapi as module

    assert doctest.testmod(module).failed == 0
