"""The command-line reference (docs/cli.md), generated from the commands' own ``--help``.

``scripts/make_cli_reference.py`` writes it; a test fails when the committed file and ``--help``
differ, so that the reference cannot drift from the code (datasette's habit).
"""

from __future__ import annotations

import click

WIDTH = 100  # fixed, so that the text does not depend on the terminal that generated it
HEADER = (
    "# Command-line reference\n\n"
    "Generated from `--help` by `scripts/make_cli_reference.py`; do not edit by hand "
    "(a test compares it with the code).\n"
)


def walk(root: click.Command, name: str = "twingraph") -> list[list[tuple[str, click.Command]]]:
    """Every command under ``root`` (itself first) as its chain of (word, command) from the root."""
    found = [[(name, root)]]
    if isinstance(root, click.Group):
        for word in sorted(root.commands):
            found += [[(name, root), *chain] for chain in walk(root.commands[word], word)]
    return found


def help_text(chain: list[tuple[str, click.Command]]) -> str:
    """The ``--help`` output of the last command of ``chain``, as a user calling the chain sees it."""
    context = None
    for word, command in chain:
        context = click.Context(
            command, info_name=word, parent=context, terminal_width=WIDTH, max_content_width=WIDTH
        )
    assert context is not None
    return context.command.get_help(context)


def title(chain: list[tuple[str, click.Command]]) -> str:
    """The words that call the last command of ``chain`` (``twingraph wikidata diff``)."""
    return " ".join(word for word, _ in chain)


def render(root: click.Command, name: str = "twingraph") -> str:
    """The whole reference in Markdown: one section per command, its help in a code block."""
    parts = [HEADER]
    for chain in walk(root, name):
        parts.append(f"\n## `{title(chain)}`\n\n```text\n{help_text(chain)}\n```\n")
    return "".join(parts)
