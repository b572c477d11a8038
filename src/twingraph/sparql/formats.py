"""How a SPARQL request picks its answer format, from the formats registry (``twingraph.formats``).

Result sets (SELECT, ASK) come in the registry's ``results`` formats, graphs (CONSTRUCT,
DESCRIBE, the Service Description) in its negotiable ``graph`` formats. A request picks by its
``Accept`` header (read leniently, see :func:`twingraph.formats.parse_accept`) or by the
``format``/``output`` parameter some clients send (SPARQLWrapper sends both); the parameter wins.
"""

from __future__ import annotations

from functools import lru_cache

from twingraph.formats import Format, by_name, formats_of, negotiate


def formats_for(graph: bool) -> list[Format]:
    """The formats of graph answers (True) or of result sets (False), preferred first.

    >>> [f.key for f in formats_for(False)]
    ['srj', 'srx', 'csv', 'tsv']
    """
    return [f for f in formats_of("graph") if f.negotiable] if graph else formats_of("results")


class UnknownFormat(ValueError):
    """A ``format`` parameter names no format this kind of answer comes in."""


def choose_format(graph: bool, accept_header: str | None, params: list[str]) -> Format | None:
    """The format to answer in; None when the Accept header allows none of ours (406); remembered
    for the last Accept headers and parameters seen (clients send the same few again and again, and
    reading one takes werkzeug's Accept parser about a tenth of a light query's time)."""
    return _choose_format(graph, accept_header, tuple(params))


@lru_cache(maxsize=256)
def _choose_format(graph: bool, accept_header: str | None, params: tuple[str, ...]) -> Format | None:
    """The format to answer in; None when the Accept header allows none of ours (406).

    ``params`` are the values of the ``format``/``output`` parameters: the first that names a format
    (by short name or media type) wins over the header. No Accept header means the first format.

    >>> choose_format(True, "application/sparql-results+xml", []).label
    'RDF/XML'
    >>> choose_format(False, None, ["csv"]).media_type
    'text/csv'
    """
    offers = formats_for(graph)
    named = [value.strip().lower() for value in params if value.strip()]
    for key in named:
        found = by_name(offers, key)
        if found is not None:
            return found
    if named:
        names = ", ".join(f.names[0] for f in offers)
        raise UnknownFormat(f"format {named[0]!r} is not offered for this query; use one of: {names}")
    return negotiate(offers, accept_header)


def media_types(graph: bool) -> list[str]:
    """Media types of one kind of answer, for messages and the Service Description."""
    return [f.media_type for f in formats_for(graph)]
