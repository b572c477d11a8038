"""Lists with facets, as datasette shows tables: filter by country, kind, status, decade and source;
sort; page; download the same view as CSV and JSON. Over a real HTTP server with httpx, the CSV read by
the standard library's csv module."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.server

AMIENS = "https://w3id.org/twingraph/id/partnership/dortmund-amiens"


def _get(base: str, path: str, **params: Any) -> httpx.Response:
    answer = httpx.get(base + path, params=params, headers={"Accept-Language": "en"}, timeout=30)
    return answer


def _csv(base: str, path: str, **params: Any) -> list[dict[str, str]]:
    answer = _get(base, path, **params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.text)))


def test_partnerships_filtered_by_country_and_decade_in_html_csv_and_json(live_server: str) -> None:
    filters = {"country": "FR", "decade": "1960"}
    page = _get(live_server, "/list/partnership", **filters).text
    shown = set(re.findall(r'<th scope="row"><a href="/doc/partnership/([^"]+)"', page))
    assert "dortmund-amiens" in shown
    rows = _csv(live_server, "/list/partnership.csv", **filters)
    assert {r["iri"].rsplit("/", 1)[1] for r in rows} == shown
    for row in rows:
        assert "FR" in row["country"].split("; ")
        assert row["decade"] == "1960" and row["start"].startswith("196")
    data = _get(live_server, "/list/partnership.json", **filters).json()
    assert data["filters"] == filters
    assert data["matching"] == len(data["rows"]) == len(rows) < data["total"]
    assert [r["iri"] for r in data["rows"]] == [r["iri"] for r in rows]
    # ?_format= gives the same as the suffix.
    assert _get(live_server, "/list/partnership", _format="csv", **filters).text == _csv_text(
        live_server, filters
    )


def _csv_text(base: str, filters: dict[str, str]) -> str:
    return _get(base, "/list/partnership.csv", **filters).text


def test_facet_counts_say_how_many_rows_each_value_leaves(live_server: str) -> None:
    data = _get(live_server, "/list/partnership.json").json()
    assert set(data["facets"]) == {"country", "kind", "status", "decade", "source"}
    for facet in ("kind", "status", "decade"):
        values = data["facets"][facet]
        assert values, facet
        for value in values:
            chosen = _get(live_server, "/list/partnership.json", **{facet: value["value"]}).json()
            assert chosen["matching"] == value["count"], (facet, value)
    kinds = {v["value"]: v["label"] for v in data["facets"]["kind"]}
    assert str(kinds.get("twinning")).lower() == "twinning"
    german = httpx.get(live_server + "/list/partnership.json", params={"lang": "de"}, timeout=30).json()
    assert {v["value"]: v["label"] for v in german["facets"]["kind"]}["twinning"] == "Städtepartnerschaft"
    assert {v["value"]: v["label"] for v in german["facets"]["country"]}["FR"] == "Frankreich"


@pytest.mark.parametrize(
    ("segment", "facets"),
    [
        ("city", {"country", "kind", "status", "decade", "source"}),
        ("person", {"country", "decade", "source"}),
        ("event", {"country", "kind", "decade", "source"}),
        ("school", {"country", "source"}),
    ],
)
def test_every_list_offers_its_facets(live_server: str, segment: str, facets: set[str]) -> None:
    data = _get(live_server, f"/list/{segment}.json").json()
    offered = {facet for facet, values in data["facets"].items() if values}
    assert facets <= offered, offered
    source = data["facets"]["source"][0]
    chosen = _get(live_server, f"/list/{segment}.json", source=source["value"]).json()
    assert 0 < chosen["matching"] == source["count"]
    assert all(source["value"] in row["source"] for row in chosen["rows"])


def test_sorted_and_paged(live_server: str) -> None:
    rows = _csv(live_server, "/list/partnership.csv", sort="start", order="desc")
    starts = [r["start"] for r in rows if r["start"]]
    assert starts == sorted(starts, reverse=True) and len(starts) > 5
    first = _get(live_server, "/list/partnership", sort="start", order="desc", _size=5).text
    second = _get(live_server, "/list/partnership", sort="start", order="desc", _size=5, page=2).text
    pattern = r'<th scope="row"><a href="(/doc/partnership/[^"]+)"'
    shown = re.findall(pattern, first) + re.findall(pattern, second)
    assert [p.rsplit("/", 1)[1] for p in shown] == [r["iri"].rsplit("/", 1)[1] for r in rows[:10]]
    assert 'rel="next"' in first
    # The page offers its downloads with its filters and sort order.
    html = _get(live_server, "/list/partnership", kind="twinning", sort="start").text
    assert 'href="/list/partnership.csv?kind=twinning&amp;sort=start"' in html
    assert 'href="/list/partnership.json?kind=twinning&amp;sort=start"' in html


def test_bad_input_gets_a_clear_answer(live_server: str) -> None:
    assert _get(live_server, "/list/partnership", _format="xlsx").status_code == 400
    assert _get(live_server, "/list/nothing.csv").status_code == 404
    none = _get(live_server, "/list/partnership.json", country="ZZ").json()
    assert none["matching"] == 0 and none["rows"] == []
    assert _get(live_server, "/list/partnership", _size="-3", page="x").status_code == 200
