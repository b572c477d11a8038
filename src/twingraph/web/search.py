"""Label search over all entities: every label and alternative label in every language, typo-tolerant.

Matching is rapidfuzz's WRatio (whole names, typos) and token-set ratio (a word inside a longer
name) on labels folded to lowercase ASCII (so "Schytomyr", "Rostow", "Amiens" and "amien" all find
what they should), best label per entity, exact and prefix matches first.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from twingraph.web.labels import SiteData
from twingraph.web.state import current_state

MIN_SCORE = 72.0
# Among equally good matches, what readers look for most comes first.
TYPE_BONUS = {
    "partnership": 8.0,
    "city": 8.0,
    "person": 5.0,
    "school": 3.0,
    "organisation": 2.0,
    "event": 1.0,
}


def fold(text: str) -> str:
    """Lowercase, accents removed, punctuation as spaces.

    >>> fold("Rostow-am-Don"), fold("Citroën  Côte"), fold("Xi'an")
    ('rostow am don', 'citroen cote', 'xi an')
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


@dataclass(frozen=True)
class SearchIndex:
    """Folded labels and the entity each belongs to."""

    choices: list[str]
    owners: list[str]


@dataclass(frozen=True)
class Hit:
    """One entity found: the label that matched and the score (0-100)."""

    iri: str
    matched: str
    score: float


def search_index(site: SiteData) -> SearchIndex:
    """The index of the served release (built once per app)."""

    def build() -> SearchIndex:
        choices, owners = [], []
        entities = set(site.entities())
        for source in (site.labels, site.alt_labels):
            for iri, labels in source.items():
                if iri not in entities:
                    continue
                for text in {fold(t) for t, _lang in labels}:
                    if text:
                        choices.append(text)
                        owners.append(iri)
        return SearchIndex(choices, owners)

    return current_state().search.get(build)


def search(site: SiteData, query: str, limit: int = 50, segment: str | None = None) -> list[Hit]:
    """Entities whose labels match ``query``, best first (optionally of one type segment)."""
    folded = fold(query)
    if not folded:
        return []
    index = search_index(site)
    best: dict[str, Hit] = {}
    # WRatio for whole names (typos, transpositions); token_set_ratio for words inside long names.
    scores: dict[int, float] = {}
    for scorer, weight in ((fuzz.WRatio, 1.0), (fuzz.token_set_ratio, 0.95)):
        for _choice, score, position in process.extract(
            folded, index.choices, scorer=scorer, score_cutoff=MIN_SCORE / weight, limit=None
        ):
            scores[position] = max(scores.get(position, 0.0), score * weight)
    for position, score in scores.items():
        choice = index.choices[position]
        iri = index.owners[position]
        if segment and (site.uris.split(iri) or ("", ""))[0] != segment:
            continue
        bonus = 20.0 if choice == folded else 10.0 if choice.startswith(folded) else 0.0
        bonus += TYPE_BONUS.get((site.uris.split(iri) or ("", ""))[0], 0.0)
        bonus += 5.0 if any(word.startswith(folded) for word in choice.split()) else 0.0
        hit = Hit(iri, choice, score + bonus)
        if iri not in best or hit.score > best[iri].score:
            best[iri] = hit
    return sorted(best.values(), key=lambda h: (-h.score, len(h.matched), h.iri))[:limit]
