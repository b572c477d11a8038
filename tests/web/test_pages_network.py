"""A city's ego network: drawn on its page (server-side SVG), with the SPARQL query that produced it as a
.rq file; the query, run by a real SPARQL client (SPARQLWrapper) against the endpoint, gives the same
partners the drawing shows."""

from __future__ import annotations

import re

import httpx
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

pytestmark = pytest.mark.server
BASE = "https://w3id.org/twingraph/"


def test_ego_network_drawn_with_its_query(live_server: str) -> None:
    html = httpx.get(live_server + "/doc/city/dortmund", params={"lang": "en"}, timeout=30).text
    section = html[
        html.index('<section id="network"') : html.index("</section>", html.index('<section id="network"'))
    ]
    first_ring = set(re.findall(r'<a href="(/doc/city/[^"]+)"[^>]*><circle class="node ring1"', section))
    second_ring = set(re.findall(r'<a href="(/doc/city/[^"]+)"[^>]*><circle class="node ring2"', section))
    assert (
        "/doc/city/leeds" in first_ring
        and "/doc/city/zwickau" in first_ring
        and "/doc/city/dura" in first_ring
    )
    assert not first_ring & second_ring and "/doc/city/dortmund" not in first_ring | second_ring
    assert section.count('class="edge') >= len(first_ring)
    link = re.search(r'<a href="(/network/dortmund\.rq)" type="application/sparql-query">', section)
    assert link
    query = httpx.get(live_server + link.group(1), timeout=30)
    assert query.headers["content-type"].startswith("application/sparql-query")
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(query.text)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    partners = {r["a"]["value"].replace(BASE + "id/", "/doc/") for r in rows}
    assert partners == first_ring
    others = (
        {r["b"]["value"].replace(BASE + "id/", "/doc/") for r in rows} - partners - {"/doc/city/dortmund"}
    )
    assert others >= second_ring
    assert "run it in the query editor" in section and "/sparql?query=" in section


def test_network_query_of_an_unknown_city_is_a_404(live_server: str) -> None:
    assert httpx.get(live_server + "/network/atlantis.rq", timeout=30).status_code == 404
    assert httpx.get(live_server + "/network/..%2Fetc.rq", timeout=30).status_code == 404
