"""The release as an on-disk Oxigraph database that worker processes open read-only.

Loading a TriG dump takes seconds; opening a database takes milliseconds. So the embedded backend
bulk-loads ``twingraph.trig`` once into a folder keyed by the release's content fingerprint, and every
process (the web workers and their query workers) opens that folder with ``Store.read_only``. The
folder lives in a cache directory (not in the release, whose files are published as they are); a
changed release gets a new fingerprint and so a new folder.

The database's default graph holds the RDF merge of all named graphs, each triple once. This is the
"union default graph" of the SPARQL endpoint. Oxigraph's own union option returns a triple once per
graph that states it, so a fact stated by two sources would be counted twice and joins would multiply;
a materialized merge is a set, as a SPARQL default graph must be.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from twingraph.queries import load_query

DUMP_NAME = "twingraph.trig"
MARKER = "twingraph-fingerprint"
LAYOUT = "merged-default-1"  # change when the database layout changes, so old caches are not reused


def release_version(folder: Path) -> str:
    """The release's version: ``version`` of ``release.json`` when present, else the folder name."""
    metadata = folder / "release.json"
    if metadata.is_file():
        try:
            version = json.loads(metadata.read_text(encoding="utf-8")).get("version")
        except (ValueError, AttributeError):
            version = None
        if isinstance(version, str) and version:
            return version
    return folder.name


def release_fingerprint(folder: Path) -> str:
    """Version plus a digest of the dump: changes whenever the served data changes."""
    return f"{release_version(folder)}-{dump_digest(folder / DUMP_NAME)}"


def dump_digest(path: Path) -> str:
    """A short SHA-256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as dump:
        for chunk in iter(lambda: dump.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def cache_root(cache_dir: str | Path | None) -> Path:
    """The configured cache folder, or ``twingraph-oxigraph`` in the system's temporary folder."""
    return Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "twingraph-oxigraph"


def prepare_database(dump: Path, fingerprint: str, cache_dir: str | Path | None = None) -> Path:
    """Return the database folder for ``dump``, bulk-loading it first unless it is already there.

    Safe when several processes start at once: each loads into its own temporary folder and the first
    to finish renames it into place; a complete database is never written to again.
    """
    root = cache_root(cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    location = root / f"{fingerprint}.{LAYOUT}"
    if _complete(location, fingerprint):
        _touch(location)
        return location
    prune_cache(root)
    tmp = Path(tempfile.mkdtemp(prefix=f".{fingerprint}-", dir=root))
    try:
        store = ox.Store(str(tmp / "db"))
        store.bulk_load(path=str(dump), format=ox.RdfFormat.TRIG)
        # A release's dump holds the merge already: merging again would find nothing new, and the
        # update, unlike the bulk load, goes through the database's write-ahead log (at world size
        # 4.2 s and a 94 MB log kept in the folder; the check takes 1.2 s).
        if store.query(load_query("store/merge-incomplete")):
            store.update(load_query("merge-named-graphs"))
        store.optimize()
        # The release's degrees, which bound the work of simple queries (store/degrees.py), measured
        # once with the load (imported here: the query workers import this module and need none of it).
        from twingraph.store.degrees import measure, write

        write(measure(store), tmp)
        del store  # closes the database before anyone opens it read-only
        (tmp / MARKER).write_text(fingerprint, encoding="utf-8")
        try:
            os.rename(tmp, location)
        except OSError:
            if not _complete(location, fingerprint):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return location


def prune_cache(root: Path, unused_days: float = 7.0) -> list[Path]:
    """Delete databases not opened for ``unused_days`` (and leftovers of interrupted loads).

    A database's marker is touched each time a process prepares it, so one in use stays.
    """
    cutoff = time.time() - unused_days * 86400
    removed = []
    for entry in root.iterdir() if root.is_dir() else []:
        marker = entry / MARKER
        used = marker.stat().st_mtime if marker.is_file() else entry.stat().st_mtime
        if entry.is_dir() and used < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _touch(location: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(location / MARKER)


def open_read_only(location: Path) -> ox.Store:
    """Open a database prepared by :func:`prepare_database` without write access."""
    return ox.Store.read_only(str(location / "db"))


def _complete(location: Path, fingerprint: str) -> bool:
    marker = location / MARKER
    return marker.is_file() and marker.read_text(encoding="utf-8") == fingerprint
