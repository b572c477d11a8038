"""The reader's language: German and English UI strings, and labels from the data in de/en/fr.

The language comes from ``?lang=`` (which also sets a cookie, so the choice sticks), else the
cookie, else ``Accept-Language``. Data labels follow the reader's languages in order of preference,
then English, German and French, then any other; the UI itself is German or English, its strings in
one gettext catalogue per language (``translations/<lang>/LC_MESSAGES/messages.po``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import babel
import babel.dates
import babel.numbers
import babel.units
from babel.messages import pofile
from flask import Request
from markupsafe import Markup

UI_LANGUAGES = ("en", "de")
DATA_LANGUAGES = ("en", "de", "fr")
LANG_COOKIE = "lang"

CATALOGUES = Path(__file__).parent / "translations"
TERM_PREFIX = "term "


@cache
def catalogue(ui: str) -> dict[str, str]:
    """The messages of one UI language: ``translations/<ui>/LC_MESSAGES/messages.po`` read by Babel.

    Message ids are short keys for interface strings (``skip``), ``term <prefix:name>`` for labels of
    foreign vocabulary terms, and the English text itself for texts written elsewhere in English
    (example query titles, release file descriptions). Fuzzy or empty entries count as untranslated.

    >>> catalogue("de")["skip"], catalogue("en")["skip"]
    ('Zum Inhalt springen', 'Skip to content')
    """
    with (CATALOGUES / ui / "LC_MESSAGES" / "messages.po").open("rb") as po:
        read = pofile.read_po(po, locale=ui)
    return {str(m.id): str(m.string) for m in read if m.id and m.string and not m.fuzzy}


@dataclass(frozen=True)
class Language:
    """The reader's UI language and the order in which data labels are preferred."""

    ui: str
    data: tuple[str, ...]

    def text(self, key: str, **values: str | int) -> Markup:
        """The UI string ``key`` in the UI language, ``%(name)s`` placeholders filled (and escaped).

        Messages are ours and may hold a little markup (``<code>``); values are escaped.

        >>> str(Language("de", ("de",)).text("search_results_for", query="<b>"))
        'Ergebnisse für „&lt;b&gt;“'
        """
        message = Markup(catalogue(self.ui)[key])
        return message % values if values else message

    def has(self, key: str) -> bool:
        """Whether the catalogue of the UI language has ``key``."""
        return key in catalogue(self.ui)

    @property
    def locale(self) -> babel.Locale:
        """The Babel locale of the UI language (names of countries and languages, number formats)."""
        return babel.Locale.parse("de" if self.ui == "de" else "en_GB")

    def gettext(self, english: str) -> str:
        """A text written in English elsewhere (an example's title) in the UI language, if translated."""
        return catalogue(self.ui).get(english, english)

    def term(self, short_name: str) -> str | None:
        """The UI label of a foreign vocabulary term (``rdf:type``), if there is one."""
        return catalogue(self.ui).get(TERM_PREFIX + short_name)


def _accepted(request: Request) -> list[str]:
    """Primary language subtags of Accept-Language, best first (``de-AT`` -> ``de``)."""
    ordered = sorted(request.accept_languages, key=lambda item: -item[1])
    return list(dict.fromkeys(tag.split("-")[0].lower() for tag, q in ordered if q > 0 and tag != "*"))


def requested_ui(request: Request) -> str | None:
    """A valid ``?lang=`` value, if the request has one."""
    lang = request.args.get("lang", "")
    return lang if lang in UI_LANGUAGES else None


def choose_language(request: Request) -> Language:
    """The reader's language: ``?lang=``, then the cookie, then Accept-Language; English by default."""
    accepted = _accepted(request)
    ui = requested_ui(request) or request.cookies.get(LANG_COOKIE, "")
    if ui in UI_LANGUAGES:
        # An explicit choice rules the data labels too.
        return Language(ui=ui, data=tuple(dict.fromkeys([ui, *accepted, *DATA_LANGUAGES])))
    ui = next((lang for lang in accepted if lang in UI_LANGUAGES), "en")
    # Otherwise labels follow the reader's languages (a French reader gets French labels in an English UI).
    return Language(ui=ui, data=tuple(dict.fromkeys([*accepted, ui, *DATA_LANGUAGES])))


def format_date(text: str, ui: str) -> str:
    """An xsd date, year-month or year as readers write it; anything else unchanged.

    >>> format_date("1959-11-20", "de"), format_date("1959-11-20", "en"), format_date("2022-05", "de")
    ('20. November 1959', '20 November 1959', 'Mai 2022')
    >>> format_date("1960", "en"), format_date("about 1960", "en")
    ('1960', 'about 1960')
    """
    locale = "de" if ui == "de" else "en_GB"
    try:
        if len(text) == 10:
            return babel.dates.format_date(datetime.date.fromisoformat(text), format="long", locale=locale)
        if len(text) == 7 and text[4] == "-":
            day = datetime.date(int(text[:4]), int(text[5:]), 1)
            return babel.dates.format_skeleton("yMMMM", day, locale=locale)
    except ValueError:
        pass
    return text


def pick(values: Iterable[tuple[str, str]], preferred: Sequence[str]) -> str | None:
    """The text of (text, language) pairs in the first preferred language, then untagged, then any.

    >>> pick([("Rostow am Don", "de"), ("Rostov-on-Don", "en")], ("de", "en"))
    'Rostow am Don'
    >>> pick([("Amiens", "fr")], ("de", "en")) , pick([], ("en",))
    ('Amiens', None)
    """
    items = list(values)
    if not items:
        return None
    for lang in (*preferred, ""):
        for text, tag in items:
            if tag.lower() == lang:
                return text
    return sorted(items, key=lambda item: item[1])[0][0]


_BYTE_UNITS = ("digital-byte", "digital-kilobyte", "digital-megabyte", "digital-gigabyte")


def format_size(size: int, ui: str) -> str:
    """A byte count as readers write it (decimal units, as file managers show them), by Babel.

    >>> format_size(532, "en"), format_size(1_234_567, "de"), format_size(48_100, "en")
    ('532 byte', '1,2 MB', '48.1 kB')
    """
    value, unit = float(size), 0
    while value >= 1000 and unit < len(_BYTE_UNITS) - 1:
        value, unit = value / 1000, unit + 1
    locale = "de" if ui == "de" else "en_GB"
    return babel.units.format_unit(value, _BYTE_UNITS[unit], length="short", format="#,##0.#", locale=locale)


def format_number(value: float, ui: str) -> str:
    """A number as readers write it (grouping and decimal marks of the language).

    >>> format_number(10000, "de"), format_number(2.5, "de"), format_number(10000, "en")
    ('10.000', '2,5', '10,000')
    """
    return babel.numbers.format_decimal(value, locale="de" if ui == "de" else "en_GB")
