"""The Reconciliation API 1.0 draft at /reconcile/1.0: every answer checked against the draft's schemas.

The schemas are the verbatim copy in tests/conformance/reconciliation/schemas/1.0-draft (origin,
commit and licence in its PROVENANCE.md), loaded into one registry under the draft's ``$id`` base
(Draft 7 validator, as upstream's CI). A first test proves the validator accepts the upstream
valid examples and rejects the invalid ones, so that passing it means something.
"""

from __future__ import annotations

import csv
import json

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft7Validator

from support import reconcile_schemas as schemas
from support.paths import TEST_DATA
from support.reconcile_schemas import EXAMPLE_SCHEMAS, SPEC

VERSION = "1.0-draft"
SCHEMAS = SPEC / "schemas" / VERSION
VARIANTS = TEST_DATA / "reconcile-variants.csv"
ROOT = "/reconcile/1.0"


def validator(name: str) -> Draft7Validator:
    """The validator of one schema of this version."""
    return schemas.validator(VERSION, name)


def assert_valid(name: str, instance: object) -> None:
    """Fail with every schema error found in ``instance``."""
    schemas.assert_valid(VERSION, name, instance)


@pytest.mark.parametrize("name", EXAMPLE_SCHEMAS)
def test_the_validator_agrees_with_the_upstream_examples(name: str) -> None:
    folder = SPEC / "examples" / "1.0-draft" / name
    valid = sorted((folder / "valid").glob("*.json"))
    assert valid
    for example in valid:
        assert_valid(name, json.loads(example.read_text(encoding="utf-8")))
    for example in sorted((folder / "invalid").glob("*.json")):
        instance = json.loads(example.read_text(encoding="utf-8"))
        assert list(validator(name).iter_errors(instance)), f"{example.name} should be invalid"


