"""/openapi.json: the description the fuzzer (`make fuzz`, schemathesis) works from must match the app.

Every path it describes is a route, every route of the HTTP API is described, and requests built from
its examples of each operation get an answer the description lists.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

# Routes that are pages or files for people, not part of the HTTP API's description.
NOT_API = {
    "/",
    "/list/",
    "/map",
    "/sitemap.xml",
    "/robots.txt",
    "/ontology",
    "/ontology.<suffix>",
    "/shapes",
    "/shapes.<suffix>",
    "/static/<path:filename>",
    "/reconcile/",
}


def as_openapi(rule: str) -> str:
    """A Flask rule written as an OpenAPI path template.

    >>> as_openapi("/dumps/<version>/<name>"), as_openapi("/id/<segment>/<path:slug>")
    ('/dumps/{version}/{name}', '/id/{type}/{slug}')
    >>> as_openapi("/dumps/index.<any(json, html):suffix>")
    '/dumps/index.{suffix}'
    """
    path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule)
    return path.replace("{segment}/{slug}", "{type}/{slug}")


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


def test_doctests() -> None:
    import doctest
    import sys

    assert doctest.testmod(sys.modules[__name__]).failed == 0
