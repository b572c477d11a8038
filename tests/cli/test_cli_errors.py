"""One wrapper turns domain errors into one line on stderr and an exit code (twingraph.cli_errors)."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from twingraph.cli import main
from twingraph.cli_errors import EXIT_CODES
from twingraph.config import Settings
from twingraph.serve import settings_environment

TWINGRAPH = str(Path(sys.executable).parent / "twingraph")


@pytest.mark.parametrize(("module", "name", "code"), EXIT_CODES)
def test_every_listed_error_is_a_real_exception_class(module: str, name: str, code: int) -> None:
    found = getattr(importlib.import_module(module), name)
    assert isinstance(found, type) and issubclass(found, Exception)
    assert code in (1, 2, 3)


def test_subclasses_are_listed_before_their_bases() -> None:
    classes = [getattr(importlib.import_module(m), n) for m, n, _ in EXIT_CODES]
    for i, earlier in enumerate(classes):
        for later in classes[i + 1 :]:
            assert not issubclass(later, earlier), f"{later.__name__} is shadowed by {earlier.__name__}"


@pytest.mark.server
def test_a_busy_port_is_one_line_naming_the_port_and_its_setting(release_settings: Settings) -> None:
    """A real `twingraph serve` on a port another socket listens on (it used to print a long trace)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**settings_environment(release_settings), "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [TWINGRAPH, "serve", "--port", str(port)], env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"error: port {port} on 127.0.0.1 is in use by another program: stop it, or choose another "
        "port with --port or TWINGRAPH_PORT\n"
    )


def test_an_address_that_is_not_ours_is_one_line(release_settings: Settings) -> None:
    env = settings_environment(release_settings)
    # 192.0.2.0/24 (TEST-NET-1) is never assigned to this machine: bind fails, nothing is sent.
    result = CliRunner().invoke(main, ["serve", "--host", "192.0.2.1", "--port", "8099"], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot listen on 192.0.2.1:8099")
    assert "TWINGRAPH_HOST/TWINGRAPH_PORT" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [["stats"], ["validate"], ["query", "ASK {}"], ["doctor"]])
def test_a_bad_setting_is_one_line(command: list[str]) -> None:
    result = CliRunner().invoke(main, command, env={"TWINGRAPH_QUERY_TIMEOUT": "soon"})
    if command == ["doctor"]:  # the doctor reports it among its checks
        assert result.exit_code == 1 and "FAIL  settings  TWINGRAPH_QUERY_TIMEOUT='soon'" in result.stdout
        return
    assert result.exit_code == 2
    assert result.stderr == "error: TWINGRAPH_QUERY_TIMEOUT='soon' is not a valid float\n"


def test_a_missing_release_is_one_line(settings: Settings, tmp_path: Path) -> None:
    import dataclasses

    env = settings_environment(dataclasses.replace(settings, dist_dir=tmp_path))
    result = CliRunner().invoke(main, ["load-remote", "--query-url", "http://127.0.0.1:9/q"], env=env)
    assert result.exit_code == 2
    assert result.stderr == f"error: no release 'latest' in {tmp_path}: run 'twingraph build' first\n"
