"""The published JSON-LD context (``context.jsonld``) and compaction of a description with it.

The build writes the context into the release from the vocabulary the data uses: every property
and class of the ontology gets its local name as a short key (``partner``, ``date``, ``City``),
other vocabularies keep their prefix unless their local name is free (``label``, ``lat``). Values
are typed by what the data holds: links become ``"@type": "@id"``, dates ``xsd:date``, labels a
language map. The server compacts every JSON-LD answer with the release's context through pyld
(the reference JSON-LD 1.1 processor in Python; rdflib's compaction keeps full IRIs for typed
values and has no language maps), and puts the described resource's node first.

pyld keeps the contexts it processed, but an inline context is canonicalised again on every call to
find it there; the server hands pyld its context by a name of its own instead (:class:`NamedContext`,
resolved by a document loader that never leaves the process), so a release's context is processed
once and found by that name afterwards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

from twingraph.namespaces import PREFIXES, BaseNamespaces

RDF_TYPE = PREFIXES["rdf"] + "type"
XSD_STRING = PREFIXES["xsd"] + "string"
LANG_STRING = PREFIXES["rdf"] + "langString"
# Who gets a bare local name when two vocabularies share one: the ontology first, then these.
_PRIORITY = ("rdfs", "skos", "owl", "geo", "prov", "dct", "schema")
_RESERVED = {"id", "type", "graph"}


def _split(iri: str) -> tuple[str, str]:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1], iri[cut + 1 :]


def _coercion(objects: set[str]) -> dict[str, str]:
    """The term definition's value typing, from the kinds of object a property has in the data."""
    if objects == {"@id"}:
        return {"@type": "@id"}
    if "@language" in objects and objects <= {"@language", XSD_STRING}:
        return {"@container": "@language"}
    if len(objects) == 1 and next(iter(objects)) not in ("@language", XSD_STRING):
        return {"@type": next(iter(objects))}
    return {}


def build_context(quads: Iterable[ox.Quad | ox.Triple], ns: BaseNamespaces) -> dict[str, Any]:
    """The ``@context`` of a release: prefixes, then a short term for each property and class in use.

    >>> ns = BaseNamespaces("https://x.org/")
    >>> q = ox.Triple(ox.NamedNode("https://x.org/id/a"), ox.NamedNode(ns.tg + "partner"), ox.NamedNode("https://x.org/id/b"))
    >>> build_context([q], ns)["partner"]
    {'@id': 'tg:partner', '@type': '@id'}
    """
    prefixes = dict(sorted(ns.prefixes().items()))
    by_namespace = {namespace: prefix for prefix, namespace in prefixes.items()}
    objects: dict[str, set[str]] = {}
    classes: set[str] = set()
    for t in quads:
        predicate = t.predicate.value
        kinds = objects.setdefault(predicate, set())
        if isinstance(t.object, ox.Literal):
            kinds.add("@language" if t.object.language else t.object.datatype.value)
        else:
            kinds.add("@id")
        if predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            classes.add(t.object.value)
    objects.pop(RDF_TYPE, None)
    order = {prefix: rank for rank, prefix in enumerate(("tg", *_PRIORITY))}

    def rank(iri: str) -> tuple[int, str]:
        prefix = by_namespace.get(_split(iri)[0], "")
        return (order.get(prefix, len(order)), iri)

    terms: dict[str, Any] = {"id": "@id", "type": "@type"}
    for iri in sorted([*objects, *classes], key=rank):
        namespace, local = _split(iri)
        prefix = by_namespace.get(namespace)
        if prefix is None or not local or local in terms or local in prefixes or local in _RESERVED:
            continue
        if iri in classes and iri not in objects:
            if prefix == "tg":
                terms[local] = f"{prefix}:{local}"
            continue
        terms[local] = {"@id": f"{prefix}:{local}", **_coercion(objects[iri])}
    return {**prefixes, **terms}


def context_document(context: dict[str, Any]) -> str:
    """``context.jsonld`` as written into a release: the context, keys in a stable order."""
    return json.dumps({"@context": context}, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class NamedContext:
    """A JSON-LD context and a name pyld finds it by: ``urn:twingraph:context:`` and its digest, so
    that two releases' contexts in one process never share a name."""

    context: dict[str, Any]
    name: str

    @classmethod
    def of(cls, context: dict[str, Any]) -> NamedContext:
        """The context named by the SHA-256 of its JSON (keys sorted)."""
        digest = hashlib.sha256(json.dumps(context, sort_keys=True).encode("utf-8")).hexdigest()
        return cls(context, f"urn:twingraph:context:{digest}")

    def load(self, url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """pyld's document loader: this context under its name ("static": pyld keeps it), nothing else."""
        if url != self.name:
            raise ValueError(f"no JSON-LD context is loaded from {url} here")
        document = {"@context": json.loads(json.dumps(self.context))}  # pyld may resolve URLs inside it
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}


def compact(
    triples: Iterable[ox.Triple],
    context: dict[str, Any] | NamedContext,
    context_url: str,
    first: str | None = None,
) -> dict[str, Any]:
    """A JSON-LD document of ``triples`` compacted with ``context``, naming ``context_url`` as its context.

    Nodes are sorted by IRI with ``first`` (the described resource) at the top; the body's
    ``@context`` is the published context's URL, so a reader fetches it once and caches it. A
    :class:`NamedContext` compacts the same, with the context processed once per process.
    """
    nquads = (ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads", "useNativeTypes": False})
    options: dict[str, Any] = {"graph": False}
    if isinstance(context, NamedContext):
        options["documentLoader"] = context.load
        local: dict[str, Any] = {"@context": context.name}
    else:
        local = {"@context": context}
    compacted: dict[str, Any] = jsonld.compact(expanded, local, options)
    nodes: list[dict[str, Any]] = compacted.get("@graph", [])
    if "@graph" not in compacted:
        single = {k: v for k, v in compacted.items() if k != "@context"}
        nodes = [single] if single else []
    nodes.sort(key=lambda node: (node.get("id") != first, str(node.get("id", ""))))
    return {"@context": context_url, "@graph": nodes}
