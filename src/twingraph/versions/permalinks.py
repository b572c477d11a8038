"""Query permalinks: a query pinned to a release and a format, and the exact answer it gave.

A permalink's id is a digest of (release, format, query text), so the same question asked twice gets
the same link. The answer is stored with it when the link is made, in an append-only SQLite file:
``/q/<id>`` answers the same bytes forever, even if a later Oxigraph ordered rows differently.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import zlib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

ID_LENGTH = 20  # hex digits of SHA-256: 80 bits, no collision among any number of queries people write
_SCHEMA = """
CREATE TABLE IF NOT EXISTS permalink (
  id TEXT PRIMARY KEY,
  release TEXT NOT NULL,
  media_type TEXT NOT NULL,
  query TEXT NOT NULL,
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  answer BLOB NOT NULL
)
"""


def permalink_id(release: str, media_type: str, query: str) -> str:
    """The id of a query pinned to a release and a format.

    >>> permalink_id("0.2.0", "text/csv", "SELECT * {}")
    '3ea7ce3fe4d486b7b256'
    """
    text = f"{release}\n{media_type}\n{query}".encode()
    return hashlib.sha256(text).hexdigest()[:ID_LENGTH]


@dataclass(frozen=True)
class Permalink:
    """A pinned query and its answer."""

    id: str
    release: str
    media_type: str
    query: str
    created: str
    answer: bytes


class PermalinkStore:
    """The append-only file of permalinks (rows are inserted, never updated or deleted)."""

    def __init__(self, path: Path) -> None:
        """Use (and create if need be) the SQLite file at ``path``."""
        self._path = path
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self._path, timeout=30)
        if not self._ready:
            connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
            connection.execute(_SCHEMA)
            self._ready = True
        return connection

    def get(self, link_id: str) -> Permalink | None:
        """The permalink ``link_id``, if it was made."""
        with self._lock, closing(self._connect()) as connection, connection:
            row = connection.execute(
                "SELECT id, release, media_type, query, created, answer FROM permalink WHERE id = ?",
                (link_id,),
            ).fetchone()
        if row is None:
            return None
        return Permalink(row[0], row[1], row[2], row[3], row[4], zlib.decompress(row[5]))

    def add(self, release: str, media_type: str, query: str, answer: bytes) -> Permalink:
        """Keep a new permalink; one made before for the same question is returned as it was."""
        link_id = permalink_id(release, media_type, query)
        with self._lock, closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT OR IGNORE INTO permalink (id, release, media_type, query, answer)"
                " VALUES (?, ?, ?, ?, ?)",
                (link_id, release, media_type, query, zlib.compress(answer, 6)),
            )
        found = self.get(link_id)
        assert found is not None
        return found
