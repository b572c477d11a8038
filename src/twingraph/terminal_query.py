"""``twingraph query``: a SPARQL query from the terminal, answered by the release's store.

The query goes the way a /sparql request goes (the read-only guard, the time and result limits, a
worker process), so that what works here works on the endpoint and the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from twingraph.config import Settings
from twingraph.formats import Format
from twingraph.sparql.formats import UnknownFormat, formats_for
from twingraph.store import guard, open_store

# What a terminal reads best when no format is asked for: a table, or Turtle.
DEFAULT_RESULTS = "tsv"
DEFAULT_GRAPH = "turtle"


@dataclass(frozen=True)
class TerminalAnswer:
    """The serialized answer, its format, and whether the result limit cut it."""

    body: bytes
    format: Format
    truncated: bool


def pick_format(graph: bool, name: str | None) -> Format:
    """The format named ``name`` (short name or media type) for this kind of answer.

    >>> pick_format(False, "csv").media_type
    'text/csv'
    >>> pick_format(True, None).label
    'Turtle'
    >>> pick_format(False, "turtle")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    twingraph.sparql.formats.UnknownFormat: format 'turtle' does not fit a SELECT or ASK query; ...
    """
    offers = formats_for(graph)
    key = (name or (DEFAULT_GRAPH if graph else DEFAULT_RESULTS)).strip().lower()
    for fmt in offers:
        if key in fmt.names or key == fmt.media_type or key in fmt.aliases:
            return fmt
    kind = "a CONSTRUCT or DESCRIBE" if graph else "a SELECT or ASK"
    names = ", ".join((f.names or (f.key,))[0] for f in offers)
    raise UnknownFormat(f"format {key!r} does not fit {kind} query; use one of: {names}")


def run_query(settings: Settings, text: str, format_name: str | None = None) -> TerminalAnswer:
    """Answer ``text`` from the store of the release to serve, in the format named ``format_name``."""
    info = guard.inspect_query(text, settings.base_iri)  # syntax and kind before the store opens
    fmt = pick_format(info.is_graph, format_name)
    store = open_store(settings)
    try:
        answer = store.answer(text, fmt.media_type)
    finally:
        store.close()
    return TerminalAnswer(answer.body, fmt, answer.truncated)
