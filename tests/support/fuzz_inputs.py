"""Hypothesis strategies for hostile input: odd text and encodings, bad headers, path tricks.

Shared by tests/fuzz/ (bounded, in `make test`) and fuzz/hostile.py (the long run).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from twingraph.sparql.examples import load_examples


def bounded(max_examples: int) -> settings:
    """Hypothesis settings of a bounded fuzz test in `make test`: ``max_examples`` inputs, no deadline.

    Function-scoped fixtures (a test client) are fine here: they hold no state between examples.
    """
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Text of every kind but lone surrogates (which no encoding on the wire can carry).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)
nasty_fragments = st.sampled_from(
    [
        "\x00",
        "..",
        "../",
        "%2e%2e%2f",
        "%2F",
        "%00",
        "%",
        "%zz",
        "\u202e",
        "\ufeff",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "<script>alert(1)</script>",
        "'\"><img src=x onerror=alert(1)>",
        "' OR 1=1 --",
        "${jndi:ldap://127.0.0.1:9/x}",
        "{{7*7}}",
        "\r\nX-Injected: 1",
        "a" * 5000,
    ]
)
hostile_text = st.one_of(
    any_text,
    st.lists(st.one_of(nasty_fragments, any_text), max_size=6).map("".join),
    st.integers().map(str),
)
huge_text = st.integers(10_000, 300_000).map(lambda n: "x" * n)
# A header value as a WSGI server hands it on: any bytes but CR and LF, read as Latin-1.
header_text = st.text(st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), max_size=200)

accept_headers = st.one_of(
    st.sampled_from(
        [
            "",
            "*/*",
            "text/html",
            "text/turtle",
            "application/ld+json",
            "application/sparql-results+json",
            "text/csv",
            "application/json;q=0.5, text/html;q=abc",
            "*/*;q=-1",
            "*/*;q=0",
            ";;;,,,",
            "text/",
            "/html",
            "image/png",
            "text/html;level=1;q=0.9;" * 50,
            "application/xml, application/sparql-results+xml;q=0.9, */*;q=0.1",
        ]
    ),
    header_text,
)
language_headers = st.one_of(
    st.sampled_from(
        ["", "de", "en", "fr;q=0.9, de;q=0.8", "*", "de-;q=2", "xx-YY-ZZ-1234", ",,,", "de;q=" + "9" * 400]
    ),
    header_text,
)

example_queries = [e.text for e in load_examples()]


@st.composite
def mutated_queries(draw: st.DrawFn) -> str:
    """An example query with a few random edits: most no longer parse, some still do."""
    text = draw(st.sampled_from(example_queries))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(
            st.one_of(nasty_fragments, any_text, st.sampled_from(["{", "}", "?", "<", ">", '"', "#"]))
        )
        if edit == "insert":
            text = text[:at] + piece + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            text = text[:at] + piece + text[at + len(piece) :]
    return text


sparql_keywords = st.sampled_from(
    [
        "SELECT",
        "*",
        "WHERE",
        "{",
        "}",
        "?s",
        "?p",
        "?o",
        ".",
        "FILTER",
        "(",
        ")",
        "SERVICE",
        "<http://127.0.0.1:9/sparql>",
        "LOAD",
        "INSERT DATA",
        "FROM",
        "GRAPH",
        "OPTIONAL",
        "UNION",
        "LIMIT",
        "999999999999999999999",
        "COUNT(*)",
        "DESCRIBE",
        "CONSTRUCT",
        "ASK",
        'REGEX(?o, "(a+)+$")',
        "BIND",
        "AS",
        "VALUES",
        "PREFIX",
        "tg:",
        '"""',
    ]
)
keyword_soup = st.lists(sparql_keywords, max_size=20).map(" ".join)
sparql_queries = st.one_of(mutated_queries(), keyword_soup, hostile_text)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=12,
)


@st.composite
def reconcile_batches(draw: st.DrawFn) -> str:
    """A ``queries`` parameter: mostly well-formed batches with odd values, sometimes not JSON at all."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(hostile_text)
    if kind == 1:
        return json.dumps(draw(json_values))
    value = st.one_of(hostile_text, st.integers(), st.floats(allow_nan=False), st.none(), st.lists(any_text))
    queries = {
        draw(any_text): draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "query": value,
                    "type": st.one_of(value, st.sampled_from(["City", "Partnership", "Person"])),
                    "limit": value,
                    "type_strict": value,
                    "properties": st.lists(
                        st.fixed_dictionaries(
                            {}, optional={"pid": value, "v": st.one_of(value, json_values)}
                        ),
                        max_size=3,
                    ),
                },
            )
        )
        for _ in range(draw(st.integers(0, 12)))
    }
    return json.dumps(queries, ensure_ascii=draw(st.booleans()))


def encodings(text: str) -> st.SearchStrategy[bytes]:
    """``text`` as bytes in a declared or an undeclared odd encoding, or broken outright."""
    return st.sampled_from(
        [
            text.encode("utf-8"),
            text.encode("utf-16"),
            text.encode("utf-16-le"),
            text.encode("utf-32"),
            text.encode("latin-1", "replace"),
            b"\xff\xfe\xfa" + text.encode("utf-8"),
            text.encode("utf-8")[: max(0, len(text.encode("utf-8")) - 1)] + b"\xc3",
            text.encode("utf-8").replace(b" ", b"\x00"),
        ]
    )


content_types = st.sampled_from(
    [
        "application/sparql-query",
        "application/sparql-query; charset=utf-16",
        "application/sparql-query; charset=UTF-8",
        "application/sparql-query; charset=nonsense",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-16",
        "application/sparql-update",
        "multipart/form-data; boundary=xyz",
        "text/plain",
        "application/json",
        "",
        ";;;",
    ]
)

path_segments = st.one_of(
    st.sampled_from(
        [
            "..",
            "%2e%2e",
            "%2F",
            "a%2Fb",
            "..%2F..%2Fetc%2Fpasswd",
            "%00",
            "x%00.ttl",
            "amiens.ttl.ttl",
            "amiens.",
            ".ttl",
            "Amiens",
            "amiens",
            "dortmund-amiens",
            "latest",
            "0.1.0",
            "SHA256SUMS",
            "twingraph.trig",
            "index.json",
            "%C3%28",
            "%FF%FE",
            "~root",
            "a" * 3000,
        ]
    ),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="/?#"), min_size=1, max_size=40),
)
