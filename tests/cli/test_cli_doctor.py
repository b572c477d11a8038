"""`twingraph doctor`: install, settings, project, release checksums, store and port; what to fix."""

from __future__ import annotations

import dataclasses
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from twingraph.cli import main
from twingraph.config import Settings
from twingraph.doctor import Status, run_checks
from twingraph.release import read_sums, resolve_release
from twingraph.serve import settings_environment


def statuses(environ: dict[str, str]) -> dict[str, tuple[Status, str]]:
    return {check.name: (check.status, check.line()) for check in run_checks(environ)}


def test_a_good_install_passes_every_check(release_settings: Settings) -> None:
    result = CliRunner().invoke(main, ["doctor"], env=settings_environment(release_settings))
    assert result.exit_code == 0, result.output
    names = [line.split()[1] for line in result.stdout.splitlines()]
    assert names == ["install", "settings", "project", "release", "store", "port"]
    folder = resolve_release(release_settings)
    files = len(read_sums(folder))
    assert f"release {folder.name} in {release_settings.dist_dir}: {files} files match" in result.stdout
    assert "embedded store answers:" in result.stdout


def test_a_changed_file_fails_the_release_check_and_names_it(
    release_settings: Settings, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(release_settings.dist_dir, dist, symlinks=True)
    dump = resolve_release(dataclasses.replace(release_settings, dist_dir=dist)) / "twingraph.ttl"
    dump.write_bytes(dump.read_bytes() + b"\n")
    found = statuses(settings_environment(dataclasses.replace(release_settings, dist_dir=dist)))
    status, line = found["release"]
    assert status is Status.FAIL
    assert "twingraph.ttl does not match its SHA-256 in SHA256SUMS" in line
    assert "delete that release folder, then run `twingraph build`" in line
    assert "store" not in found  # it would only repeat the release's fault


def test_no_release_says_to_build(settings: Settings, tmp_path: Path) -> None:
    env = settings_environment(dataclasses.replace(settings, dist_dir=tmp_path))
    result = CliRunner().invoke(main, ["doctor"], env=env)
    assert result.exit_code == 1
    assert f"FAIL  release   no release 'latest' in {tmp_path}: run 'twingraph build' first" in result.stdout


def test_an_unknown_variable_is_a_warning_only(release_settings: Settings) -> None:
    env = {**settings_environment(release_settings), "TWINGRAPH_QUERY_TIMOUT": "5"}
    status, line = statuses(env)["settings"]
    assert status is Status.WARN
    assert line.startswith("warn  settings  TWINGRAPH_QUERY_TIMOUT set but no such setting (a typo?)")


def test_a_project_folder_without_data_fails(release_settings: Settings, tmp_path: Path) -> None:
    env = settings_environment(dataclasses.replace(release_settings, project_dir=tmp_path))
    status, line = statuses(env)["project"]
    assert status is Status.FAIL
    assert "lacks data/dataset.toml, ontology, shapes" in line and "TWINGRAPH_PROJECT_DIR" in line


@pytest.mark.server
def test_a_busy_port_is_a_warning_naming_it(release_settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        found = statuses(settings_environment(dataclasses.replace(release_settings, port=port)))
    status, line = found["port"]
    assert status is Status.WARN and f"port {port} on 127.0.0.1 is in use" in line


def test_a_remote_store_that_does_not_answer_fails(release_settings: Settings) -> None:
    from support.ports import free_port

    nobody = f"http://127.0.0.1:{free_port()}/query"
    remote = dataclasses.replace(release_settings, store="remote", remote_query_url=nobody)
    status, line = statuses(settings_environment(remote))["store"]
    assert status is Status.FAIL
    assert line.startswith(f"FAIL  store     {nobody}: ")
    assert "TWINGRAPH_REMOTE_QUERY_URL" in line
