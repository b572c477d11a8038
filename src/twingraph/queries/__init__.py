"""SPARQL queries kept as ``.rq`` files beside this module."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_query(name: str) -> str:
    """Return the text of ``queries/<name>.rq``."""
    return (resources.files("twingraph") / "queries" / f"{name}.rq").read_text(encoding="utf-8")
