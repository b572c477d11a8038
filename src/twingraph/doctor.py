"""``twingraph doctor``: is this install able to build and serve, and if not, what to do about it.

Each check looks at one thing (the install, the project folder, the settings, the release and its
checksums, the store, the port) and says what it found; a failed check says how to fix it. Later
checks that need what a failed one provides are skipped, so that the first fix comes first.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path

import pyoxigraph as ox
from packaging.requirements import InvalidRequirement, Requirement

from twingraph.config import PROJECT_MARKER, Settings, load_settings

MIN_PYTHON = (3, 11)


class Status(Enum):
    """How a check ended: fine, worth a look (exit 0), or in the way (exit 1)."""

    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    """What one check found; ``fix`` says what to do when it is not OK."""

    name: str
    status: Status
    message: str
    fix: str = ""

    def line(self) -> str:
        """The check as a line of the report.

        >>> Check("release", Status.FAIL, "no release", "run 'twingraph build'").line()
        "FAIL  release   no release: run 'twingraph build'"
        """
        fix = f": {self.fix}" if self.fix and self.status is not Status.OK else ""
        return f"{self.status.value:<5} {self.name:<9} {self.message}{fix}"


def check_install(distribution: str = "twingraph") -> Check:
    """Python is recent enough and every runtime dependency is installed in a version that fits."""
    python = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        return Check("install", Status.FAIL, f"Python {python} is too old", f"use Python {wanted} or later")
    try:
        version = importlib.metadata.version(distribution)
        requirements = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return Check("install", Status.FAIL, f"{distribution} is not installed", "pip install -e .")
    problems = [problem for text in requirements if (problem := _requirement_problem(text))]
    if problems:
        return Check(
            "install",
            Status.FAIL,
            "; ".join(problems),
            "install the project again: pip install -e . (or make .venv/.installed)",
        )
    return Check("install", Status.OK, f"{distribution} {version} on Python {python}, dependencies fit")


def _requirement_problem(text: str) -> str:
    """What is wrong with one runtime requirement ('' when it is met; extras' requirements are skipped)."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return ""
    if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
        return ""  # an optional extra's requirement, or one for another platform
    try:
        installed = importlib.metadata.version(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        return f"{requirement.name} is missing"
    if not requirement.specifier.contains(installed, prereleases=True):
        return f"{requirement.name} {installed} does not fit {requirement.specifier}"
    return ""


def check_settings(environ: Mapping[str, str]) -> tuple[Check, Settings | None]:
    """The settings load; a ``TWINGRAPH_*`` variable that names no setting is worth a warning."""
    try:
        settings = load_settings(environ=dict(environ))
    except ValueError as exc:
        return Check("settings", Status.FAIL, str(exc), "correct or unset the variable"), None
    known = {f"TWINGRAPH_{f.name.upper()}" for f in fields(Settings)}
    unknown = sorted(name for name in environ if name.startswith("TWINGRAPH_") and name not in known)
    if unknown:
        return (
            Check(
                "settings",
                Status.WARN,
                f"{', '.join(unknown)} set but no such setting (a typo?)",
                "see `twingraph settings` for their names",
            ),
            settings,
        )
    given = sorted(name for name in environ if name in known)
    source = f"from {', '.join(given)} and defaults" if given else "defaults"
    return Check("settings", Status.OK, f"settings load ({source})"), settings


def check_project(settings: Settings) -> Check:
    """The project folder holds the curated data, the ontology and the shapes the build reads."""
    folder = settings.project_dir
    missing = [
        str(path)
        for path in (PROJECT_MARKER, Path("ontology"), Path("shapes"))
        if not (folder / path).exists()
    ]
    if missing:
        return Check(
            "project",
            Status.FAIL,
            f"{folder} lacks {', '.join(missing)}",
            "run twingraph in a project folder (one holding data/dataset.toml) or set TWINGRAPH_PROJECT_DIR",
        )
    return Check("project", Status.OK, f"project folder {folder}")


def check_release(settings: Settings) -> Check:
    """A release is there to serve, and every file matches its SHA-256 in SHA256SUMS."""
    from twingraph.release import ReleaseError, read_sums, resolve_release, verify_release

    try:
        folder = resolve_release(settings)
        verify_release(folder)
    except ReleaseError as exc:
        message = str(exc)
        # A missing release's message already says to build; a broken one must go before a rebuild.
        fix = "" if "twingraph build" in message else "delete that release folder, then run `twingraph build`"
        return Check("release", Status.FAIL, message, fix)
    count = len(read_sums(folder))
    return Check("release", Status.OK, f"release {folder.name} in {settings.dist_dir}: {count} files match")


def check_store(settings: Settings) -> Check:
    """The store of the release opens and answers a query."""
    from twingraph.queries import load_query
    from twingraph.release import ReleaseError
    from twingraph.store import StoreError, open_store

    where = settings.remote_query_url if settings.store == "remote" else "embedded"
    start = time.perf_counter()
    try:
        store = open_store(settings)
        try:
            count = store.select(load_query("triple-count"))[0]["triples"]
        finally:
            store.close()
    except (StoreError, ReleaseError, OSError, ValueError) as exc:
        fix = (
            "check TWINGRAPH_REMOTE_QUERY_URL, that the endpoint runs, and `twingraph load-remote`"
            if settings.store == "remote"
            else "build the release again with `twingraph build`"
        )
        lines = str(exc).strip().splitlines()
        return Check("store", Status.FAIL, f"{where}: {lines[0] if lines else type(exc).__name__}", fix)
    seconds = time.perf_counter() - start
    triples = count.value if isinstance(count, ox.Literal) else str(count)
    return Check("store", Status.OK, f"{where} store answers: {triples} triples ({seconds:.1f} s)")


def check_port(settings: Settings) -> Check:
    """`twingraph serve` could listen where the settings say (a running server of ours is fine)."""
    from twingraph.serve import PortUnavailable
    from twingraph.serve import check_port as try_port

    try:
        try_port(settings.host, settings.port)
    except PortUnavailable as exc:
        return Check("port", Status.WARN, str(exc), "fine if it is twingraph serve itself")
    return Check("port", Status.OK, f"{settings.host}:{settings.port} is free for `twingraph serve`")


def run_checks(environ: Mapping[str, str] | None = None) -> list[Check]:
    """Every check, in order; those that need a failed one's result are left out."""
    checks = [check_install()]
    settings_check, settings = check_settings(os.environ if environ is None else environ)
    checks.append(settings_check)
    if settings is None:
        return checks
    project = check_project(settings)
    checks.append(project)
    release = check_release(settings)
    checks.append(release)
    steps: list[Callable[[Settings], Check]] = []
    if release.status is Status.OK:
        steps.append(check_store)
    steps.append(check_port)
    checks.extend(step(settings) for step in steps)
    return checks


def healthy(checks: list[Check]) -> bool:
    """True when no check failed (warnings are fine)."""
    return all(check.status is not Status.FAIL for check in checks)
