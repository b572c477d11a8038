"""Fully German and fully English: the message catalogues are complete, every string the code and the
templates use is in both, and no page of either language shows the other language's interface text.

The catalogues are read and the strings extracted by Babel (its Python extractor and Jinja2's extractor
for templates), the pages by the standard library's HTML parser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from twingraph.release_files import DUMPS, ENTITY_TABLE, REPORTS, TABLES, VALUES_TABLE
from twingraph.sparql.examples import load_examples
from twingraph.web import i18n

WEB = Path(i18n.__file__).parent
LANGS = ("en", "de")


def _catalogue(code: str) -> dict[str, tuple[str, bool]]:
    with (WEB / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {str(m.id): (str(m.string), m.fuzzy) for m in read_po(po, locale=code) if m.id}


def test_catalogues_are_complete_and_alike() -> None:
    en, de = _catalogue("en"), _catalogue("de")
    assert set(en) == set(de), set(en) ^ set(de)
    assert len(en) > 150
    for code, cat in (("en", en), ("de", de)):
        untranslated = [key for key, (text, fuzzy) in cat.items() if not text.strip() or fuzzy]
        assert not untranslated, (code, untranslated)
    # Placeholders survive translation.
    for key, (text, _) in en.items():
        assert sorted(re.findall(r"%\((\w+)\)s", text)) == sorted(re.findall(r"%\((\w+)\)s", de[key][0])), key
    # Quotation marks follow the language: “…” in English, „…“ in German.
    assert not any("„" in text for text, _ in en.values())
    assert not any("”" in text or ("“" in text and "„" not in text) for text, _ in de.values())


def test_every_used_string_is_in_both_catalogues() -> None:
    # i18n.py defines the lookups; its own uses of a variable called ``text`` are no messages.
    methods = [
        ("i18n.py", "ignore"),
        ("**/templates/**.html", "jinja2.ext:babel_extract"),
        ("**.py", "python"),
    ]
    keywords = {"t": None, "text": None}
    used = {
        str(message if isinstance(message, str) else message[0])
        for _, _, message, _, _ in extract_from_dir(WEB, methods, keywords=keywords)
    }
    assert {"skip", "sparql_intro", "dumps_intro", "file"} <= used, "the extraction misses strings"
    from twingraph.web.lists import SPECS
    from twingraph.web.ontology import LINKS, SECTIONS

    used |= {c.title for spec in SPECS.values() for c in spec.columns}
    used |= {key for key, _ in SECTIONS} | {key for key, _ in LINKS}
    # Texts written in English elsewhere and shown translated: example queries and release files.
    used |= {text for e in load_examples() for text in (e.title, e.description)}
    used |= {kind.description for kind in (*DUMPS.values(), *REPORTS.values())}
    used |= {ENTITY_TABLE, VALUES_TABLE, *TABLES.values()}
    for code in LANGS:
        missing = used - set(_catalogue(code))
        assert not missing, (code, sorted(missing))


class _Text(HTMLParser):
    """The interface text a reader sees: text nodes and labelling attributes, leaving out scripts,
    styles and data marked as written in another language (``lang="de"`` on an English page)."""

    VOID = frozenset(
        {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "use"}
    )

    def __init__(self, html: str, ui: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ui = ui
        self.nodes: list[str] = []
        self._open: list[bool] = []  # per open element: is its content left out?
        self.feed(html)

    @property
    def _skip(self) -> bool:
        return any(self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        foreign = tag != "html" and (attributes.get("lang") or self.ui).split("-")[0] != self.ui
        if tag not in self.VOID:
            self._open.append(tag in ("script", "style") or foreign)
        if not self._skip and not foreign:
            for name in ("aria-label", "placeholder", "title"):
                if attributes.get(name):
                    self.nodes.append(str(attributes[name]).strip())

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))

    @property
    def text(self) -> str:
        return " ".join(self.nodes)


def _plain(message: str) -> list[str]:
    """The literal parts of a message (markup and placeholders cut out), long enough to be telling."""
    parts = re.split(r"<[^>]+>|%\(\w+\)s", message)
    return [" ".join(p.split()) for p in parts if len(p.split()) >= 3]


def _page_paths(client: FlaskClient) -> list[str]:
    """One page of every type: home, lists, a resource of each listed type, search, map, docs, errors."""
    paths = ["/", "/list/", "/search?q=Amiens", "/map", "/ontology", "/shapes", "/sparql", "/dumps/"]
    paths += ["/doc/partnership/dortmund-amiens", "/doc/city/dortmund", "/id/nothing-here"]
    paths += ["/list/nothing", "/list/partnership?_format=xlsx"]  # error pages
    for segment in ("partnership", "city", "person", "event", "school"):
        paths.append(f"/list/{segment}")
        listing = client.get(f"/list/{segment}?lang=en").get_data(as_text=True)
        first = re.search(rf'<th scope="row"><a href="(/doc/{segment}/[^"]+)"', listing)
        assert first, segment
        paths.append(first.group(1))
    return paths


@pytest.mark.parametrize("ui", LANGS)
def test_no_page_shows_the_other_languages_interface_text(client: FlaskClient, ui: str) -> None:
    other = "de" if ui == "en" else "en"
    mine, theirs = i18n.catalogue(ui), i18n.catalogue(other)
    # Phrases of three words or more of the other language that this language writes differently.
    foreign = {p for key, text in theirs.items() for p in _plain(text) if p not in mine.get(key, "")}
    # Whole text nodes that are a short interface string of the other language only (a table head).
    short = {text for key, text in theirs.items() if text != mine.get(key) and "<" not in text}
    short -= set(mine.values())
    assert foreign and short
    paths = _page_paths(client)
    client.set_cookie("lang", ui)
    for path in paths:
        answer = client.get(path, headers={"Accept": "text/html"})
        assert answer.status_code in (200, 400, 404), path
        page = _Text(answer.get_data(as_text=True), ui)
        found = sorted(p for p in foreign if p in page.text)
        assert not found, (ui, path, found)
        nodes = sorted(n for n in page.nodes if n in short)
        assert not nodes, (ui, path, nodes)
        if ui == "en":
            assert "„" not in page.text, path
