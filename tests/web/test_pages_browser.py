"""A reader's walk through the site in headless Chromium, on the real release; and axe-core's accessibility
checks (no serious or critical violation) on a partnership and a person other than those of
test_pages_views.py, which views and photographs every page type."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_search_amiens_partnership_timeline_language_map(page: Any, live_server: str) -> None:
    page.set_viewport_size({"width": 1100, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))
    page.goto(live_server + "/", wait_until="networkidle")
    assert page.locator("h1").first.inner_text().startswith("twingraph")

    page.locator("main input[name=q]").fill("Amiens")
    page.locator("main input[name=q]").press("Enter")
    page.wait_for_url("**/search?q=Amiens")
    results = page.locator("ol.results a")
    assert results.count() > 0
    assert results.first.get_attribute("href") == "/doc/city/amiens"

    page.locator('ol.results a[href="/doc/partnership/dortmund-amiens"]').click()
    page.wait_for_url("**/doc/partnership/dortmund-amiens")
    timeline = page.locator("#timeline")
    decision = timeline.locator("li.event", has=page.locator('time[datetime="1959-11-20"]'))
    proclamation = timeline.locator("li.event", has=page.locator('time[datetime="1960-04-02"]'))
    assert decision.count() >= 1 and proclamation.count() >= 1
    assert "decision" in decision.first.inner_text().lower()
    assert "proclamation" in proclamation.first.inner_text().lower()
    assert decision.first.is_visible() and proclamation.first.is_visible()
    dates = timeline.locator("p.when time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates.index("1959-11-20") < dates.index("1960-04-02")
    proclamation.first.scroll_into_view_if_needed()

    page.locator('nav.langs a[hreflang="de"]').click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#timeline-h").inner_text() == "Lebenslauf"

    page.locator(
        '#timeline a[href="/doc/city/dortmund"], #properties a[href="/doc/city/dortmund"]'
    ).first.click()
    page.wait_for_url("**/doc/city/dortmund")
    assert page.locator("html").get_attribute("lang") == "de"  # the choice sticks
    page.locator('nav.toc a[href="#map"]').click()
    figure = page.locator("#city-map")
    page.wait_for_selector('#city-map[data-ready="true"]')
    assert figure.is_visible()
    assert page.locator("#city-map path.leaflet-interactive").count() >= 20  # Dortmund, partners, arcs
    box = figure.bounding_box()
    assert box is not None and box["width"] > 500
    # The shipped outline really draws: the land GeoJSON has been fetched and rendered.
    page.wait_for_function(
        "() => document.querySelectorAll('#city-map path:not(.leaflet-interactive)').length > 0"
    )
    figure.scroll_into_view_if_needed()
    assert outside == [], f"requests left the server: {outside}"


def test_phone_layout(page: Any, live_server: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/doc/person/maurice-vast?lang=en", wait_until="networkidle")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"


def test_keyboard_reaches_search_and_skip_link(page: Any, live_server: str) -> None:
    page.goto(live_server + "/?lang=en", wait_until="networkidle")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    page.locator("main input[name=q]").focus()  # the home page has one search box, in the page
    page.keyboard.type("Keuning")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Keuning")
    page.keyboard.press("Tab")
    assert page.locator("ol.results a").count() >= 1


# Other instances of two page types than test_pages_views.py checks (which views every page type,
# the home page and Dortmund's page among them, in both languages at two widths).
@pytest.mark.parametrize("path", ["/doc/partnership/dortmund-amiens", "/doc/person/maurice-vast"])
@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_serious_accessibility_violations(page: Any, live_server: str, path: str, lang: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{live_server}{path}?lang={lang}", wait_until="networkidle")
    results = Axe().run(page)
    violations = results.response["violations"]
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad
