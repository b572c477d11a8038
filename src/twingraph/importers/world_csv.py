"""Read and check the world twinning snapshot (``cities.csv``, ``links.csv``).

Every problem is a DataError that names the file and the line, like a compiler error
(``cities.csv:17: lat '9x' is not a decimal number``); nothing half-read is ever written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pycountry

from twingraph.load import DataError

CITIES_FILE = "cities.csv"
LINKS_FILE = "links.csv"
CITY_COLUMNS = ("id", "name", "lng", "lat", "countrycd")
LINK_COLUMNS = ("source", "target")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")  # the xsd:decimal lexical space
# ISO 3166-2 codes the snapshot uses where ISO 3166-1 has an alpha-2 code for the same territory.
SUBDIVISION_CODES = {"CN-TW": "TW"}


@dataclass(frozen=True)
class WorldCity:
    """One row of cities.csv: Wikidata item, English name, coordinates as written, ISO code if any."""

    qid: str
    name: str
    lat: str
    long: str
    country: str | None
    line: int


@dataclass(frozen=True)
class WorldLink:
    """One row of links.csv: two Wikidata items (undirected), in QID order."""

    a: str
    b: str
    line: int


def country_code(raw: str) -> str | None:
    """The ISO 3166-1 alpha-2 code for the snapshot's ``countrycd``, or None when there is none.

    "NA" is Namibia, not a missing value. Taiwan is written CN-TW (its ISO 3166-2 code); ISO 3166-1
    codes the same territory TW. XK (Kosovo) and XS (Somaliland) are user-assigned codes outside
    ISO 3166-1 (Debian's iso-codes, through pycountry, decide), so those cities get no code.

    >>> [country_code(c) for c in ("DE", "NA", "CN-TW", "XK", "XS", "")]
    ['DE', 'NA', 'TW', None, None, None]
    """
    code = SUBDIVISION_CODES.get(raw, raw)
    if len(code) != 2 or not code.isupper():
        return None
    return code if pycountry.countries.get(alpha_2=code) is not None else None


def read_cities(path: Path) -> list[WorldCity]:
    """Read cities.csv; raise DataError naming file and line for a missing file or a bad row."""
    cities: list[WorldCity] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, CITY_COLUMNS):
        qid, name, lng, lat, raw_code = (row[c].strip() for c in CITY_COLUMNS)
        where = f"{path}:{line}"
        if not _QID.match(qid):
            raise DataError(f"{where}: id {qid!r} is not a Wikidata item (Q followed by digits)")
        if qid in seen:
            raise DataError(f"{where}: id {qid} appears twice (first on line {seen[qid]})")
        if not name:
            raise DataError(f"{where}: {qid} has no name")
        _check_coordinate(where, "lat", lat, 90)
        _check_coordinate(where, "lng", lng, 180)
        seen[qid] = line
        cities.append(WorldCity(qid, name, lat, lng, country_code(raw_code), line))
    if not cities:
        raise DataError(f"{path}: no cities")
    return cities


def read_links(path: Path, known: set[str]) -> list[WorldLink]:
    """Read links.csv; every end must be a city of ``known``, no self or duplicate links."""
    links: list[WorldLink] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in _rows(path, LINK_COLUMNS):
        source, target = row["source"].strip(), row["target"].strip()
        where = f"{path}:{line}"
        for qid in (source, target):
            if not _QID.match(qid):
                raise DataError(f"{where}: {qid!r} is not a Wikidata item (Q followed by digits)")
            if qid not in known:
                raise DataError(f"{where}: {qid} is not a city of {CITIES_FILE}")
        if source == target:
            raise DataError(f"{where}: {source} is linked to itself")
        a, b = sorted((source, target), key=_qid_number)
        if (a, b) in seen:
            raise DataError(f"{where}: the link {a}–{b} appears twice (first on line {seen[(a, b)]})")
        seen[(a, b)] = line
        links.append(WorldLink(a, b, line))
    return links


def _qid_number(qid: str) -> int:
    return int(qid[1:])


def _check_coordinate(where: str, column: str, value: str, limit: int) -> None:
    if not _DECIMAL.match(value):
        raise DataError(f"{where}: {column} {value!r} is not a decimal number")
    if abs(Decimal(value)) > limit:
        raise DataError(f"{where}: {column} {value} is outside -{limit}..{limit}")


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) for each data row; check the header and each row's number of fields."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, [])
            missing = [c for c in columns if c not in header]
            if missing:
                raise DataError(
                    f"{path}:1: header lacks the column(s) {', '.join(missing)} (found: {header})"
                )
            for fields in reader:
                if not fields:
                    continue  # a blank line holds no row
                if len(fields) != len(header):
                    raise DataError(
                        f"{path}:{reader.line_num}: {len(fields)} fields where the header has {len(header)}"
                    )
                yield reader.line_num, dict(zip(header, fields, strict=True))
        except csv.Error as exc:
            raise DataError(f"{path}:{reader.line_num}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
