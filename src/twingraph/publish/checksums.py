"""SHA-256 checksums of a release's files, in the format of GNU ``sha256sum``."""

from __future__ import annotations

import hashlib
from pathlib import Path

SUMS_FILE = "SHA256SUMS"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def write_sums(folder: Path) -> dict[str, str]:
    """Write ``SHA256SUMS`` for every other file of ``folder`` (sorted by name); return name -> digest."""
    sums = {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != SUMS_FILE}
    text = "".join(f"{digest}  {name}\n" for name, digest in sums.items())
    (folder / SUMS_FILE).write_text(text, encoding="utf-8")
    return sums


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
