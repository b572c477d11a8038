"""Reading a release from disk: where releases live, which one to serve, what files it holds.

A release is a folder ``dist/<version>/`` named by a semantic version and holding a
``SHA256SUMS`` file; ``dist/latest`` is a symbolic link to the newest one. This module is where the
build and the server meet: the build writes releases (``twingraph.publish``) and reads the older ones
through it, the server reads nothing but what it finds here. So it imports neither side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twingraph.config import Settings
from twingraph.release_files import DUMPS, REPORTS, describe_table, file_kind

LATEST = "latest"
SUMS_FILE = "SHA256SUMS"
DUMP_FILE = "twingraph.trig"
SHAPES_FILE = "shapes.ttl"
ONTOLOGY_FILE = "ontology.ttl"
# semver.org, section 2, 9 and 10; build metadata (section 10) names a development release's content
# ("0.1.0+3f2a9c1e04b7", see twingraph.publish.versioning) and does not take part in precedence.
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
    if not (folder / DUMP_FILE).is_file():
        raise ReleaseError(f"release {folder.name!r} in {dist} is incomplete: {DUMP_FILE} is missing")
    return folder


def sha256_file(path: Path) -> str:
    """Hex SHA-256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_sums(text: str) -> dict[str, str]:
    """Parse ``sha256sum`` output into name -> digest (text mode lines ``<hex>  <name>``).

    >>> parse_sums("ab12  twingraph.ttl\\n")
    {'twingraph.ttl': 'ab12'}
    """
    sums: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        sums[name.lstrip("*")] = digest
    return sums


def read_sums(folder: Path) -> dict[str, str]:
    """Name -> SHA-256 of a release folder's files, read from its ``SHA256SUMS``."""
    return parse_sums((folder / SUMS_FILE).read_text(encoding="utf-8"))


def verify_release(folder: Path) -> None:
    """Raise ReleaseError unless every file ``SHA256SUMS`` lists is in ``folder`` with that digest."""
    name = folder.name
    if not (folder / SUMS_FILE).is_file():
        raise ReleaseError(f"release {name!r} is partial: {SUMS_FILE} is missing (an interrupted build?)")
    try:
        sums = read_sums(folder)
    except (OSError, UnicodeDecodeError) as exc:
        raise ReleaseError(f"release {name!r}: {SUMS_FILE} cannot be read ({exc})") from exc
    if DUMP_FILE not in sums:
        raise ReleaseError(f"release {name!r} is corrupt: {SUMS_FILE} does not list {DUMP_FILE}")
    for file, digest in sums.items():
        path = folder / file
        if "/" in file or not path.is_file():
            raise ReleaseError(f"release {name!r} is partial: {file} is missing")
        if sha256_file(path) != digest:
            raise ReleaseError(
                f"release {name!r} is corrupt: {file} does not match its SHA-256 in {SUMS_FILE}"
            )


def read_graph_file(folder: Path, name: str, graph: str) -> list[ox.Quad]:
    """The triples of the release's Turtle file ``name`` (``shapes.ttl``, ``ontology.ttl``), as quads
    in the named graph ``graph``; ReleaseError naming the file when it is missing or does not parse."""
    path = folder / name
    try:
        return [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        ]
    except FileNotFoundError as exc:
        raise ReleaseError(f"release {folder.name!r} has no {name}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ReleaseError(f"release {folder.name!r}: {name} cannot be read ({type(exc).__name__})") from exc


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
        description = kind.description or describe_table(name)
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
