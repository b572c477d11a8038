"""How entities, types and properties look in API answers: names, descriptions, type objects."""

from __future__ import annotations

from twingraph.reconcile.catalogue import PropertySpec
from twingraph.reconcile.index import PREFERRED_LANGUAGES, Entity, ReconIndex

Languages = tuple[str, ...]


def type_object(
    index: ReconIndex, class_iri: str, languages: Languages = PREFERRED_LANGUAGES
) -> dict[str, object]:
    """``{"id", "name"}`` of a class (``description`` when the ontology defines it)."""
    info = index.classes[class_iri]
    found: dict[str, object] = {"id": info.id, "name": info.name(languages)}
    if info.definition:
        found["description"] = info.definition
    return found


def entity_types(
    index: ReconIndex, entity: Entity, languages: Languages = PREFERRED_LANGUAGES
) -> list[dict[str, object]]:
    """The entity's most specific types as ``{"id", "name"}`` objects."""
    return [
        {"id": index.type_id(t), "name": index.classes[t].name(languages)}
        for t in index.specific_types(entity)
    ]


def describe(index: ReconIndex, entity: Entity, languages: Languages = PREFERRED_LANGUAGES) -> str:
    """A one-line description that tells namesakes apart: type, country, dates, identifiers.

    Only values from the graph are shown (``City · FR · Q41604``; ``Partnership · since 1960``).
    """
    parts = [", ".join(index.classes[t].name(languages) for t in index.specific_types(entity))]
    values = entity.values
    if "country" in values:
        parts.append("/".join(str(v) for v in values["country"]))
    if "startDate" in values:
        parts.append("since " + " / ".join(sorted(str(v) for v in values["startDate"])))
    if "endDate" in values:
        parts.append("until " + " / ".join(sorted(str(v) for v in values["endDate"])))
    if "date" in values:
        parts.append(" / ".join(sorted(str(v) for v in values["date"])))
    if "birthDate" in values or "deathDate" in values:
        born = "/".join(str(v) for v in values.get("birthDate", []))
        died = "/".join(str(v) for v in values.get("deathDate", []))
        parts.append(f"{born}–{died}")
    if "wikidata" in values:
        parts.append(" ".join(str(v) for v in values["wikidata"]))
    return " · ".join(p for p in parts if p)


def property_object(
    index: ReconIndex, spec: PropertySpec, languages: Languages = PREFERRED_LANGUAGES
) -> dict[str, object]:
    """``{"id", "name", "description"}`` of a property (the name in the preferred language if known)."""
    labels = index.property_labels.get(spec.id, {})
    name = spec.name
    for lang in languages:
        if lang == "en" or lang in labels:
            name = spec.name if lang == "en" else labels[lang]
            break
    return {"id": spec.id, "name": name, "description": spec.description}


def property_names(index: ReconIndex, spec: PropertySpec) -> list[str]:
    """Every name a property answers to in suggest: id, English name, ontology labels, aliases."""
    aliases = [
        alias for alias, target in index.property_aliases.items() if target == spec.id and "://" not in alias
    ]
    return [spec.id, spec.name, *index.property_labels.get(spec.id, {}).values(), *aliases]
