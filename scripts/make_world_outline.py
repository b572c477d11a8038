"""Convert Natural Earth's land outline (npm package world-atlas, TopoJSON) into static/land.geojson (or an SVG).

Usage: npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz &&
       python scripts/make_world_outline.py package/land-110m.json src/twingraph/web/static/world.svg
       python scripts/make_world_outline.py package/land-110m.json src/twingraph/web/static/land.geojson

The GeoJSON (longitude, latitude, rounded to 0.1 degree) is the base layer of the Leaflet maps.

The SVG uses plate carrée coordinates (x = longitude, y = -latitude, viewBox -180 -90 360 180), so
that the city maps can draw points and lines in the same coordinates around ``<use href="…#land">``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute (lon, lat) points of every arc (TopoJSON arcs are quantized and delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Points of one ring: its arcs joined, reversed where the index is negative (~i)."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def path_data(topology: dict, name: str) -> str:
    """SVG path data of the named object, rounded to 0.1 degree."""
    arcs = decode_arcs(topology)
    parts = []
    geometries = topology["objects"][name]["geometries"]
    for geometry in geometries:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                coords: list[str] = []
                for lon, lat in ring_points(ring, arcs):
                    point = f"{lon:.1f} {-lat:.1f}".replace(".0 ", " ").removesuffix(".0")
                    if not coords or coords[-1] != point:
                        coords.append(point)
                if len(coords) > 2:
                    parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def geojson(topology: dict, name: str) -> dict:
    """The named object as one GeoJSON MultiPolygon feature, rounded to 0.1 degree."""
    arcs = decode_arcs(topology)
    polygons = []
    for geometry in topology["objects"][name]["geometries"]:
        for polygon in geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]:
            rings = []
            for ring in polygon:
                coords: list[list[float]] = []
                shift = 0.0
                previous: float | None = None
                for lon, lat in ring_points(ring, arcs):
                    # Unwrap rings that cross the antimeridian (Chukotka, Fiji) so that no fill spans
                    # the whole map: the ring continues past 180 degrees instead of jumping back.
                    if previous is not None and abs(lon + shift - previous) > 180:
                        shift += 360.0 if previous > lon + shift else -360.0
                    previous = lon + shift
                    point = [round(lon + shift, 1), round(lat, 1)]
                    if not coords or coords[-1] != point:
                        coords.append(point)
                if len(coords) > 3:
                    rings.append(coords if coords[0] == coords[-1] else [*coords, coords[0]])
            if rings:
                polygons.append(rings)
    geometry = {"type": "MultiPolygon", "coordinates": polygons}
    feature = {"type": "Feature", "properties": {}, "geometry": geometry}
    return {"type": "FeatureCollection", "features": [feature]}


def main(source: str, target: str) -> None:
    """Write the SVG outline (or the GeoJSON, for a ``.geojson`` target)."""
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    if target.endswith(".geojson"):
        text = json.dumps(geojson(topology, "land"), separators=(",", ":")) + "\n"
        Path(target).write_text(text, encoding="utf-8")
        print(f"{target}: {len(text)} bytes")
        return
    d = path_data(topology, "land")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-180 -90 360 180">'
        "<!-- Land outline: Natural Earth 1:110m (public domain) via world-atlas 2.0.2 (ISC). -->"
        f'<path id="land" d="{d}"/></svg>\n'
    )
    Path(target).write_text(svg, encoding="utf-8")
    print(f"{target}: {len(svg)} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
