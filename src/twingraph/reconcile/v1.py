"""The Reconciliation API 1.0 draft over the same index and scoring as 0.2: its queries and answers.

The draft's query batch is ``{"queries": [...]}``, each query a list of ``conditions`` with a
``matchType``: ``name`` (the query text), ``id`` (our id or IRI, a QID, a GeoNames id) or
``property`` (``propertyId`` + ``propertyValue``, as 0.2's ``properties``). ``required: true``
keeps only candidates that agree with the condition; ``matchQuantifier`` ``any`` (the default)
and ``all`` are supported, ``none`` and ``matchQualifier`` are refused with a reason (the property
suggest lists no qualifiers). Answers are ``{"results": [{"candidates": [...]}]}`` in query order,
every feature with a ``name``; data extension rows are a list of ``{"id", "properties"}``.
"""

from __future__ import annotations

import json
from dataclasses import replace

from twingraph.reconcile.extend import extend
from twingraph.reconcile.index import PREFERRED_LANGUAGES, ReconIndex
from twingraph.reconcile.matching import ID_PROPERTIES, Candidate, PropertyConstraint, Query, run_query
from twingraph.reconcile.present import Languages, describe, entity_types
from twingraph.reconcile.service import MAX_BATCH, MAX_LIMIT, InvalidRequest, positive_int

DEFAULT_LIMIT = 5
QUERY_FIELDS = frozenset({"conditions", "type", "limit", "lang", "dir"})
CONDITION_FIELDS = frozenset(
    {"matchType", "propertyId", "propertyValue", "required", "matchQuantifier", "matchQualifier"}
)
# Human-readable names of the matching features (the draft requires one per feature).
FEATURE_NAMES = {
    "name_similarity": "Similarity of the query to the best name (0-100)",
    "name_exact": "The query equals a name exactly (after normalisation)",
    "name_alternative": "The best name is an alternative name",
    "identifier_match": "The query names the entity's identifier",
    "type_match": "The entity has the query's type",
    "lead": "Score minus the best other candidate's score",
}


def _values(raw: object) -> tuple[object, ...]:
    return tuple(raw) if isinstance(raw, list) else (raw,)


def parse_query(index: ReconIndex, number: int, raw: object) -> tuple[Query, set[str]]:
    """One 1.0 query as the shared :class:`Query`, and the property ids that are ``required``."""
    where = f"query {number}"
    if not isinstance(raw, dict):
        raise InvalidRequest(f"{where} must be a JSON object with 'conditions'")
    unknown = sorted(set(raw) - QUERY_FIELDS)
    if unknown:
        raise InvalidRequest(f"{where} has unknown fields {unknown}; allowed: {sorted(QUERY_FIELDS)}")
    conditions = raw.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        raise InvalidRequest(f"{where} needs 'conditions', a non-empty list")
    text: str | None = None
    constraints: list[PropertyConstraint] = []
    required: set[str] = set()
    for position, condition in enumerate(conditions):
        label = f"{where}, condition {position}"
        if (
            not isinstance(condition, dict)
            or "matchType" not in condition
            or "propertyValue" not in condition
        ):
            raise InvalidRequest(f"{label} must be an object with 'matchType' and 'propertyValue'")
        extra = sorted(set(condition) - CONDITION_FIELDS)
        if extra:
            raise InvalidRequest(f"{label} has unknown fields {extra}")
        if condition.get("matchQualifier") is not None:
            raise InvalidRequest(f"{label}: matchQualifier is not supported (no property lists any)")
        quantifier = condition.get("matchQuantifier", "any")
        if quantifier not in ("any", "all"):
            raise InvalidRequest(
                f"{label}: matchQuantifier must be 'any' or 'all', not {json.dumps(quantifier)}"
            )
        values = _values(condition["propertyValue"])
        if not values or any(v is None or isinstance(v, list) for v in values):
            raise InvalidRequest(f"{label}: propertyValue must be a value or a non-empty list of values")
        for value in values:
            if isinstance(value, dict) and not isinstance(value.get("id"), str):
                raise InvalidRequest(f'{label}: an entity value must be an object {{"id": ...}}')
        kind = condition["matchType"]
        if kind == "name":
            if (
                text is not None
                or len(values) != 1
                or not isinstance(values[0], str)
                or not values[0].strip()
            ):
                raise InvalidRequest(f"{label}: one name condition with one non-empty string per query")
            text = values[0].strip()
            continue
        if kind == "id":
            pid, spec = "id", None
        elif kind == "property":
            given = condition.get("propertyId")
            if not isinstance(given, str) or not given.strip():
                raise InvalidRequest(f"{label}: a property condition needs a 'propertyId'")
            pid = given.strip()
            spec = None if pid.strip() in ID_PROPERTIES else index.resolve_property(pid)
            if spec is None and pid.strip() not in ID_PROPERTIES:
                known = ", ".join(sorted(index.properties))
                raise InvalidRequest(f"{label}: unknown property {pid!r}; known properties: {known}, id")
        else:
            raise InvalidRequest(
                f"{label}: matchType must be 'name', 'id' or 'property', not {json.dumps(kind)}"
            )
        groups = [values] if quantifier == "any" else [(v,) for v in values]
        for number_in_group, group in enumerate(groups):
            key = pid if len(groups) == 1 else f"{pid}#{number_in_group}"
            constraints.append(PropertyConstraint(key, spec, tuple(group)))  # type: ignore[arg-type]
            if condition.get("required") is True:
                required.add(key)
    types: tuple[str, ...] = ()
    if raw.get("type") not in (None, ""):
        if not isinstance(raw["type"], str):
            raise InvalidRequest(f"{where}: 'type' must be a type id")
        class_iri = index.resolve_type(raw["type"])
        if class_iri is None:
            raise InvalidRequest(f"{where}: unknown type {raw['type']!r}")
        types = (class_iri,)
    limit = positive_int(raw["limit"], f"{where}: 'limit'", MAX_LIMIT) if "limit" in raw else DEFAULT_LIMIT
    return Query(text, types, "any", limit, tuple(constraints)), required


