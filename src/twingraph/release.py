"""Where releases live on disk, and which one to serve."""

from __future__ import annotations

from pathlib import Path

from twingraph.config import Settings


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
