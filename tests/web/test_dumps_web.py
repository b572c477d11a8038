"""/dumps/ and /.well-known/void over real HTTP (httpx against the live server): listings, downloads with
media type, length, ETag = SHA-256, Last-Modified, 304 revalidation and Range requests."""

from __future__ import annotations

import hashlib
import json
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from twingraph.config import Settings
from twingraph.publish.dataset import read_dataset_info
from twingraph.publish.tables import VALUES_HEADER
from twingraph.release import ReleaseInfo, read_release

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def info(release_settings: Settings) -> ReleaseInfo:
    return read_release(release_settings.dist_dir / read_dataset_info(release_settings).version)


@pytest.fixture()
def http(live_server: str) -> httpx.Client:
    return httpx.Client(base_url=live_server, timeout=30)


def _url(info: ReleaseInfo, name: str) -> str:
    return f"/dumps/{info.version}/{name}"


def test_listing_is_html_for_browsers_and_json_on_request(http: httpx.Client, info: ReleaseInfo) -> None:
    page = http.get("/dumps/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    for f in info.files:
        assert f'href="{_url(info, f.name)}"' in page.text and f.sha256 in page.text
    for response in (
        http.get("/dumps/", headers={"Accept": "application/json"}),
        http.get("/dumps/index.json"),
    ):
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        (release,) = response.json()["releases"]
        assert (
            release["version"] == info.version
            and release["date"] == info.date.isoformat()
            and release["latest"]
        )
        files = {f["name"]: f for f in release["files"]}
        assert set(files) == {f.name for f in info.files}
        ttl = files["twingraph.ttl"]
        assert ttl["media_type"] == "text/turtle" and ttl["url"].endswith(_url(info, "twingraph.ttl"))
        assert ttl["size"] == (info.folder / "twingraph.ttl").stat().st_size
    one = http.get(f"/dumps/{info.version}/", headers={"Accept": "application/json"}).json()
    assert [r["version"] for r in one["releases"]] == [info.version]


def test_each_table_is_described_by_what_its_rows_are(http: httpx.Client, info: ReleaseInfo) -> None:
    # Only the entity tables have one row per entity; the long tables one per value, contested-values
    # one per claim, the network views one per city or per pair of countries (before, every CSV was
    # described as one row per entity).
    (release,) = http.get("/dumps/index.json").json()["releases"]
    described = {f["name"]: f["description"] for f in release["files"] if f["media_type"] == "text/csv"}
    assert len(described) == 17
    for name, description in described.items():
        header = (info.folder / name).read_text(encoding="utf-8").splitlines()[0].split(",")
        per_entity = "one row per entity" in description
        assert per_entity == (header[0] == "id" and header != list(VALUES_HEADER)), name
        if header == list(VALUES_HEADER):
            table = name.removesuffix("-values.csv") + ".csv"
            assert description.startswith(
                f"Long table {name}: the values of the many-valued properties of {table}, one row per value"
            ), description
    assert described["contested-values.csv"].startswith("Contested values: one row per value")
    assert "one row per pair" in described["network-country-pairs.csv"]
    german = http.get("/dumps/", headers={"Accept": "text/html", "Accept-Language": "de"}).text
    assert (
        "Lange Tabelle cities-values.csv: die Werte der mehrwertigen Eigenschaften von cities.csv" in german
    )
    assert "Tabelle cities.csv: eine Zeile je Eintrag (seine IRI in <code>id</code>)" in german
    assert "Strittige Werte: eine Zeile je Wert" in german and "one row per" not in german


def test_listing_refuses_what_it_cannot_give(http: httpx.Client) -> None:
    response = http.get("/dumps/", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/html" in response.text


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("twingraph.ttl", "text/turtle"),
        ("twingraph.nt.gz", "application/gzip"),
        ("twingraph.trig", "application/trig"),
        ("twingraph.jsonld", "application/ld+json"),
        ("twingraph.rdf", "application/rdf+xml"),
        ("cities.csv", "text/csv"),
        ("csv-metadata.json", "application/csvm+json"),
        ("catalog.ttl", "text/turtle"),
        ("CHANGES.md", "text/markdown"),
        ("SHA256SUMS", "text/plain"),
    ],
)
def test_download_has_media_type_length_etag_and_date(
    http: httpx.Client, info: ReleaseInfo, name: str, media_type: str
) -> None:
    response = http.get(_url(info, name))
    assert response.status_code == 200
    body = (info.folder / name).read_bytes()
    assert response.content == body
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "content-encoding" not in response.headers, "files are served as stored, gzip included"
    assert int(response.headers["content-length"]) == len(body)
    assert response.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert parsedate_to_datetime(response.headers["last-modified"]).date() == info.date
    assert response.headers["accept-ranges"] == "bytes"


