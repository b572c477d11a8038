"""The Content-Security-Policy in Chromium: the pages and YASGUI work under it, without one violation,
and only the reconciliation preview can be framed by another site."""

from __future__ import annotations

import re
from typing import Any

import pytest

from support.servers import serving

pytestmark = [pytest.mark.browser, pytest.mark.server]


def watch_csp(page: Any) -> list[str]:
    """Collect what Chromium reports as blocked by a Content-Security-Policy."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/doc/partnership/dortmund-amiens",
        "/doc/city/dortmund",
        "/map",
        "/list/partnership",
        "/search?q=amiens",
        "/ontology",
        "/dumps/",
        "/doc/city/amien",
    ],
)
def test_pages_load_without_violations(page: Any, live_server: str, path: str) -> None:
    violations = watch_csp(page)
    response = page.goto(live_server + path, wait_until="networkidle")
    assert response.status in (200, 404)
    assert "twingraph" in page.title()
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "", "the stylesheet applies"
    assert violations == []


def test_yasgui_runs_under_the_policy(page: Any, live_server: str) -> None:
    violations = watch_csp(page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/sparql", wait_until="networkidle")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr td", timeout=15000)
    assert "Amiens" in page.inner_text(".yasr table")
    page.click("button[data-example]:has-text('Is Dortmund twinned with Amiens?')")
    page.click(".yasqe_queryButton")
    # A locator, not wait_for_function: Playwright evaluates a function string with eval, which the
    # page's policy rightly forbids.
    page.locator(".yasr", has_text=re.compile("true", re.IGNORECASE)).wait_for(timeout=15000)
    assert violations == [] and errors == []


def test_only_the_preview_can_be_framed_by_another_site(page: Any, live_server: str) -> None:
    """A client page on another origin (another loopback port, as OpenRefine on localhost:3333) frames
    the preview and a normal page: the preview shows, the page is refused by frame-ancestors."""
    violations = watch_csp(page)
    host = (
        "<!doctype html><title>client</title>"
        f'<iframe id="preview" src="{live_server}/reconcile/preview?id=city/amiens"></iframe>'
        f'<iframe id="page" src="{live_server}/doc/city/amiens"></iframe>'
    ).encode()

    def client_page(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(host)))])
        return [host]

    with serving(client_page, host="localhost") as base:
        page.goto(f"{base}/project", wait_until="networkidle")
        assert "Amiens" in page.frame_locator("#preview").locator("h1").inner_text(timeout=10000)
        framed = [f.url for f in page.frames if f is not page.main_frame]
        assert any("/reconcile/preview" in url for url in framed)
        assert not any("/doc/city/amiens" in url for url in framed), "the page must not render in a frame"
        assert any("frame-ancestors" in v for v in violations), violations
