"""Drawn timelines: a partnership's status periods as bars and its events as marks, a city's partnerships
one lane each; imprecise dates drawn as the whole range they may mean. Read with a real HTML parser."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

from flask.testing import FlaskClient

from twingraph.web.timelines import Lane, Span, date_range, draw


class _Lanes(HTMLParser):
    """The lanes of the timeline drawing: (aria-label, [(tag, class, x, width)])."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lanes: list[tuple[str, list[tuple[str, str, float, float]]]] = []
        self._in = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg" and a.get("class") == "lane":
            self.lanes.append((str(a.get("aria-label")), []))
            self._in = True
        elif tag == "rect" and self._in:
            self.lanes[-1][1].append((tag, str(a.get("class")), float(a["x"] or 0), float(a["width"] or 0)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in = False


def test_a_year_is_drawn_as_the_whole_year() -> None:
    assert date_range("1978") == (dt.date(1978, 1, 1), dt.date(1978, 12, 31))
    drawing = draw([Lane("x", None, marks=[Span(*date_range("1978"), "1978", "event")])])  # type: ignore[misc]
    assert drawing is not None and (drawing.first_year, drawing.last_year) == (1970, 1980)
    ((_, _, marks),) = drawing.lanes
    assert abs(marks[0].x - 800) < 0.5 and 99 < marks[0].width < 101  # a tenth of the decade-wide axis


def test_partnership_life_cycle_drawn_beside_the_list(client: FlaskClient) -> None:
    html = client.get("/doc/partnership/dortmund-rostov-on-don?lang=en").get_data(as_text=True)
    lanes = _Lanes(html).lanes
    status, events = lanes
    classes = [c for _, c, _, _ in status[1]]
    assert "bar status-active" in classes and "bar status-dormant" in classes
    assert "fuzzy" in classes  # the active period starts in 1977, known only to the year
    active = next(r for r in status[1] if r[1] == "bar status-active")
    dormant = next(r for r in status[1] if r[1] == "bar status-dormant")
    assert active[2] < dormant[2] and abs(active[2] + active[3] - dormant[2]) < 1
    assert "active: 1977 – 2022-03-31" in status[0]
    marks = [r for r in events[1] if r[1] == "mark"]
    assert len(marks) >= 5  # four events, two of them with dates that sources disagree on
    initiative = min(marks, key=lambda r: r[2])  # 1974, a whole year wide
    assert initiative[3] > 5 * min(r[3] for r in marks)
    assert html.index('class="timeline-drawing"') < html.index('<ol class="timeline">')  # beside the list


def test_city_partnerships_one_lane_each(client: FlaskClient) -> None:
    html = client.get("/doc/city/dortmund?lang=de").get_data(as_text=True)
    lanes = _Lanes(html).lanes
    assert len(lanes) >= 12
    labels = [label for label, _ in lanes]
    assert any(label.startswith("Städtepartnerschaft Dortmund–Amiens: aktiv") for label in labels), labels
    starts = [min(x for _, c, x, _ in rects if c.startswith("bar")) for _, rects in lanes]
    assert starts == sorted(starts)
