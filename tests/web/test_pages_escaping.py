"""Values from the data are always shown as text: a label full of markup (tests/data/pages/zz-injection.trig)
must never become markup, in HTML or inside the embedded JSON-LD."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from support.pages import Page

EVIL_LABEL = "<script>alert('x')</script><img src=x onerror=alert(1)>Evil & Co"
EVIL_NOTE = "</script><script>alert(2)</script>"


def assert_inert(body: str) -> Page:
    page = Page(body)
    assert all(attrs.get("type") == "application/ld+json" for attrs in page.scripts), page.scripts
    assert not any(tag == "img" for tag, _ in page.tags)
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    assert "<script>alert" not in body
    return page


@pytest.mark.parametrize(
    "url",
    [
        "/doc/organisation/injection-test",
        "/doc/partnership/dortmund-amiens",  # the organisation links here: incoming link label
        "/search?q=evil",
        "/list/organisation",
        "/doc/source/injection-test",
    ],
)
def test_markup_in_labels_shows_as_text(pages_client: FlaskClient, url: str) -> None:
    response = pages_client.get(url, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_inert(body)
    if url != "/doc/source/injection-test":
        assert (
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;Evil &amp; Co"
            in body
        )


def test_json_ld_block_cannot_be_closed_by_data(pages_client: FlaskClient) -> None:
    body = pages_client.get("/doc/organisation/injection-test", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    page = assert_inert(body)
    assert len(page.jsonld) == 1
    data = json.loads(page.jsonld[0])
    assert {"@value": EVIL_LABEL, "@language": "en"} in data["name"]
    block = body[body.index('<script type="application/ld+json">') :]
    block = block[: block.index("</script>")]
    assert "<" not in block[len('<script type="application/ld+json">') :]


def test_the_page_title_and_404_escape_too(pages_client: FlaskClient) -> None:
    body = pages_client.get("/doc/organisation/injection-test").get_data(as_text=True)
    assert "<title>&lt;script&gt;" in body
    response = pages_client.get("/search?q=%3Cb%3Ebold%3C/b%3E")
    assert "<b>bold</b>" not in response.get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt;" in response.get_data(as_text=True)


def test_rdf_keeps_the_value_exactly(pages_client: FlaskClient) -> None:
    import pyoxigraph as ox

    data = pages_client.get("/doc/organisation/injection-test.nt").data
    values = {
        t.object.value
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        if isinstance(t.object, ox.Literal)
    }
    assert EVIL_LABEL in values
    assert EVIL_NOTE in values
