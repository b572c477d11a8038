"""A version names one content: the fingerprint of the build's inputs, and development releases.

A published release ``dist/<version>/`` (``twingraph publish``) records in its catalogue the SHA-256
fingerprint of everything it was built from: the curated data (``data/``, with the vendored world
snapshot), the ontology, the shapes, the generated imports and the build's rules. A plain
``twingraph build`` (what ``make serve`` runs) never refuses: when the inputs are those of the
published version it reuses it; when they changed without a new version it builds a development
release ``<version>+<fingerprint>`` (semver build metadata), marked as unpublished in its
catalogue and on every page, which names its content as exactly as a published version does.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from twingraph.config import Settings
from twingraph.load import DataError

# Development releases kept in dist/ (the newest by build time): each holds a whole release, and a
# curator who edits and rebuilds all day should not fill the disk with them.
KEEP_DEVELOPMENT = 3
# How many hex digits of the fingerprint a development version carries (48 bits: no collision
# between the few development builds of one version).
SHORT = 12
FINGERPRINT_PROPERTY = "inputFingerprint"  # in the ontology namespace (tg:inputFingerprint)
ADMS_STATUS = "http://www.w3.org/ns/adms#status"
# ADMS status vocabulary: a published version is complete, a development release is not.
PUBLISHED = "http://purl.org/adms/status/Completed"
UNPUBLISHED = "http://purl.org/adms/status/UnderDevelopment"


def input_files(settings: Settings) -> list[tuple[str, Path]]:
    """(name, path) of every input of a build, in a stable order; names are relative to their folder."""
    found: list[tuple[str, Path]] = []
    for folder, pattern in (
        (settings.data_dir, "**/*"),
        (settings.ontology_dir, "*.ttl"),
        (settings.project_dir / "shapes", "*.ttl"),
        (settings.imports_dir, "*.trig"),
    ):
        if folder.is_dir():
            found += [
                (f"{folder.name}/{p.relative_to(folder).as_posix()}", p)
                for p in folder.glob(pattern)
                if p.is_file() and not p.name.startswith(".")
            ]
    return sorted(found)


def _rules() -> list[tuple[str, bytes]]:
    folder = resources.files("twingraph") / "rules"
    return sorted((f"rules/{p.name}", p.read_bytes()) for p in folder.iterdir() if p.name.endswith(".rq"))


def input_fingerprint(settings: Settings) -> str:
    """SHA-256 (hex) over the names and contents of every input, the build's rules included."""
    digest = hashlib.sha256()
    entries = [(name, hashlib.sha256(path.read_bytes()).hexdigest()) for name, path in input_files(settings)]
    entries += [(name, hashlib.sha256(data).hexdigest()) for name, data in _rules()]
    for name, file_digest in sorted(entries):
        digest.update(f"{name}\0{file_digest}\n".encode())
    return digest.hexdigest()


def development_version(version: str, fingerprint: str) -> str:
    """The version of a development release: the published version plus the content's fingerprint.

    >>> development_version("0.1.0", "3f2a9c1e04b7d5e6f7a8")
    '0.1.0+3f2a9c1e04b7'
    """
    return f"{version}+{fingerprint[:SHORT]}"


def is_development(version: str) -> bool:
    """Whether ``version`` names a development (unpublished) release.

    >>> is_development("0.1.0"), is_development("0.1.0+3f2a9c1e04b7")
    (False, True)
    """
    return "+" in version


def recorded_fingerprint(folder: Path, tg: str) -> str | None:
    """The input fingerprint a release's catalogue records, or None (no release, or an older one)."""
    catalog = folder / "catalog.ttl"
    if not catalog.is_file():
        return None
    try:
        triples = ox.parse(path=str(catalog), format=ox.RdfFormat.TURTLE)
        return next((t.object.value for t in triples if t.predicate.value == tg + FINGERPRINT_PROPERTY), None)
    except (OSError, SyntaxError, ValueError):
        return None


@dataclass(frozen=True)
class Target:
    """The release a build writes: its version, whether it is published, and its input fingerprint."""

    version: str
    published: bool
    fingerprint: str
    exists: bool  # a release of this version holds exactly these inputs already


def choose_target(settings: Settings, version: str, tg: str, *, publish: bool) -> Target:
    """Which release to build: the published ``version``, or a development release named by content.

    ``publish``: the version itself (the caller refuses to overwrite other content). Otherwise the
    published version when it was built from these very inputs, else ``<version>+<fingerprint>``.
    """
    if is_development(version):
        raise DataError(
            f"data/dataset.toml: version {version!r} carries build metadata; write the version only "
            "(the build names development releases by their content itself)"
        )
    fingerprint = input_fingerprint(settings)
    same = recorded_fingerprint(settings.dist_dir / version, tg) == fingerprint
    if publish or same:
        return Target(version, True, fingerprint, same)
    dev = development_version(version, fingerprint)
    exists = recorded_fingerprint(settings.dist_dir / dev, tg) == fingerprint
    return Target(dev, False, fingerprint, exists)


def prune_development_releases(dist: Path, current: str, keep: int = KEEP_DEVELOPMENT) -> list[str]:
    """Remove all but the ``keep`` newest development releases (never ``current``); return the removed.

    Published releases are never touched: a published version does not change or go away.
    """
    folders = [
        p
        for p in dist.iterdir()
        if p.is_dir() and not p.is_symlink() and is_development(p.name) and (p / "SHA256SUMS").is_file()
    ]
    folders.sort(key=lambda p: ((p / "SHA256SUMS").stat().st_mtime_ns, p.name), reverse=True)
    kept = {p.name for p in folders[:keep]} | {current}
    removed = [p.name for p in folders if p.name not in kept]
    for name in removed:
        shutil.rmtree(dist / name, ignore_errors=True)
    return sorted(removed)
