"""Every page type in headless Chromium at 1280 and 390 px, in English and German: axe-core finds no
serious or critical violation (colour contrast checked in English at both widths), nothing scrolls
sideways, and a viewport screenshot is taken (into docs/screenshots/ with ``make screenshots``, which
sets TWINGRAPH_SCREENSHOTS; else into the test's temporary folder, so that running the suite leaves the
checkout as it was). Then the new views one by one: maps, lists with facets, timelines, the ego
network, the query editor, the dumps page, a person's offices."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twingraph.config import PROJECT_DIR

SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.server]
WIDTHS = {"wide": (1280, 900), "phone": (390, 844)}

# (name, path, what to wait for): every page type; the first ten are also photographed.
PAGE_TYPES = [
    ("home", "/", "#home-map[data-ready]"),
    ("list", "/list/partnership?decade=1970", "table.list"),
    ("search", "/search?q=Amiens", "ol.results"),
    ("partnership", "/doc/partnership/dortmund-rostov-on-don", "figure.timeline-drawing"),
    ("city", "/doc/city/dortmund", "#city-map[data-ready]"),
    ("person", "/doc/person/dietrich-keuning", "#offices"),
    ("map", "/map", "#world-map[data-ready]"),
    ("sparql", "/sparql", ".yasqe .CodeMirror"),
    ("dumps", "/dumps/", "table.files"),
    ("ontology", "/ontology", "section#classes"),
    ("shapes", "/shapes", "main h1"),
    ("event", "/doc/event/dortmund-rostov-on-don-2022-03-31-suspension", "main h1"),
    ("lists", "/list/", "main h1"),
    ("not-found", "/id/city/atlantis", "main h1"),
]
PHOTOGRAPHED = {name for name, _, _ in PAGE_TYPES[:10]}


def _open(page: Any, base: str, path: str, lang: str, width: str, ready: str) -> None:
    w, h = WIDTHS[width]
    page.set_viewport_size({"width": w, "height": h})
    joiner = "&" if "?" in path else "?"
    # "load", then the page's own readiness mark (maps set data-ready once drawn): networkidle would add
    # its fixed half second of quiet to each of the 56 page views.
    page.goto(f"{base}{path}{joiner}lang={lang}", wait_until="load")
    page.wait_for_selector(ready, state="attached")


# Colour contrast depends on the style sheet and the layout at a width, not on the language; it is
# three quarters of axe's time on a page. It is checked in English at both widths, every other rule of
# axe in both languages at both widths.
EVERY_RULE: dict[str, Any] = {"resultTypes": ["violations"]}
WITHOUT_CONTRAST: dict[str, Any] = {**EVERY_RULE, "rules": {"color-contrast": {"enabled": False}}}


@pytest.fixture(scope="module")
def visitor(browser: Any) -> Iterator[Any]:
    """One browser context for the page-type views, as one visitor's browser: its HTTP cache keeps the
    scripts and style sheets from view to view (each page itself is asked for anew)."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture()
def view(visitor: Any) -> Iterator[Any]:
    """A new tab of the visitor's browser, with no cookie left from the view before."""
    visitor.clear_cookies()
    tab = visitor.new_page()
    yield tab
    tab.close()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize(("name", "path", "ready"), PAGE_TYPES, ids=[p[0] for p in PAGE_TYPES])
def test_page_type(
    view: Any, live_server: str, name: str, path: str, ready: str, lang: str, width: str, tmp_path: Path
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = view
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))
    _open(page, live_server, path, lang, width, ready)
    assert page.locator("html").get_attribute("lang") == lang
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= WIDTHS[width][0], f"{name} scrolls sideways at {width}"
    options = EVERY_RULE if lang == "en" else WITHOUT_CONTRAST
    violations = Axe().run(page, options=options).response["violations"]
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad
    assert outside == [], outside
    if name in PHOTOGRAPHED:
        folder = SCREENSHOTS if os.environ.get("TWINGRAPH_SCREENSHOTS") else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"{name}-{lang}-{width}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 1000, "a screenshot of the page"


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.offsetParent !== null).map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, w: r.width, h: r.height, text: e.textContent}; })",
    )


