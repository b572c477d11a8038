"""The releases on disk, ordered by version, with the date and time each was issued.

A release is served when its folder ``dist/<version>/`` holds a ``SHA256SUMS`` file, the dump
``twingraph.trig`` and a catalogue; the folder name must be a version that ``packaging`` can order
(PEP 440, which also orders the development versions ``X.Y.Z+<fingerprint>`` by their local part).
The listing is read again when the dist folder changes (a new release appears beside the others);
whether it changed is looked at no more than once a second, since every resource page asks.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from packaging.version import InvalidVersion, Version

SUMS_FILE = "SHA256SUMS"  # as publish/checksums.py writes it
DUMP = "twingraph.trig"
CATALOG = "catalog.ttl"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DCAT_DATASET = "http://www.w3.org/ns/dcat#Dataset"
_DCAT_CATALOG = "http://www.w3.org/ns/dcat#Catalog"
_DCT_ISSUED = "http://purl.org/dc/terms/issued"
_DCT_LICENSE = "http://purl.org/dc/terms/license"
_DCT_TITLE = "http://purl.org/dc/terms/title"
_DCT_PUBLISHER = "http://purl.org/dc/terms/publisher"
_FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
CHECK_SECONDS = 1.0  # how long the listing is trusted before the dist folder's time is looked at again


@dataclass(frozen=True)
class Release:
    """One served release: its version, folder and the moment it was issued (UTC)."""

    version: str
    folder: Path
    issued: dt.datetime
    license: str = ""
    title: str = ""
    publisher: str = ""


def sort_key(version: str) -> Version:
    """Order of versions (PEP 440; local versions such as ``0.2.0+ab12`` sort after ``0.2.0``).

    >>> sorted(["0.10.0", "0.2.0+ab12", "0.2.0", "0.9.0"], key=sort_key)
    ['0.2.0', '0.2.0+ab12', '0.9.0', '0.10.0']
    """
    return Version(version)


def catalogue_facts(catalog: Path) -> tuple[dt.datetime, str, str, str]:
    """When the dataset of a release was issued (``dct:issued``; a date means 00:00 UTC that day), its
    licence (``dct:license``), English title and publisher's name (empty when the catalogue has none)."""
    triples = list(ox.parse(path=str(catalog), format=ox.RdfFormat.TURTLE))
    datasets = {
        t.subject for t in triples if t.predicate.value == _RDF_TYPE and t.object.value == _DCAT_DATASET
    }
    issued = [
        as_utc(t.object.value) for t in triples if t.subject in datasets and t.predicate.value == _DCT_ISSUED
    ]
    # The dataset's own licence, else the catalogue's (the build states it on the catalogue).
    catalogs = {
        t.subject for t in triples if t.predicate.value == _RDF_TYPE and t.object.value == _DCAT_CATALOG
    }
    licenses = [
        t.object.value for t in triples if t.subject in datasets and t.predicate.value == _DCT_LICENSE
    ]
    licenses += [
        t.object.value for t in triples if t.subject in catalogs and t.predicate.value == _DCT_LICENSE
    ]
    if not issued:
        raise ValueError(f"{catalog}: no dct:issued on the dataset")
    titles = [
        t.object.value
        for t in triples
        if t.subject in datasets
        and t.predicate.value == _DCT_TITLE
        and getattr(t.object, "language", "") == "en"
    ]
    publishers = {t.object for t in triples if t.subject in datasets and t.predicate.value == _DCT_PUBLISHER}
    names = [t.object.value for t in triples if t.subject in publishers and t.predicate.value == _FOAF_NAME]
    return (
        issued[0],
        str(licenses[0]) if licenses else "",
        titles[0] if titles else "",
        names[0] if names else "",
    )


def as_utc(text: str) -> dt.datetime:
    """An ``xsd:date`` or ``xsd:dateTime`` as an aware UTC datetime (no zone: UTC).

    >>> as_utc("2026-12-01").isoformat(), as_utc("2026-12-01T10:30:00+01:00").isoformat()
    ('2026-12-01T00:00:00+00:00', '2026-12-01T09:30:00+00:00')
    """
    if "T" not in text:
        day = dt.date.fromisoformat(text[:10])
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


class ReleaseRegistry:
    """The releases in one dist folder, oldest first; re-read when the folder's listing changes."""

    def __init__(self, dist_dir: Path, check_seconds: float = CHECK_SECONDS) -> None:
        """Watch ``dist_dir`` (it may not exist yet), looking for changes every ``check_seconds``."""
        self._dist = dist_dir
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._checked: float | None = None  # time.monotonic() of the last look at the folder
        self._releases: list[Release] = []
        self._facts: dict[Path, tuple[dt.datetime, str, str, str]] = {}

    def releases(self) -> list[Release]:
        """The served releases, oldest first (as listed within the last ``check_seconds``)."""
        now = time.monotonic()
        with self._lock:
            if self._checked is not None and now - self._checked < self._check_seconds:
                return list(self._releases)
        try:
            stamp: float | None = self._dist.stat().st_mtime
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp is None:
                self._releases = []
            elif stamp != self._stamp:
                self._releases = self._scan()
            self._stamp = stamp
            self._checked = now
            return list(self._releases)

    def get(self, version: str) -> Release | None:
        """The release called ``version``, if it is served."""
        return next((r for r in self.releases() if r.version == version), None)

    def newest(self) -> Release | None:
        """The newest release (the one ``/sparql`` and the pages serve)."""
        found = self.releases()
        return found[-1] if found else None

    def _scan(self) -> list[Release]:
        found = []
        for folder in self._dist.iterdir():
            if folder.is_symlink() or not folder.is_dir():
                continue
            if not all((folder / name).is_file() for name in (SUMS_FILE, DUMP, CATALOG)):
                continue
            try:
                sort_key(folder.name)
                facts = self._facts.get(folder) or catalogue_facts(folder / CATALOG)
            except (InvalidVersion, ValueError, SyntaxError, OSError):
                continue  # not a release this server can order or date: left out, as a partial one
            self._facts[folder] = facts
            found.append(Release(folder.name, folder, *facts))
        return sorted(found, key=lambda r: sort_key(r.version))
