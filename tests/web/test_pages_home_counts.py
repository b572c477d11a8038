"""The home page gives one figure per thing: the map caption and the counts table agree, from one query."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from twingraph.web import get_store


def test_map_caption_and_counts_table_give_the_same_figures(client: FlaskClient) -> None:
    html = client.get("/?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    table = dict(re.findall(r'<tr><td><a href="/list/[a-z]+">([^<]+)</a></td><td>(\d+)</td></tr>', html))
    caption = re.search(r"<(?:figcaption|p)><a href=\"/map\">(\d+) Cities, (\d+) Partnerships</a>", html)
    assert caption, "the home map's caption names the cities and partnerships"
    assert (caption[1], caption[2]) == (table["City"], table["Partnership"])
    with client.application.app_context():
        store = get_store()
        tg = "https://w3id.org/twingraph/ontology#"
        (row,) = store.select(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a <{tg}Partnership> }}")
    assert int(row["n"].value) == int(caption[2])  # type: ignore[union-attr]
