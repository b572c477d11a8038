"""How the command line shows a long task's progress on stderr (click's progress bar).

The build reports stages and steps through :class:`twingraph.build.Progress`; this is the terminal's
implementation of it. Output goes to stderr so that stdout carries only the command's result.
"""

from __future__ import annotations

import sys
from typing import Any

import click


class TerminalProgress:
    """A progress bar for stages of several steps, one timed line per finished stage."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._tty = sys.stderr.isatty()
        self._open_line = False

    def stage(self, name: str, total: int) -> None:
        """A stage starts: a bar when it has several steps, a "..." line on a terminal otherwise."""
        if total > 1:
            self._bar = click.progressbar(length=total, label=f"{name:<10}", show_pos=True, file=sys.stderr)
            self._bar.__enter__()
        elif self._tty:
            click.echo(f"{name:<10} ...", err=True, nl=False)
            self._open_line = True

    def step(self, item: str) -> None:
        """One step of the current stage is done."""
        if self._bar is not None:
            self._bar.update(1)

    def done(self, name: str, seconds: float, detail: str) -> None:
        """The stage ended: its time and what it did, on one line."""
        self._end_bar()
        start = "\r" if self._open_line else ""  # overwrite the stage's "..." line
        self._open_line = False
        click.echo(f"{start}{name:<10} {seconds:7.2f} s  {detail}", err=True)

    def close(self) -> None:
        """End a bar or a line a failed stage left open, so that the error starts on its own line."""
        self._end_bar()
        if self._open_line:
            click.echo("", err=True)
            self._open_line = False

    def _end_bar(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
