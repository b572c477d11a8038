"""A person's page: offices as their own section, each term with its post, start, end and sources;
data in another language than the page's is marked as such."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from support.pages import get_page


def test_offices_are_a_section_with_terms_in_date_order(client: FlaskClient) -> None:
    page = get_page(client, "/doc/person/dietrich-keuning", **{"Accept-Language": "en"})
    offices = page.text("offices")
    assert offices.startswith("Offices (")
    assert "Member of the Bundestag" in offices and "1949" in offices and "1961" in offices
    years = [int(y) for y in re.findall(r"\b(19\d\d)\b", offices)]
    starts = years[::2]
    assert starts == sorted(starts), years
    assert "[1]" in offices  # each term names its sources
    german = get_page(client, "/doc/person/dietrich-keuning?lang=de")
    assert german.text("offices").startswith("Ämter (")
    assert "Mitglied des Deutschen Bundestages" in german.text("offices")


def test_awards_stated_in_german_are_marked_on_the_english_page(client: FlaskClient) -> None:
    html = client.get("/doc/person/dietrich-keuning", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    award = re.search(
        r'<span lang="de">Ehrenring 1964</span> <span class="tag other-lang" title="in German">', html
    )
    assert award, "the German award is not marked as German"
