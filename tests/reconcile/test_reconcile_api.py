"""The Reconciliation Service API 0.2 at /reconcile: every answer checked against the official schemas.

The JSON Schemas are read from tests/conformance/reconciliation/schemas/0.2 into one registry
(Draft 7 validator, as upstream's CI); a first test proves the validator accepts the upstream
valid examples and rejects the invalid ones, so that passing it means something.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft7Validator

from support import reconcile_schemas as schemas
from support.reconcile_schemas import EXAMPLE_SCHEMAS, SPEC
from twingraph.reconcile.service import MAX_BATCH

VERSION = "0.2"
SCHEMAS = SPEC / "schemas" / VERSION


def validator(name: str) -> Draft7Validator:
    """The validator of one schema of this version."""
    return schemas.validator(VERSION, name)


def assert_valid(name: str, instance: object) -> None:
    """Fail with every schema error found in ``instance``."""
    schemas.assert_valid(VERSION, name, instance)


@pytest.mark.parametrize("name", EXAMPLE_SCHEMAS)
def test_the_validator_agrees_with_the_upstream_examples(name: str) -> None:
    folder = SPEC / "examples" / "0.2" / name
    for example in sorted((folder / "valid").glob("*.json")):
        assert_valid(name, json.loads(example.read_text(encoding="utf-8")))
    for example in sorted((folder / "invalid").glob("*.json")):
        instance = json.loads(example.read_text(encoding="utf-8"))
        assert list(validator(name).iter_errors(instance)), f"{example.name} should be invalid"


def batch(
    client: FlaskClient, queries: dict[str, object], **extra: str
) -> dict[str, list[dict[str, object]]]:
    """POST a batch, check the answer against the schema, return each key's candidates."""
    response = client.post("/reconcile", data={"queries": json.dumps(queries), **extra})
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert_valid("reconciliation-result-batch", answer)
    for candidates in answer.values():
        scores = [c["score"] for c in candidates["result"]]
        assert scores == sorted(scores, reverse=True)
        assert sum(1 for c in candidates["result"] if c["match"]) <= 1
    return {key: value["result"] for key, value in answer.items()}


def features(candidate: dict[str, object]) -> dict[str, object]:
    return {f["id"]: f["value"] for f in candidate["features"]}  # type: ignore[attr-defined]


# ---- manifest -----------------------------------------------------------------------------------


def test_manifest(client: FlaskClient, release_settings: object) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200 and response.mimetype == "application/json"
    manifest = response.get_json()
    assert_valid("manifest", manifest)
    base = "https://w3id.org/twingraph/"
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == base + "id/" and manifest["schemaSpace"] == base + "ontology#"
    assert [t["id"] for t in manifest["defaultTypes"]][:3] == ["City", "Person", "Organisation"]
    for entity_id in ("city/amiens", "city%2Famiens"):  # clients may encode the id as a URI component
        view = manifest["view"]["url"].replace("{{id}}", entity_id).removeprefix("http://localhost")
        page = client.get(view, headers={"Accept": "text/html"}, follow_redirects=True)
        assert page.status_code == 200 and "Amiens" in page.get_data(as_text=True)
    preview = manifest["preview"]["url"].replace("{{id}}", "city%2Famiens")
    assert client.get(preview.removeprefix("http://localhost")).status_code == 200
    for kind in ("entity", "type", "property"):
        service = manifest["suggest"][kind]
        assert client.get(service["service_path"] + "?prefix=a").status_code == 200
    proposals = manifest["extend"]["propose_properties"]
    assert client.get(proposals["service_path"] + "?type=City").status_code == 200
    assert client.get("/reconcile/").get_json() == manifest


# ---- reconciliation queries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Rostow am Don", "city/rostov-on-don"),
        ("Rostov-on-Don", "city/rostov-on-don"),
        ("Ростов-на-Дону", "city/rostov-on-don"),
        ("Xi'an", "city/xian"),
        ("Xian", "city/xian"),
        ("西安", "city/xian"),
        ("Schytomyr", "city/zhytomyr"),
        ("Zhytomyr", "city/zhytomyr"),
        ("  criciúma ", None),
    ],
)
def test_names_in_every_language_match(client: FlaskClient, query: str, expected: str | None) -> None:
    result = batch(client, {"q": {"query": query, "type": "City"}})["q"]
    if expected is None:
        assert not any(c["match"] for c in result)
        return
    top = result[0]
    assert (top["id"], top["match"], top["score"]) == (expected, True, 100)
    assert features(top)["name_exact"] is True and features(top)["type_match"] is True
    assert top["type"] == [{"id": "City", "name": "City"}]


