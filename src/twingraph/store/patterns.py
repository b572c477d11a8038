"""The triple patterns of a query made of one basic graph pattern, read from the guard's tokens.

The embedded backend answers a protocol query in the web process, without a worker process to kill,
only when its work is provably small (store/degrees.py). That proof needs the query's triple patterns,
and only for the simplest shape of query, so this reader accepts exactly that and gives up on
anything else (the query then goes to the killable workers, as every query did before):

    SELECT [DISTINCT | REDUCED] (* | ?var | (expression AS ?var) ...) [WHERE] { group } modifiers
    ASK [WHERE] { group } modifiers

where the group holds triple patterns (``;`` and ``,`` lists, ``a``) and FILTERs, and the modifiers
are GROUP BY, HAVING, ORDER BY, LIMIT and OFFSET. Given up on: FROM (another dataset), nested groups
(OPTIONAL, UNION, MINUS, GRAPH, sub-queries, EXISTS), BIND, VALUES, property paths, blank-node
brackets and quoted triples. Expressions (FILTER, aggregates, ORDER BY keys) are skipped as balanced
parentheses: without a nested group an expression is evaluated once per solution, at a cost bounded
by the query's own text, so it does not change how many solutions there are.

Misreading is safe in one direction only, and the reader keeps to it: whatever it accepts is a
query of that shape (a text the engine then refuses is answered by the workers' path, which words the
error). It never needs to accept every such query.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import NamedTuple

from twingraph.store.lexer import Token

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_MODIFIERS = ("GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def resolve_iri(base: str, reference: str) -> str:
    """``reference`` resolved against ``base``; an absolute IRI as written (as the engine keeps it,
    and without the cost of ``urljoin``, which parses both on every call).

    >>> resolve_iri("http://b/x/", "y"), resolve_iri("http://b/", "https://e/a?")
    ('http://b/x/y', 'https://e/a?')
    """
    if _ABSOLUTE.match(reference):
        return reference
    return urllib.parse.urljoin(base, reference)


class Slot(NamedTuple):
    """One position of a triple pattern: a variable (or blank node, which acts as one) by name, or a
    constant (an IRI, resolved; a literal, as written)."""

    variable: bool
    value: str


class Pattern(NamedTuple):
    """One triple pattern of the query's basic graph pattern."""

    subject: Slot
    predicate: Slot
    object: Slot


class _NotBasic(Exception):
    """The query is not of the one shape this reader accepts."""


def basic_patterns(
    form: str, body: list[Token], prefixes: dict[str, str], base: str
) -> tuple[Pattern, ...] | None:
    """The triple patterns of a SELECT or ASK made of one basic graph pattern and FILTERs; None for
    any other query. ``body``: the tokens after the query form's keyword.

    >>> from twingraph.store.lexer import tokenize
    >>> tokens = tokenize("?p ?l WHERE { <http://e/c> <http://e/p> ?p . ?p a ?l FILTER(?l != 1) }")
    >>> [(p.subject.value, p.object.value) for p in basic_patterns("SELECT", tokens, {}, "http://b/")]
    [('http://e/c', 'p'), ('p', 'l')]
    >>> basic_patterns("SELECT", tokenize("* { ?s <http://e/p>+ ?o }"), {}, "http://b/") is None
    True
    """
    if form not in ("SELECT", "ASK"):
        return None
    reader = _Reader(body, prefixes, base)
    try:
        if form == "SELECT":
            reader.projection()
        reader.group()
        reader.modifiers()
        if reader.at < len(body):
            return None
    except _NotBasic:
        return None
    return tuple(reader.patterns)


