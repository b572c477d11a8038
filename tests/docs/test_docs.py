"""Documentation that is generated must match its source: diagram, settings table, CLI reference."""

from __future__ import annotations

import re

from click.testing import CliRunner

from twingraph.cli import main
from twingraph.config import PROJECT_DIR, Settings, setting_docs
from twingraph.diagram import class_diagram_dot

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def test_committed_diagram_matches_the_ontology(settings: Settings) -> None:
    committed = (PROJECT_DIR / "docs" / "model.dot").read_text(encoding="utf-8")
    assert committed == class_diagram_dot(settings), "run `twingraph diagram` and commit docs/model.*"


def test_diagram_has_every_class(settings: Settings) -> None:
    dot = class_diagram_dot(settings)
    for name in (
        "Partnership",
        "City",
        "Person",
        "OfficeTerm",
        "Event",
        "Signing",
        "CharterDocument",
        "Source",
    ):
        assert f'"{name}";' in dot


def test_readme_opens_with_the_two_setup_commands() -> None:
    head = "\n".join(README.splitlines()[:25])
    assert "make serve" in head and "make test" in head


def test_every_setting_is_documented_in_the_readme() -> None:
    for variable, _default, help_text in setting_docs():
        assert variable in README, f"{variable} is not documented in README.md"
        assert help_text in README, f"help of {variable} differs from README.md"


def test_every_cli_command_is_documented_in_the_readme() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = re.findall(r"^  (\S+)\s", result.output.split("Commands:")[1], flags=re.M)
    assert commands
    for command in commands:
        assert f"twingraph {command}" in README, f"`twingraph {command}` is not documented in README.md"
