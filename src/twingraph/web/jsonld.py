"""The schema.org description a page embeds as JSON-LD for search engines.

Built from the statements about the resource that use schema.org terms (the build derives them
from the ontology's alignments), plus its labels. The template writes it with Jinja's ``tojson``,
which escapes ``<``, ``>``, ``&`` and quotes, so no value can close the script element.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from twingraph.namespaces import PREFIXES

SCHEMA = PREFIXES["schema"]
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == PREFIXES["xsd"] + "string":
            return term.value
        return {"@value": term.value, "@type": datatype}
    return str(term)


def schema_org(iri: str, quads: Iterable[ox.Quad], page_url: str) -> dict[str, Any]:
    """A JSON-LD object (schema.org context) describing ``iri``.

    >>> q = ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode(SCHEMA + "name"), ox.Literal("A", language="en"))
    >>> schema_org("http://x/a", [q], "http://h/doc/a")["name"]
    [{'@value': 'A', '@language': 'en'}]
    """
    doc: dict[str, Any] = {"@context": "https://schema.org/", "@id": iri, "url": page_url}
    types: set[str] = set()
    values: dict[str, list[Any]] = {}
    for q in quads:
        pred, obj = q.predicate.value, q.object
        if pred == RDF_TYPE and isinstance(obj, ox.NamedNode) and obj.value.startswith(SCHEMA):
            types.add(obj.value[len(SCHEMA) :])
        elif pred.startswith(SCHEMA) and pred != SCHEMA + "url":
            item = _value(obj)
            bucket = values.setdefault(pred[len(SCHEMA) :], [])
            if item not in bucket:
                bucket.append(item)
        elif pred == RDFS_LABEL and "name" not in values:
            values.setdefault("_labels", []).append(_value(obj))
    labels = values.pop("_labels", [])
    if "name" not in values and labels:
        values["name"] = labels
    if types:
        doc["@type"] = sorted(types)
    for key in sorted(values):
        doc[key] = values[key]
    return doc