def test_revalidation_answers_304(http: httpx.Client, info: ReleaseInfo) -> None:
    url = _url(info, "twingraph.trig")
    first = http.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = http.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert http.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert http.get(url, headers={"If-None-Match": '"0000"'}).status_code == 200


def test_range_requests(http: httpx.Client, info: ReleaseInfo) -> None:
    url = _url(info, "twingraph.nt.gz")
    body = (info.folder / "twingraph.nt.gz").read_bytes()
    part = http.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == body[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(body)}"
    assert int(part.headers["content-length"]) == 100
    tail = http.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == body[-50:]
    resumed = http.get(url, headers={"Range": "bytes=10-", "If-Range": part.headers["etag"]})
    assert resumed.status_code == 206 and resumed.content == body[10:]
    stale = http.get(url, headers={"Range": "bytes=10-", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.content == body
    beyond = http.get(url, headers={"Range": f"bytes={len(body) + 10}-"})
    assert beyond.status_code == 416


def test_head_gives_the_headers_without_the_body(http: httpx.Client, info: ReleaseInfo) -> None:
    response = http.head(_url(info, "twingraph.ttl"))
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) == (info.folder / "twingraph.ttl").stat().st_size


@pytest.mark.parametrize(
    "path",
    ["/dumps/9.9.9/twingraph.ttl", "/dumps/0.1.0/nothing.ttl", "/dumps/0.1.0/..%2F..%2Fpyproject.toml",
     "/dumps/..%2F/twingraph.ttl", "/dumps/0.1.0/.build.lock", "/dumps/not-a-version/"],
)  # fmt: skip
def test_unknown_files_are_404_without_a_trace(http: httpx.Client, path: str) -> None:
    response = http.get(path, headers={"Accept": "application/json"}, follow_redirects=True)
    assert response.status_code == 404
    assert "Traceback" not in response.text and "/work/" not in response.text and "/tmp/" not in response.text


def test_latest_redirects_to_the_newest_release(http: httpx.Client, info: ReleaseInfo) -> None:
    response = http.get("/dumps/latest/SHA256SUMS")
    assert response.status_code == 302
    assert response.headers["location"].endswith(_url(info, "SHA256SUMS"))
    assert (
        http.get("/dumps/latest/SHA256SUMS", follow_redirects=True).content
        == (info.folder / "SHA256SUMS").read_bytes()
    )


def test_well_known_void_describes_the_served_release(http: httpx.Client, info: ReleaseInfo) -> None:
    turtle = http.get("/.well-known/void")
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert turtle.content == (info.folder / "catalog.ttl").read_bytes()
    triples = {str(q.triple) for q in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)}
    assert any("http://rdfs.org/ns/void#triples" in t for t in triples)
    assert any("http://www.w3.org/ns/dcat#Dataset" in t for t in triples)
    jsonld = http.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert {str(q.triple) for q in ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD)} == triples
    assert isinstance(json.loads(jsonld.content), list | dict)
    again = http.get("/.well-known/void", headers={"If-None-Match": turtle.headers["etag"]})
    assert again.status_code == 304
    refused = http.get("/.well-known/void", headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_last_modified_is_the_release_date_not_a_file_time(info: ReleaseInfo, live_server: str) -> None:
    response = httpx.get(f"{live_server}{_url(info, 'catalog.ttl')}")
    from datetime import UTC, datetime

    expected = datetime(info.date.year, info.date.month, info.date.day, tzinfo=UTC)
    assert response.headers["last-modified"] == format_datetime(expected, usegmt=True)
    assert Path(info.folder / "catalog.ttl").exists()
