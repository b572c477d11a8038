"""Recognising identifiers in queries and property values: Wikidata QIDs, GeoNames IDs, countries.

An identifier is matched exactly (score 100), never fuzzily; these helpers only recognise the
forms people paste (``Q5826``, ``wd:Q5826``, ``https://www.wikidata.org/wiki/Q5826``,
``https://sws.geonames.org/1790630/``, ``1790630``) and turn them into one canonical key.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

from twingraph.names import name_key

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"

_QID = re.compile(
    r"^\s*(?:wd:|https?://(?:www\.|m\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)\s*/?\s*$",
    re.IGNORECASE,
)
_GEONAMES_URL = re.compile(
    r"^\s*https?://(?:sws\.|www\.)?geonames\.org/([1-9][0-9]*)(?:/.*)?\s*$", re.IGNORECASE
)
_DIGITS = re.compile(r"^\s*([1-9][0-9]*)\s*$")

# Languages whose country names are recognised as values of the country property (Babel's CLDR data).
COUNTRY_NAME_LANGUAGES = ("en", "de", "fr", "ru", "uk", "zh", "he", "sr", "tr", "es", "it", "nl", "pl")


def parse_qid(text: str) -> str | None:
    """The QID in ``text`` (bare, prefixed or as a Wikidata URL), upper-cased; None if there is none.

    >>> parse_qid("https://www.wikidata.org/wiki/Q5826")
    'Q5826'
    >>> parse_qid("wd:q908")
    'Q908'
    >>> parse_qid("Q") is None
    True
    """
    found = _QID.match(text)
    return found.group(1).upper() if found else None


def parse_geonames(text: str, bare_digits: bool = True) -> str | None:
    """The GeoNames ID in ``text`` (a GeoNames URL, or bare digits when ``bare_digits``).

    >>> parse_geonames("https://sws.geonames.org/1790630/")
    '1790630'
    >>> parse_geonames("1790630")
    '1790630'
    >>> parse_geonames("1790630", bare_digits=False) is None
    True
    """
    found = _GEONAMES_URL.match(text)
    if found:
        return found.group(1)
    if bare_digits:
        digits = _DIGITS.match(text)
        if digits:
            return digits.group(1)
    return None


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in COUNTRY_NAME_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(name_key(name), code.upper())
    return names


def parse_country(text: str) -> str | None:
    """An ISO 3166-1 alpha-2 code for a code or a country name in one of several languages.

    >>> parse_country("fr"), parse_country("Deutschland"), parse_country("Россия"), parse_country("Atlantis")
    ('FR', 'DE', 'RU', None)
    """
    stripped = text.strip()
    if len(stripped) == 2 and stripped.isalpha() and stripped.isascii():
        return stripped.upper()
    return _country_names().get(name_key(stripped))
