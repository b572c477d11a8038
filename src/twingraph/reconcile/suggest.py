"""Suggest (auto-complete) for entities, types and properties: prefix search over all names."""

from __future__ import annotations

from bisect import bisect_left

from twingraph.names import name_key
from twingraph.reconcile.index import PREFERRED_LANGUAGES, ReconIndex
from twingraph.reconcile.matching import identifier_hits
from twingraph.reconcile.present import (
    Languages,
    describe,
    entity_types,
    property_names,
    property_object,
    type_object,
)
from twingraph.reconcile.service import InvalidRequest

PAGE = 10
MAX_PAGE = 100


def _word_start(key: str, prefix: str) -> bool:
    return key.startswith(prefix) or f" {prefix}" in f" {key}"


def suggest_entities(
    index: ReconIndex,
    prefix: str,
    cursor: int = 0,
    limit: int = PAGE,
    type_id: str | None = None,
    languages: Languages = PREFERRED_LANGUAGES,
) -> dict[str, object]:
    """Entities whose identifier is ``prefix`` or whose names start with it (or have a word that does).

    Order: identifier hits, exact names, names starting with the prefix, names with a word
    starting with it; ties by display name. ``cursor`` skips that many results.
    """
    key = name_key(prefix)
    ranked: dict[int, int] = {}
    for position in identifier_hits(index, prefix):
        ranked[position] = 0
    if key:
        start = bisect_left(index.sorted_keys, (key, -1))
        for choice, owner in index.sorted_keys[start:]:
            if not choice.startswith(key):
                break
            entity_index = index.owners[owner][0]
            ranked[entity_index] = min(ranked.get(entity_index, 9), 1 if choice == key else 2)
        for choice, (entity_index, _name) in zip(index.choices, index.owners, strict=True):
            if entity_index not in ranked and _word_start(choice, key):
                ranked[entity_index] = 3
    allowed = None
    if type_id:
        class_iri = index.resolve_type(type_id)
        if class_iri is None:
            raise InvalidRequest(f"unknown type {type_id!r}")
        allowed = index.subclasses(class_iri)
    entities = [index.entities[i] for i in ranked if allowed is None or index.entities[i].types & allowed]
    entities.sort(key=lambda e: (ranked[index.by_id[e.id]], index.display_name(e, languages).casefold()))
    page = entities[cursor : cursor + limit]
    return {
        "result": [
            {
                "id": e.id,
                "name": index.display_name(e, languages),
                "description": describe(index, e, languages),
                "notable": entity_types(index, e, languages),
            }
            for e in page
        ]
    }


def suggest_types(
    index: ReconIndex,
    prefix: str,
    cursor: int = 0,
    limit: int = PAGE,
    languages: Languages = PREFERRED_LANGUAGES,
) -> dict[str, object]:
    """Classes whose id or a label (any language) starts with ``prefix``, with their broader classes."""
    key = name_key(prefix)
    found = []
    for iri, info in index.classes.items():
        names = [info.id, iri, *info.labels.values()]
        if any(_word_start(name_key(n), key) for n in names) or prefix.strip() in (iri, f"tg:{info.id}"):
            found.append(iri)
    found.sort(key=lambda iri: index.classes[iri].name(languages).casefold())
    result = []
    for iri in found[cursor : cursor + limit]:
        item = type_object(index, iri, languages)
        broader = sorted(index.classes[iri].supers & index.classes.keys())
        if broader:
            item["broader"] = [type_object(index, b, languages) for b in broader]
        result.append(item)
    return {"result": result}


def suggest_properties(
    index: ReconIndex,
    prefix: str,
    cursor: int = 0,
    limit: int = PAGE,
    languages: Languages = PREFERRED_LANGUAGES,
) -> dict[str, object]:
    """Properties whose id, name, label (en/de/fr) or alias starts with ``prefix``."""
    key = name_key(prefix)
    found = [
        spec
        for spec in index.properties.values()
        if any(_word_start(name_key(n), key) for n in property_names(index, spec))
    ]
    return {"result": [property_object(index, s, languages) for s in found[cursor : cursor + limit]]}
