"""Security headers on every answer, and pages that keep to their Content-Security-Policy.

Every response carries a CSP, ``X-Content-Type-Options: nosniff`` and a Referrer-Policy; no policy
allows inline or eval'd scripts; only the reconciliation preview may be framed by other sites; and
the pages hold no inline script, no event-handler attribute and (outside /sparql and the preview)
no inline style, so that the policy breaks nothing. The browser test (test_security_browser.py)
checks the same in Chromium.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.hardening import check_answer
from support.pages import Page
from twingraph.web import errors, security

HTML = {"Accept": "text/html"}
# (path, request headers, expected media type)
ANSWERS = [
    ("/", HTML, "text/html"),
    ("/doc/city/amiens", HTML, "text/html"),
    ("/doc/partnership/dortmund-amiens", HTML, "text/html"),
    ("/list/city", HTML, "text/html"),
    ("/search?q=amiens", HTML, "text/html"),
    ("/map", HTML, "text/html"),
    ("/ontology", HTML, "text/html"),
    ("/dumps/", HTML, "text/html"),
    ("/sparql", HTML, "text/html"),
    ("/reconcile/preview?id=city/amiens", {}, "text/html"),
    ("/doc/city/no-such-city", HTML, "text/html"),
    ("/doc/city/amiens.ttl", {}, "text/turtle"),
    ("/doc/city/amiens", {"Accept": "application/ld+json"}, "application/ld+json"),
    (
        "/sparql?query=ASK%7B%7D",
        {"Accept": "application/sparql-results+json"},
        "application/sparql-results+json",
    ),
    ("/reconcile", {}, "application/json"),
    ("/reconcile?callback=cb", {}, "application/javascript"),
    ("/reconcile?queries=nonsense", {"Accept": "application/json"}, "application/json"),
    ("/dumps/index.json", {}, "application/json"),
    ("/health", {}, "application/json"),
    ("/openapi.json", {}, "application/json"),
    ("/static/site.css", {}, "text/css"),
    ("/static/sparql-ui.js", {}, "text/javascript"),
    ("/no/such/page", {"Accept": "text/plain"}, "text/plain"),
]


def directives(header: str) -> dict[str, list[str]]:
    """A CSP header as directive -> sources."""
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize(("path", "headers", "media_type"), ANSWERS)
def test_every_answer_has_the_security_headers(
    client: FlaskClient, path: str, headers: dict[str, str], media_type: str
) -> None:
    response = client.get(path, headers=headers)
    assert response.mimetype == media_type
    check_answer(response.status_code, response.headers, response.data, path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = directives(response.headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert csp.get("object-src", csp["default-src"]) == ["'none'"], "no plugins anywhere"
    if path.startswith("/reconcile/preview"):
        assert csp["frame-ancestors"] == ["*"], "reconciliation clients show the preview in their iframe"
        assert csp["default-src"] == ["'none'"] and "script-src" not in csp, "the preview runs no script"
        assert "X-Frame-Options" not in response.headers
    else:
        assert csp["frame-ancestors"] in (["'self'"], ["'none'"])
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    if media_type != "text/html":
        assert csp["default-src"] == ["'none'"], "data loads and runs nothing"


@pytest.mark.parametrize(
    "path",
    [p for p, _, media in ANSWERS if media == "text/html"],
)
def test_pages_keep_to_their_policy(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers=HTML)
    page = Page(response.get_data(as_text=True))
    inline_scripts = [a for a in page.scripts if not a.get("src")]
    assert all(a.get("type") in ("application/ld+json", "application/json") for a in inline_scripts), (
        "only data blocks may be inline: a script must come from a file"
    )
    handlers = [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    assert handlers == []
    assert not any(
        (attrs.get("href") or attrs.get("src") or "").strip().lower().startswith("javascript:")
        for _, attrs in page.tags
    )
    csp = directives(response.headers["Content-Security-Policy"])
    if "'unsafe-inline'" not in csp.get("style-src", []):
        assert not any(tag == "style" or "style" in attrs for tag, attrs in page.tags), (
            f"{path} has inline styles that its policy blocks"
        )


def test_unexpected_errors_show_no_trace_and_keep_the_headers() -> None:
    """A bug in a view: 500 with a generic message in every format, no trace, no path, headers on."""
    app = Flask("twingraph.web")
    errors.register(app)
    security.register(app)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail in /srv/twingraph/data/private.trig")

    client = app.test_client()
    for accept in ("text/html", "application/json", "text/plain"):
        response = client.get("/boom", headers={"Accept": accept})
        assert response.status_code == 500
        body = response.get_data(as_text=True)
        assert "unexpected error" in body
        assert "secret" not in body and "/srv/" not in body and "Traceback" not in body
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in response.headers


def test_policy_doctests() -> None:
    import doctest

    assert doctest.testmod(security).failed == 0
