"""The two edits the remote backend makes to query text, both at token boundaries.

``with_base``: the curated queries use relative IRIs (``PREFIX tg: <ontology#>``), resolved against
the configured base IRI; Oxigraph takes the base as an argument, a remote endpoint needs a BASE line.
``with_values``: bindings become a VALUES block at the start of the WHERE group, which binds them
before the pattern is evaluated (as Oxigraph's ``substitutions`` do on the embedded backend).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox

from twingraph.store.lexer import Token, tokenize

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def with_base(query: str, base_iri: str) -> str:
    """Prefix ``BASE <base_iri>`` when the query has relative IRIs (on the first line, so that the line
    numbers of the endpoint's error messages stay right); a BASE of the query itself still wins.

    >>> with_base("ASK { <a> ?p ?o }", "http://example.org/")
    'BASE <http://example.org/> ASK { <a> ?p ?o }'
    >>> with_base("ASK { <http://e/a> ?p ?o }", "http://example.org/")
    'ASK { <http://e/a> ?p ?o }'
    """
    try:
        relative = any(t.kind == "IRI" and not _ABSOLUTE.match(t.text[1:-1]) for t in tokenize(query))
    except ValueError:
        relative = True  # let the endpoint report the syntax error
    return f"BASE <{base_iri}> {query}" if relative else query


def with_values(query: str, bindings: dict[str, Term]) -> str:
    """Bind variables by a VALUES block opening the WHERE group.

    >>> with_values("SELECT ?n WHERE { ?c <name> ?n }", {"c": ox.NamedNode("http://e/c")})
    'SELECT ?n WHERE { VALUES (?c) { (<http://e/c>) } ?c <name> ?n }'
    """
    if not bindings:
        return query
    for term in bindings.values():
        if isinstance(term, ox.BlankNode):
            raise ValueError("a blank node cannot be bound in a query sent to a remote endpoint")
    offset = _where_offset(query)
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({values}) }}"
    return query[: offset + 1] + block + query[offset + 1 :]


@lru_cache(maxsize=1024)
def _where_offset(query: str) -> int:
    """Where the WHERE group opens (remembered: the same queries are bound again and again)."""
    return _where_brace(tokenize(query)).offset


def _where_brace(tokens: list[Token]) -> Token:
    """The opening brace of the WHERE group: the first '{' outside parentheses after the query form
    (after the template's closing brace for CONSTRUCT)."""
    forms = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
    i = next((k for k, t in enumerate(tokens) if t.keyword in forms), None)
    if i is None:
        raise ValueError("no query form found")
    if tokens[i].keyword == "CONSTRUCT" and i + 1 < len(tokens):
        if tokens[i + 1].keyword == "WHERE":
            raise ValueError("CONSTRUCT WHERE (the short form) cannot take bindings: write the template")
        if tokens[i + 1].text == "{":
            i = _matching(tokens, i + 1)
    depth = 0
    for token in tokens[i + 1 :]:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "{" and depth == 0:
            return token
    raise ValueError("the query has no WHERE group to bind variables in")


def _matching(tokens: list[Token], open_index: int) -> int:
    depth = 0
    for k in range(open_index, len(tokens)):
        if tokens[k].text == "{":
            depth += 1
        elif tokens[k].text == "}":
            depth -= 1
            if depth == 0:
                return k
    raise ValueError("unbalanced braces")
