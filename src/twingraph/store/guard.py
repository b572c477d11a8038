"""The read-only guard: what a query is, and whether this public endpoint runs it.

Refused before any store sees them: SPARQL Update (this service is read-only), SERVICE (federation
would make the server fetch any URL a client names: an SSRF hole) and FROM / FROM NAMED naming a graph
this dataset does not hold (some engines fetch such IRIs from the web; we never do).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from twingraph.store.base import QueryRefused, QuerySyntaxError
from twingraph.store.lexer import LexError, Token, normalize, position, tokenize
from twingraph.store.patterns import Pattern, basic_patterns, resolve_iri

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


@dataclass(frozen=True)
class QueryInfo:
    """What the guard learnt: the query form, a normalized text, and the graphs FROM names."""

    form: str
    normalized: str
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    limit: int | None = None
    """The top-level ``LIMIT`` (None without one): the answer has at most this many rows or triples."""
    lookup: bool = False
    """A ``DESCRIBE`` of named resources only (no WHERE, no FROM): its evaluation is index look-ups
    whose work grows with the triples it yields, so it is bounded by pulling at most the result limit."""
    patterns: tuple[Pattern, ...] | None = None
    """The triple patterns of a SELECT or ASK made of one basic graph pattern and FILTERs, without
    FROM (store/patterns.py); None for any other query. What store/degrees.py bounds the work of."""

    @property
    def is_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE (RDF answers), False for SELECT and ASK (result sets)."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def inspect_query(text: str, base_iri: str, local_graphs: Collection[str] | None = None) -> QueryInfo:
    """Classify a query and refuse what a read-only public endpoint must not run.

    ``local_graphs`` are the named graphs of the dataset; FROM naming anything else is refused.
    Raises :class:`QuerySyntaxError` when the text cannot be a query and :class:`QueryRefused`
    for updates, SERVICE and remote FROM.

    >>> inspect_query("PREFIX ex: <http://e/> select * { ?s ex:p ?o }", "http://b/").form
    'SELECT'
    >>> inspect_query("ASK { SERVICE <http://x/> { ?s ?p ?o } }", "http://b/")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    twingraph.store.base.QueryRefused: SERVICE (federated query) is not allowed here ...
    """
    try:
        tokens = tokenize(text)
    except LexError as exc:
        raise QuerySyntaxError(f"malformed query: {exc}") from exc
    for token in tokens:
        if token.keyword == "SERVICE":
            raise QueryRefused(
                f"SERVICE (federated query) is not allowed here {_at(text, token)}: this public endpoint "
                "never makes requests to other servers on a client's behalf."
            )
    form, body_start, prefixes, base = _prologue(text, tokens, base_iri)
    from_graphs, from_named = _dataset_clause(text, tokens[body_start:], prefixes, base)
    if local_graphs is not None:
        for iri in (*from_graphs, *from_named):
            if iri not in local_graphs:
                raise QueryRefused(
                    f"FROM <{iri}> names no graph of this dataset: the endpoint queries its own graphs "
                    "only and never fetches data from the web. GET this endpoint for the list of graphs."
                )
    body = tokens[body_start:]
    lookup = form == "DESCRIBE" and bool(body) and all(t.kind in ("IRI", "PNAME") for t in body)
    limit = _top_limit(body)
    patterns = None if from_graphs or from_named else basic_patterns(form, body, prefixes, base)
    return QueryInfo(form, normalize(tokens), tuple(from_graphs), tuple(from_named), limit, lookup, patterns)


@lru_cache(maxsize=1024)
def inspect_known_query(text: str, base_iri: str) -> QueryInfo:
    """:func:`inspect_query` without the FROM check, remembered: for the queries pages run again and
    again (our ``.rq`` files), which are checked once per process."""
    return inspect_query(text, base_iri)


@dataclass(frozen=True)
class GraphName:
    """A graph named by ``GRAPH <iri>`` in a query body: where it stands in the text, and its IRI."""

    start: int
    end: int
    iri: str


def graph_names(text: str, base_iri: str) -> list[GraphName]:
    """Every ``GRAPH <iri>`` (or ``GRAPH prefix:name``) of a guarded query, resolved like FROM.

    >>> graph_names("PREFIX g: <http://g/> ASK { GRAPH g:a { ?s ?p ?o } GRAPH ?x { } }", "http://b/")
    [GraphName(start=34, end=37, iri='http://g/a')]
    """
    tokens = tokenize(text)
    _, body_start, prefixes, base = _prologue(text, tokens, base_iri)
    body = tokens[body_start:]
    return [
        GraphName(after.offset, after.offset + len(after.text), _resolve(text, after, prefixes, base))
        for token, after in pairwise(body)
        if token.keyword == "GRAPH" and after.kind in ("IRI", "PNAME")
    ]


def _at(text: str, token: Token) -> str:
    line, column = position(text, token.offset)
    return f"(line {line}, column {column})"


def _prologue(text: str, tokens: list[Token], base_iri: str) -> tuple[str, int, dict[str, str], str]:
    """Read BASE and PREFIX declarations; return the query form and where the query body starts."""
    prefixes: dict[str, str] = {}
    base = base_iri
    i = 0
    while i < len(tokens):
        keyword = tokens[i].keyword
        if keyword == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "IRI":
            base = urllib.parse.urljoin(base, tokens[i + 1].text[1:-1])
            i += 2
        elif (
            keyword == "PREFIX"
            and i + 2 < len(tokens)
            and tokens[i + 1].kind == "PNAME"
            and tokens[i + 1].text.endswith(":")
            and tokens[i + 2].kind == "IRI"
        ):
            prefixes[tokens[i + 1].text[:-1]] = resolve_iri(base, tokens[i + 2].text[1:-1])
            i += 3
        elif keyword in QUERY_FORMS:
            return keyword, i + 1, prefixes, base
        elif keyword in UPDATE_KEYWORDS:
            raise QueryRefused(
                f"{keyword} is SPARQL Update {_at(text, tokens[i])}: this endpoint is read-only and "
                "accepts queries (SELECT, ASK, CONSTRUCT, DESCRIBE) only."
            )
        else:
            where = _at(text, tokens[i]) if i < len(tokens) else "at the end"
            raise QuerySyntaxError(
                f"malformed query {where}: expected BASE, PREFIX, SELECT, ASK, CONSTRUCT or DESCRIBE, "
                f"found {tokens[i].text[:40]!r}"
            )
    raise QuerySyntaxError("malformed query: it holds no SELECT, ASK, CONSTRUCT or DESCRIBE")


def _dataset_clause(
    text: str, tokens: list[Token], prefixes: dict[str, str], base: str
) -> tuple[list[str], list[str]]:
    """The IRIs of every FROM and FROM NAMED clause, resolved like the engine resolves them."""
    default: list[str] = []
    named: list[str] = []
    for i, token in enumerate(tokens):
        if token.keyword != "FROM":
            continue
        j = i + 1
        target = default
        if j < len(tokens) and tokens[j].keyword == "NAMED":
            target = named
            j += 1
        if j >= len(tokens):
            raise QuerySyntaxError(f"malformed query {_at(text, token)}: FROM needs a graph IRI")
        target.append(_resolve(text, tokens[j], prefixes, base))
    return default, named


def _top_limit(tokens: list[Token]) -> int | None:
    """The query's own ``LIMIT``: the one outside every group and bracket (a sub-query's LIMIT is
    inside its group; the keyword occurs nowhere else), if it is followed by an integer.

    >>> _top_limit(tokenize("{ { SELECT * { ?s ?p ?o } LIMIT 5 } } ORDER BY ?s LIMIT 10 OFFSET 2"))
    10
    >>> _top_limit(tokenize("{ { SELECT * { ?s ?p ?o } LIMIT 5 } }")) is None
    True
    """
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind == "PUNCT":
            if token.text in ("{", "("):
                depth += 1
            elif token.text in ("}", ")"):
                depth -= 1
        elif depth == 0 and token.keyword == "LIMIT" and i + 1 < len(tokens):
            after = tokens[i + 1]
            return int(after.text) if after.kind == "NUMBER" and after.text.isdigit() else None
    return None


def _resolve(text: str, token: Token, prefixes: dict[str, str], base: str) -> str:
    if token.kind == "IRI":
        return resolve_iri(base, token.text[1:-1])
    if token.kind == "PNAME":
        prefix, _, local = token.text.partition(":")
        if prefix not in prefixes:
            raise QuerySyntaxError(f"malformed query {_at(text, token)}: prefix {prefix!r} is not declared")
        return prefixes[prefix] + local.replace("\\", "")
    raise QuerySyntaxError(f"malformed query {_at(text, token)}: FROM needs a graph IRI, not {token.text!r}")
