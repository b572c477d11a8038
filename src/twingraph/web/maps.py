"""Maps drawn as inline SVG over the shipped world outline (static/world.svg): no tiles, no network.

Coordinates are plate carrée (x = longitude, y = -latitude), the outline's own; lines between
cities follow great circles, cut where they cross the antimeridian.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MIN_SPAN = 24.0  # degrees: a map never zooms in closer than this
MAX_DETAILED = (
    300  # beyond this many points or lines: straight lines, one path each for lines and dots, no names
)
MARGIN = 0.12  # share of the span added around the points


@dataclass(frozen=True)
class MapPoint:
    """A city on the map."""

    lat: float
    long: float
    label: str
    href: str | None
    primary: bool = False

    @property
    def x(self) -> float:
        """Horizontal position (longitude)."""
        return round(self.long, 3)

    @property
    def y(self) -> float:
        """Vertical position (minus latitude)."""
        return round(-self.lat, 3)


@dataclass(frozen=True)
class MapLabel:
    """A city name placed where it overlaps no other name."""

    x: float
    y: float
    anchor: str
    text: str


@dataclass(frozen=True)
class MapView:
    """Everything the map template draws."""

    view_box: str
    points: list[MapPoint]
    lines: list[str]
    scale: float
    labels: list[MapLabel] = field(default_factory=list)
    bulk_lines: str = ""
    bulk_points: str = ""

    @property
    def radius(self) -> float:
        """Point radius in map units (about 0.6 % of the map's width)."""
        return round(self.scale * 0.006, 3)

    @property
    def font_size(self) -> float:
        """Label size in map units."""
        return round(self.scale * 0.018, 3)

    @property
    def stroke(self) -> float:
        """Line width in map units."""
        return round(self.scale * 0.003, 4)


def great_circle(a: MapPoint, b: MapPoint, steps: int = 48) -> str:
    """SVG path data of the great circle from ``a`` to ``b`` (split at the antimeridian).

    >>> great_circle(MapPoint(0, 0, "a", None), MapPoint(0, 10, "b", None), steps=2)
    'M0 0L5 0L10 0'
    """
    la1, lo1, la2, lo2 = (math.radians(v) for v in (a.lat, a.long, b.lat, b.long))
    p1 = (math.cos(la1) * math.cos(lo1), math.cos(la1) * math.sin(lo1), math.sin(la1))
    p2 = (math.cos(la2) * math.cos(lo2), math.cos(la2) * math.sin(lo2), math.sin(la2))
    omega = math.acos(max(-1.0, min(1.0, sum(u * v for u, v in zip(p1, p2, strict=True)))))
    points = []
    for i in range(steps + 1):
        t = i / steps
        if omega < 1e-9:
            vec = p1
        else:
            f1, f2 = math.sin((1 - t) * omega) / math.sin(omega), math.sin(t * omega) / math.sin(omega)
            vec = tuple(f1 * u + f2 * v for u, v in zip(p1, p2, strict=True))  # type: ignore[assignment]
        lat = math.degrees(math.atan2(vec[2], math.hypot(vec[0], vec[1])))
        lon = math.degrees(math.atan2(vec[1], vec[0]))
        points.append((lon, -lat))
    out = []
    previous: float | None = None
    for lon, y in points:
        command = "M" if previous is None or abs(lon - previous) > 180 else "L"
        out.append(f"{command}{_num(lon)} {_num(y)}")
        previous = lon
    return "".join(out)


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def map_view(points: list[MapPoint], lines: list[tuple[MapPoint, MapPoint]]) -> MapView | None:
    """Frame the points (with a margin, at least MIN_SPAN wide) and draw the lines; None without points."""
    if not points:
        return None
    xs = [p.x for p in points]
    ys = [p.y for p in points]
    width = max(max(xs) - min(xs), MIN_SPAN)
    height = max(max(ys) - min(ys), MIN_SPAN / 2)
    width, height = max(width, height * 1.6), max(height, width / 2.2)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    width, height = width * (1 + 2 * MARGIN), height * (1 + 2 * MARGIN)
    left = max(-180.0, cx - width / 2)
    top = max(-90.0, cy - height / 2)
    width, height = min(width, 360.0), min(height, 180.0)
    box = f"{_num(left)} {_num(top)} {_num(width)} {_num(height)}"
    if len(points) <= MAX_DETAILED and len(lines) <= MAX_DETAILED:
        view = MapView(view_box=box, points=points, lines=[great_circle(a, b) for a, b in lines], scale=width)
        view.labels.extend(place_labels(view))
        return view
    # A world-scale map stays small and fast: two path elements, dots drawn as round-capped zero-length lines.
    bulk_lines = "".join(_straight(a, b) for a, b in lines)
    bulk_points = "".join(f"M{_num(p.x)} {_num(p.y)}h0" for p in points)
    return MapView(box, points, [], width, bulk_lines=bulk_lines, bulk_points=bulk_points)


def _straight(a: MapPoint, b: MapPoint) -> str:
    """A straight line; across the antimeridian when shorter (two pieces, clipped by the edge)."""
    if abs(b.x - a.x) <= 180:
        return f"M{_num(a.x)} {_num(a.y)}L{_num(b.x)} {_num(b.y)}"
    shift = 360 if b.x < a.x else -360
    return (
        f"M{_num(a.x)} {_num(a.y)}L{_num(b.x + shift)} {_num(b.y)}"
        f"M{_num(a.x - shift)} {_num(a.y)}L{_num(b.x)} {_num(b.y)}"
    )


Box = tuple[float, float, float, float]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(view: MapView) -> list[MapLabel]:
    """Put each name right, left, above or below its point, wherever it hits no placed name or point;
    names that fit nowhere are left out (the caption lists every city)."""
    size, gap = view.font_size, view.radius * 1.8
    taken: list[Box] = [
        (p.x - view.radius, p.y - view.radius, p.x + view.radius, p.y + view.radius) for p in view.points
    ]
    placed = []
    for point in sorted(view.points, key=lambda p: (not p.primary, p.label)):
        width = len(point.label) * size * 0.58
        own = (point.x - view.radius, point.y - view.radius, point.x + view.radius, point.y + view.radius)
        candidates = (
            (
                point.x + gap,
                point.y + size * 0.35,
                "start",
                (point.x + gap, point.y - size * 0.5, point.x + gap + width, point.y + size * 0.5),
            ),
            (
                point.x - gap,
                point.y + size * 0.35,
                "end",
                (point.x - gap - width, point.y - size * 0.5, point.x - gap, point.y + size * 0.5),
            ),
            (
                point.x,
                point.y - gap,
                "middle",
                (point.x - width / 2, point.y - gap - size, point.x + width / 2, point.y - gap),
            ),
            (
                point.x,
                point.y + gap + size * 0.8,
                "middle",
                (point.x - width / 2, point.y + gap, point.x + width / 2, point.y + gap + size),
            ),
        )
        free = [c for c in candidates if not any(_overlaps(c[3], other) for other in taken if other != own)]
        if point.primary and not free:
            free = [candidates[2]]  # the map's own city is always named
        if free:
            x, y, anchor, box = free[0]
            taken.append(box)
            placed.append(MapLabel(round(x, 3), round(y, 3), anchor, point.label))
    return placed
