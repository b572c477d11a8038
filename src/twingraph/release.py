"""Where releases live on disk, which one to serve, and what ``data/dataset.toml`` says about them.

A release is a folder ``dist/<version>/`` named by a semantic version and holding a
``SHA256SUMS`` file; ``dist/latest`` is a symbolic link to the newest one. The version, the
release date and the dataset's title, description, licence and publisher come from
``data/dataset.toml``, written by the data curator.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twingraph.config import Settings
from twingraph.load import DataError
from twingraph.publish.checksums import SUMS_FILE, read_sums, sha256_file
from twingraph.publish.formats import DUMPS, REPORTS, file_kind

DATASET_FILE = "dataset.toml"
LATEST = "latest"
# semver.org, section 2, 9 and 10; build metadata (section 10) names a development release's content
# ("0.1.0+3f2a9c1e04b7", see twingraph.versions) and does not take part in precedence.
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
_DCT_ISSUED = "http://purl.org/dc/terms/issued"
_DCAT_DATASET = "http://www.w3.org/ns/dcat#Dataset"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class ReleaseError(Exception):
    """No usable release: the message says what is missing and how to make one."""


def resolve_release(settings: Settings) -> Path:
    """Return the folder of the release to serve (``latest`` follows the dist/latest link)."""
    dist = settings.dist_dir
    folder = dist / settings.release
    if not folder.exists():
        raise ReleaseError(f"no release {settings.release!r} in {dist}: run 'twingraph build' first")
    folder = folder.resolve()
    if not (folder / "twingraph.trig").is_file():
        raise ReleaseError(f"release {folder.name!r} in {dist} is incomplete: twingraph.trig is missing")
    return folder


def is_version(text: str) -> bool:
    """Whether ``text`` is a semantic version (build metadata allowed: a development release).

    >>> is_version("0.1.0"), is_version("1.0.0-rc.1"), is_version("1.0"), is_version("01.0.0")
    (True, True, False, False)
    >>> is_version("0.1.0+3f2a9c1e04b7"), is_version("0.1.0+")
    (True, False)
    """
    return _SEMVER.match(text) is not None


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key giving semantic-version precedence (semver.org section 11).

    >>> sorted(["1.0.0", "1.0.0-rc.1", "0.9.10", "0.9.2", "1.0.0-alpha"], key=version_key)
    ['0.9.2', '0.9.10', '1.0.0-alpha', '1.0.0-rc.1', '1.0.0']
    """
    match = _SEMVER.match(version)
    if match is None:
        raise ValueError(f"not a semantic version: {version!r}")
    major, minor, patch, pre, build = match.groups()
    identifiers = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
    # Build metadata last: equal precedence, but a stable order between a release and its dev builds.
    return (int(major), int(minor), int(patch), 0 if pre else 1, identifiers, build or "")


@dataclass(frozen=True)
class DatasetInfo:
    """What ``data/dataset.toml`` says: version, release date and the catalogue's texts."""

    version: str
    date: dt.date
    title: dict[str, str]
    description: dict[str, str]
    license: str
    publisher: str
    publisher_url: str = ""


def _texts(value: Any, key: str, where: Path) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"en": value.strip()}
    if isinstance(value, dict) and value and all(isinstance(v, str) and v.strip() for v in value.values()):
        return {str(lang): str(text).strip() for lang, text in sorted(value.items())}
    raise DataError(f"{where}: '{key}' must be a text or a table of texts by language (en = \"...\")")


