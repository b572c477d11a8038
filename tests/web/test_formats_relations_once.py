"""Each relation read once: the inferred schema.org twins stay in the data but not on pages or previews."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

SCHEMA = "https://schema.org/"
PAGES = [
    "/doc/event/dortmund-amiens-2022-05-renewal",
    "/doc/city/amiens",
    "/doc/partnership/dortmund-amiens",
    "/doc/person/ullrich-sierau",
]


def row_properties(html: str) -> list[str]:
    """The property links of a page's fact rows and incoming groups."""
    return re.findall(r'<th[^>]*scope="row"[^>]*>\s*<a href="([^"]+)"', html) + re.findall(
        r'<h3[^>]*>\s*<a href="([^"]+)"', html
    )


@pytest.mark.parametrize("path", PAGES)
def test_a_page_shows_each_relation_once(client: FlaskClient, path: str) -> None:
    html = client.get(path, headers={"Accept": "text/html", "Accept-Language": "en"}).get_data(as_text=True)
    shown = row_properties(html)
    assert shown, "the page lists facts"
    twins = [p for p in shown if p.startswith(SCHEMA)]
    assert twins == [], twins
    # ... while the data keeps them for schema.org readers.
    turtle = client.get(f"{path}.nt").data
    assert any(t.predicate.value.startswith(SCHEMA) for t in ox.parse(turtle, format=ox.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize(
    "entity", ["city/amiens", "partnership/dortmund-amiens", "event/dortmund-amiens-2022-05-renewal"]
)
def test_a_preview_shows_each_relation_once(client: FlaskClient, entity: str) -> None:
    html = client.get("/reconcile/preview", query_string={"id": entity}).get_data(as_text=True)
    rows = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert len(rows) >= 3
    values = [value for _, value in rows]
    assert len(values) == len(set(values)), rows
