"""The one place where the command line turns domain errors into one line and an exit code.

Every command raises what its plain function raises; :class:`CommandGroup` catches the errors listed
in :data:`EXIT_CODES` and prints ``error: <message>`` on stderr, nothing else (a stack trace is for
bugs, and an unlisted exception still shows one). Exit codes:

- 1: the data does not conform to the shapes (validate, build) or a check failed (doctor);
- 2: something the user can fix is wrong: data, release, settings, query, busy port;
- 3: a service elsewhere failed (Wikidata, the remote store).
"""

from __future__ import annotations

import sys
from typing import Any

import click

# (module, class, exit code), most specific first: the first class the error is an instance of wins.
# Imported only when an error happens, so that `twingraph --help` stays fast.
EXIT_CODES: tuple[tuple[str, str, int], ...] = (
    ("twingraph.build", "ReleaseConflict", 2),
    ("twingraph.build", "BuildError", 1),
    ("twingraph.build", "ReleaseWriteError", 1),
    ("twingraph.load", "DataError", 2),
    ("twingraph.release", "ReleaseError", 2),
    ("twingraph.serve", "PortUnavailable", 2),
    ("twingraph.store.base", "StoreUnavailable", 3),
    ("twingraph.store.base", "StoreError", 2),
    ("twingraph.sparql.formats", "UnknownFormat", 2),
    ("twingraph.wikidata.client", "WikidataError", 3),
    ("twingraph.wikidata.link", "ReviewFileError", 2),
    ("twingraph.cli_errors", "SettingsError", 2),
)


class SettingsError(Exception):
    """A setting (a ``TWINGRAPH_*`` variable or an option) has a value that cannot be used."""


def exit_code_for(exc: BaseException) -> int | None:
    """The exit code of a domain error, or None when ``exc`` is not one (a bug: let it show).

    >>> exit_code_for(SettingsError("TWINGRAPH_PORT='x' is not a valid int"))
    2
    >>> exit_code_for(KeyError("x")) is None
    True
    """
    for module_name, class_name, code in EXIT_CODES:
        module = sys.modules.get(module_name)
        if module is None:
            # Not imported means nothing raised it: skip without importing it.
            continue
        if isinstance(exc, getattr(module, class_name)):
            return code
    return None


def error_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (the first line of a longer message, its class if empty).

    >>> error_line(ValueError("first\\nsecond"))
    'error: first'
    """
    lines = str(exc).strip().splitlines()
    return f"error: {lines[0] if lines else type(exc).__name__}"


class CommandGroup(click.Group):
    """A click group whose commands' domain errors end as one line on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a listed domain error becomes ``error: ...`` and its exit code."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            code = exit_code_for(exc)
            if code is None:
                raise
            report = getattr(exc, "report", None)  # BuildError carries the SHACL report
            if report is not None:
                click.echo(report.format_text(), err=True)
            click.echo(error_line(exc), err=True)
            ctx.exit(code)
