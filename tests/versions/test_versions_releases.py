"""Releases side by side, Memento, the change feed and signposting, on two real releases.

Two releases are built from the curated graph into a temporary dist folder; the second changes one
label (Amiens's English name). A real HTTP server on 127.0.0.1 serves them and httpx is the client;
Turtle and JSON-LD answers are read with rdflib, link-format with a small parser of RFC 6690's grammar.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from flask import Flask

from twingraph.config import PROJECT_DIR, Settings
from twingraph.web.state import app_state, close_app

BASE = "https://w3id.org/twingraph/"
AMIENS = rdflib.URIRef(BASE + "id/city/amiens")
OLD, NEW = "0.1.0", "0.2.0"
OLD_NAME, NEW_NAME = "Amiens", "Amiens (Somme)"
# The first request for a release loads its database (seconds on a busy machine).
TIMEOUT = 120.0


def get(url: str, **options: Any) -> httpx.Response:
    """GET with a timeout that allows a release's first load."""
    return httpx.get(url, timeout=TIMEOUT, **options)


def post(url: str, **options: Any) -> httpx.Response:
    """POST with the same timeout."""
    return httpx.post(url, timeout=TIMEOUT, **options)


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    """Settings over a dist folder holding 0.1.0 and 0.2.0 (which renames Amiens in English)."""
    from twingraph.build import build_release

    root = tmp_path_factory.mktemp("versions")
    project = root / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(PROJECT_DIR / folder, project / folder)
    built = dataclasses.replace(
        settings,
        project_dir=project,
        dist_dir=root / "dist",
        store_cache_dir=str(root / "cache"),
        run_dir=root / "run",
    )
    build_release(built, publish=True)
    toml = project / "data" / "dataset.toml"
    text = toml.read_text(encoding="utf-8")
    assert f'version = "{OLD}"' in text
    text = re.sub(r'version = "[^"]+"', f'version = "{NEW}"', text)
    toml.write_text(re.sub(r'date = "[^"]+"', 'date = "2026-12-01"', text), encoding="utf-8")
    cities = project / "data" / "cities.trig"
    cities.write_text(cities.read_text(encoding="utf-8").replace('"Amiens"@en', f'"{NEW_NAME}"@en'), "utf-8")
    build_release(built, publish=True)
    return built


@pytest.fixture(scope="module")
def versions_app(two_releases: Settings) -> Iterator[Flask]:
    from twingraph.web import create_app
    from twingraph.web.release_apps import get_versions

    app = create_app(two_releases)
    yield app
    with app.app_context():
        get_versions().apps.close()
    close_app(app)


@pytest.fixture(scope="module")
def server(versions_app: Flask) -> Iterator[str]:
    from support.servers import serving

    with serving(versions_app) as base:
        yield base


def links(header: str) -> list[tuple[str, dict[str, str]]]:
    """Parse a Link header or a link-format document (RFC 8288 / RFC 6690) into (target, params)."""
    found = []
    for match in re.finditer(r"<([^>]*)>((?:\s*;\s*[a-zA-Z*]+=(?:\"[^\"]*\"|[^,;\s]+))*)", header):
        params = {
            k.lower(): v.strip('"') for k, v in re.findall(r';\s*([a-zA-Z*]+)=("[^"]*"|[^,;\s]+)', match[2])
        }
        found.append((match[1], params))
    return found


def rel(header: str, name: str) -> list[tuple[str, dict[str, str]]]:
    """The links whose rel holds ``name``."""
    return [(t, p) for t, p in links(header) if name in p.get("rel", "").split()]


def english_name(turtle: str, base_url: str) -> str:
    graph = rdflib.Graph().parse(data=turtle, format="turtle", publicID=base_url)
    names = [o for o in graph.objects(AMIENS, rdflib.RDFS.label) if getattr(o, "language", None) == "en"]
    assert len(names) == 1, names
    return str(names[0])


def test_releases_are_listed_newest_first(server: str) -> None:
    listing = get(f"{server}/releases/index.json").json()["releases"]
    assert [r["version"] for r in listing] == [NEW, OLD]
    assert listing[0]["newest"] and listing[1]["issued"].startswith("2026-11-25")
    assert get(f"{server}/releases/").headers["content-type"].startswith("text/html")
    assert get(f"{server}/releases/9.9.9/sparql").status_code == 404