def parse_batch(index: ReconIndex, raw: object) -> list[tuple[Query, set[str]]]:
    """Check a 1.0 query batch (``{"queries": [...]}``) and parse each query."""
    if not isinstance(raw, dict) or not isinstance(raw.get("queries"), list):
        raise InvalidRequest(
            'the body must be a JSON object {"queries": [...]}, e.g. '
            '{"queries": [{"conditions": [{"matchType": "name", "propertyValue": "Amiens"}]}]}'
        )
    queries = raw["queries"]
    if len(queries) > MAX_BATCH:
        raise InvalidRequest(f"a batch holds at most {MAX_BATCH} queries, this one has {len(queries)}")
    return [parse_query(index, number, query) for number, query in enumerate(queries)]


def candidates(index: ReconIndex, query: Query, required: set[str]) -> list[Candidate]:
    """Candidates of one query, those failing a ``required`` condition left out."""
    if not required:
        return run_query(index, query)
    found = run_query(index, replace(query, limit=MAX_LIMIT))
    kept = [
        c
        for c in found
        if all(c.agreements.get(pid) is True or (pid == "id" and c.identifier) for pid in required)
    ]
    return kept[: query.limit]


def _features(candidate: Candidate, query: Query) -> list[dict[str, object]]:
    named = []
    for feature in candidate.features(query):
        fid = str(feature["id"])
        name = FEATURE_NAMES.get(fid) or f"Agrees with the query's {fid.removeprefix('property_')} condition"
        named.append({"id": fid, "name": name, "value": feature["value"]})
    return named


def reconcile(
    index: ReconIndex, batch: list[tuple[Query, set[str]]], languages: Languages = PREFERRED_LANGUAGES
) -> dict[str, object]:
    """Answer a parsed batch: ``{"results": [{"candidates": [...]}]}`` in query order."""
    results = []
    for query, required in batch:
        results.append(
            {
                "candidates": [
                    {
                        "id": c.entity.id,
                        "name": index.display_name(c.entity, languages),
                        "description": describe(index, c.entity, languages),
                        "score": c.score,
                        "match": c.match,
                        "type": entity_types(index, c.entity, languages),
                        "features": _features(c, query),
                    }
                    for c in candidates(index, query, required)
                ]
            }
        )
    return {"results": results}


def extend_rows(
    index: ReconIndex, raw: object, languages: Languages = PREFERRED_LANGUAGES
) -> dict[str, object]:
    """Data extension in the 1.0 shape: ``rows`` a list of ``{"id", "properties": [{"id", "values"}]}``."""
    answer = extend(index, raw, languages)
    meta = answer["meta"]
    assert isinstance(meta, list)
    by_id = answer["rows"]
    assert isinstance(by_id, dict)
    rows = [
        {
            "id": entity_id,
            "properties": [{"id": column["id"], "values": by_id[entity_id][column["id"]]} for column in meta],
        }
        for entity_id in by_id
    ]
    return {"meta": meta, "rows": rows}
