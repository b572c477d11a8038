"""Search on pages over the reconciliation index: every name, ranked, the matched name shown.

On the page fixture: a German alternative label finds its city and is shown beside the city's name.
Over the world graph with GeoNames' names (the session fixture ``world_names_index``): exonyms find
their cities, and a distinctive query lists nothing unrelated ("Rostow" no Hagerstown).
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from twingraph.names import name_key
from twingraph.reconcile import ReconIndex
from twingraph.web.search import search


def test_the_matched_name_is_shown_beside_the_entity(pages_client: FlaskClient) -> None:
    html = pages_client.get("/search?q=Rostow", headers={"Accept-Language": "en"}).get_data(as_text=True)
    first = html.split('<ol class="results">', 1)[1].split("</li>", 1)[0]
    shown = '<span class="matched">Rostow</span> → <a href="/doc/city/rostov-on-don">Rostov-on-Don</a>'
    assert shown in first
    exact = pages_client.get("/search?q=Amiens", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '→ <a href="/doc/city/amiens">' not in exact  # the shown name itself matched: no arrow


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Neusatz", "city/novi-sad"),
        ("Breslau", "city/wroclaw-q1799"),
        ("Aix-la-Chapelle", "city/aachen-q1017"),
        ("Пермь", "city/perm-q915"),
        ("Rostow", "city/rostov-on-don"),
        ("Dortmnud", "city/dortmund"),
    ],
)
def test_every_name_finds_its_city_first(world_names_index: ReconIndex, query: str, expected: str) -> None:
    hits = search(world_names_index, query, limit=10)
    assert hits and hits[0].iri.endswith("/id/" + expected), [h.iri for h in hits[:3]]


@pytest.mark.slow
def test_no_unrelated_hits_for_a_distinctive_query(world_names_index: ReconIndex) -> None:
    hits = search(world_names_index, "Rostow", limit=50)
    found = [h.iri.rsplit("/id/", 1)[1] for h in hits]
    assert not [f for f in found if "hagerstown" in f or "rostock" in f], found
    # what is listed bears the name: the city, and the partnerships, events and conflicts naming it
    assert all("rostow" in name_key(h.matched) for h in hits), [(h.iri, h.matched) for h in hits]
    neusatz = search(world_names_index, "Neusatz", limit=50)
    assert [h.matched for h in neusatz][:1] == ["Neusatz"]
    assert not [h for h in neusatz if h.score < 80], [(h.iri, h.matched, h.score) for h in neusatz]