def test_get_answers_like_post(client: FlaskClient) -> None:
    queries = json.dumps({"a": {"query": "Amiens"}, "b": {"query": "Kumasi", "limit": 1}})
    got = client.get("/reconcile", query_string={"queries": queries})
    posted = client.post("/reconcile", data={"queries": queries})
    assert got.status_code == posted.status_code == 200
    assert got.get_json() == posted.get_json()
    assert len(got.get_json()["b"]["result"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"query": "Q5826"},
        {"query": "https://www.wikidata.org/wiki/Q5826"},
        {"query": "1790630"},
        {"query": "https://w3id.org/twingraph/id/city/xian"},
        {"query": "city/xian"},
        {"query": "Sian", "properties": [{"pid": "wikidata", "v": "Q5826"}]},
        {"query": "Xi", "properties": [{"pid": "geonames", "v": "https://sws.geonames.org/1790630/"}]},
        {"query": "X", "properties": [{"pid": "id", "v": "https://w3id.org/twingraph/id/city/xian"}]},
        {"properties": [{"pid": "P1566", "v": 1790630}]},
    ],
)
def test_identifiers_match_exactly_with_score_100(client: FlaskClient, query: dict[str, object]) -> None:
    top = batch(client, {"q": query})["q"][0]
    assert (top["id"], top["score"], top["match"]) == ("city/xian", 100, True)
    assert features(top)["identifier_match"] is True


def test_type_filter_includes_subclasses(client: FlaskClient) -> None:
    result = batch(client, {"q": {"query": "Leibniz-Gymnasium", "type": "Organisation"}})["q"]
    assert result[0]["id"] == "school/leibniz-gymnasium-dortmund" and result[0]["match"] is True
    assert result[0]["type"] == [{"id": "School", "name": "School"}]
    events = batch(client, {"q": {"query": "Gegenurkunde aus Leeds (April 1970)", "type": "Event"}})["q"]
    assert events[0]["id"] == "event/dortmund-leeds-1970-04-counter-certificate" and events[0]["match"]
    assert batch(client, {"q": {"query": "Dortmund", "type": ["School", "Person"]}})["q"] == []


def test_type_strict_should_ranks_other_types_lower_but_keeps_them(client: FlaskClient) -> None:
    result = batch(client, {"q": {"query": "Dortmund", "type": "School", "type_strict": "should"}})["q"]
    top = result[0]
    assert top["id"] == "city/dortmund" and top["match"] is False
    assert features(top)["type_match"] is False and top["score"] == 80


def test_properties_refine_and_explain_the_score(client: FlaskClient) -> None:
    answers = batch(
        client,
        {
            "fr": {"query": "Leeds", "properties": [{"pid": "country", "v": "FR"}]},
            "gb": {"query": "Leeds", "properties": [{"pid": "P17", "v": "Vereinigtes Königreich"}]},
            "partner": {"query": "Amiens", "properties": [{"pid": "partner", "v": {"id": "city/dortmund"}}]},
            "partner-name": {"query": "Amiens", "properties": [{"pid": "partner", "v": "Dortmund"}]},
            "year": {"query": "Dortmund–Leeds twinning", "properties": [{"pid": "startYear", "v": 1969}]},
            "wrong-year": {"query": "Dortmund–Leeds twinning", "properties": [{"pid": "P580", "v": "1970"}]},
        },
    )
    fr, gb = answers["fr"][0], answers["gb"][0]
    assert fr["id"] == gb["id"] == "city/leeds"
    assert (fr["match"], fr["score"], features(fr)["property_country"]) == (False, 70, False)
    assert (gb["match"], gb["score"], features(gb)["property_P17"]) == (True, 100, True)
    assert features(answers["partner"][0])["property_partner"] is True
    assert features(answers["partner-name"][0])["property_partner"] is True
    assert answers["year"][0]["id"] == "partnership/dortmund-leeds" and answers["year"][0]["match"]
    wrong = answers["wrong-year"][0]
    assert wrong["id"] == "partnership/dortmund-leeds" and not wrong["match"]
    assert features(wrong)["property_P580"] is False


