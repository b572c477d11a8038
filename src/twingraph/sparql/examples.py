"""The example queries: ``queries/examples/*.rq``, each opening with ``# title:`` and ``# description:``.

They are preloaded in the query UI and published in the Service Description as ``sh:SPARQLExecutable``
(the style of the SIB sparql-examples). Their relative IRIs resolve against the base IRI, which the
published text states in a BASE line so that each example runs as written on any endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from twingraph.store.guard import inspect_query

_HEADER = re.compile(r"^#\s*(title|description):\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    """One example query: its file stem, title, description, form (SELECT, ...) and text."""

    name: str
    title: str
    description: str
    form: str
    text: str

    def published(self, base_iri: str) -> str:
        """The text with a BASE line after the header comments, so it runs as written elsewhere."""
        lines = self.text.splitlines()
        head = [line for line in lines if line.startswith("#")]
        body = [line for line in lines if not line.startswith("#")]
        return "\n".join([*head, f"BASE <{base_iri}>", *body]).strip() + "\n"


def parse_example(name: str, text: str, base_iri: str = "http://example.org/") -> Example:
    """Read an example's header lines and query form; raise ValueError when a header is missing.

    >>> parse_example("ask", "# title: T\\n# description: D\\nASK {}").form
    'ASK'
    """
    headers = dict(_HEADER.findall(text))
    missing = [key for key in ("title", "description") if key not in headers]
    if missing:
        raise ValueError(f"example {name}.rq lacks the header line(s): {', '.join(missing)}")
    form = inspect_query(text, base_iri).form
    return Example(name, headers["title"], headers["description"], form, text)


@cache
def load_examples() -> tuple[Example, ...]:
    """Every example query, in file-name order."""
    folder = resources.files("twingraph") / "queries" / "examples"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".rq"))
    return tuple(parse_example(n[:-3], (folder / n).read_text(encoding="utf-8")) for n in names)


def find_example(name: str) -> Example | None:
    """The example called ``name`` (its file stem), if there is one."""
    return next((e for e in load_examples() if e.name == name), None)
