"""Search on pages: the reconciliation index (every label, alternative and GeoNames name), ranked.

The ranking, best first (one score per entity, its best name):

* 100 the query equals a label, 95 an alternative name (after :func:`name_key`: case, accents,
  punctuation; GeoNames' alternate names of the world cities count here: "Neusatz" finds Novi Sad);
* 90 a name starts with the query, 85 a word of a name does, 80 every word of the query starts a
  word of the name ("keuning" finds Dietrich Keuning, "Jumelage Dortmund" the partnership);
* 0.9 x ``fuzz.ratio`` for typos in labels and curated variants, kept from 75 up ("amien",
  "Dortmnud"): whole-name similarity, never a partial one, so that "Rostow" does not list
  Hagerstown. When the query is a name (an exact hit), typo neighbours are left out: "Rostow"
  lists what bears that name, not Rostock.

Ties go to the kinds of things readers look for most (partnerships, cities, people, ...), then to the
shorter name. Each hit keeps the name that matched, shown beside the entity's own ("Neusatz → Novi Sad").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from twingraph.names import compact_key, name_key
from twingraph.reconcile.index import ReconIndex

EXACT_LABEL, EXACT_ALTERNATE, PREFIX, WORD_PREFIX, WORDS = 100.0, 95.0, 90.0, 85.0, 80.0
FUZZY_CUTOFF = 75.0
MIN_PREFIX = 3
# Among equally good matches, what readers look for most comes first.
TYPE_RANK = ("partnership", "city", "person", "school", "organisation", "event")


def fold(text: str) -> str:
    """Lowercase, accents removed, punctuation as spaces.

    >>> fold("Rostow-am-Don"), fold("Citroën  Côte"), fold("Xi'an")
    ('rostow am don', 'citroen cote', 'xi an')
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


@dataclass(frozen=True)
class Hit:
    """One entity found: its IRI, the name that matched, and the score (0-100)."""

    iri: str
    matched: str
    score: float
    segment: str


def _words_start(query_words: list[str], key: str) -> bool:
    words = key.split()
    return all(any(w.startswith(q) for w in words) for q in query_words)


def search(index: ReconIndex, query: str, limit: int = 50, segment: str | None = None) -> list[Hit]:
    """Entities whose names match ``query``, best first (optionally of one type segment)."""
    key = name_key(query)
    if not key:
        return []
    best: dict[int, tuple[float, str]] = {}

    def offer(owner: tuple[int, int], score: float) -> None:
        entity_index, name_index = owner
        if segment and not index.entities[entity_index].id.startswith(segment + "/"):
            return
        if score > best.get(entity_index, (0.0, ""))[0]:
            best[entity_index] = (score, index.entities[entity_index].names[name_index].text)

    for owner in index.exact.get(compact_key(key), []):
        offer(owner, EXACT_ALTERNATE if index.entities[owner[0]].names[owner[1]].alt else EXACT_LABEL)
    if len(key) >= MIN_PREFIX:
        query_words = key.split()
        for choice, owner in zip(index.choices, index.owners, strict=True):
            if choice.startswith(key):
                offer(owner, PREFIX)
            elif f" {key}" in f" {choice}":
                offer(owner, WORD_PREFIX)
            elif len(query_words) > 1 and _words_start(query_words, choice):
                offer(owner, WORDS)
    for similarity, owner in index.fuzzy_hits(key, FUZZY_CUTOFF):
        offer(owner, round(0.9 * similarity, 1))
    if max((score for score, _name in best.values()), default=0.0) >= EXACT_ALTERNATE:
        best = {i: hit for i, hit in best.items() if hit[0] >= WORDS}
    hits = []
    for entity_index, (score, matched) in best.items():
        entity = index.entities[entity_index]
        hits.append(Hit(entity.iri, matched, score, entity.id.split("/", 1)[0]))

    def order(hit: Hit) -> tuple[float, int, int, str]:
        rank = TYPE_RANK.index(hit.segment) if hit.segment in TYPE_RANK else len(TYPE_RANK)
        return (-hit.score, rank, len(hit.matched), hit.iri)

    return sorted(hits, key=order)[:limit]
