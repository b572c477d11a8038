"""Comparing a query's property values with an entity's values, one value kind at a time.

Each comparison answers True (agrees), False (contradicts) or None (nothing to compare: the
entity has no value, or the query value cannot be read as this kind).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from twingraph.names import compact_key, name_key
from twingraph.reconcile.catalogue import PropertySpec
from twingraph.reconcile.identifiers import parse_country, parse_geonames, parse_qid
from twingraph.reconcile.index import ReconIndex

QueryValue = str | int | float | bool | dict[str, object]

# A name given for an entity-valued property counts as that entity above this similarity.
ENTITY_NAME_SIMILARITY = 90.0

_DATE = re.compile(r"^\s*(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T.*)?\s*$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def value_text(value: QueryValue) -> str:
    """The text of a query value (the id of an entity value, else the value itself)."""
    if isinstance(value, dict):
        return str(value.get("id") or value.get("name") or "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def date_parts(text: str) -> tuple[str, ...] | None:
    """Year, month, day parts of a date at whatever precision it has.

    >>> date_parts("1960"), date_parts("1970-04"), date_parts("1960-04-02T00:00:00Z"), date_parts("soon")
    (('1960',), ('1970', '04'), ('1960', '04', '02'), None)
    """
    found = _DATE.match(text)
    return tuple(part for part in found.groups() if part) if found else None


def dates_agree(left: str, right: str) -> bool | None:
    """Compare two dates at the coarser of their precisions (1960 agrees with 1960-04-02).

    >>> dates_agree("1960", "1960-04-02"), dates_agree("1969-06-02", "1970"), dates_agree("x", "1970")
    (True, False, None)
    """
    a, b = date_parts(left), date_parts(right)
    if a is None or b is None:
        return None
    depth = min(len(a), len(b))
    return a[:depth] == b[:depth]


def resolve_entity_value(index: ReconIndex, value: QueryValue) -> set[str]:
    """IRIs of our entities that a query value names: by id or IRI, by QID, else by name."""
    text = value_text(value)
    found = index.entity(text) if text else None
    if found:
        return {found.iri}
    qid = parse_qid(text)
    if qid:
        return {index.entities[i].iri for i in index.qids.get(qid, [])}
    name = str(value.get("name", "")) if isinstance(value, dict) else text
    key = name_key(name)
    if not key:
        return set()
    exact = {
        index.entities[entity_index].iri for entity_index, _name in index.exact.get(compact_key(key), [])
    }
    if exact:
        return exact
    return {index.entities[owner[0]].iri for _score, owner in index.fuzzy_hits(key, ENTITY_NAME_SIMILARITY)}


def compare(
    index: ReconIndex, spec: PropertySpec, wanted: Sequence[QueryValue], have: Sequence[str | int]
) -> bool | None:
    """Does the entity's value list ``have`` agree with any of the query values ``wanted``?"""
    if not have:
        return None
    verdicts = [_compare_one(index, spec, value, have) for value in wanted]
    if any(v is True for v in verdicts):
        return True
    if any(v is False for v in verdicts):
        return False
    return None


def _compare_one(
    index: ReconIndex, spec: PropertySpec, value: QueryValue, have: Sequence[str | int]
) -> bool | None:
    text = value_text(value)
    if spec.kind == "qid":
        qid = parse_qid(text)
        return None if qid is None else qid in have
    if spec.kind == "geonames":
        geonames_id = parse_geonames(text)
        return None if geonames_id is None else geonames_id in have
    if spec.kind == "country":
        code = parse_country(text)
        return None if code is None else code in {str(h).upper() for h in have}
    if spec.kind == "int":
        year = _YEAR.search(text)
        return None if year is None else int(year.group(1)) in have
    if spec.kind == "entity":
        iris = resolve_entity_value(index, value)
        return None if not iris else bool(iris & {str(h) for h in have})
    # free text and dates: dates compare at the coarser precision; other text only agrees
    if date_parts(text) is not None:
        verdicts = [dates_agree(text, str(h)) for h in have]
        if any(v is True for v in verdicts):
            return True
        return False if any(v is False for v in verdicts) else None
    key = name_key(text)
    return True if key and key in {name_key(str(h)) for h in have} else None
