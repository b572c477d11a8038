"""Reconciliation queries: read a query batch, check it, answer it. Plain functions, no web.

Bad input raises :class:`InvalidRequest` with a message that names the query and the field;
the web layer turns it into a 400 answer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import cast

from twingraph.reconcile.index import PREFERRED_LANGUAGES, ReconIndex
from twingraph.reconcile.matching import ID_PROPERTIES, PropertyConstraint, Query, TypeStrict, run_query
from twingraph.reconcile.present import Languages, describe, entity_types

MAX_BATCH = 500
DEFAULT_LIMIT = 5
MAX_LIMIT = 100
QUERY_FIELDS = frozenset({"query", "type", "limit", "properties", "type_strict"})


class InvalidRequest(ValueError):
    """A reconciliation request that cannot be answered; the message says why."""


def parse_json(text: str, what: str) -> object:
    """Parse a JSON parameter, or raise InvalidRequest naming it and the position of the error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc


def positive_int(value: object, what: str, maximum: int) -> int:
    """An integer between 1 and ``maximum`` (JSON numbers like 5.0 are accepted)."""
    # Infinity and NaN (which Python's JSON parser accepts) made int() raise: a 500, found by fuzzing.
    wrong = InvalidRequest(f"{what} must be a positive integer, not {json.dumps(value)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise wrong
    if not math.isfinite(value) or value != int(value) or value < 1:
        raise wrong
    return min(int(value), maximum)


def parse_batch(index: ReconIndex, raw: object) -> dict[str, Query]:
    """Check a query batch (a JSON object of queries) and parse each query."""
    if not isinstance(raw, dict):
        raise InvalidRequest(
            "queries must be a JSON object that maps query keys to queries, e.g. "
            '{"q0": {"query": "Amiens", "type": "City"}}'
        )
    if len(raw) > MAX_BATCH:
        raise InvalidRequest(f"a batch holds at most {MAX_BATCH} queries, this one has {len(raw)}")
    return {str(key): parse_query(index, key, value) for key, value in raw.items()}


def parse_query(index: ReconIndex, key: str, raw: object) -> Query:
    """Check and parse one query of a batch."""
    where = f"query {key!r}"
    if not isinstance(raw, dict):
        raise InvalidRequest(f"{where} must be a JSON object with a 'query' string")
    unknown = sorted(set(raw) - QUERY_FIELDS)
    if unknown:
        raise InvalidRequest(f"{where} has unknown fields {unknown}; allowed: {sorted(QUERY_FIELDS)}")
    text = raw.get("query")
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise InvalidRequest(f"{where}: 'query' must be a non-empty string")
    properties = _parse_properties(index, where, raw.get("properties", []))
    if text is None and not properties:
        raise InvalidRequest(f"{where} needs a 'query' string or at least one property")
    types = _parse_types(index, where, raw.get("type"))
    strict = raw.get("type_strict", "any")
    if strict not in ("any", "all", "should"):
        raise InvalidRequest(
            f"{where}: 'type_strict' must be 'any', 'all' or 'should', not {json.dumps(strict)}"
        )
    limit = positive_int(raw["limit"], f"{where}: 'limit'", MAX_LIMIT) if "limit" in raw else DEFAULT_LIMIT
    return Query(text.strip() if text else None, types, cast(TypeStrict, strict), limit, properties)


def _parse_types(index: ReconIndex, where: str, raw: object) -> tuple[str, ...]:
    if raw is None or raw == "":
        return ()
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidRequest(f"{where}: 'type' must be a type id or a list of type ids")
    found = []
    for name in (n for n in names if n.strip()):
        class_iri = index.resolve_type(name)
        if class_iri is None:
            known = ", ".join(sorted(info.id for info in index.classes.values()))
            raise InvalidRequest(f"{where}: unknown type {name!r}; known types: {known}")
        found.append(class_iri)
    return tuple(found)


def _parse_properties(index: ReconIndex, where: str, raw: object) -> tuple[PropertyConstraint, ...]:
    if not isinstance(raw, list):
        raise InvalidRequest(f'{where}: \'properties\' must be a list of {{"pid": ..., "v": ...}} objects')
    constraints = []
    for number, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise InvalidRequest(
                f"{where}: property {number} must be an object with a 'pid' string and a 'v'"
            )
        pid = item["pid"].strip()
        spec = None if pid in ID_PROPERTIES else index.resolve_property(pid)
        if spec is None and pid not in ID_PROPERTIES:
            known = ", ".join(sorted(index.properties))
            raise InvalidRequest(f"{where}: unknown property {pid!r}; known properties: {known}, id")
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        if not values:
            raise InvalidRequest(f"{where}: property {pid!r} has no value")
        for value in values:
            if value is None or (isinstance(value, dict) and not isinstance(value.get("id"), str)):
                raise InvalidRequest(
                    f"{where}: a value of property {pid!r} must be a string, number, "
                    'boolean or {"id": ...} object'
                )
        constraints.append(PropertyConstraint(pid, spec, tuple(values)))
    return tuple(constraints)


def reconcile(
    index: ReconIndex, queries: Mapping[str, Query], languages: Languages = PREFERRED_LANGUAGES
) -> dict[str, dict[str, list[dict[str, object]]]]:
    """Answer a parsed batch: for each key, candidates sorted by score with features and ``match``."""
    results: dict[str, dict[str, list[dict[str, object]]]] = {}
    for key, query in queries.items():
        results[key] = {
            "result": [
                {
                    "id": c.entity.id,
                    "name": index.display_name(c.entity, languages),
                    "description": describe(index, c.entity, languages),
                    "score": c.score,
                    "match": c.match,
                    "type": entity_types(index, c.entity, languages),
                    "features": c.features(query),
                }
                for c in run_query(index, query)
            ]
        }
    return results


def reconcile_json(index: ReconIndex, text: str, languages: Languages = PREFERRED_LANGUAGES) -> object:
    """Parse the ``queries`` parameter and answer it."""
    return reconcile(index, parse_batch(index, parse_json(text, "queries")), languages)
