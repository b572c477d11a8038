"""The home page shows the map of all partnerships (inline SVG, no network resource)."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_home_page_embeds_the_world_map(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index('aria-labelledby="map-h"')
    section = html[start : html.index("</section>", start)]
    assert "<svg" in section and "home-map-title" in section
    assert 'href="/map"' in section
    # every partner city with coordinates is a point: Dortmund's 11 twin cities and Dortmund itself
    assert section.count("<circle") >= 12
    assert "http://" not in section.split("<svg", 1)[1].split("xmlns", 1)[0]