def _overlapping(boxes: list[dict[str, float]]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x"] < b["x"] + b["w"] - 1
        and b["x"] < a["x"] + a["w"] - 1
        and a["y"] < b["y"] + b["h"] - 1
        and b["y"] < a["y"] + a["h"] - 1
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_city_map_names_without_overlap_and_lists_every_partner(
    page: Any, live_server: str, width: str
) -> None:
    _open(page, live_server, "/doc/city/dortmund", "en", width, "#city-map[data-ready]")
    labels = _boxes(page, "#city-map .map-label")
    names = {str(b["text"]) for b in labels}
    assert "Dortmund" in names
    if width == "wide":
        assert {"Leeds", "Zwickau", "Amiens", "Xi'an", "Buffalo"} <= names, names
    assert _overlapping(labels) == []
    # Zoomed in, more names fit, and still none overlaps another.
    page.locator("#city-map .leaflet-control-zoom-in").click()
    page.wait_for_timeout(600)
    zoomed = _boxes(page, "#city-map .map-label")
    assert _overlapping(zoomed) == []
    # Every partner is in the table, the ones without coordinates said to be off the map (Dura).
    page.locator("#map details.map-table summary").click()
    table = page.locator("#map details.map-table table").inner_text()
    for city in ("Leeds", "Zwickau", "Dura", "Kumasi"):
        assert city in table
    assert "no coordinates known" in page.locator("#map details.map-table tr", has_text="Dura").inner_text()
    # Drawn with Leaflet on the shipped outline: land, arcs and points are paths.
    assert page.locator("#city-map path").count() >= 1 + 11 + 11


def test_world_map_arcs_split_at_the_date_line(page: Any, live_server: str) -> None:
    _open(page, live_server, "/map", "en", "wide", "#world-map[data-ready]")
    pieces = page.evaluate("() => window.twingraphGreatCircle([35.68, 139.69], [47.61, -122.33], 32)")
    assert len(pieces) == 2  # Tokyo to Seattle crosses the antimeridian: two pieces, no line across the map
    for piece in pieces:
        longs = [p[1] for p in piece]
        assert max(longs) - min(longs) < 180
    assert page.locator("#world-map path.leaflet-interactive").count() >= 3
    assert _overlapping(_boxes(page, "#world-map .map-label")) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    box = page.locator("#world-map").bounding_box()
    assert box is not None and 300 < box["width"] <= 390 and box["height"] > 200


@pytest.mark.parametrize("width", list(WIDTHS))
def test_list_facets_in_the_browser_and_the_download_of_the_view(
    page: Any, live_server: str, width: str
) -> None:
    _open(page, live_server, "/list/partnership", "en", width, "table.list")
    page.locator("#f-country").select_option("FR")
    page.locator("#f-decade").select_option("1960")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**country=FR**")
    rows = page.locator("table.list tbody tr")
    assert rows.count() >= 1
    assert "Amiens" in page.locator("table.list tbody").inner_text()
    chips = page.locator("ul.chips a")
    assert chips.count() == 2
    csv_link = page.locator('p.downloads a[type="text/csv"]').get_attribute("href")
    assert csv_link and "country=FR" in csv_link and "decade=1960" in csv_link
    answer = page.request.get(live_server + csv_link)
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    lines = answer.text().strip().splitlines()
    assert len(lines) == rows.count() + 1
    chips.first.click()  # remove the country filter
    page.wait_for_load_state("networkidle")
    assert "country=FR" not in page.url


@pytest.mark.parametrize("width", list(WIDTHS))
def test_timelines_and_network_read_at_every_width(page: Any, live_server: str, width: str) -> None:
    _open(
        page, live_server, "/doc/partnership/dortmund-rostov-on-don", "de", width, "figure.timeline-drawing"
    )
    lanes = page.locator("figure.timeline-drawing svg.lane")
    assert lanes.count() == 2
    box = lanes.first.bounding_box()
    assert box is not None and box["width"] > 0.7 * WIDTHS[width][0] - 100
    assert page.locator("figure.timeline-drawing svg.lane rect.status-dormant").count() == 1
    _open(page, live_server, "/doc/city/dortmund", "de", width, "svg.ego")
    ego = page.locator("svg.ego").bounding_box()
    assert ego is not None and ego["width"] > 300
    assert page.locator("svg.ego circle.ring1").count() >= 11
    assert _overlapping(_boxes(page, "svg.ego text.ring1")) == []
    assert page.locator("figure.timeline-drawing svg.lane").count() >= 12


@pytest.mark.parametrize("width", list(WIDTHS))
def test_query_editor_buttons_cover_no_text_and_literals_show_their_datatype(
    page: Any, live_server: str, width: str
) -> None:
    _open(page, live_server, "/sparql", "en", width, ".yasqe .CodeMirror")
    buttons = page.locator(".yasqe .yasqe_buttons").bounding_box()
    assert buttons is not None
    # Each line fragment of the text (a wrapped comment is one span over several lines).
    spans = page.eval_on_selector_all(
        ".yasqe .CodeMirror-line span",
        "els => els.flatMap(e => { const range = document.createRange(); range.selectNodeContents(e);"
        " return Array.from(range.getClientRects()).map(r => ({x: r.x, y: r.y, w: r.width, h: r.height,"
        " text: e.textContent})); })",
    )
    covered = [
        s["text"]
        for s in spans
        if s["w"] > 0
        and s["x"] < buttons["x"] + buttons["width"]
        and buttons["x"] < s["x"] + s["w"]
        and s["y"] < buttons["y"] + buttons["height"]
        and buttons["y"] < s["y"] + s["h"]
    ]
    assert covered == [], covered
    page.evaluate(
        """() => { const tab = window.yasgui.getTab();
        const year = '"1952"^^<http://www.w3.org/2001/XMLSchema#gYear>';
        tab.setQuery('SELECT ?year WHERE { BIND(' + year + ' AS ?year) }');
        tab.query(); }"""
    )
    cell = page.locator(".yasr td", has=page.locator("small.literal-datatype")).first
    cell.wait_for()
    text = cell.inner_text()
    assert "1952" in text and "xsd:gYear" in text and "^^" not in text and '"' not in text


@pytest.mark.parametrize("width", list(WIDTHS))
def test_dumps_page_media_types_unbroken_and_markdown_rendered(
    page: Any, live_server: str, width: str
) -> None:
    _open(page, live_server, "/dumps/", "de", width, "table.files")
    lines = page.eval_on_selector_all("code.media-type", "els => els.map(e => e.getClientRects().length)")
    assert lines and set(lines) == {1}, lines  # "text/markdown" on one line
    described = page.locator("table.files td", has_text="sha256sum -c")
    assert described.locator("code").count() == 1  # `sha256sum -c` rendered, no backticks
    assert "`" not in page.locator("table.files").inner_text()
    assert page.locator("table.files th", has_text="Was es ist").count() == 1


def test_home_has_one_search_box_and_person_offices(page: Any, live_server: str) -> None:
    _open(page, live_server, "/", "en", "phone", "#home-map")
    assert page.locator("form[role=search]").count() == 1
    _open(page, live_server, "/doc/person/dietrich-keuning", "en", "phone", "#offices")
    offices = page.locator("#offices")
    assert offices.is_visible() and "Member of the Bundestag" in offices.inner_text()
