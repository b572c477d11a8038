"""Cap a query result at the result limit and serialize it with Oxigraph's serializers.

Both backends end here: the embedded workers with Oxigraph's own result objects, the remote backend
with the objects Oxigraph parses from the endpoint's answer. Oxigraph's serializers pass the W3C
result-format tests; to serialize only the first ``limit`` rows of a result we hand them a result
set rebuilt from those rows through the TSV format (its cells are the terms' N-Triples forms).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import TypeVar

import pyoxigraph as ox

from twingraph.store.base import QueryAnswer, Row

T = TypeVar("T")
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def truncation_note(limit: int) -> str:
    """The sentence every truncated answer carries."""
    return (
        f"The answer was cut at the result limit of {limit} rows or triples of this endpoint. "
        "Add LIMIT/OFFSET (with ORDER BY) to page through the rest."
    )


def serialize_result(
    result: QueryResult | Iterable[ox.Triple | ox.Quad],
    media_type: str,
    limit: int,
    prefixes: dict[str, str] | None = None,
    *,
    whole: bool = False,
) -> QueryAnswer:
    """Serialize at most ``limit`` rows or triples of ``result`` in ``media_type``; ``whole``: the
    query's own LIMIT proves the result limit cannot be reached, so a result set is serialized by
    Oxigraph as it comes, without rebuilding it from its first rows."""
    if isinstance(result, ox.QueryBoolean):
        fmt = _results_format(media_type)
        return QueryAnswer(result.serialize(format=fmt) or b"", media_type)
    if isinstance(result, ox.QuerySolutions):
        fmt = _results_format(media_type)
        if whole:
            return QueryAnswer(result.serialize(format=fmt) or b"", media_type)
        names = [v.value for v in result.variables]
        rows, truncated = take(result, limit)
        body = rebuild_solutions(names, rows).serialize(format=fmt) or b""
        if truncated and fmt == ox.QueryResultsFormat.JSON:
            body = _with_json_note(body, limit)
        return QueryAnswer(body, media_type, truncated)
    rdf_format = _rdf_format(media_type)
    triples, truncated = take((_as_triple(t) for t in result), limit)
    used_prefixes = prefixes if _takes_prefixes(rdf_format) else None
    graph = ox.serialize(triples, format=rdf_format, prefixes=used_prefixes) or b""
    return QueryAnswer(graph, media_type, truncated)


def take(items: Iterable[T], limit: int) -> tuple[list[T], bool]:
    """The first ``limit`` items, and whether there were more.

    >>> take(range(5), 3)
    ([0, 1, 2], True)
    >>> take(range(3), 3)
    ([0, 1, 2], False)
    """
    head = list(itertools.islice(items, limit + 1))
    return head[:limit], len(head) > limit


def rebuild_solutions(names: list[str], rows: Iterable[ox.QuerySolution]) -> ox.QuerySolutions:
    """A fresh result set holding ``rows`` (Oxigraph cannot serialize a list of solutions directly)."""
    width = range(len(names))
    lines = ["\t".join(f"?{name}" for name in names)]
    lines.extend("\t".join("" if (term := row[i]) is None else str(term) for i in width) for row in rows)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    solutions = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def solution_rows(solutions: ox.QuerySolutions) -> Iterator[Row]:
    """Rows as dicts of variable name to term, unbound variables left out."""
    names = [v.value for v in solutions.variables]
    width = range(len(names))
    for row in solutions:
        yield {names[i]: term for i in width if (term := row[i]) is not None}


def _as_triple(item: ox.Triple | ox.Quad) -> ox.Triple:
    return item.triple if isinstance(item, ox.Quad) else item


def _results_format(media_type: str) -> ox.QueryResultsFormat:
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"{media_type} is not a SPARQL results format")
    return fmt


def _rdf_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"{media_type} is not an RDF format")
    return fmt


def _takes_prefixes(fmt: ox.RdfFormat) -> bool:
    return fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3)


def _with_json_note(body: bytes, limit: int) -> bytes:
    """Say it in the body too: JSON readers ignore unknown top-level keys."""
    document = json.loads(body)
    document["truncated"] = True
    document["note"] = truncation_note(limit)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
