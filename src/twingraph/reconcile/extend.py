"""Data extension: propose properties for a type, and fetch property values for entities."""

from __future__ import annotations

from twingraph.reconcile.catalogue import PropertySpec
from twingraph.reconcile.index import PREFERRED_LANGUAGES, ReconIndex
from twingraph.reconcile.present import Languages, property_object
from twingraph.reconcile.service import InvalidRequest, parse_json, positive_int

MAX_IDS = 1000

# The settings a client may give per property (declared in the manifest).
PROPERTY_SETTINGS: list[dict[str, object]] = [
    {
        "name": "limit",
        "label": "Limit",
        "type": "number",
        "default": 0,
        "help_text": "Most values to return per entity and property (0: all).",
    },
]


def applies_to(index: ReconIndex, spec: PropertySpec, class_iri: str) -> bool:
    """Does the property apply to instances of this class (directly or through a superclass)?"""
    if not spec.types:
        return True
    for type_name in spec.types:
        declared = index.resolve_type(type_name)
        if declared is not None and class_iri in index.subclasses(declared):
            return True
    return False


def propose_properties(
    index: ReconIndex, type_id: str | None, limit: int | None, languages: Languages = PREFERRED_LANGUAGES
) -> dict[str, object]:
    """The properties worth fetching for entities of a type (all of them without a type)."""
    specs = list(index.properties.values())
    answer: dict[str, object] = {}
    if type_id:
        class_iri = index.resolve_type(type_id)
        if class_iri is None:
            raise InvalidRequest(f"unknown type {type_id!r}")
        specs = [s for s in specs if applies_to(index, s, class_iri)]
        answer["type"] = type_id
    if limit is not None:
        specs = specs[:limit]
        answer["limit"] = limit
    answer["properties"] = [property_object(index, s, languages) for s in specs]
    return answer


def _parse_extend(index: ReconIndex, raw: object) -> tuple[list[str], list[tuple[PropertySpec, str, int]]]:
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("ids"), list)
        or not isinstance(raw.get("properties"), list)
    ):
        raise InvalidRequest('extend must be a JSON object {"ids": [...], "properties": [{"id": ...}]}')
    ids = raw["ids"]
    if not all(isinstance(i, str) for i in ids):
        raise InvalidRequest("extend: every id must be a string")
    if len(ids) > MAX_IDS:
        raise InvalidRequest(f"extend: at most {MAX_IDS} ids per request, not {len(ids)}")
    properties = []
    for item in raw["properties"]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise InvalidRequest('extend: every property must be an object {"id": ...}')
        spec = index.resolve_property(item["id"])
        if spec is None:
            raise InvalidRequest(
                f"extend: unknown property {item['id']!r}; known: {', '.join(sorted(index.properties))}"
            )
        settings = item.get("settings") or {}
        if not isinstance(settings, dict):
            raise InvalidRequest(f"extend: settings of {item['id']!r} must be an object")
        limit = settings.get("limit", 0)
        limit = (
            0
            if limit in (0, "0", "", None)
            else positive_int(_number(limit), f"extend: limit of {item['id']!r}", 10_000)
        )
        properties.append((spec, item["id"], limit))
    return ids, properties


def _number(value: object) -> object:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def extend(index: ReconIndex, raw: object, languages: Languages = PREFERRED_LANGUAGES) -> dict[str, object]:
    """Values of the requested properties for each requested id (entity values with their ids)."""
    ids, properties = _parse_extend(index, raw)
    meta = []
    for spec, requested_id, _limit in properties:
        column: dict[str, object] = {
            "id": requested_id,
            "name": property_object(index, spec, languages)["name"],
        }
        value_type = index.resolve_type(spec.value_type) if spec.value_type else None
        if value_type:
            column["type"] = {
                "id": index.type_id(value_type),
                "name": index.classes[value_type].name(languages),
            }
        meta.append(column)
    rows: dict[str, dict[str, list[dict[str, object]]]] = {}
    for entity_id in ids:
        entity = index.entity(entity_id)
        row: dict[str, list[dict[str, object]]] = {}
        for spec, requested_id, limit in properties:
            values = entity.values.get(spec.id, []) if entity else []
            cells = [_cell(index, spec, v, languages) for v in values]
            row[requested_id] = cells[:limit] if limit else cells
        rows[entity_id] = row
    return {"meta": meta, "rows": rows}


def _cell(index: ReconIndex, spec: PropertySpec, value: str | int, languages: Languages) -> dict[str, object]:
    if spec.kind == "int" and isinstance(value, int):
        return {"int": value}
    if spec.kind == "entity":
        target = index.entity(str(value))
        if target is not None:
            return {"id": target.id, "name": index.display_name(target, languages)}
    return {"str": str(value)}


def extend_json(
    index: ReconIndex, text: str, languages: Languages = PREFERRED_LANGUAGES
) -> dict[str, object]:
    """Parse the ``extend`` parameter and answer it."""
    return extend(index, parse_json(text, "extend"), languages)
