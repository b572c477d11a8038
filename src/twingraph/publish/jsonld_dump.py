"""The JSON-LD dump, written one subject at a time: compacted with the published context, never whole.

rdflib compacts a graph only after holding all of it as Python objects (at 1M generated triples that
took minutes and most of a 10 GiB peak). This writer reads triples grouped by subject (the dumps'
sort order) and writes each node as soon as its subject ends, so memory holds one node at a time.

The compaction decisions are rdflib's own: which term names a property for a value (its type
coercion, its language container), how an IRI is shortened with a prefix, how a class or datatype is
named, come from rdflib's ``Context`` (``find_term``, ``shrink_iri``, ``to_symbol``), applied as
rdflib's JSON-LD serializer applies them, and cached per property and kind of value. Two deliberate
differences: nodes are in subject order (rdflib's follow its store's internals; the build sorted them
by their text), and a typed literal no term covers is always ``{"@value", "type"}``, never a JSON
number or boolean, so its lexical form (``"150.0"^^xsd:double``) reads back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.plugins.shared.jsonld.context import UNDEF, Context

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
ID, VOCAB, LANGUAGE_CONTAINER = "@id", "@vocab", "@language"

# How a value is written under its key: an IRI shortened with a prefix, a class or term name, a
# plain lexical form, an entry of a language map, or a node reference / value object.
_AS_IRI, _AS_SYMBOL, _AS_TEXT, _AS_LANGUAGE, _AS_RAW = range(5)
Decision = tuple[str, int]


class NodeWriter:
    """Compacts the values of one subject at a time with a context, as rdflib's serializer would."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = Context({"@context": context})
        self._decisions: dict[tuple[str, str | None, str | None], Decision] = {}
        self._shrunk: dict[str, str] = {}
        self._symbols: dict[str, str] = {}

    def shrink(self, iri: str) -> str:
        """An IRI as a compact IRI (``wd:Q1``) when a prefix names its namespace."""
        found = self._shrunk.get(iri)
        if found is None:
            found = self._shrunk[iri] = str(self.context.shrink_iri(iri))
        return found

    def symbol(self, iri: str) -> str:
        """A class or datatype as a term (``City``) or compact IRI (``xsd:date``)."""
        found = self._symbols.get(iri)
        if found is None:
            found = self._symbols[iri] = str(self.context.to_symbol(iri))
        return found

    def decide(self, predicate: str, datatype: str | None, language: str | None, is_iri: bool) -> Decision:
        """The key a value is written under and how (mirrors rdflib's ``Converter.add_to_node``)."""
        cache_key = (predicate, "@iri" if is_iri else datatype, language)
        found = self._decisions.get(cache_key)
        if found is not None:
            return found
        context = self.context
        if is_iri:
            term = None
            for coercion in (ID, VOCAB, UNDEF):
                term = context.find_term(predicate, coercion, None)  # type: ignore[arg-type]
                if term:
                    break
        else:
            term = context.find_term(predicate, datatype, language=language)
        decision: Decision
        if term:
            if term.type == ID and is_iri:
                decision = (term.name, _AS_IRI)
            elif term.type == VOCAB and is_iri:
                decision = (term.name, _AS_SYMBOL)
            elif term.type and not is_iri and term.type == datatype:
                decision = (term.name, _AS_TEXT)
            elif LANGUAGE_CONTAINER in term.container and language:
                decision = (term.name, _AS_LANGUAGE)
            else:
                decision = (term.name, _AS_RAW)
        else:
            key = str(context.to_symbol(predicate))
            key_term = context.terms.get(key)
            if key_term and (key_term.type or key_term.container):
                key = predicate
            decision = (key, _AS_RAW)
            if predicate == RDF_TYPE:
                decision = (context.type_key, _AS_SYMBOL if is_iri else _AS_RAW)
        self._decisions[cache_key] = decision
        return decision

    def raw(self, term: ox.NamedNode | ox.Literal) -> Any:
        """A value no term coerces: a node reference, a value object, or a plain string."""
        if isinstance(term, ox.NamedNode):
            return {self.context.id_key: self.shrink(term.value)}
        if term.language:
            return {"@language": term.language, "@value": term.value}
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return term.value
        return {"@value": term.value, self.context.type_key: self.symbol(datatype)}

    def node(self, subject: str, values: Iterable[tuple[str, ox.NamedNode | ox.Literal]]) -> dict[str, Any]:
        """The compacted node of one subject from its (predicate IRI, object) pairs."""
        node: dict[str, Any] = {self.context.id_key: self.shrink(subject)}
        for predicate, term in values:
            is_iri = isinstance(term, ox.NamedNode)
            language = datatype = None
            if isinstance(term, ox.Literal):
                language = term.language or None
                datatype = None if language else term.datatype.value
                datatype = None if datatype in (XSD_STRING, LANG_STRING) else datatype
            key, how = self.decide(predicate, datatype, language, is_iri)
            if how == _AS_LANGUAGE:
                node.setdefault(key, {}).setdefault(language, []).append(term.value)
                continue
            if how == _AS_IRI:
                value: Any = self.shrink(term.value)
            elif how == _AS_SYMBOL:
                value = self.symbol(term.value)
            elif how == _AS_TEXT:
                value = term.value
            else:
                value = self.raw(term)
            node.setdefault(key, []).append(value)
        return _sorted_node(node)


def _sorted_node(node: dict[str, Any]) -> dict[str, Any]:
    """Keys sorted, arrays sorted by their JSON text, one value written without its array."""
    out: dict[str, Any] = {}
    for key in sorted(node):
        value = node[key]
        if isinstance(value, dict):
            value = {lang: _one_or_sorted(texts) for lang, texts in sorted(value.items())}
        elif isinstance(value, list):
            value = _one_or_sorted(value)
        out[key] = value
    return out


def _one_or_sorted(values: list[Any]) -> Any:
    if len(values) == 1:
        return values[0]
    return sorted(values, key=lambda v: json.dumps(v, sort_keys=True))


def grouped(triples: Iterable[ox.Triple]) -> Iterable[tuple[str, list[tuple[str, Any]]]]:
    """(subject IRI, its (predicate IRI, object) pairs) for triples that come grouped by subject."""
    subject: str | None = None
    values: list[tuple[str, Any]] = []
    for t in triples:
        current = t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject)
        if current != subject:
            if subject is not None:
                yield subject, values
            subject, values = current, []
        values.append((t.predicate.value, t.object))
    if subject is not None:
        yield subject, values


def write_jsonld_stream(triples: Iterable[ox.Triple], context: dict[str, Any], path: Path) -> int:
    """Write ``{"@context": context, "@graph": [...]}`` one node at a time; return the nodes written.

    ``triples`` must come grouped by subject (all triples of a subject one after another), without
    blank nodes (the published graph is skolemized). The layout is ``json.dumps(indent=1)``'s.
    """
    writer = NodeWriter(context)
    head = json.dumps({"@context": context}, indent=1, ensure_ascii=False)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(head[:-2] + ',\n "@graph": [')
        for subject, values in grouped(triples):
            text = json.dumps(writer.node(subject, values), indent=1, ensure_ascii=False)
            out.write(("\n  " if count == 0 else ",\n  ") + text.replace("\n", "\n  "))
            count += 1
        out.write("\n ]\n}\n" if count else "]\n}\n")
    return count
