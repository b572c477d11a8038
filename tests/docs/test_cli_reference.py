"""The command-line reference in docs/cli.md is what `--help` says (generated, never edited by hand)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from twingraph.cli import main
from twingraph.cli_reference import WIDTH, help_text, render, title, walk
from twingraph.config import PROJECT_DIR

COMMANDS = walk(main)


def test_the_committed_reference_matches_the_code() -> None:
    committed = (PROJECT_DIR / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(main), "run `python scripts/make_cli_reference.py` and commit docs/cli.md"


@pytest.mark.parametrize("chain", COMMANDS, ids=[title(chain) for chain in COMMANDS])
def test_each_section_is_what_help_prints(chain: list[tuple[str, click.Command]]) -> None:
    words = [word for word, _ in chain[1:]]
    result = CliRunner().invoke(
        main, [*words, "--help"], prog_name="twingraph", terminal_width=WIDTH, max_content_width=WIDTH
    )
    assert result.exit_code == 0
    assert result.output == help_text(chain) + "\n"
    assert f"## `{title(chain)}`\n\n```text\n{result.output}```" in render(main)


def test_every_command_is_in_the_reference() -> None:
    names = {title(chain) for chain in COMMANDS}
    assert {"twingraph query", "twingraph doctor", "twingraph wikidata diff"} <= names
