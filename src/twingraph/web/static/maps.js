// The maps of twingraph, drawn by the vendored Leaflet (static/leaflet/) over the shipped land outline
// (static/land.geojson): no tile server, nothing fetched from elsewhere. Each map reads its data from a
// JSON block the server wrote (CSP allows no inline script); the table beside the map holds the same.
(function () {
  "use strict";
  var FONT = "12px system-ui, sans-serif";

  // Points along the great circle from a to b ([lat, long]), in pieces split where it crosses the
  // antimeridian, so that no line runs across the whole map.
  function greatCircle(a, b, steps) {
    var rad = Math.PI / 180;
    function vec(p) {
      return [Math.cos(p[0] * rad) * Math.cos(p[1] * rad), Math.cos(p[0] * rad) * Math.sin(p[1] * rad), Math.sin(p[0] * rad)];
    }
    var p1 = vec(a), p2 = vec(b);
    var dot = Math.max(-1, Math.min(1, p1[0] * p2[0] + p1[1] * p2[1] + p1[2] * p2[2]));
    var omega = Math.acos(dot);
    var pieces = [[]], previous = null;
    for (var i = 0; i <= steps; i++) {
      var t = i / steps, v = p1;
      if (omega > 1e-9) {
        var f1 = Math.sin((1 - t) * omega) / Math.sin(omega), f2 = Math.sin(t * omega) / Math.sin(omega);
        v = [f1 * p1[0] + f2 * p2[0], f1 * p1[1] + f2 * p2[1], f1 * p1[2] + f2 * p2[2]];
      }
      var lat = Math.atan2(v[2], Math.hypot(v[0], v[1])) / rad, lon = Math.atan2(v[1], v[0]) / rad;
      if (previous !== null && Math.abs(lon - previous) > 180) {
        pieces.push([]);
      }
      pieces[pieces.length - 1].push([lat, lon]);
      previous = lon;
    }
    return pieces.filter(function (piece) { return piece.length > 1; });
  }

  var measure = document.createElement("canvas").getContext("2d");
  measure.font = FONT;

  // Names beside their points: right, left, above or below, wherever a name overlaps no other name and
  // no point; most important first (the map's own city, then the biggest). Names that fit nowhere at
  // this zoom wait for a closer one (the table lists them all).
  function placeLabels(map, points, layer) {
    layer.clearLayers();
    var bounds = map.getBounds().pad(0.05);
    var size = map.getSize();
    var taken = points.map(function (p) {
      var c = map.latLngToContainerPoint([p.lat, p.long]);
      return [c.x - 3, c.y - 3, c.x + 3, c.y + 3];
    });
    var order = points.map(function (p, i) { return i; }).sort(function (i, j) {
      var a = points[i], b = points[j];
      return (b.primary - a.primary) || (b.weight - a.weight) || a.label.localeCompare(b.label);
    });
    order.forEach(function (i) {
      var p = points[i];
      if (!bounds.contains([p.lat, p.long])) return;
      var c = map.latLngToContainerPoint([p.lat, p.long]);
      var w = Math.ceil(measure.measureText(p.label).width) + 6, h = 16, gap = 7;
      var options = [
        ["right", c.x + gap, c.y - h / 2],
        ["left", c.x - gap - w, c.y - h / 2],
        ["top", c.x - w / 2, c.y - gap - h],
        ["bottom", c.x - w / 2, c.y + gap]
      ];
      for (var k = 0; k < options.length; k++) {
        var x = options[k][1], y = options[k][2];
        var box = [x, y, x + w, y + h];
        var inside = x >= 0 && y >= 0 && x + w <= size.x && y + h <= size.y;
        var free = inside && taken.every(function (o, n) {
          return n === i || !(box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]);
        });
        // The map's own city is always named (placed first, it can only cover points).
        if (free || (p.primary && k === options.length - 1)) {
          if (!free) { x = options[0][1]; y = options[0][2]; box = [x, y, x + w, y + h]; }
          taken.push(box);
          var icon = L.divIcon({
            className: "map-label" + (p.primary ? " primary" : ""),
            html: "",
            iconSize: [w, h],
            iconAnchor: [c.x - x, c.y - y]
          });
          var marker = L.marker([p.lat, p.long], { icon: icon, interactive: false, keyboard: false });
          marker.addTo(layer);
          marker.getElement().textContent = p.label;
          return;
        }
      }
    });
  }

  function init(element) {
    var data = JSON.parse(document.getElementById(element.dataset.map).textContent);
    var points = data.points;
    var map = L.map(element, {
      minZoom: 0, maxZoom: 9, zoomSnap: 0.25, worldCopyJump: false,
      maxBounds: [[-85, -220], [85, 220]], preferCanvas: data.lines.length > 400
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth · Leaflet");
    var land = L.layerGroup().addTo(map);
    fetch(element.dataset.land).then(function (r) { return r.json(); }).then(function (geo) {
      L.geoJSON(geo, { interactive: false, style: { stroke: false, fillColor: "#f3f1e8", fillOpacity: 1 } })
        .addTo(land);
      land.eachLayer(function (l) { l.bringToBack(); });
    });
    var maxLine = Math.max.apply(null, [1].concat(data.lines.map(function (l) { return l[2]; })));
    var maxPoint = Math.max.apply(null, [1].concat(points.map(function (p) { return p.weight; })));
    // Thin faint lines for the many small flows, drawn first; the few big ones wide and on top.
    data.lines.slice().sort(function (a, b) { return a[2] - b[2]; }).forEach(function (line) {
      var a = points[line[0]], b = points[line[1]], share = Math.sqrt(line[2] / maxLine);
      var title = a.label + " – " + b.label + (data.aggregated ? ": " + line[2] : "");
      L.polyline(greatCircle([a.lat, a.long], [b.lat, b.long], 32), {
        color: "#a3194f", weight: data.aggregated ? 0.5 + 6 * share : 1.6, opacity: data.aggregated ? 0.07 + 0.6 * share : 0.7
      }).bindTooltip(title, { sticky: true }).addTo(map);
    });
    points.forEach(function (p) {
      var radius = data.aggregated ? 3 + 9 * Math.sqrt(p.weight / maxPoint) : (p.primary ? 7 : 5);
      var marker = L.circleMarker([p.lat, p.long], {
        radius: radius, color: "#fff", weight: 1.5, fillColor: p.primary ? "#1f4e79" : "#a3194f", fillOpacity: 0.95
      }).bindTooltip(p.label + (data.aggregated ? " (" + p.weight + ")" : "")).addTo(map);
      if (p.href) marker.on("click", function () { window.location.href = p.href; });
    });
    var bounds = L.latLngBounds(points.map(function (p) { return [p.lat, p.long]; }));
    if (data.aggregated || points.length < 2) {
      map.setView(points.length ? bounds.getCenter() : [20, 10], data.aggregated ? 1.5 : 4);
      if (data.aggregated) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 3 });
    } else {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 6 });
    }
    var labels = L.layerGroup().addTo(map);
    var redraw = function () { placeLabels(map, points, labels); };
    map.on("zoomend moveend resize", redraw);
    redraw();
    element.dataset.ready = "true";
  }

  document.querySelectorAll(".leaflet-map[data-map]").forEach(init);
  window.twingraphGreatCircle = greatCircle;
})();
