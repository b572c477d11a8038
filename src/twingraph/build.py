"""Load -> validate -> write a release, atomically.

The release is written into a temporary folder inside ``dist/`` and renamed into place at the
end (``os.replace`` is atomic on one file system); ``dist/latest`` is then re-pointed with an
atomic symlink swap. A failed or interrupted build leaves every earlier release as it was.
A version names one content (``twingraph.publish.versioning``): publishing (``publish=True``) writes
``dist/<version>/`` and records the fingerprint of its inputs in the catalogue; a published release
is immutable, so publishing other input under the same version stops unless ``replace`` is asked
for. A plain build never stops on that: it reuses the published release when the inputs are the
same, and otherwise writes a development release ``<version>+<fingerprint>``, marked unpublished.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from twingraph.build_files import DOCUMENTS, BuildError, write_release_files
from twingraph.config import Settings
from twingraph.namespaces import BaseNamespaces
from twingraph.publish import atomic
from twingraph.publish.dataset import DatasetInfo, read_dataset_info
from twingraph.publish.versioning import Target, choose_target, prune_development_releases
from twingraph.release import list_releases, listing_order, version_key

__all__ = ["DOCUMENTS", "BuildError", "BuildResult", "ReleaseConflict", "ReleaseWriteError", "build_release"]


class ReleaseWriteError(Exception):
    """The release could not be written (a full disk, a file size limit, a read-only folder); the
    build wrote atomically, so nothing was published and the last release is as it was."""

    @classmethod
    def of(cls, exc: OSError) -> ReleaseWriteError:
        """The error naming what the operating system said and the file, if it named one."""
        where = f" ({exc.filename})" if exc.filename else ""
        return cls(f"the release could not be written: {exc.strerror or exc}{where}; nothing was published")


class ReleaseConflict(BuildError):
    """The version exists already with other content: bump the version, or replace it explicitly."""


class Progress(Protocol):
    """What the build reports while it runs (the CLI draws progress bars from it)."""

    def stage(self, name: str, total: int) -> None:
        """A stage starts; ``total`` is its number of steps."""

    def step(self, item: str) -> None:
        """One step of the current stage is done (``item`` names it)."""

    def done(self, name: str, seconds: float, detail: str) -> None:
        """The stage ended after ``seconds``; ``detail`` says what it did."""


class SilentProgress:
    """A Progress that reports nothing."""

    def stage(self, name: str, total: int) -> None:
        """Ignore the start of a stage."""

    def step(self, item: str) -> None:
        """Ignore a step."""

    def done(self, name: str, seconds: float, detail: str) -> None:
        """Ignore the end of a stage."""


@dataclass
class BuildResult:
    """What the build did: where, which version, file sizes, timings and counts."""

    folder: Path
    version: str
    date: str
    files: list[tuple[str, int]] = field(default_factory=list)
    stages: list[tuple[str, float, str]] = field(default_factory=list)
    seconds: float = 0.0
    triples: int = 0
    entities: int = 0
    changes: str = ""
    unchanged: bool = False
    published: bool = True
    fingerprint: str = ""


class _Stage:
    """The running stage: ``step()`` reports a step, ``detail`` is what the stage reports at its end."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self.detail = ""

    def step(self, item: str) -> None:
        self._progress.step(item)


@dataclass
class _Run:
    progress: Progress
    result: BuildResult

    @contextmanager
    def stage(self, name: str, total: int = 1) -> Iterator[_Stage]:
        start = time.perf_counter()
        self.progress.stage(name, total)
        stage = _Stage(self.progress)
        yield stage
        seconds = time.perf_counter() - start
        self.result.stages.append((name, seconds, stage.detail))
        self.progress.done(name, seconds, stage.detail)