def test_limit_and_lead(client: FlaskClient) -> None:
    result = batch(client, {"q": {"query": "Dortmund", "limit": 3}})["q"]
    assert len(result) == 3 and result[0]["id"] == "city/dortmund" and result[0]["match"]
    assert features(result[0])["lead"] == result[0]["score"] - result[1]["score"] >= 10


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"queries": "{not json"}, "not valid JSON"),
        ({"queries": "[1, 2]"}, "JSON object"),
        ({"queries": json.dumps({"q": "Amiens"})}, "must be a JSON object"),
        ({"queries": json.dumps({"q": {"query": ""}})}, "non-empty string"),
        ({"queries": json.dumps({"q": {"type": "City"}})}, "needs a 'query'"),
        ({"queries": json.dumps({"q": {"query": "A", "type": "Town"}})}, "unknown type 'Town'"),
        ({"queries": json.dumps({"q": {"query": "A", "limit": 0}})}, "positive integer"),
        ({"queries": json.dumps({"q": {"query": "A", "limit": "5"}})}, "positive integer"),
        ({"queries": json.dumps({"q": {"query": "A", "type_strict": "maybe"}})}, "type_strict"),
        ({"queries": json.dumps({"q": {"query": "A", "propertes": []}})}, "unknown fields"),
        (
            {"queries": json.dumps({"q": {"query": "A", "properties": [{"pid": "nope", "v": 1}]}})},
            "unknown property",
        ),
        (
            {"queries": json.dumps({"q": {"query": "A", "properties": [{"pid": "country"}]}})},
            "'pid' string and a 'v'",
        ),
        ({"queries": json.dumps({f"q{i}": {"query": "A"} for i in range(MAX_BATCH + 1)})}, "at most"),
        ({"queries": "{}", "extend": "{}"}, "either queries or extend"),
        ({"extend": json.dumps({"ids": ["city/amiens"]})}, "extend must be"),
        (
            {"extend": json.dumps({"ids": ["city/amiens"], "properties": [{"id": "colour"}]})},
            "unknown property",
        ),
    ],
)
def test_bad_requests_get_a_400_with_a_reason(
    client: FlaskClient, params: dict[str, str], message: str
) -> None:
    response = client.post("/reconcile", data=params, headers={"Accept": "application/json"})
    assert response.status_code == 400
    body = response.get_json()
    assert message in body["message"] and "Traceback" not in response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_validated_queries_from_the_spec_are_refused(client: FlaskClient) -> None:
    for example in sorted(
        (SPEC / "examples" / "0.2" / "reconciliation-query-batch" / "invalid").glob("*.json")
    ):
        response = client.post("/reconcile", data={"queries": example.read_text(encoding="utf-8")})
        assert response.status_code == 400, example.name


# ---- JSONP and CORS -----------------------------------------------------------------------------


def test_jsonp_wraps_a_valid_callback(client: FlaskClient) -> None:
    response = client.get(
        "/reconcile", query_string={"callback": "jQuery123_456.cb$", "queries": '{"q":{"query":"Leeds"}}'}
    )
    assert response.status_code == 200 and response.mimetype == "application/javascript"
    body = response.get_data(as_text=True)
    assert body.startswith("/**/jQuery123_456.cb$(") and body.rstrip().endswith(");")
    inner = json.loads(body[len("/**/jQuery123_456.cb$(") : body.rstrip().rindex(")")])
    assert_valid("reconciliation-result-batch", inner)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    manifest = client.get("/reconcile?callback=cb").get_data(as_text=True)
    assert_valid("manifest", json.loads(manifest[len("/**/cb(") : manifest.rindex(")")]))


