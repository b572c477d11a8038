"""The home page shows the map of all partnerships: Leaflet over the shipped outline, no network resource,
aggregated by country, with the same content as a table."""

from __future__ import annotations

import json

from flask.testing import FlaskClient


def test_home_page_embeds_the_world_map(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index('aria-labelledby="map-h"')
    section = html[start : html.index("</section>", start)]
    assert 'class="leaflet-map"' in section and 'href="/map"' in section
    begin = section.index('id="home-map-data">') + len('id="home-map-data">')
    data = json.loads(section[begin : section.index("</script>", begin)])
    # Every city with coordinates is counted in its country's point: Dortmund and its 11 partner cities.
    assert sum(p["weight"] for p in data["points"]) >= 12
    assert data["lines"] and all(n >= 1 for _, _, n in data["lines"])
    assert "<table" in section  # the same content for readers who do not see the map
    assert "http://" not in section.split('class="leaflet-map"', 1)[1].split("</figure>", 1)[0]
