"""Files written so that a reader never sees half of one: a temporary file beside the target, renamed
into place when complete (``os.replace`` is atomic on one file system). For single files (imports,
per-release caches); a whole release folder is published by ``publish/atomic.py``.

>>> import tempfile; folder = Path(tempfile.mkdtemp())
>>> write_atomically(folder / "a.txt", lambda out: out.write("done"))
>>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
('done', ['a.txt'])
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def write_atomically(path: Path, write: Callable[[IO[Any]], object], binary: bool = False) -> None:
    """Write ``path`` through ``write(handle)`` (text in UTF-8, or bytes with ``binary``); on any
    failure the temporary file is removed and ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
