"""A client doing what OpenRefine does, over real HTTP against the live server.

OpenRefine reads the manifest, sends the column's names in batches of 10 as a form field
``queries`` (with ``type_strict: "should"``), takes the candidates with ``match: true``,
then asks the property proposal service for the type and extends the column with values.
Every answer is checked against the 0.2 schemas.
"""

from __future__ import annotations

import json

import httpx
import pytest
from test_reconcile_api import assert_valid

COLUMN = [
    "Amiens",
    "Leeds",
    "Rostow am Don",
    "Buffalo",
    "Netanya",
    "Novi Sad",
    "Zwickau",
    "Xi'an",
    "Trabzon",
    "Kumasi",
    "Schytomyr",
    "Dura",
    "Dortmnud",
    "Atlantis",
]


@pytest.mark.server
def test_openrefine_like_session(live_server: str) -> None:
    headers = {"User-Agent": "OpenRefine/3.8 (test client)", "Origin": "http://127.0.0.1:3333"}
    with httpx.Client(base_url=live_server, timeout=30, headers=headers) as http:
        manifest_response = http.get("/reconcile")
        assert manifest_response.headers["access-control-allow-origin"] == "*"
        manifest = manifest_response.json()
        assert_valid("manifest", manifest)
        city = next(t for t in manifest["defaultTypes"] if t["id"] == "City")

        matched: dict[str, str] = {}
        for start in range(0, len(COLUMN), 10):
            queries = {
                f"q{i}": {"query": name, "type": city["id"], "type_strict": "should", "limit": 3}
                for i, name in enumerate(COLUMN[start : start + 10], start)
            }
            response = http.post("/reconcile", data={"queries": json.dumps(queries)})
            assert response.status_code == 200
            answer = response.json()
            assert_valid("reconciliation-result-batch", answer)
            for key, value in answer.items():
                match = next((c for c in value["result"] if c["match"]), None)
                if match:
                    matched[COLUMN[int(key[1:])]] = match["id"]
        assert matched == {
            "Amiens": "city/amiens",
            "Leeds": "city/leeds",
            "Rostow am Don": "city/rostov-on-don",
            "Buffalo": "city/buffalo",
            "Netanya": "city/netanya",
            "Novi Sad": "city/novi-sad",
            "Zwickau": "city/zwickau",
            "Xi'an": "city/xian",
            "Trabzon": "city/trabzon",
            "Kumasi": "city/kumasi",
            "Schytomyr": "city/zhytomyr",
            "Dura": "city/dura",
        }

        propose = manifest["extend"]["propose_properties"]
        proposals = http.get(
            propose["service_url"] + propose["service_path"], params={"type": city["id"]}
        ).json()
        assert_valid("data-extension-property-proposal", proposals)
        wanted = [
            p["id"] for p in proposals["properties"] if p["id"] in ("country", "wikidata", "twinnedWith")
        ]
        assert wanted == ["wikidata", "country", "twinnedWith"]

        extend = {"ids": list(matched.values()), "properties": [{"id": p} for p in wanted]}
        extended = http.post("/reconcile", data={"extend": json.dumps(extend)}).json()
        assert_valid("data-extension-response", extended)
        rows = extended["rows"]
        assert rows["city/rostov-on-don"]["wikidata"] == [{"str": "Q908"}]
        assert rows["city/kumasi"]["country"] == [{"str": "GH"}]
        assert rows["city/dura"]["wikidata"] == []
        assert all(
            row["twinnedWith"] == [{"id": "city/dortmund", "name": "Dortmund"}]
            for entity_id, row in rows.items()
            if entity_id != "city/dura"
        )

        suggest = manifest["suggest"]["entity"]
        found = http.get(suggest["service_url"] + suggest["service_path"], params={"prefix": "Ami"}).json()
        assert_valid("suggest-entities-response", found)
        assert found["result"][0]["id"] == "city/amiens"
        preview = http.get(manifest["preview"]["url"].replace("{{id}}", "city%2Fxian"))
        assert preview.status_code == 200 and "西安" in preview.text
