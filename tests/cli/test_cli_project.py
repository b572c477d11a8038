"""The project folder is found from the working directory: a second checkout builds itself."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from twingraph.cli import main
from twingraph.config import PROJECT_DIR, find_project_dir, load_settings


def test_the_nearest_folder_with_data_dataset_toml_wins(tmp_path: Path) -> None:
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "cities" / "inner"
    for folder in (outer, inner):
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "dataset.toml").write_text("", encoding="utf-8")
    (inner / "data" / "partnerships").mkdir()
    assert find_project_dir(inner / "data" / "partnerships") == inner
    assert find_project_dir(outer / "cities") == outer
    assert find_project_dir(tmp_path, fallback=Path("/installed")) == Path("/installed")


def test_settings_follow_the_project_found(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dataset.toml").write_text("", encoding="utf-8")
    found = load_settings(environ={}, cwd=tmp_path / "data")
    assert (found.project_dir, found.dist_dir, found.imports_dir) == (
        tmp_path.resolve(),
        tmp_path.resolve() / "dist",
        tmp_path.resolve() / "imports",
    )
    chosen = load_settings(environ={"TWINGRAPH_PROJECT_DIR": str(PROJECT_DIR)}, cwd=tmp_path)
    assert chosen.project_dir == PROJECT_DIR and chosen.dist_dir == PROJECT_DIR / "dist"


@pytest.mark.slow
def test_a_second_checkout_builds_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other-checkout"
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(PROJECT_DIR / name, other / name)
    installed_dist = sorted((PROJECT_DIR / "dist").glob("*")) if (PROJECT_DIR / "dist").exists() else []
    monkeypatch.chdir(other / "data" / "partnerships")
    # No TWINGRAPH_* of the caller: the working directory alone says which project this is.
    env = {name: None for name in os.environ if name.startswith("TWINGRAPH_")}
    result = CliRunner().invoke(main, ["build"], env=env)
    assert result.exit_code == 0, result.output
    assert (other / "dist" / "latest" / "twingraph.trig").is_file()
    assert str(other / "dist") in result.stdout
    after = sorted((PROJECT_DIR / "dist").glob("*")) if (PROJECT_DIR / "dist").exists() else []
    assert after == installed_dist, "the installed checkout's dist/ was touched"
