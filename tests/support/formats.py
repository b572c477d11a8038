"""Reading an answer back with parsers nobody here wrote: pyoxigraph, and pyld for compacted JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

Fetch = Callable[[str], bytes]


def jsonld_quads(body: bytes, fetch: Fetch) -> list[ox.Quad]:
    """Expand JSON-LD with pyld (remote contexts fetched through ``fetch``) into quads."""

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads(fetch(url)),
        }

    nquads = jsonld.to_rdf(json.loads(body), {"format": "application/n-quads", "documentLoader": loader})
    return list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def parse_answer(body: bytes, fmt: ox.RdfFormat, fetch: Fetch) -> list[ox.Quad]:
    """The quads of an RDF answer (triples formats give quads in the default graph)."""
    if fmt == ox.RdfFormat.JSON_LD:
        return jsonld_quads(body, fetch)
    return [
        q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in ox.parse(body, format=fmt)
    ]


def default_graph(quads: list[ox.Quad]) -> set[ox.Triple]:
    """The triples of the default graph."""
    return {q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}