class _Reader:
    """A cursor over the tokens, collecting triple patterns; raises _NotBasic on anything else."""

    def __init__(self, tokens: list[Token], prefixes: dict[str, str], base: str) -> None:
        self.tokens = tokens
        self.prefixes = prefixes
        self.base = base
        self.at = 0
        self.patterns: list[Pattern] = []

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise _NotBasic
        self.at += 1
        return token

    def is_punct(self, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.kind == "PUNCT" and token.text == text

    def is_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.keyword in words

    def projection(self) -> None:
        if self.is_keyword("DISTINCT", "REDUCED"):
            self.at += 1
        if self.is_punct("*"):
            self.at += 1
            return
        count = 0
        while True:
            token = self.peek()
            if token is not None and token.kind == "VAR":
                self.at += 1
            elif self.is_punct("("):
                self.expression()
            else:
                break
            count += 1
        if count == 0:
            raise _NotBasic

    def group(self) -> None:
        if self.is_keyword("WHERE"):
            self.at += 1
        if not self.is_punct("{"):
            raise _NotBasic
        self.at += 1
        while not self.is_punct("}"):
            if self.is_keyword("FILTER"):
                self.at += 1
                self.call()
            elif self.is_punct("."):
                self.at += 1
            else:
                self.triples()
        self.at += 1

    def triples(self) -> None:
        """A subject and its predicate-object list (``;`` and ``,``)."""
        subject = self.term()
        while True:
            predicate = self.verb()
            self.patterns.append(Pattern(subject, predicate, self.term()))
            while self.is_punct(","):
                self.at += 1
                self.patterns.append(Pattern(subject, predicate, self.term()))
            if not self.is_punct(";"):
                return
            while self.is_punct(";"):
                self.at += 1
            if self.is_punct(".") or self.is_punct("}"):
                return

    def verb(self) -> Slot:
        token = self.peek()
        if token is not None and token.kind == "WORD" and token.text == "a":
            self.at += 1
            return Slot(False, RDF_TYPE)
        if token is None or token.kind not in ("VAR", "IRI", "PNAME"):
            raise _NotBasic
        return self.term()

    def term(self) -> Slot:
        token = self.take()
        if token.kind in ("VAR", "BNODE"):
            return Slot(True, token.text[1:] if token.kind == "VAR" else token.text)
        if token.kind in ("IRI", "PNAME"):
            return Slot(False, self.iri(token))
        if token.kind == "NUMBER" or (token.kind == "WORD" and token.text in ("true", "false")):
            return Slot(False, token.text)
        if token.kind == "STRING":
            after = self.peek()
            if after is not None and after.kind == "LANGTAG":
                self.at += 1
                return Slot(False, token.text + after.text)
            if self.is_punct("^^"):
                self.at += 1
                datatype = self.take()
                if datatype.kind not in ("IRI", "PNAME"):
                    raise _NotBasic
                return Slot(False, f"{token.text}^^<{self.iri(datatype)}>")
            return Slot(False, token.text)
        raise _NotBasic

    def iri(self, token: Token) -> str:
        if token.kind == "IRI":
            return resolve_iri(self.base, token.text[1:-1])
        prefix, _, local = token.text.partition(":")
        if prefix not in self.prefixes:
            raise _NotBasic
        return self.prefixes[prefix] + local.replace("\\", "")

    def call(self) -> None:
        """A FILTER's constraint: a bracketed expression or a function call."""
        token = self.peek()
        if token is not None and token.kind in ("WORD", "PNAME", "IRI") and self.is_punct("(", 1):
            self.at += 1
        self.expression()

    def expression(self) -> None:
        """Balanced parentheses holding no group (no EXISTS, no sub-query)."""
        if not self.is_punct("("):
            raise _NotBasic
        depth = 0
        while True:
            token = self.take()
            if token.kind == "PUNCT":
                if token.text in ("{", "}"):
                    raise _NotBasic
                if token.text == "(":
                    depth += 1
                elif token.text == ")":
                    depth -= 1
                    if depth == 0:
                        return

    def modifiers(self) -> None:
        while self.at < len(self.tokens):
            keyword = self.peek().keyword  # type: ignore[union-attr]
            self.at += 1
            if keyword in ("GROUP", "ORDER"):
                if not self.is_keyword("BY"):
                    raise _NotBasic
                self.at += 1
                if not self.keys():
                    raise _NotBasic
            elif keyword == "HAVING":
                self.expression()
                while self.is_punct("("):
                    self.expression()
            elif keyword in ("LIMIT", "OFFSET"):
                if self.take().kind != "NUMBER":
                    raise _NotBasic
            else:
                raise _NotBasic

    def keys(self) -> int:
        """GROUP BY or ORDER BY keys: variables, bracketed expressions, ASC(...) / DESC(...) and calls."""
        count = 0
        while True:
            token = self.peek()
            if token is None:
                return count
            if token.kind == "VAR":
                self.at += 1
            elif self.is_punct("("):
                self.expression()
            elif (
                token.kind in ("WORD", "PNAME", "IRI")
                and token.keyword not in _MODIFIERS
                and self.is_punct("(", 1)
            ):
                self.at += 1
                self.expression()
            else:
                return count
            count += 1
