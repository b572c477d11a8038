"""SPARQL syntax errors in words a person can act on: where (line, column, the line itself) and what fits.

The parsers (Oxigraph's, a remote endpoint's) say ``error at 4:17: expected one of ABS, AVG, ...``.
This turns it into the position, the line with a caret under the spot, and what may come there,
grouped (a term, an expression, the end of a group) rather than a list of grammar tokens.
"""

from __future__ import annotations

import re

_POSITION = re.compile(r"error at (\d+):(\d+): (.*)$", re.DOTALL)
_FUNCTIONS = {"ABS", "AVG", "STR", "IRI", "MAX", "MIN", "NOW", "SUM", "URI", "isLITERAL", "isNUMERIC"}


def _expected(words: str) -> str:
    """What may come at the spot, in words.

    >>> _expected('one of ",", ".", ";", "{", "}", [_]')
    "'.' ';' ',' to go on with the pattern, or '}' to close the group"
    >>> _expected("one of ABS, AVG, DAY, IRI, STR, [_]")
    'an expression: a value, a ?variable, or a function such as STR(...)'
    """
    items = [item.strip().strip('"') for item in words.removeprefix("one of ").split(",")]
    items = [item for item in items if item and item != "[_]"]
    if _FUNCTIONS & set(items):
        return "an expression: a value, a ?variable, or a function such as STR(...)"
    if "}" in items and "." in items:
        return "'.' ';' ',' to go on with the pattern, or '}' to close the group"
    if "LATERAL" in items or "OPTIONAL" in items:
        return "a complete triple pattern (subject, predicate and object), or '}' to close the group"
    return ", ".join(items) if items else "something else"


def explain(query: str, message: str) -> str:
    """A parser's message about ``query`` rewritten for people; unchanged when it names no position.

    >>> message = "malformed query: error at 1:25: expected one of LATERAL, SERVICE, [_]"
    >>> print(explain("SELECT * WHERE { ?s ?p }", message))  # doctest: +NORMALIZE_WHITESPACE
    syntax error near line 1, column 25: expected a complete triple pattern (subject, predicate and
    object), or '}' to close the group.
      SELECT * WHERE { ?s ?p }
                              ^
    """
    match = _POSITION.search(message)
    if match is None:
        return message
    line_no, column = int(match.group(1)), int(match.group(2))
    detail = match.group(3).strip()
    lines = query.splitlines() or [""]
    past_end = line_no > len(lines) or (line_no == len(lines) and column > len(lines[-1]))
    unclosed = query.count("{") > query.count("}") or query.count("(") > query.count(")")
    if past_end and unclosed:
        where = f"at the end of the query, line {line_no}, column {column} (a closing '}}' or ')' is missing)"
    else:
        where = f"near line {line_no}, column {column}"
    wanted = _expected(detail[len("expected ") :]) if detail.startswith("expected ") else detail
    text = f"syntax error {where}: expected {wanted}."
    if line_no <= len(lines):
        line = lines[line_no - 1]
        text += f"\n  {line}\n  {' ' * min(column - 1, len(line))}^"
    return text
