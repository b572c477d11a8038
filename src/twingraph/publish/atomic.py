"""Putting a finished release in place atomically, one build at a time per dist folder.

A release is written into a temporary folder beside its place (``dist/.build-<version>-*``) and
renamed into place when complete: ``os.replace`` is atomic on one file system, so a reader sees
the old state or the new one, never a half-written folder. ``dist/latest`` is swapped the same way.
"""

from __future__ import annotations

import fcntl
import filecmp
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

from twingraph.release import LATEST, list_releases

TEMPORARY_PREFIX = ".build-"


class Placed(Enum):
    """What :func:`move_into_place` did."""

    NEW = "new"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"
    CONFLICT = "conflict"


@contextmanager
def locked(dist: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``dist/.build.lock``: one build at a time per dist folder."""
    with (dist / ".build.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def temporary_folder(dist: Path, version: str) -> Path:
    """A new private folder in ``dist`` to write a release into."""
    return Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{version}-", dir=dist))


def remove_stale_temporaries(dist: Path) -> list[str]:
    """Remove the folders interrupted builds left (call it holding the lock); return their names."""
    removed = []
    for leftover in sorted(dist.glob(TEMPORARY_PREFIX + "*")):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover.name)
    return removed


def same_files(a: Path, b: Path) -> bool:
    """Whether two folders hold the same file names with the same bytes."""
    names_a = sorted(p.name for p in a.iterdir())
    names_b = sorted(p.name for p in b.iterdir())
    return names_a == names_b and all(filecmp.cmp(a / n, b / n, shallow=False) for n in names_a)


def move_into_place(tmp: Path, target: Path, replace: bool) -> Placed:
    """Rename the finished ``tmp`` to ``target``; an existing target is kept unless ``replace``.

    An identical existing release is left alone (UNCHANGED); a different one is a CONFLICT unless
    ``replace``, in which case it is moved aside first and removed once the new one is in place.
    """
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; a release is public
    if not target.exists():
        os.replace(tmp, target)
        return Placed.NEW
    if same_files(tmp, target):
        return Placed.UNCHANGED
    if not replace:
        return Placed.CONFLICT
    # Not a .build- folder: a build killed between the two renames must not have it cleaned away.
    aside = Path(tempfile.mkdtemp(prefix=f".replaced-{target.name}-", dir=target.parent))
    os.replace(target, aside / target.name)
    os.replace(tmp, target)
    shutil.rmtree(aside, ignore_errors=True)
    return Placed.REPLACED


def point_latest(dist: Path, target: str | None = None) -> str:
    """Point ``dist/latest`` at ``target`` (default: the newest release in semantic-version order).

    Atomic; returns the release pointed at. A development release has the precedence of its
    version, so the build names the one it made.
    """
    newest = target or list_releases(dist)[0]
    link = dist / LATEST
    if not (link.is_symlink() and os.readlink(link) == newest):
        tmp_link = dist / ".latest.tmp"
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(newest)
        os.replace(tmp_link, link)
    return newest