@pytest.mark.parametrize(
    "callback", ["alert(1)", "a b", "<script>", "1abc", "a..b", "x" * 200, "", "cb;evil"]
)
def test_jsonp_refuses_other_callbacks(client: FlaskClient, callback: str) -> None:
    response = client.get("/reconcile", query_string={"callback": callback})
    assert response.status_code == 400
    if callback:
        assert callback not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/reconcile",
        "/reconcile?queries=%7B%7D",
        "/reconcile/suggest/entity?prefix=am",
        "/reconcile/suggest/type?prefix=c",
        "/reconcile/suggest/property?prefix=c",
        "/reconcile/properties?type=City",
        "/reconcile/preview?id=city/amiens",
        "/reconcile/preview?id=nope",
        "/reconcile?queries=nope",
    ],
)
def test_cors_on_every_answer(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://openrefine.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*", path


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/reconcile",
        headers={
            "Origin": "https://openrefine.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


# ---- suggest ------------------------------------------------------------------------------------


def suggest(client: FlaskClient, kind: str, **params: object) -> list[dict[str, object]]:
    response = client.get(f"/reconcile/suggest/{kind}", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert_valid(
        {
            "entity": "suggest-entities-response",
            "type": "suggest-types-response",
            "property": "suggest-properties-response",
        }[kind],
        answer,
    )
    return answer["result"]  # type: ignore[no-any-return]


def test_suggest_entities_by_prefix_and_identifier(client: FlaskClient) -> None:
    assert suggest(client, "entity", prefix="Rost")[0]["id"] == "city/rostov-on-don"
    assert suggest(client, "entity", prefix="ростов")[0]["id"] == "city/rostov-on-don"
    assert suggest(client, "entity", prefix="Q5826")[0]["id"] == "city/xian"
    assert suggest(client, "entity", prefix="Schyt", type="City")[0]["id"] == "city/zhytomyr"
    assert all(e["id"].startswith("person/") for e in suggest(client, "entity", prefix="ma", type="Person"))
    first = suggest(client, "entity", prefix="dortmund", limit=5)
    second = suggest(client, "entity", prefix="dortmund", limit=5, cursor=5)
    assert first[0]["id"] == "city/dortmund" and len(first) == 5 and second
    assert not {e["id"] for e in first} & {e["id"] for e in second}
    assert first[0]["notable"] == [{"id": "City", "name": "City"}]


def test_suggest_types_and_properties(client: FlaskClient) -> None:
    assert [t["id"] for t in suggest(client, "type", prefix="Stadt")] == ["City"]
    school = next(t for t in suggest(client, "type", prefix="sch") if t["id"] == "School")
    assert [b["id"] for b in school["broader"]] == ["Organisation"]
    assert suggest(client, "type", prefix="tg:Person")[0]["id"] == "Person"
    assert [p["id"] for p in suggest(client, "property", prefix="P580")] == ["startDate"]
    assert "country" in [p["id"] for p in suggest(client, "property", prefix="Länder")]
    assert "geonames" in [p["id"] for p in suggest(client, "property", prefix="geo")]


@pytest.mark.parametrize(
    "path",
    [
        "/reconcile/suggest/entity",
        "/reconcile/suggest/entity?prefix=a&cursor=-1",
        "/reconcile/suggest/entity?prefix=a&limit=x",
        "/reconcile/suggest/entity?prefix=a&type=Town",
        "/reconcile/properties?type=Town",
        "/reconcile/properties?type=City&limit=0",
        "/reconcile/preview",
    ],
)
def test_bad_parameters_get_a_400(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 400


# ---- data extension -----------------------------------------------------------------------------


def test_property_proposals_follow_the_type(client: FlaskClient) -> None:
    def proposed(type_id: str, **extra: object) -> list[str]:
        response = client.get("/reconcile/properties", query_string={"type": type_id, **extra})
        assert response.status_code == 200
        assert_valid("data-extension-property-proposal", response.get_json())
        return [p["id"] for p in response.get_json()["properties"]]

    city = proposed("City")
    assert {"country", "wikidata", "geonames", "twinnedWith", "partner"} <= set(
        city
    ) and "startDate" not in city
    assert {"startDate", "startYear", "partner", "kind", "currentStatus"} <= set(proposed("Partnership"))
    assert "locatedIn" in proposed("School") and "birthDate" in proposed("Person")
    assert len(proposed("City", limit=2)) == 2


def test_extend_returns_values_and_entities_with_ids(client: FlaskClient) -> None:
    query = {
        "ids": ["city/dortmund", "city/xian", "partnership/dortmund-leeds", "city/atlantis"],
        "properties": [
            {"id": "country"},
            {"id": "wikidata"},
            {"id": "twinnedWith", "settings": {"limit": 3}},
            {"id": "startYear"},
            {"id": "partner"},
            {"id": "kind"},
        ],
    }
    assert_valid("data-extension-query", query)
    for method in ("get", "post"):
        if method == "get":
            response = client.get("/reconcile", query_string={"extend": json.dumps(query)})
        else:
            response = client.post("/reconcile", data={"extend": json.dumps(query)})
        assert response.status_code == 200
        answer = response.get_json()
        assert_valid("data-extension-response", answer)
    rows = answer["rows"]
    assert rows["city/xian"]["country"] == [{"str": "CN"}] and rows["city/xian"]["wikidata"] == [
        {"str": "Q5826"}
    ]
    assert len(rows["city/dortmund"]["twinnedWith"]) == 3
    assert rows["city/xian"]["twinnedWith"] == [{"id": "city/dortmund", "name": "Dortmund"}]
    leeds = rows["partnership/dortmund-leeds"]
    assert leeds["startYear"] == [{"int": 1969}]
    assert {c["id"] for c in leeds["partner"]} == {"city/dortmund", "city/leeds"}
    assert leeds["kind"] == [{"id": "concept/twinning", "name": "Twinning"}]
    assert all(cells == [] for cells in rows["city/atlantis"].values())
    meta = {m["id"]: m for m in answer["meta"]}
    assert meta["twinnedWith"]["type"] == {"id": "City", "name": "City"}


# ---- preview --------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []
        self.void = {"meta", "br", "img", "link", "input"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.void:
            self.open.append(tag)
        self.links += [v for k, v in attrs if k == "href" and v]

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_preview_is_a_small_html_card(client: FlaskClient) -> None:
    response = client.get(
        "/reconcile/preview", query_string={"id": "city/rostov-on-don"}, headers={"Accept-Language": "de"}
    )
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "X-Frame-Options" not in response.headers  # clients show it in an iframe
    parser = _Collector()
    parser.feed(response.get_data(as_text=True))
    assert parser.open == []
    text = " ".join(parser.text)
    for expected in ("Rostow am Don", "Ростов-на-Дону", "Rostov-on-Don", "Q908", "RU", "Dortmund"):
        assert expected in text
    assert (
        "https://www.wikidata.org/wiki/Q908" in parser.links
        and "http://localhost/id/city/rostov-on-don" in parser.links
    )
    assert client.get("/reconcile/preview?id=city/atlantis").status_code == 404


def test_names_follow_accept_language(client: FlaskClient) -> None:
    response = client.post(
        "/reconcile",
        data={"queries": json.dumps({"q": {"query": "Rostov"}})},
        headers={"Accept-Language": "de"},
    )
    assert response.get_json()["q"]["result"][0]["name"] == "Rostow am Don"


def test_index_is_built_once_per_release(client: FlaskClient) -> None:
    from twingraph.web.state import app_state

    client.get("/reconcile")
    index = app_state(client.application).reconcile_index.built
    assert index is not None
    client.post("/reconcile", data={"queries": '{"q": {"query": "Leeds"}}'})
    assert app_state(client.application).reconcile_index.built is index


def test_spec_folder_is_there() -> None:
    assert SCHEMAS.is_dir() and (SCHEMAS / "manifest.json").is_file()


def test_rate_limit_answers_429_with_retry_after(release_settings: object) -> None:
    import dataclasses

    from twingraph.web import create_app

    app = create_app(dataclasses.replace(release_settings, rate_limit=3))  # type: ignore[type-var]
    client = app.test_client()
    assert [client.get("/reconcile").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/reconcile/suggest/entity?prefix=a", headers={"Accept": "application/json"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert "requests a minute" in refused.get_json()["message"]
