"""A build that runs out of room midway (a real write failure: the kernel's file size limit,
RLIMIT_FSIZE, on the build process) leaves the last release byte-identical and no leftovers, and says
so in one line."""

from __future__ import annotations

import dataclasses
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from twingraph.build import build_release
from twingraph.config import Settings

pytestmark = pytest.mark.slow

LIMIT = 256 * 1024  # bytes: more than the lock and small files, less than the dumps


def _snapshot(dist: Path) -> dict[str, bytes | str]:
    """Every file's bytes and every link's target under ``dist`` (the build lock aside)."""
    state: dict[str, bytes | str] = {}
    for path in sorted(dist.rglob("*")):
        relative = path.relative_to(dist).as_posix()
        if relative == ".build.lock":
            continue
        if path.is_symlink():
            state[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            state[relative] = path.read_bytes()
        else:
            state[relative] = "dir"
    return state


def _small_disk() -> None:
    """In the build process: writes past LIMIT fail with EFBIG (as on a full disk: ENOSPC) instead of
    the default SIGXFSZ, which would kill the process before any error handling ran."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


@pytest.fixture()
def project(tmp_path: Path, settings: Settings) -> Settings:
    """A copy of the project whose dist holds release 0.1.0."""
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(settings.project_dir / name, tmp_path / name)
    copied = dataclasses.replace(settings, project_dir=tmp_path, dist_dir=tmp_path / "dist")
    toml = copied.data_dir / "dataset.toml"
    toml.write_text(re.sub(r'(?m)^version = ".*"$', 'version = "0.1.0"', toml.read_text("utf-8")), "utf-8")
    build_release(copied)
    return copied


def test_a_build_that_runs_out_of_space_leaves_the_last_release_byte_identical(project: Settings) -> None:
    before = _snapshot(project.dist_dir)
    assert any(len(v) > LIMIT for v in before.values() if isinstance(v, bytes)), "a dump outgrows the limit"
    toml = project.data_dir / "dataset.toml"
    toml.write_text(re.sub(r'(?m)^version = ".*"$', 'version = "0.2.0"', toml.read_text("utf-8")), "utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TWINGRAPH_")},
        "TWINGRAPH_PROJECT_DIR": str(project.project_dir),
        "TWINGRAPH_DIST_DIR": str(project.dist_dir),
        "TWINGRAPH_IMPORTS_DIR": str(project.imports_dir),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "twingraph"), "build"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=_small_disk,
    )
    assert done.returncode != 0, "the build failed"
    assert done.returncode > 0, f"the build ended by signal {-done.returncode}, not by its own error"
    assert _snapshot(project.dist_dir) == before, "the last release and dist/latest are untouched"
    assert not list(project.dist_dir.glob(".build-*")), "the half-written release was removed"
    assert not (project.dist_dir / "0.2.0").exists()
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]  # beside progress
    assert errors == ["error: the release could not be written: File too large; nothing was published"], (
        done.stderr[-2000:]
    )