def test_the_timemap_lists_both_releases(server: str) -> None:
    answer = get(f"{server}/timemap/doc/city/amiens")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/link-format"
    assert rel(answer.text, "original") == [(f"{server}/doc/city/amiens", {"rel": "original"})]
    assert rel(answer.text, "timegate")[0][0] == f"{server}/timegate/doc/city/amiens"
    mementos = rel(answer.text, "memento")
    assert [t for t, _ in mementos] == [f"{server}/releases/{v}/doc/city/amiens" for v in (OLD, NEW)]
    assert [p["datetime"] for _, p in mementos] == [
        "Wed, 25 Nov 2026 00:00:00 GMT",
        "Tue, 01 Dec 2026 00:00:00 GMT",
    ]
    assert "first" in mementos[0][1]["rel"] and "last" in mementos[1][1]["rel"]
    assert get(f"{server}/timemap/doc/city/no-such-city").status_code == 404


@pytest.mark.parametrize(
    ("accept_datetime", "version", "name"),
    [
        ("Thu, 26 Nov 2026 12:00:00 GMT", OLD, OLD_NAME),
        ("Wed, 25 Nov 2026 00:00:00 GMT", OLD, OLD_NAME),
        ("Tue, 01 Dec 2026 00:00:00 GMT", NEW, NEW_NAME),
        ("Thu, 31 May 2007 20:35:00 GMT", OLD, OLD_NAME),  # before the first: the first memento
        (None, NEW, NEW_NAME),
    ],
)
def test_the_timegate_leads_to_the_release_current_then(
    server: str, accept_datetime: str | None, version: str, name: str
) -> None:
    headers = {"Accept-Datetime": accept_datetime} if accept_datetime else {}
    gate = get(f"{server}/timegate/doc/city/amiens", headers=headers)
    assert gate.status_code == 302 and "accept-datetime" in gate.headers["vary"].lower()
    assert gate.headers["location"] == f"{server}/releases/{version}/doc/city/amiens"
    assert rel(gate.headers["link"], "original")[0][0] == f"{server}/doc/city/amiens"
    assert rel(gate.headers["link"], "timemap")
    memento = get(gate.headers["location"], headers={"Accept": "text/turtle"})
    assert memento.status_code == 200
    assert english_name(memento.text, gate.headers["location"]) == name
    assert (
        memento.headers["memento-datetime"]
        == {OLD: "Wed, 25 Nov 2026 00:00:00 GMT", NEW: "Tue, 01 Dec 2026 00:00:00 GMT"}[version]
    )
    link = memento.headers["link"]
    assert rel(link, "memento")[0][0] == gate.headers["location"]
    assert rel(link, "timegate")[0][0] == f"{server}/timegate/doc/city/amiens"
    assert rel(link, "original")[0][0] == f"{server}/doc/city/amiens"


def test_a_malformed_accept_datetime_is_a_400(server: str) -> None:
    answer = get(f"{server}/timegate/doc/city/amiens", headers={"Accept-Datetime": "2026-11-26"})
    assert answer.status_code == 400 and "RFC 1123" in answer.text


def test_originals_link_to_their_timegate_and_timemap(server: str) -> None:
    for path in ("/doc/city/amiens", "/id/city/amiens"):
        answer = get(server + path, headers={"Accept": "text/turtle"}, follow_redirects=False)
        assert rel(answer.headers["link"], "timegate")[0][0] == f"{server}/timegate/doc/city/amiens"
        assert rel(answer.headers["link"], "timemap")[0][1]["type"] == "application/link-format"
        assert rel(answer.headers["link"], "original")
        assert "memento-datetime" not in answer.headers


