"""Security headers on every response: a Content-Security-Policy scoped per route, and the usual rest.

One policy for the site's pages, and two routes that need a wider one, each for a stated reason:

- ``/sparql`` (the query UI): YASGUI and CodeMirror set ``style`` attributes while they draw and the
  page carries a ``<style>`` block, so styles may be inline there. Scripts never are: the UI's own
  script is a static file (``static/sparql-ui.js``).
- ``/reconcile/preview``: the card shown by OpenRefine (and any other reconciliation client) in an
  iframe of its own origin, so any site may frame it; it runs no script at all, and its one
  ``<style>`` block keeps it a single request.

Everything that is not HTML (RDF, JSON, JSONP, dumps) gets ``default-src 'none'``: it is data, and a
browser that opens it should run and load nothing from it. HSTS is left to the TLS proxy in front.
"""

from __future__ import annotations

from flask import Flask, Response, request

from twingraph.web.render_cache import is_finished

Policy = dict[str, str]

SITE_POLICY: Policy = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
SPARQL_UI_POLICY: Policy = {**SITE_POLICY, "style-src": "'self' 'unsafe-inline'"}
PREVIEW_POLICY: Policy = {
    "default-src": "'none'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "*",
}
DATA_POLICY: Policy = {"default-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'"}
# Flask endpoint -> the policy of its HTML answers, when it is not SITE_POLICY.
ROUTE_POLICIES: dict[str, Policy] = {
    "sparql.endpoint": SPARQL_UI_POLICY,
    "reconcile.preview": PREVIEW_POLICY,
}
FRAMEABLE = frozenset({"reconcile.preview"})
REFERRER_POLICY = "strict-origin-when-cross-origin"


def policy_text(policy: Policy) -> str:
    """The header value of a policy.

    >>> policy_text({"default-src": "'none'", "frame-ancestors": "*"})
    "default-src 'none'; frame-ancestors *"
    """
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def policy_for(endpoint: str | None, mimetype: str) -> Policy:
    """The Content-Security-Policy of a response of ``endpoint`` with media type ``mimetype``.

    >>> policy_for("resources.document", "text/turtle") is DATA_POLICY
    True
    >>> policy_for("reconcile.preview", "text/html")["frame-ancestors"]
    '*'
    """
    if mimetype not in ("text/html", "application/xhtml+xml"):
        return DATA_POLICY
    return ROUTE_POLICIES.get(endpoint or "", SITE_POLICY)


def headers_for(endpoint: str | None, mimetype: str) -> list[tuple[str, str]]:
    """The security headers of a response of ``endpoint`` with media type ``mimetype`` (also for the
    lean /sparql path, web/sparql_lean.py, which answers before Flask's hooks).

    >>> [name for name, _ in headers_for("sparql.endpoint", "text/csv")]  # doctest: +NORMALIZE_WHITESPACE
    ['Content-Security-Policy', 'X-Content-Type-Options', 'Referrer-Policy', 'X-Frame-Options']
    """
    headers = [
        ("Content-Security-Policy", policy_text(policy_for(endpoint, mimetype))),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", REFERRER_POLICY),
    ]
    if endpoint not in FRAMEABLE:
        # For browsers older than CSP's frame-ancestors.
        headers.append(("X-Frame-Options", "SAMEORIGIN"))
    return headers


def add_security_headers(response: Response) -> Response:
    """``after_request`` hook: CSP, nosniff, Referrer-Policy and framing rules on every response."""
    if is_finished(response):
        return response  # kept from an earlier request with these headers
    for name, value in headers_for(request.endpoint, response.mimetype or ""):
        response.headers[name] = value
    return response


def register(app: Flask) -> None:
    """Add the security headers to every response of ``app``, error pages included."""
    app.after_request(add_security_headers)
