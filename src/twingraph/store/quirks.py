"""What remote SPARQL engines answer where the standard says otherwise, made standard again.

The remote backend re-serializes every answer itself (``results.py``), so it is the app's part to
read an engine's answer as the standard means it. Each rule here is keyed on what the answer looks
like, not on the engine's name, so that it is harmless on engines that comply. Observed on
Virtuoso 7.2.5 (Debian ``virtuoso-opensource-7``):

- an ASK answered in SPARQL JSON or XML is a one-column table (``__ASK_RETVAL``: one row holding
  1 when true, no row when false) instead of a boolean document;
- blank nodes in SPARQL JSON are written ``"nodeID://b10003"``, which no parser takes for a blank
  node label;
- an answer cut short by the engine's time budget ("anytime query") comes as a 200 with the rows
  found so far, marked only by the header ``X-SQL-State: S1TAT``;
- with a dataset stated (``named-graph-uri`` or FROM NAMED), ``GRAPH <g> { <s> <p> <o> }`` for a
  graph ``g`` outside it matches once (an empty solution) instead of never; a graph inside the
  dataset that holds nothing is read correctly, so such a ``g`` is replaced by ``NO_GRAPH``, which
  the backend adds to the named graphs it sends (and which no load ever fills).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import IO

import pyoxigraph as ox

from twingraph.store.guard import graph_names

ASK_COLUMN = "__ASK_RETVAL"
NO_GRAPH = "urn:x-twingraph:no-graph"  # a graph name no release uses: always empty
PARTIAL_STATES = ("S1TAT",)  # Virtuoso: "Returning incomplete results, query interrupted by result timeout"
_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_HOLD = 64  # bytes held back between reads: more than the longest match of _BNODE


def is_partial(headers: object) -> bool:
    """True when the engine says its answer is incomplete (it stopped at its time budget).

    >>> from email.message import Message
    >>> message = Message(); message["X-SQL-State"] = "S1TAT"
    >>> is_partial(message)
    True
    """
    get = getattr(headers, "get", None)
    state = get("X-SQL-State") if get else None
    return isinstance(state, str) and state.strip() in PARTIAL_STATES


def outside_graphs_emptied(text: str, base_iri: str, named: Collection[str]) -> str:
    """``text`` with every ``GRAPH <iri>`` naming a graph outside ``named`` pointed at ``NO_GRAPH``.

    >>> outside_graphs_emptied("ASK { GRAPH <a> { } GRAPH <http://b/c> { } }", "http://b/", ["http://b/c"])
    'ASK { GRAPH <urn:x-twingraph:no-graph> { } GRAPH <http://b/c> { } }'
    """
    outside = [g for g in graph_names(text, base_iri) if g.iri not in named]
    for graph in reversed(outside):
        text = f"{text[: graph.start]}<{NO_GRAPH}>{text[graph.end :]}"
    return text


def as_boolean(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QueryBoolean | None:
    """An ASK's answer as a boolean, also when the engine sent it as an ``__ASK_RETVAL`` table;
    None when ``result`` is neither."""
    if isinstance(result, ox.QueryBoolean):
        return result
    if isinstance(result, ox.QuerySolutions) and [v.value for v in result.variables] == [ASK_COLUMN]:
        for row in result:
            value = row[ASK_COLUMN]
            if isinstance(value, ox.Literal) and value.value not in ("0", "false"):
                return _boolean(True)
        return _boolean(False)
    return None


def _boolean(value: bool) -> ox.QueryBoolean:
    # pyoxigraph cannot construct a QueryBoolean; parsing a boolean document is how to get one.
    result = ox.parse_query_results(
        b'{"head": {}, "boolean": ' + (b"true" if value else b"false") + b"}",
        format=ox.QueryResultsFormat.JSON,
    )
    assert isinstance(result, ox.QueryBoolean)
    return result


class BlankNodeLabels:
    """A SPARQL JSON byte stream with Virtuoso's ``nodeID://`` prefix taken off blank node labels.

    >>> import io
    >>> raw = b'{"x": { "type": "bnode", "value": "nodeID://b10003" }}'
    >>> BlankNodeLabels(io.BytesIO(raw)).read()
    b'{"x": { "type": "bnode", "value": "b10003" }}'
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._held = b""
        self._done = False

    def read(self, size: int = -1) -> bytes:
        """Up to about ``size`` bytes of the fixed stream (empty only at its end)."""
        while True:
            if self._done:
                out, self._held = self._held, b""
                return out
            chunk = self._raw.read(size if size and size > 0 else -1)
            if not chunk or size is None or size < 0:
                self._done = True
            data = _BNODE.sub(rb"\1", self._held + chunk)
            if self._done:
                self._held = data
                continue
            # A match may straddle two reads: hold back the end until the next one.
            out, self._held = data[:-_HOLD], data[-_HOLD:]
            if out:
                return out

    def close(self) -> None:
        """Close the underlying stream."""
        self._raw.close()

    def __enter__(self) -> BlankNodeLabels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