def read_dataset_info(settings: Settings) -> DatasetInfo:
    """Read and check ``data/dataset.toml``; raise DataError naming the file and the key at fault."""
    path = settings.data_dir / DATASET_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{path}: missing (it gives the release's version, date, title, licence)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path}: {exc}") from exc
    for key in ("version", "date", "title", "description", "license", "publisher"):
        if key not in raw:
            raise DataError(f"{path}: key '{key}' is missing")
    version = raw["version"]
    if not isinstance(version, str) or not is_version(version):
        raise DataError(f'{path}: version {version!r} is not a semantic version like "1.2.0"')
    date = raw["date"]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError as exc:
            raise DataError(f'{path}: date {raw["date"]!r} is not a date like "2026-11-25"') from exc
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise DataError(f"{path}: date {date!r} is not a date like 2026-11-25 (no time of day)")
    license_iri = raw["license"]
    if not isinstance(license_iri, str) or not license_iri.startswith(("http://", "https://")):
        raise DataError(f"{path}: license {license_iri!r} must be the IRI of the licence document")
    publisher, publisher_url = raw["publisher"], ""
    if isinstance(publisher, dict):
        publisher_url = str(publisher.get("url", ""))
        publisher = publisher.get("name", "")
    if not isinstance(publisher, str) or not publisher.strip():
        raise DataError(f"{path}: publisher must be a name, or a table with name (and url)")
    if publisher_url and not publisher_url.startswith(("http://", "https://")):
        raise DataError(f"{path}: publisher url {publisher_url!r} must be an http(s) IRI")
    return DatasetInfo(
        version=version,
        date=date,
        title=_texts(raw["title"], "title", path),
        description=_texts(raw["description"], "description", path),
        license=license_iri,
        publisher=publisher.strip(),
        publisher_url=publisher_url,
    )


def list_releases(dist_dir: Path) -> list[str]:
    """Versions of the complete releases in ``dist_dir`` (with SHA256SUMS), newest first."""
    if not dist_dir.is_dir():
        return []
    versions = [
        p.name
        for p in dist_dir.iterdir()
        if p.is_dir() and not p.is_symlink() and is_version(p.name) and (p / SUMS_FILE).is_file()
    ]
    return sorted(versions, key=version_key, reverse=True)


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release, as listed under /dumps/."""

    name: str
    size: int
    sha256: str
    media_type: str
    description: str


@dataclass(frozen=True)
class ReleaseInfo:
    """A release on disk: version, date (from its catalogue) and files (from SHA256SUMS)."""

    version: str
    date: dt.date
    folder: Path
    files: list[ReleaseFile]

    def file(self, name: str) -> ReleaseFile | None:
        """The file called ``name``, if the release lists it."""
        return next((f for f in self.files if f.name == name), None)


def read_release(folder: Path) -> ReleaseInfo:
    """Describe a release folder: files from SHA256SUMS (sizes from disk), date from catalog.ttl.

    A release that lost a file, or whose catalogue does not parse, raises ReleaseError naming the file
    only (found by the fault tests: a partial release on disk made every /dumps/ page answer 500).
    """
    try:
        return _read_release(folder)
    except FileNotFoundError as exc:
        missing = Path(exc.filename).name if exc.filename else "a file"
        raise ReleaseError(f"release {folder.name!r} is incomplete: {missing} is missing") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ReleaseError(f"release {folder.name!r} is damaged ({type(exc).__name__})") from exc


def _read_release(folder: Path) -> ReleaseInfo:
    sums = read_sums(folder)
    files = []
    for name, digest in sorted(sums.items()):
        kind = file_kind(name)
        description = kind.description or f"Table {name} (one row per entity; see csv-metadata.json)."
        files.append(ReleaseFile(name, (folder / name).stat().st_size, digest, kind.media_type, description))
    sums_size = (folder / SUMS_FILE).stat().st_size
    kind = file_kind(SUMS_FILE)
    files.append(
        ReleaseFile(SUMS_FILE, sums_size, sha256_file(folder / SUMS_FILE), kind.media_type, kind.description)
    )
    return ReleaseInfo(
        folder.name,
        _issued(folder / "catalog.ttl"),
        folder,
        sorted(files, key=lambda f: listing_order(f.name)),
    )


def listing_order(name: str) -> tuple[int, int, str]:
    """Order of a release's files in listings: the dumps first, then the tables, then the reports.

    >>> sorted(["SHA256SUMS", "cities.csv", "twingraph.ttl", "CHANGES.md"], key=listing_order)
    ['twingraph.ttl', 'cities.csv', 'CHANGES.md', 'SHA256SUMS']
    """
    if name in DUMPS:
        return (0, list(DUMPS).index(name), name)
    if name in REPORTS:
        return (2, list(REPORTS).index(name), name)
    return (1, 0, name)


def _issued(catalog: Path) -> dt.date:
    triples = list(ox.parse(path=str(catalog), format=ox.RdfFormat.TURTLE))
    datasets = {
        t.subject for t in triples if t.predicate.value == _RDF_TYPE and t.object.value == _DCAT_DATASET
    }
    for t in triples:
        if t.subject in datasets and t.predicate.value == _DCT_ISSUED:
            return dt.date.fromisoformat(t.object.value[:10])
    raise ReleaseError(f"{catalog}: no dct:issued date on the dataset")
