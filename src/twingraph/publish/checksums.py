"""Writing the SHA-256 checksums of a release's files, in the format of GNU ``sha256sum``.

Reading them back is part of reading a release (:mod:`twingraph.release`), which the server does too.
"""

from __future__ import annotations

from pathlib import Path

from twingraph.release import SUMS_FILE, sha256_file


def write_sums(folder: Path) -> dict[str, str]:
    """Write ``SHA256SUMS`` for every other file of ``folder`` (sorted by name); return name -> digest."""
    sums = {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != SUMS_FILE}
    text = "".join(f"{digest}  {name}\n" for name, digest in sums.items())
    (folder / SUMS_FILE).write_text(text, encoding="utf-8")
    return sums