def build_release(
    settings: Settings,
    *,
    progress: Progress | None = None,
    replace: bool = False,
    publish: bool = False,
) -> BuildResult:
    """Build a release and point ``dist/latest`` at it.

    ``publish``: the release of ``data/dataset.toml``'s version, ``dist/<version>/``. Otherwise the
    same when it holds exactly the current inputs, else the development release
    ``dist/<version>+<fingerprint>/`` (an existing one with the same inputs is reused, not rebuilt).
    Raises DataError for unreadable input, BuildError when the graph does not conform to the
    shapes (with the report) or a table cannot be written, ReleaseConflict when publishing a
    version that exists with other content and ``replace`` is false.
    """
    start = time.perf_counter()
    ns = BaseNamespaces(settings.base_iri)
    stated = read_dataset_info(settings)
    target = choose_target(settings, stated.version, ns.tg, publish=publish)
    info = dataclasses.replace(stated, version=target.version)
    result = BuildResult(
        folder=settings.dist_dir / info.version,
        version=info.version,
        date=info.date.isoformat(),
        published=target.published,
        fingerprint=target.fingerprint,
    )
    run = _Run(progress or SilentProgress(), result)
    settings.dist_dir.mkdir(parents=True, exist_ok=True)
    with atomic.locked(settings.dist_dir):
        atomic.remove_stale_temporaries(settings.dist_dir)
        if target.exists:
            with run.stage("publish") as stage:
                result.unchanged = True
                latest = atomic.point_latest(settings.dist_dir, info.version)
                stage.detail = f"unchanged: {result.folder} holds these inputs already (latest: {latest})"
        else:
            _build_into_place(settings, info, ns, run, target, replace, stated.version)
    result.files = sorted(
        ((p.name, p.stat().st_size) for p in result.folder.iterdir()), key=lambda f: listing_order(f[0])
    )
    result.seconds = time.perf_counter() - start
    return result


def _build_into_place(
    settings: Settings,
    info: DatasetInfo,
    ns: BaseNamespaces,
    run: _Run,
    target: Target,
    replace: bool,
    stated_version: str,
) -> None:
    result = run.result
    tmp = atomic.temporary_folder(settings.dist_dir, info.version)
    try:
        _write(settings, info, ns, tmp, run, target, stated_version)
        with run.stage("publish") as stage:
            placed = atomic.move_into_place(tmp, result.folder, replace)
            if placed is atomic.Placed.CONFLICT:
                raise ReleaseConflict(
                    f"release {info.version} is published in {settings.dist_dir} with other content; a "
                    "published release does not change: raise the version in data/dataset.toml and "
                    "publish again, or publish with --replace ('twingraph build' without --publish "
                    "builds a development release instead)"
                )
            result.unchanged = placed is atomic.Placed.UNCHANGED
            latest = atomic.point_latest(settings.dist_dir, info.version)
            stage.detail = f"{placed.value}: {result.folder} (latest: {latest})"
            if not target.published:
                pruned = prune_development_releases(settings.dist_dir, info.version)
                stage.detail += f"; older development releases removed: {', '.join(pruned)}" if pruned else ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write(
    settings: Settings,
    info: DatasetInfo,
    ns: BaseNamespaces,
    tmp: Path,
    run: _Run,
    target: Target,
    stated_version: str,
) -> None:
    previous = _previous_release(settings.dist_dir, info.version, stated_version)
    written = write_release_files(settings, info, ns, tmp, run.stage, target, previous)
    run.result.triples, run.result.entities, run.result.changes = (
        written.triples,
        written.entities,
        written.changes,
    )


def _previous_release(dist: Path, version: str, stated_version: str) -> str | None:
    # A development release is compared with the published release of its version, when there is one.
    if version != stated_version and (dist / stated_version / "SHA256SUMS").is_file():
        return stated_version
    older = [v for v in list_releases(dist) if version_key(v)[:5] < version_key(version)[:5]]
    return older[0] if older else None


def format_summary(result: BuildResult) -> str:
    """The end-of-build summary: where, counts, each file's size, time per stage and in all."""
    state = "unchanged (an identical release exists)" if result.unchanged else "written"
    kind = "release" if result.published else "development release (unpublished)"
    lines = [
        f"{kind} {result.version} ({result.date}) {state}: {result.folder}",
        f"{result.triples:,} triples, {result.entities:,} entities. {result.changes}",
        "",
        f"{'file':<26}{'bytes':>12}",
    ]
    lines += [f"{name:<26}{size:>12,}" for name, size in result.files]
    lines += [f"{'total':<26}{sum(size for _n, size in result.files):>12,}", ""]
    lines.append("time: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds, _d in result.stages))
    lines.append(f"build time: {result.seconds:.2f} s")
    return "\n".join(lines)
