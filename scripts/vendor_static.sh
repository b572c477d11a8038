#!/bin/sh
# Refresh the vendored browser libraries of src/twingraph/web/static from npm (versions in
# src/twingraph/web/static/package.json): Leaflet's dist files with its licence, and the land outline
# derived from world-atlas. The copies are committed; serving never fetches anything.
set -eu
STATIC=src/twingraph/web/static
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent leaflet@1.9.4 world-atlas@2.0.2 >/dev/null && tar xzf leaflet-1.9.4.tgz && mv package leaflet \
  && tar xzf world-atlas-2.0.2.tgz && mv package world-atlas)
mkdir -p "$STATIC/leaflet"
cp "$WORK/leaflet/dist/leaflet.js" "$WORK/leaflet/dist/leaflet.css" "$WORK/leaflet/LICENSE" "$STATIC/leaflet/"
cp -r "$WORK/leaflet/dist/images" "$STATIC/leaflet/"
${PYTHON:-python3} scripts/make_world_outline.py "$WORK/world-atlas/land-110m.json" "$STATIC/land.geojson"