@pytest.mark.parametrize("accept", ["application/ld+json", "application/n-triples", "text/html"])
def test_mementos_negotiate_and_stay_inside_their_release(server: str, accept: str) -> None:
    url = f"{server}/releases/{OLD}/doc/city/amiens"
    answer = get(url, headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    assert answer.headers["memento-datetime"] == "Wed, 25 Nov 2026 00:00:00 GMT"
    assert answer.headers["content-location"].startswith(f"/releases/{OLD}/doc/city/amiens.")
    alternates = rel(answer.headers["link"], "alternate")
    assert alternates and all(t.startswith(f"/releases/{OLD}/doc/") for t, _ in alternates)
    if accept != "text/html":
        dataset = rdflib.Dataset()
        dataset.parse(data=answer.text, format="json-ld" if "json" in accept else "nt", publicID=url)
        labels = {o for _s, _p, o, _g in dataset.quads((AMIENS, rdflib.RDFS.label, None, None))}
        assert rdflib.Literal(OLD_NAME, lang="en") in labels
    else:
        assert f'href="/releases/{OLD}/doc/' in answer.text and 'href="/doc/' not in answer.text
    redirect = get(f"{server}/releases/{OLD}/id/city/amiens", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == f"/releases/{OLD}/doc/city/amiens"


def _label_query(server: str, endpoint: str) -> set[str]:
    query = f"SELECT ?l WHERE {{ <{AMIENS}> <{rdflib.RDFS.label}> ?l FILTER(lang(?l) = 'en') }}"
    answer = get(
        server + endpoint, params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200
    return {b["l"]["value"] for b in answer.json()["results"]["bindings"]}


def test_each_release_has_its_own_sparql_endpoint(server: str) -> None:
    assert _label_query(server, f"/releases/{OLD}/sparql") == {OLD_NAME}
    assert _label_query(server, f"/releases/{NEW}/sparql") == {NEW_NAME}
    assert _label_query(server, "/sparql") == {NEW_NAME}
    description = get(f"{server}/releases/{OLD}/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=description.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert set(graph.objects(None, sd.endpoint)) == {rdflib.URIRef(f"{server}/releases/{OLD}/sparql")}
    update = post(f"{server}/releases/{OLD}/sparql", data={"update": "CLEAR ALL"})
    assert 400 <= update.status_code < 500  # read-only like /sparql


def test_releases_share_the_main_release_query_workers(versions_app: Flask, server: str) -> None:
    # Each release with a pool of its own would add its query processes (about 40 MiB each) to the
    # server's memory; they all run in the main release's, each job on its own release's database.
    from twingraph.store import EmbeddedStore
    from twingraph.web.release_apps import get_versions

    assert _label_query(server, f"/releases/{OLD}/sparql") == {OLD_NAME}
    main = app_state(versions_app).store
    assert isinstance(main, EmbeddedStore)
    workers = main.pool().pids()
    with versions_app.app_context():
        apps = get_versions().apps
        release = get_versions().registry.get(OLD)
    assert release is not None
    old_app = apps.acquire(release)
    try:
        old_store = app_state(old_app).store
        assert isinstance(old_store, EmbeddedStore) and old_store.pool() is main.pool()
    finally:
        apps.release_app(OLD)
    for _ in range(3):  # the same workers switch between the two databases
        assert _label_query(server, f"/releases/{OLD}/sparql") == {OLD_NAME}
        assert _label_query(server, "/sparql") == {NEW_NAME}
        assert _label_query(server, f"/releases/{NEW}/sparql") == {NEW_NAME}
    assert main.pool().pids() == workers, "no worker was added or replaced"


def _read_feed(url: str, seen: set[str]) -> Iterator[dict[str, object]]:
    while url:
        page = get(url)
        assert page.status_code == 200 and page.headers["content-type"].startswith(
            "application/activity+json"
        )
        document = page.json()
        assert url not in seen
        seen.add(url)
        yield from document["orderedItems"]
        url = document.get("next", {}).get("id", "")


def _entities(server: str, version: str) -> set[str]:
    query = f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{BASE}id/')) }}"
    answer = get(
        f"{server}/releases/{version}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    return {b["s"]["value"] for b in answer.json()["results"]["bindings"]}


def test_a_harvester_replaying_the_feed_gets_each_release(server: str) -> None:
    home = get(f"{server}/")
    feed_links = [
        t for t, p in rel(home.headers["link"], "alternate") if p.get("type") == "application/activity+json"
    ]
    assert feed_links == ["/feed"]
    assert rel(get(f"{server}/dumps/").headers["link"], "alternate")
    collection = get(server + feed_links[0]).json()
    assert collection["type"] == "OrderedCollection"
    assert "https://www.w3.org/ns/activitystreams" in collection["@context"]

    harvested: set[str] = set()
    by_release: dict[str, list[dict[str, object]]] = {}
    for item in _read_feed(collection["first"]["id"], set()):
        by_release.setdefault(str(item["context"]).rsplit("/", 1)[1], []).append(item)
    assert sum(len(v) for v in by_release.values()) == collection["totalItems"]
    for version in (OLD, NEW):
        for item in by_release[version]:
            target = str(item["object"]["id"])  # type: ignore[index]
            if item["type"] == "Delete":
                harvested.discard(target)
            else:
                harvested.add(target)
        assert harvested == _entities(server, version)

    (update,) = by_release[NEW]
    assert update["type"] == "Update" and update["object"] == {"id": str(AMIENS)}
    assert str(rdflib.RDFS.label) in update["changedProperties"]  # type: ignore[operator]
    assert {i["type"] for i in by_release[OLD]} == {"Create"}
    # A harvester that read the old release reads only the new release's feed.
    newest = get(f"{server}/feed/{NEW}").json()
    assert newest["totalItems"] == 1 and newest["first"]["id"].endswith(f"/feed/{NEW}/page/1")


def test_signposts_on_the_landing_page_releases_and_resources(server: str) -> None:
    home = get(f"{server}/").headers["link"]
    assert rel(home, "cite-as") == [(BASE, {"rel": "cite-as"})]
    assert rel(home, "describedby")[0][0] == f"{server}/dumps/{NEW}/catalog.ttl"
    assert {t for t, _ in rel(home, "type")} >= {"https://schema.org/Dataset"}
    assert any(t.endswith("/twingraph.trig") for t, _ in rel(home, "item"))
    assert rel(home, "license")[0][0] == "http://creativecommons.org/publicdomain/zero/1.0/"
    old_home = get(f"{server}/releases/{OLD}/").headers["link"]
    assert rel(old_home, "cite-as")[0][0] == f"{BASE}releases/{OLD}/"
    assert rel(old_home, "collection")[0][0] == f"{server}/releases/"
    resource = get(f"{server}/doc/city/amiens").headers["link"]
    assert rel(resource, "cite-as")[0][0] == str(AMIENS)
    assert rel(resource, "describedby")[0][0] == f"{server}/doc/city/amiens.ttl"
    assert rel(resource, "license") and rel(resource, "collection")
    memento = get(f"{server}/releases/{OLD}/doc/city/amiens").headers["link"]
    assert rel(memento, "cite-as")[0][0] == f"{BASE}releases/{OLD}/doc/city/amiens"


def test_open_releases_are_bounded_and_closed_when_evicted(versions_app: Flask, server: str) -> None:
    from twingraph.web.release_apps import get_versions

    with versions_app.app_context():
        apps = get_versions().apps
    apps.capacity = 1  # the bound under test, made small to see an eviction
    get(f"{server}/releases/{OLD}/sparql", params={"query": "ASK {}"})
    get(f"{server}/releases/{NEW}/sparql", params={"query": "ASK {}"})
    assert apps.open_versions() == [NEW]
    assert _label_query(server, f"/releases/{OLD}/sparql") == {OLD_NAME}  # opened again on demand
    assert apps.open_versions() == [OLD]
    with versions_app.app_context():
        release = get_versions().registry.get(OLD)
    assert release is not None
    old_app = apps.acquire(release)
    apps.release_app(OLD)
    # One request budget per client across releases: the release's /sparql counts on the main limiter.
    assert app_state(old_app).sparql_limiter is app_state(versions_app).sparql_limiter


def _jsonld(html: str) -> dict[str, object]:
    import json

    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match is not None
    document: dict[str, object] = json.loads(match[1])
    return document


def test_home_and_release_pages_carry_a_schema_org_dataset_and_a_citation(server: str) -> None:
    home = get(f"{server}/").text
    dataset = _jsonld(home)
    assert dataset["@type"] == "Dataset" and dataset["@id"] == BASE and dataset["version"] == NEW
    assert dataset["datePublished"] == "2026-12-01" and dataset["license"]
    assert str(dataset["creditText"]).endswith(f"version {NEW} [Data set], released 2026-12-01. {BASE}")
    assert "Cite this release" in home
    old = _jsonld(get(f"{server}/releases/{OLD}/").text)
    assert old["@id"] == f"{BASE}releases/{OLD}/" and old["version"] == OLD
    assert old["isPartOf"] == {"@id": BASE, "@type": "Dataset", "url": f"{server}/"}
    downloads = [d["contentUrl"] for d in old["distribution"]]  # type: ignore[attr-defined]
    assert f"{server}/dumps/{OLD}/twingraph.trig" in downloads
    assert get(downloads[0]).status_code == 200


def _as_of(server: str, year: int) -> dict[str, str]:
    answer = get(f"{server}/as-of/{year}.json")
    assert answer.status_code == 200
    return {row["name"]: row["status_name"] for row in answer.json()["partnerships"]}


def test_the_graph_as_of_a_year_follows_the_status_periods(server: str) -> None:
    # Buffalo: active since 1978 (a year only); Rostov: active 1977 until 31 March 2022, dormant since.
    assert "Dortmund–Buffalo twinning" not in _as_of(server, 1977)
    assert _as_of(server, 1978)["Dortmund–Buffalo twinning"] == "active"
    assert _as_of(server, 1980)["Dortmund–Buffalo twinning"] == "active"
    in_2022 = get(f"{server}/as-of/2022.json").json()["partnerships"]
    rostov = sorted(r["status_name"] for r in in_2022 if r["name"] == "Dortmund–Rostov-on-Don twinning")
    assert rostov == ["active", "dormant"]
    assert _as_of(server, 2023)["Dortmund–Rostov-on-Don twinning"] == "dormant"
    assert _as_of(server, 1959) == {}
    table = get(f"{server}/as-of/1975", headers={"Accept": "text/csv"})
    assert table.headers["content-type"].startswith("text/csv") and "accept" in table.headers["vary"].lower()
    import csv

    rows = list(csv.DictReader(table.text.splitlines()))
    assert {r["name"] for r in rows} == set(_as_of(server, 1975)) and rows
    assert get(f"{server}/as-of/1975").headers["content-type"].startswith("text/html")
    assert get(f"{server}/as-of/0").status_code == 404
    # The example query gives the same partnerships.
    example = get(f"{server}/sparql/examples/18-as-of-1975").text
    answer = get(
        f"{server}/sparql", params={"query": example}, headers={"Accept": "application/sparql-results+json"}
    )
    names = {b["partnershipName"]["value"] for b in answer.json()["results"]["bindings"]}
    assert names == set(_as_of(server, 1975))


def test_a_query_permalink_pins_the_release_and_the_bytes(server: str) -> None:
    query = f"SELECT ?l WHERE {{ <{AMIENS}> <{rdflib.RDFS.label}> ?l FILTER(lang(?l) = 'en') }}"
    made = post(
        f"{server}/q",
        data={"query": query, "release": OLD, "format": "csv"},
        headers={"Accept": "application/json"},
    )
    assert made.status_code == 201
    link = made.json()
    assert (
        made.headers["location"] == link["permalink"]
        and link["release"] == OLD
        and link["format"] == "text/csv"
    )
    assert link["cite_as"] == f"{BASE}q/{link['id']}"
    pinned = get(link["permalink"])
    assert pinned.status_code == 200 and pinned.headers["content-type"].startswith("text/csv")
    assert pinned.text.splitlines()[1:] == [OLD_NAME]
    assert rel(pinned.headers["link"], "cite-as")[0][0] == link["cite_as"]
    again = post(
        f"{server}/q",
        data={"query": query, "release": OLD, "format": "csv"},
        headers={"Accept": "application/json"},
    )
    assert again.json()["id"] == link["id"] and get(link["permalink"]).content == pinned.content
    newest = post(f"{server}/q", data={"query": query}, headers={"Accept": "application/json"}).json()
    assert newest["release"] == NEW and newest["id"] != link["id"]
    assert NEW_NAME in get(newest["permalink"]).text
    assert get(f"{server}/q/0000").status_code == 404
    assert post(f"{server}/q", data={"query": "CLEAR ALL"}).status_code in (400, 403)
    assert post(f"{server}/q", data={"query": query, "release": "9.9.9"}).status_code == 404
    ui = get(f"{server}/sparql", headers={"Accept": "text/html"}).text
    assert 'formaction="/q"' in ui and "Cite this result" in ui
    page = post(f"{server}/q", data={"query": query, "release": "latest"}, headers={"Accept": "text/html"})
    assert page.status_code == 201 and "Cite as" in page.text and newest["permalink"] in page.text


def test_the_catalogue_describes_the_releases_as_a_dataset_series(server: str) -> None:
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    catalog = rdflib.Graph().parse(data=get(f"{server}/dumps/{NEW}/catalog.ttl").text, format="turtle")
    series, new, old = (rdflib.URIRef(BASE + p) for p in ("dataset", f"dataset/{NEW}", f"dataset/{OLD}"))
    assert (series, rdflib.RDF.type, dcat.DatasetSeries) in catalog
    assert (new, dcat.inSeries, series) in catalog and (new, dcat.prev, old) in catalog
    assert (rdflib.URIRef(BASE + "catalog"), dcat.dataset, series) in catalog
    assert set(catalog.objects(series, rdflib.namespace.DCTERMS.title))


def test_the_production_server_opens_an_older_release(two_releases: Settings, tmp_path: Path) -> None:
    # Regression: in a Granian worker (forked from a parent that used Oxigraph) loading an older
    # release's database hung forever; a fresh cache makes the worker load it.
    from support.servers import twingraph_server

    fresh = dataclasses.replace(two_releases, store_cache_dir=str(tmp_path / "cache"))
    with twingraph_server(fresh, tmp_path / "serve.log") as running:
        answer = get(f"{running.url}/releases/{OLD}/doc/city/amiens", headers={"Accept": "text/turtle"})
        assert answer.status_code == 200, running.log_text()
        assert english_name(answer.text, f"{running.url}/releases/{OLD}/doc/city/amiens") == OLD_NAME
        assert answer.headers["memento-datetime"] == "Wed, 25 Nov 2026 00:00:00 GMT"


SAME_HOST = {"Host": "twingraph.test"}  # answers name the host they were asked at: both servers get one
KEPT_HEADERS = ("content-type", "etag", "vary", "content-location", "link", "memento-datetime")


def test_mementos_and_originals_from_the_render_cache_are_the_fresh_render(
    two_releases: Settings, versions_app: Flask, server: str
) -> None:
    """Kept answers hold what the hooks added (signposts, Memento links, a release's links kept inside
    it, its HTML rewritten): a repeat is, byte for byte, what a server that keeps nothing answers."""
    from support.servers import serving
    from twingraph.web import create_app
    from twingraph.web.release_apps import get_versions

    fresh_app = create_app(dataclasses.replace(two_releases, page_cache_bytes=0))
    try:
        with serving(fresh_app) as fresh:
            for path in (f"/releases/{OLD}/doc/city/amiens", "/doc/city/amiens"):
                for accept in ("text/html", "text/turtle", "application/ld+json"):
                    asked = {**SAME_HOST, "Accept": accept}
                    expected = get(fresh + path, headers=asked)
                    assert expected.status_code == 200
                    for answer in (get(server + path, headers=asked), get(server + path, headers=asked)):
                        assert answer.content == expected.content, (path, accept)
                        for name in KEPT_HEADERS:
                            assert answer.headers.get_list(name) == expected.headers.get_list(name), name
    finally:
        with fresh_app.app_context():
            get_versions().apps.close()
        close_app(fresh_app)
    with versions_app.app_context():
        versions = get_versions()
        release = versions.registry.get(OLD)
    assert release is not None
    old_app = versions.apps.acquire(release)
    versions.apps.release_app(OLD)
    assert app_state(old_app).renders.hits >= 3  # the memento's repeats came from its cache
