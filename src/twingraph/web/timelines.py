"""Drawn timelines: status periods as bars, events as marks, each date as the range its precision
allows (a gYear 1978 covers 1978-01-01 to 1978-12-31), on lanes that share one time axis.

The page draws each lane as a small SVG (no script) stretched to the page's width, beside the list of
events that says the same in words. ``date_range`` is the one place that turns a stated date into the
interval it covers (when the data states comparable bounds, it can read them instead).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from twingraph.queries import load_query
from twingraph.store.base import term_text
from twingraph.web.describe import Describer

WIDTH = 1000  # the lanes' coordinate width (their viewBox); they stretch to the page
_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def date_range(value: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a stated date (xsd:date, gYearMonth or gYear) may mean; None if unreadable.

    >>> date_range("1978")
    (datetime.date(1978, 1, 1), datetime.date(1978, 12, 31))
    >>> date_range("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> date_range("1960-04-02"), date_range("about 1960")
    ((datetime.date(1960, 4, 2), datetime.date(1960, 4, 2)), None)
    """
    found = _DATE.match(value.strip())
    if not found or found.group(1).startswith("-"):
        return None
    year, month, day = int(found.group(1)), found.group(2), found.group(3)
    try:
        if day:
            one = dt.date(year, int(month), int(day))
            return one, one
        if month:
            last = calendar.monthrange(year, int(month))[1]
            return dt.date(year, int(month), 1), dt.date(year, int(month), last)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None


@dataclass
class Span:
    """Something drawn on a lane: a status bar or an event mark, from ``start`` to ``end``.

    ``start_until`` / ``end_from`` say how far an imprecise start or end reaches (drawn lighter).
    """

    start: dt.date
    end: dt.date
    title: str
    kind: str  # status key (active, dormant, ended, ...) for bars; "event" for marks
    href: str | None = None
    start_until: dt.date | None = None
    open_end: bool = False


@dataclass
class Lane:
    """One row of the timeline: a name and what happened on it."""

    label: str
    href: str | None
    bars: list[Span] = field(default_factory=list)
    marks: list[Span] = field(default_factory=list)
    summary: str = ""


@dataclass(frozen=True)
class Drawn:
    """A span in lane coordinates (0..WIDTH)."""

    x: float
    width: float
    fuzzy_width: float
    title: str
    kind: str
    href: str | None


@dataclass
class TimelineDrawing:
    """Lanes with their spans placed on the shared axis, and the axis' ticks (x, year)."""

    lanes: list[tuple[Lane, list[Drawn], list[Drawn]]]
    ticks: list[tuple[float, int]]
    first_year: int
    last_year: int


def draw(lanes: list[Lane], today: dt.date | None = None) -> TimelineDrawing | None:
    """Place every lane's spans on one axis from the first decade to the last; None when nothing is dated."""
    today = today or dt.date.today()
    spans = [s for lane in lanes for s in (*lane.bars, *lane.marks)]
    if not spans:
        return None
    first = min(s.start for s in spans).year // 10 * 10
    last = max(max(s.end for s in spans), today if any(s.open_end for s in spans) else dt.date.min).year
    last = max(last // 10 * 10 + 10, first + 10)
    origin, stop = dt.date(first, 1, 1), dt.date(last, 1, 1)
    total = (stop - origin).days

    def x(day: dt.date) -> float:
        return round(WIDTH * (day - origin).days / total, 2)

    placed = []
    for lane in lanes:
        bars = [
            Drawn(
                x(s.start),
                max(x(s.end) - x(s.start), 2.0),
                x(s.start_until) - x(s.start) if s.start_until else 0.0,
                s.title,
                s.kind,
                s.href,
            )
            for s in lane.bars
        ]
        marks = [
            Drawn(x(s.start), max(x(s.end) - x(s.start), 3.0), 0.0, s.title, s.kind, s.href)
            for s in lane.marks
        ]
        placed.append((lane, bars, marks))
    step = 10 if last - first <= 80 else 20
    ticks = [(x(dt.date(year, 1, 1)), year) for year in range(first, last + 1, step)]
    return TimelineDrawing(placed, ticks, first, last)


def _status_lanes(describer: Describer, this: str, city: bool) -> dict[str, Lane]:
    """One lane per partnership (``this`` partnership, or each of ``this`` city's) with its status bars."""
    site, lang = describer.site, describer.lang
    periods: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    own: dict[str, dict[str, str]] = defaultdict(dict)
    query, variable = (
        ("pages/city-status-periods", "this") if city else ("pages/status-periods", "partnership")
    )
    for row in describer.store.select(load_query(query), {variable: ox.NamedNode(this)}):
        partnership, what, value = (
            term_text(row["partnership"]),
            term_text(row["what"]),
            term_text(row["value"]),
        )
        if what in ("pstart", "pend", "current"):
            # Sources may disagree: the earliest start, the latest end.
            kept = own[partnership].get(what)
            if what == "current" or kept is None or (value < kept if what == "pstart" else value > kept):
                own[partnership][what] = value
        else:
            periods[partnership][term_text(row["period"])][what] = value
    lanes: dict[str, Lane] = {}
    for partnership in sorted(set(periods) | set(own)):
        lane = lanes[partnership] = Lane(site.name(partnership, lang), describer.href(partnership))
        stated = list(periods[partnership].values()) or [
            {"status": own[partnership].get("current", ""), "start": own[partnership].get("pstart", "")}
            | ({"end": own[partnership]["pend"]} if "pend" in own[partnership] else {})
        ]
        for period in stated:
            start = date_range(period.get("start", ""))
            if start is None:
                continue
            end = date_range(period.get("end", ""))
            status = period.get("status", "")
            key = status.rstrip("/").rsplit("/", 1)[-1] if status else "unknown"
            name = site.name(status, lang) if status else "?"
            when = str(describer.lang.text("timeline_since", start=period["start"]))
            if end is not None:
                when = f"{period['start']} – {period['end']}"
            lane.bars.append(
                Span(
                    start[0],
                    end[1] if end else dt.date.today(),
                    f"{name}: {when}",
                    key,
                    start_until=start[1] if start[1] != start[0] else None,
                    open_end=end is None,
                )
            )
        lane.bars.sort(key=lambda s: s.start)
        lane.summary = "; ".join(bar.title for bar in lane.bars)
    return lanes


def partnership_timeline(
    describer: Describer, iri: str, events: list[tuple[str, str, str | None]]
) -> TimelineDrawing | None:
    """A partnership's life cycle: its status periods on a lane, its events (label, date, link) on another."""
    lanes = list(_status_lanes(describer, iri, city=False).values())
    for lane in lanes:
        lane.label, lane.href = describer.lang.text("status"), None
    marks = []
    for label, date, href in events:
        found = date_range(date)
        if found:
            marks.append(Span(found[0], found[1], f"{date}: {label}", "event", href))
    if marks:
        event_lane = Lane(describer.lang.text("events"), None, marks=marks)
        event_lane.summary = "; ".join(m.title for m in marks)
        lanes.append(event_lane)
    return draw(lanes)


def city_timeline(describer: Describer, iri: str) -> TimelineDrawing | None:
    """A city's partnerships, one lane each, with their status periods, in order of their start."""
    lanes = sorted(
        _status_lanes(describer, iri, city=True).values(),
        key=lambda lane: min((b.start for b in lane.bars), default=dt.date.max),
    )
    return draw([lane for lane in lanes if lane.bars])
