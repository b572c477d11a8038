"""The query UI in headless Chromium: YASGUI is served by us, loads the examples, runs a query
against /sparql and shows the answer, and the page makes no request to any other host."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_yasgui_runs_an_example(page: object, live_server: str) -> None:
    foreign: list[str] = []

    def only_local(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith((live_server, "data:", "blob:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            foreign.append(url)
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", only_local)  # type: ignore[attr-defined]
    response = page.goto(f"{live_server}/sparql")  # type: ignore[attr-defined]
    assert response.status == 200
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)  # type: ignore[attr-defined]
    query = page.evaluate("window.yasgui.getTab().getQuery()")  # type: ignore[attr-defined]
    assert "tg:Partnership" in query, "the first example is preloaded"

    page.click(".yasqe_queryButton")  # type: ignore[attr-defined]
    page.wait_for_selector(".yasr table tbody tr td", timeout=15000)  # type: ignore[attr-defined]
    table = page.inner_text(".yasr table")  # type: ignore[attr-defined]
    assert "Amiens" in table and "Leeds" in table
    assert page.locator(".yasr table tbody tr").count() >= 10  # type: ignore[attr-defined]

    # Another example, chosen from the list, replaces the query and runs too.
    page.click("button[data-example]:has-text('Is Dortmund twinned with Amiens?')")  # type: ignore[attr-defined]
    assert "ASK" in page.evaluate("window.yasgui.getTab().getQuery()")  # type: ignore[attr-defined]
    page.click(".yasqe_queryButton")  # type: ignore[attr-defined]
    # A locator rather than wait_for_function, whose string Playwright evaluates with eval: the page's
    # Content-Security-Policy forbids that (docs/hardening.md).
    page.locator(".yasr", has_text=re.compile("true", re.IGNORECASE)).wait_for(timeout=15000)  # type: ignore[attr-defined]
    page.screenshot(path="/tmp/twingraph-sparql-ui.png", full_page=True)  # type: ignore[attr-defined]
    assert foreign == [], f"requests to other hosts: {foreign}"