def post(client: FlaskClient, route: str, body: object) -> dict[str, object]:
    response = client.post(ROOT + route, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    answer = response.get_json()
    assert isinstance(answer, dict)
    return answer


def name_query(text: str, **extra: object) -> dict[str, object]:
    return {"conditions": [{"matchType": "name", "propertyValue": text}], **extra}


def test_manifest_and_both_versions_link_each_other(client: FlaskClient) -> None:
    response = client.get(ROOT)
    manifest = response.get_json()
    assert_valid("manifest", manifest)
    assert manifest["versions"] == ["1.0-draft"]
    assert manifest["suggest"] == {"entity": True, "property": True, "type": True}
    assert manifest["extend"]["proposeProperties"] is True
    page = client.get(manifest["view"]["url"].replace("{id}", "city/amiens").removeprefix("http://localhost"))
    assert page.status_code in (200, 303)
    old = client.get("/reconcile")
    assert manifest["otherVersions"][0]["endpoint"].rstrip("/") == "http://localhost/reconcile"
    link = '<http://localhost/reconcile/>; rel="alternate"; type="application/json"'
    assert response.headers["Link"] == link
    old_manifest = old.get_json()
    assert old_manifest["versions"] == ["0.2"]
    assert old_manifest["otherVersions"][0]["endpoint"].rstrip("/") == "http://localhost/reconcile/1.0"
    assert old.headers["Link"] == '<http://localhost/reconcile/1.0>; rel="alternate"; type="application/json"'
    from test_reconcile_api import assert_valid as assert_valid_02

    assert_valid_02("manifest", old_manifest)  # the 0.2 manifest stays valid with its link


def read_variants() -> list[dict[str, str]]:
    with VARIANTS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_batch_of_the_projects_variants_answers_like_0_2(client: FlaskClient) -> None:
    variants = read_variants()
    queries_v1, queries_02 = [], {}
    for i, row in enumerate(variants):
        conditions: list[dict[str, object]] = [{"matchType": "name", "propertyValue": row["query"]}]
        old: dict[str, object] = {"query": row["query"]}
        if row["country"]:
            country = {"matchType": "property", "propertyId": "country", "propertyValue": row["country"]}
            conditions.append(country)
            old["properties"] = [{"pid": "country", "v": row["country"]}]
        query: dict[str, object] = {"conditions": conditions}
        if row["type"]:
            query["type"] = old["type"] = row["type"]
        queries_v1.append(query)
        queries_02[f"q{i}"] = old
    body = {"queries": queries_v1}
    assert_valid("reconciliation-query-batch", body)
    answer = post(client, "/match", body)
    assert_valid("reconciliation-result-batch", answer)
    assert post(client, "/reconcile", body) == answer  # the route the issue names answers too
    results = answer["results"]
    assert isinstance(results, list) and len(results) == len(variants)
    old_answer = client.post("/reconcile", data={"queries": json.dumps(queries_02)}).get_json()
    for i, (row, result) in enumerate(zip(variants, results, strict=True)):
        got = [(c["id"], c["match"]) for c in result["candidates"]]
        assert got == [(c["id"], c["match"]) for c in old_answer[f"q{i}"]["result"]], row["query"]
        matched = [c["id"] for c in result["candidates"] if c["match"]]
        assert matched in ([], [row["expected"]]), row["query"]
    assert sum(1 for r in results if any(c["match"] for c in r["candidates"])) >= 40


def test_id_and_required_property_conditions(client: FlaskClient) -> None:
    body = {
        "queries": [
            {"conditions": [{"matchType": "id", "propertyValue": "https://w3id.org/twingraph/id/city/amiens"}]},
            name_query("Leeds") | {"conditions": [
                {"matchType": "name", "propertyValue": "Leeds"},
                {"matchType": "property", "propertyId": "country", "propertyValue": "FR", "required": True},
            ]},
            {"conditions": [
                {"matchType": "name", "propertyValue": "Leeds"},
                {"matchType": "property", "propertyId": "country", "propertyValue": ["GB", "DE"]},
            ]},
        ]
    }  # fmt: skip
    answer = post(client, "/match", body)
    assert_valid("reconciliation-result-batch", answer)
    by_id, required, several = answer["results"]  # type: ignore[misc]
    assert by_id["candidates"][0]["id"] == "city/amiens" and by_id["candidates"][0]["match"] is True
    assert required["candidates"] == []  # Leeds is in GB: a required FR leaves no candidate
    top = several["candidates"][0]
    assert top["id"] == "city/leeds" and top["match"] is True
    assert {f["id"]: f["value"] for f in top["features"]}["property_country"] is True


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"queries": "Amiens"}, '{"queries": [...]}'),
        ({"queries": [{"query": "Amiens"}]}, "unknown fields"),
        ({"queries": [{"conditions": []}]}, "non-empty list"),
        ({"queries": [{"conditions": [{"matchType": "label", "propertyValue": "x"}]}]}, "matchType"),
        ({"queries": [name_query("x", type="Nothing")]}, "unknown type"),
        ({"queries": [{"conditions": [{"matchType": "property", "propertyValue": "x"}]}]}, "propertyId"),
        (
            {
                "queries": [
                    name_query("x")
                    | {"conditions": [{"matchType": "name", "propertyValue": "x", "matchQuantifier": "none"}]}
                ]
            },
            "matchQuantifier",
        ),
        ({"queries": [name_query("x", limit=0)]}, "positive integer"),
    ],
)
def test_bad_batches_get_a_400_with_a_reason(client: FlaskClient, body: object, reason: str) -> None:
    response = client.post(ROOT + "/match", json=body, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert reason in response.get_json()["message"]


def test_no_jsonp_and_json_bodies_only(client: FlaskClient) -> None:
    response = client.get(ROOT + "/suggest/entity?prefix=Ami&callback=cb")
    assert response.mimetype == "application/json" and not response.get_data(as_text=True).startswith("/**/")
    form = client.post(ROOT + "/match", data={"queries": "[]"})
    assert form.status_code == 415
    broken = client.post(ROOT + "/match", data="{", content_type="application/json")
    assert broken.status_code == 400
    assert client.get(ROOT + "/match").status_code == 405


def test_suggest_preview_extend_and_propose(client: FlaskClient) -> None:
    entities = client.get(ROOT + "/suggest/entity?prefix=Ami&limit=3").get_json()
    assert_valid("suggest-entities-response", entities)
    assert entities["result"][0]["id"] == "city/amiens"
    by_identifier = client.get(ROOT + "/suggest/entity?prefix=city/kumasi").get_json()
    assert by_identifier["result"][0]["id"] == "city/kumasi"
    offset = client.get(ROOT + "/suggest/entity?prefix=a&limit=2&offset=1").get_json()
    everything = client.get(ROOT + "/suggest/entity?prefix=a&limit=3").get_json()
    assert offset["result"] == everything["result"][1:3]
    types = client.get(ROOT + "/suggest/type?prefix=Stadt").get_json()
    assert_valid("suggest-types-response", types)
    assert "City" in [t["id"] for t in types["result"]]
    properties = client.get(ROOT + "/suggest/property?prefix=count").get_json()
    assert_valid("suggest-properties-response", properties)
    assert [p["id"] for p in properties["result"]] == ["country"]
    preview = client.get(ROOT + "/preview?id=city/amiens")
    assert preview.status_code == 200 and preview.mimetype == "text/html"
    assert "Amiens" in preview.get_data(as_text=True)
    query = {"ids": ["city/leeds", "city/amiens"], "properties": [{"id": "country"}, {"id": "twinnedWith"}]}
    assert_valid("data-extension-query", query)
    extended = post(client, "/extend", query)
    assert_valid("data-extension-response", extended)
    rows = {row["id"]: row for row in extended["rows"]}  # type: ignore[union-attr]
    leeds = {p["id"]: p["values"] for p in rows["city/leeds"]["properties"]}
    assert leeds["country"] == [{"str": "GB"}]
    assert {"id": "city/dortmund", "name": "Dortmund"} in leeds["twinnedWith"]
    proposed = client.get(ROOT + "/extend/propose?type=City&limit=3").get_json()
    assert_valid("data-extension-property-proposal", proposed)
    assert proposed["type"] == "City" and len(proposed["properties"]) == 3
    assert client.get(ROOT + "/extend/propose").status_code == 400


def test_cors_on_every_answer(client: FlaskClient) -> None:
    for path in ("", "/suggest/type?prefix=C", "/extend/propose"):
        response = client.get(ROOT + path, headers={"Origin": "https://example.org"})
        assert response.headers.get("Access-Control-Allow-Origin") == "*", path
