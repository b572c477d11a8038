"""Files written so that a reader never sees half of one: a temporary file beside the target, renamed
into place when complete (``os.replace`` is atomic on one file system). For single files (imports,
per-release caches); a whole release folder is published by ``publish/atomic.py``.

>>> import tempfile; folder = Path(tempfile.mkdtemp())
>>> write_atomically(folder / "a.txt", lambda out: out.write("done"))
>>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
('done', ['a.txt'])
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

T = TypeVar("T")


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


def read_or_make(
    path: Path, read: Callable[[Path], T | None], make: Callable[[], T], write: Callable[[T, Path], None]
) -> T:
    """What ``read(path)`` finds there (None: nothing usable), else ``make()``, saved with ``write`` for
    the next reader. A folder that cannot be written keeps the value in memory only.

    >>> folder = Path(tempfile.mkdtemp()); made = []
    >>> def read(p: Path) -> str | None: return p.read_text() if p.exists() else None
    >>> def make() -> str: made.append(1); return "value"
    >>> def write(v: str, p: Path) -> None: write_atomically(p, lambda out: out.write(v))
    >>> [read_or_make(folder / "v", read, make, write) for _ in range(2)], len(made)
    (['value', 'value'], 1)
    """
    found = read(path)
    if found is not None:
        return found
    made = make()
    with contextlib.suppress(OSError):
        write(made, path)
    return made
