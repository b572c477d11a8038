"""Candidates, scores, features and the match decision for one reconciliation query.

The rule (also in docs/reconciliation.md):

* **Identifier hit** - the query text, or a ``wikidata`` / ``geonames`` / ``id`` property value,
  is a QID, GeoNames ID or our IRI / id of an entity: that entity scores 100.
* **Otherwise** the score is the best name similarity over all the entity's names in every
  language: 100 when the normalised query equals a label, 95 when it equals an alternative name
  (curated variants, pseudonyms, GeoNames' alternate names), else at most 94: rapidfuzz
  ``fuzz.ratio`` on normalised text against labels and curated alternative names (GeoNames'
  alternate names are only matched exactly). Then +5 for each query property the entity agrees
  with, -30 for each it contradicts, and -20 when the query's types are only a preference
  (``type_strict: "should"``) and the entity has none of them; clamped to 0-100. Without a
  query text, the score is the share of agreeing properties.
* **match** is true only for the top candidate, and only when it is certain: either it is the
  only identifier hit, or its normalised name equals the query exactly, no query property
  contradicts it, its type fits, no other candidate is an exact name hit (label or alternative
  name), and it still leads every other candidate after the property and type adjustments.
  (An exact alternative name scores 95 and a fuzzy match at most 94, so the lead over a
  near-namesake such as "Ödenburg" (Sopron) over "Oldenburg" can be one point: the exact name is
  what decides; the lead only says that no property or type put another candidate ahead.)
  Typos and near-misses rank first but never match on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from twingraph.names import compact_key, name_key
from twingraph.reconcile.catalogue import PropertySpec
from twingraph.reconcile.compare import QueryValue, compare, value_text
from twingraph.reconcile.identifiers import parse_geonames, parse_qid
from twingraph.reconcile.index import Entity, ReconIndex

NAME_CUTOFF = 60.0
EXACT_LABEL = 100.0
EXACT_ALTERNATE = 95.0
# A fuzzy match never reaches an exact one: exact label > exact alternative name > any fuzzy match.
FUZZY_CEILING = 94.0
AGREE_BONUS = 5.0
DISAGREE_PENALTY = 30.0
TYPE_PENALTY = 20.0
MIN_LEAD = 1.0
ID_PROPERTIES = frozenset({"id", "iri", "@id"})

TypeStrict = Literal["any", "all", "should"]


@dataclass(frozen=True)
class PropertyConstraint:
    """A query property: the property (or ``spec`` None for the pseudo-property ``id``) and its values."""

    pid: str
    spec: PropertySpec | None
    values: tuple[QueryValue, ...]


@dataclass(frozen=True)
class Query:
    """One parsed reconciliation query."""

    text: str | None
    types: tuple[str, ...] = ()
    type_strict: TypeStrict = "any"
    limit: int = 5
    properties: tuple[PropertyConstraint, ...] = ()


@dataclass
class Candidate:
    """A candidate entity with what explains its score."""

    entity: Entity
    position: int
    similarity: float = 0.0
    exact: bool = False
    alternative: bool = False
    identifier: bool = False
    type_ok: bool = True
    agreements: dict[str, bool] = field(default_factory=dict)
    score: float = 0.0
    lead: float = 0.0
    match: bool = False

    def features(self, query: Query) -> list[dict[str, object]]:
        """Matching features as the API shows them (booleans and numbers only)."""
        features: list[dict[str, object]] = []
        if query.text is not None:
            features += [
                {"id": "name_similarity", "value": round(self.similarity, 1)},
                {"id": "name_exact", "value": self.exact},
                {"id": "name_alternative", "value": self.alternative},
            ]
        features.append({"id": "identifier_match", "value": self.identifier})
        if query.types:
            features.append({"id": "type_match", "value": self.type_ok})
        features += [{"id": f"property_{pid}", "value": ok} for pid, ok in self.agreements.items()]
        features.append({"id": "lead", "value": round(self.lead, 1)})
        return features


def identifier_hits(index: ReconIndex, text: str, kind: str | None = None) -> set[int]:
    """Entities whose QID, GeoNames ID, id or IRI is ``text`` (``kind`` limits which is tried)."""
    hits: set[int] = set()
    if kind in (None, "qid"):
        qid = parse_qid(text)
        if qid:
            hits.update(index.qids.get(qid, []))
    if kind in (None, "geonames"):
        geonames_id = parse_geonames(text, bare_digits=kind == "geonames" or text.strip().isdigit())
        if geonames_id:
            hits.update(index.geonames.get(geonames_id, []))
    if kind in (None, "id"):
        ours = index.entity(text)
        if ours is None and "/id/" in text:
            ours = index.entity(text.split("/id/", 1)[1])
        if ours is not None:
            hits.add(index.by_id[ours.id])
    return hits


def _name_candidates(index: ReconIndex, text: str, found: dict[int, Candidate]) -> None:
    key = name_key(text)
    if not key:
        return

    def consider(owner: tuple[int, int], similarity: float, exact: bool) -> None:
        entity_index, name_index = owner
        name = index.entities[entity_index].names[name_index]
        candidate = found.setdefault(entity_index, Candidate(index.entities[entity_index], entity_index))
        if (similarity, not name.alt) > (candidate.similarity, not candidate.alternative):
            candidate.similarity, candidate.alternative = similarity, name.alt
        candidate.exact = candidate.exact or exact

    for owner in index.exact.get(compact_key(key), []):
        alt = index.entities[owner[0]].names[owner[1]].alt
        consider(owner, EXACT_ALTERNATE if alt else EXACT_LABEL, True)
    for similarity, owner in index.fuzzy_hits(key, NAME_CUTOFF):
        if index.entities[owner[0]].names[owner[1]].compact != compact_key(key):
            consider(owner, min(similarity, FUZZY_CEILING), False)


def _type_fits(index: ReconIndex, entity: Entity, query: Query) -> bool:
    if not query.types:
        return True
    closures = [index.subclass_closure(t) for t in query.types]
    if query.type_strict == "all":
        return all(entity.types & closure for closure in closures)
    return any(entity.types & closure for closure in closures)


def run_query(index: ReconIndex, query: Query) -> list[Candidate]:
    """Candidates for one query, best first, with scores, features and the match decision."""
    found: dict[int, Candidate] = {}
    id_hits: set[int] = set()
    if query.text is not None:
        id_hits |= identifier_hits(index, query.text)
        _name_candidates(index, query.text, found)
    for constraint in query.properties:
        kind = "id" if constraint.spec is None else constraint.spec.kind
        if kind in ("id", "qid", "geonames"):
            for value in constraint.values:
                id_hits |= identifier_hits(index, value_text(value), kind)
    for position in id_hits:
        found.setdefault(position, Candidate(index.entities[position], position)).identifier = True
    scored = [c for c in (_score(index, query, c) for c in found.values()) if c is not None]
    if query.text is None and query.properties:
        scored += _property_only_candidates(index, query, found)
    scored.sort(key=lambda c: (-c.score, not c.identifier, not c.exact, index.display_name(c.entity)))
    _decide(scored)
    return scored[: query.limit]


def _score(index: ReconIndex, query: Query, candidate: Candidate) -> Candidate | None:
    candidate.type_ok = _type_fits(index, candidate.entity, query)
    if not candidate.type_ok and query.type_strict != "should":
        return None
    for constraint in query.properties:
        if constraint.spec is None:
            continue
        verdict = compare(
            index, constraint.spec, constraint.values, candidate.entity.values.get(constraint.spec.id, [])
        )
        if verdict is not None:
            candidate.agreements[constraint.pid] = verdict
    if candidate.identifier:
        candidate.score = 100.0
        return candidate
    agree = sum(candidate.agreements.values())
    disagree = len(candidate.agreements) - agree
    if query.text is None:
        given = sum(1 for c in query.properties if c.spec is not None) or 1
        candidate.score = 100.0 * agree / given
        return candidate if agree else None
    score = candidate.similarity + AGREE_BONUS * agree - DISAGREE_PENALTY * disagree
    if not candidate.type_ok:
        score -= TYPE_PENALTY
    candidate.score = round(max(0.0, min(100.0, score)), 1)
    return candidate


def _property_only_candidates(index: ReconIndex, query: Query, seen: dict[int, Candidate]) -> list[Candidate]:
    extra = []
    for position, entity in enumerate(index.entities):
        if position in seen:
            continue
        scored = _score(index, query, Candidate(entity, position))
        if scored is not None:
            extra.append(scored)
    return extra


def _decide(candidates: list[Candidate]) -> None:
    # each candidate's lead over the best of the others: the best two scores suffice (linear, not
    # quadratic: a short query can have thousands of fuzzy candidates in the world graph)
    best = sorted((c.score for c in candidates), reverse=True)[:2]
    for candidate in candidates:
        other = best[1] if candidate.score == best[0] and len(best) > 1 else best[0]
        candidate.lead = candidate.score - (other if len(candidates) > 1 else 0.0)
    if not candidates:
        return
    top, rest = candidates[0], candidates[1:]
    if top.identifier:
        top.match = not any(c.identifier for c in rest)
        return
    contradicted = any(ok is False for ok in top.agreements.values())
    clear = top.lead >= MIN_LEAD and not any(c.exact for c in rest)
    top.match = top.exact and top.type_ok and not contradicted and clear
