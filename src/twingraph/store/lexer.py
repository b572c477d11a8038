"""A lexer for SPARQL 1.1 query text, after the terminals of the SPARQL grammar (section 19.8).

The guard needs to know three things before a query reaches a store: its form, whether it names
SERVICE or an update operation, and which graphs FROM names. All three are keywords or the tokens
right after them, and a SPARQL keyword can never occur as a bare word anywhere else, so a lexer is
exact for them (a full parser is not needed, and the ones at hand in Python cover less syntax than
Oxigraph does). Strings, IRIs and comments are single tokens, so a keyword inside one is not a keyword.
Oxigraph, like most engines, does not pre-process ``\\u`` escapes outside strings, and neither do we.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"

# Order matters: long strings before short ones, IRIs before the '<' operator, prefixed names before words.
_TOKEN_SPECS: list[tuple[str, str]] = [
    ("WS", r"\s+"),
    ("COMMENT", r"#[^\r\n]*"),
    ("STRING", r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"),
    ("STRING", r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'),
    ("STRING", r"'(?:[^'\\\r\n]|\\.)*'"),
    ("STRING", r'"(?:[^"\\\r\n]|\\.)*"'),
    ("IRI", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    ("PNAME", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("BNODE", f"_:(?:[{_PN_CHARS_U}0-9])(?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("VAR", f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"),
    ("LANGTAG", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("NUMBER", r"[+-]?(?:[0-9]+\.?[0-9]*[eE][+-]?[0-9]+|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]*\.[0-9]+|[0-9]+)"),
    ("WORD", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("PUNCT", r"\^\^|&&|\|\||<=|>=|!=|[{}()\[\].,;*=<>!+\-/|^?$@]"),
]
_TOKEN_RE = re.compile("|".join(f"(?P<{kind}{i}>{rx})" for i, (kind, rx) in enumerate(_TOKEN_SPECS)))
# The kind of each named group (``STRING2`` is a STRING); None for what is dropped (layout, comments).
_KINDS: dict[str, str | None] = {
    f"{kind}{i}": None if kind in ("WS", "COMMENT") else kind for i, (kind, _) in enumerate(_TOKEN_SPECS)
}


class Token(NamedTuple):
    """One lexical token: its kind (WORD, IRI, PNAME, VAR, STRING, ...), its text and offset.

    A named tuple rather than a frozen dataclass: the guard lexes every query a client sends, and a
    tuple is made in a third of the time (issue 17's profile: the lexer was 14% of a light query).
    """

    kind: str
    text: str
    offset: int
    keyword: str | None = None
    """The upper-cased word if the token is a bare word (keywords are case-insensitive): made once
    here, since the guard and the pattern reader ask every token for it, some several times."""


class LexError(ValueError):
    """The text holds a character no SPARQL token starts with; ``offset`` is where."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def tokenize(text: str) -> list[Token]:
    """Split SPARQL text into tokens, dropping whitespace and comments.

    >>> [t.text for t in tokenize('ASK { ?s <p> "SERVICE" } # SERVICE')]
    ['ASK', '{', '?s', '<p>', '"SERVICE"', '}']
    >>> [t.kind for t in tokenize('SELECT * { ?a ex:b _:c }')]
    ['WORD', 'PUNCT', 'PUNCT', 'VAR', 'PNAME', 'BNODE', 'PUNCT']
    """
    tokens: list[Token] = []
    append = tokens.append
    pos = 0
    # finditer scans in C; a match that does not start where the previous one ended means the
    # characters between them start no token (no token pattern matches the empty string).
    for match in _TOKEN_RE.finditer(text):
        start = match.start()
        if start != pos:
            break
        pos = match.end()
        kind = _KINDS[match.lastgroup or ""]
        if kind is not None:
            value = match.group()
            append(Token(kind, value, start, value.upper() if kind == "WORD" else None))
    if pos < len(text):
        line, column = position(text, pos)
        raise LexError(f"unexpected character {text[pos]!r} at line {line}, column {column}", pos)
    return tokens


def position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (both from 1) of a character offset.

    >>> position("a\\nbc", 3)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def normalize(tokens: list[Token]) -> str:
    """One canonical text per query: comments and layout dropped, keywords upper-cased.

    Two requests that differ only in whitespace, comments or keyword case share a cache entry
    and an ETag.

    >>> normalize(tokenize("select  *\\n where { ?s ?p ?o } # all"))
    'SELECT * WHERE { ?s ?p ?o }'
    """
    return " ".join(t.keyword if t.keyword is not None and t.text != "a" else t.text for t in tokens)
