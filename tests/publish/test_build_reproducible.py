"""The same input gives byte-identical releases: two builds in separate processes (different hash
seeds, so set and dict orders differ) and the test session's own build are compared file by file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from twingraph.config import Settings
from twingraph.publish.dataset import read_dataset_info

pytestmark = pytest.mark.slow


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_rebuilding_gives_byte_identical_files(tmp_path: Path, release_settings: Settings) -> None:
    command = [str(Path(sys.executable).parent / "twingraph"), "publish"]
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TWINGRAPH_DIST_DIR": str(tmp_path / f"dist-{seed}")}
        env["TWINGRAPH_PROJECT_DIR"] = str(release_settings.project_dir)
        env["TWINGRAPH_IMPORTS_DIR"] = str(release_settings.imports_dir)
        runs.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    for run in runs:
        output, _ = run.communicate(timeout=600)
        assert run.returncode == 0, output.decode()
        assert b"build time:" in output
    version = read_dataset_info(release_settings).version
    first = _files(tmp_path / "dist-1" / version)
    second = _files(tmp_path / "dist-2" / version)
    in_session = _files(release_settings.dist_dir / version)
    assert len(first) == 31  # 7 entity + 7 long tables, contested values, 2 network views, dumps, reports
    assert first.keys() == second.keys() == in_session.keys()
    different = [name for name in first if not first[name] == second[name] == in_session[name]]
    assert different == []
