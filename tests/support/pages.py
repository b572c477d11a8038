"""Reading pages in tests with a real HTML parser (the standard library's)."""

from __future__ import annotations

from html.parser import HTMLParser

from flask.testing import FlaskClient


class Page(HTMLParser):
    """Collects what the tests look at: elements by id, text per id'd section, links, JSON-LD blocks."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.jsonld: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.sections: dict[str, list[str]] = {}
        self.html_lang = ""
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: list[str] = []
        self._script: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "html":
            self.html_lang = attributes.get("lang") or ""
        if "id" in attributes:
            self.ids.add(str(attributes["id"]))
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if tag == "section" and attributes.get("id"):
            self._open.append(str(attributes["id"]))
            self.sections[str(attributes["id"])] = []
        elif tag == "section":
            self._open.append("")
        if tag == "script":
            self.scripts.append(attributes)
            self._script = attributes.get("type") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._open:
            self._open.pop()
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script == "application/ld+json":
            self.jsonld.append(data)
        for section in self._open:
            if section:
                self.sections[section].append(data)

    def text(self, section: str) -> str:
        """The text of a section, whitespace collapsed."""
        return " ".join(" ".join(self.sections[section]).split())


def get_page(client: FlaskClient, url: str, **headers: str) -> Page:
    response = client.get(url, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return Page(response.get_data(as_text=True))
