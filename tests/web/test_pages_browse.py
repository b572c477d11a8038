"""Home, lists (sorting, filtering), search (multilingual, typo-tolerant), language, sitemap, robots."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlparse

import pytest
from flask.testing import FlaskClient

from support.pages import Page, get_page


def result_links(page: Page, prefix: str = "/doc/") -> list[str]:
    return [link for link in page.links if link.startswith(prefix)]


def test_home_page(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/", **{"Accept-Language": "en"})
    assert "/sparql" in page.links
    assert "/dumps/" in page.links
    assert "/list/partnership" in page.links
    examples = [link for link in page.links if link.startswith("/sparql?")]
    assert len(examples) == 3
    query = parse_qs(urlparse(examples[0]).query)["query"][0]
    assert "SELECT" in query
    assert any(tag == "input" and attrs.get("name") == "q" for tag, attrs in page.tags)
    response = pages_client.get("/", headers={"Accept-Language": "en"})
    assert "Release <strong>0.0.1-test</strong>" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Amiens", "/doc/city/amiens"),
        ("amien", "/doc/city/amiens"),  # typo
        ("Amines", "/doc/city/amiens"),  # transposition
        ("Rostow", "/doc/city/rostov-on-don"),  # German alternative label
        ("Rostov on Don", "/doc/city/rostov-on-don"),
        ("Dortmnud", "/doc/city/dortmund"),
        ("keuning", "/doc/person/dietrich-keuning"),
        ("Jumelage Dortmund", "/doc/partnership/dortmund-amiens"),  # French label
    ],
)
def test_search_finds_by_any_label_despite_typos(
    pages_client: FlaskClient, query: str, expected: str
) -> None:
    page = get_page(pages_client, f"/search?q={query}")
    found = result_links(page)
    assert found, f"nothing found for {query!r}"
    assert found[0] == expected, found[:5]


def test_search_without_a_match(pages_client: FlaskClient) -> None:
    response = pages_client.get("/search?q=qqqqxxxzz", headers={"Accept-Language": "en"})
    assert result_links(Page(response.get_data(as_text=True))) == []
    assert "Nothing matches this search." in response.get_data(as_text=True)


def test_search_by_type_and_bad_type(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/search?q=dortmund&type=partnership")
    assert result_links(page) and all(link.startswith("/doc/partnership/") for link in result_links(page))
    assert pages_client.get("/search?q=x&type=planet").status_code == 400


def test_partnership_list_sorts_by_start(pages_client: FlaskClient) -> None:
    ascending = result_links(get_page(pages_client, "/list/partnership?sort=start"), "/doc/partnership/")
    assert ascending == [
        "/doc/partnership/dortmund-amiens",
        "/doc/partnership/dortmund-leeds",
        "/doc/partnership/dortmund-rostov-on-don",
    ]
    descending = result_links(
        get_page(pages_client, "/list/partnership?sort=start&order=desc"), "/doc/partnership/"
    )
    assert descending == list(reversed(ascending))


def test_lists_filter_by_text_and_facet(pages_client: FlaskClient) -> None:
    page = get_page(pages_client, "/list/partnership?q=leeds")
    assert result_links(page, "/doc/partnership/") == ["/doc/partnership/dortmund-leeds"]
    cities = get_page(pages_client, "/list/city?country=FR")
    assert result_links(cities, "/doc/city/") == ["/doc/city/amiens"]
    events = get_page(pages_client, "/list/event?sort=date", **{"Accept-Language": "en"})
    dates = result_links(events, "/doc/event/")
    assert dates[0] == "/doc/event/dortmund-amiens-1952-initiative"
    assert dates.index("/doc/event/dortmund-amiens-1959-11-20-council-decision") < dates.index(
        "/doc/event/dortmund-amiens-1960-04-02-proclamation"
    )


def test_list_of_people_and_every_list_renders(pages_client: FlaskClient) -> None:
    people = result_links(get_page(pages_client, "/list/person"), "/doc/person/")
    assert people == ["/doc/person/dietrich-keuning", "/doc/person/maurice-vast"]
    index = get_page(pages_client, "/list/")
    for link in [link for link in index.links if link.startswith("/list/")]:
        assert pages_client.get(link).status_code == 200, link


def test_unknown_list_is_404(pages_client: FlaskClient) -> None:
    response = pages_client.get("/list/planet", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert "partnership" in response.get_json()["message"]


def test_language_from_accept_language(pages_client: FlaskClient) -> None:
    german = get_page(
        pages_client, "/doc/partnership/dortmund-amiens", **{"Accept-Language": "de-DE,de;q=0.9"}
    )
    assert german.html_lang == "de"
    assert "Lebenslauf" in german.text("timeline")
    assert "Ratsbeschluss Dortmund" in german.text("timeline")  # data label in German
    english = get_page(pages_client, "/doc/partnership/dortmund-amiens", **{"Accept-Language": "en"})
    assert english.html_lang == "en"
    assert "Dortmund council decision" in english.text("timeline")


def test_french_readers_get_french_data_labels(pages_client: FlaskClient) -> None:
    response = pages_client.get(
        "/doc/partnership/dortmund-amiens", headers={"Accept-Language": "fr, en;q=0.5"}
    )
    body = response.get_data(as_text=True)
    assert "<h1>Jumelage Dortmund–Amiens</h1>" in body
    assert 'lang="en"' in body  # the UI itself stays English


def test_language_switch_sets_a_cookie_that_sticks(pages_client: FlaskClient) -> None:
    response = pages_client.get("/doc/city/amiens?lang=de", headers={"Accept-Language": "en"})
    assert 'lang="de"' in response.get_data(as_text=True)
    assert "lang=de" in response.headers["Set-Cookie"]
    later = pages_client.get("/doc/city/leeds", headers={"Accept-Language": "en"})
    assert 'lang="de" xml:lang="de">' in later.get_data(as_text=True)  # the <html> element
    page = Page(later.get_data(as_text=True))
    assert "/doc/city/leeds?lang=en" in page.links  # the switch back
    assert "Cookie" in later.vary and "Accept-Language" in later.vary


def test_sitemap_and_robots(pages_client: FlaskClient) -> None:
    response = pages_client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert "http://localhost/doc/city/amiens" in urls
    assert "http://localhost/list/partnership" in urls
    robots = pages_client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots
    assert "User-agent: *" in robots


def test_overview_map(pages_client: FlaskClient) -> None:
    html = pages_client.get("/map", headers={"Accept-Language": "en"}).get_data(as_text=True)
    start = html.index('<script type="application/json" id="world-map-data">') + 52
    data = json.loads(html[start : html.index("</script>", start)])
    assert data["aggregated"] is True
    # One point per country with its number of cities, one line per pair of countries.
    assert sum(p["weight"] for p in data["points"]) == 4
    assert all(a != b and n >= 1 for a, b, n in data["lines"])
    assert "The map as a table" in html


def test_home_embeds_the_dataset_as_json_ld(pages_client: FlaskClient) -> None:
    import json

    page = get_page(pages_client, "/")
    data = json.loads(page.jsonld[0])
    assert data["@type"] == "Dataset"
    assert data["version"] == "0.0.1-test"
    assert data["distribution"]["url"].endswith("/dumps/")


# Every UI string in both languages: tests/test_pages_i18n.py (the message catalogues).
