"""Propose Wikidata QIDs for our cities, people, schools and organisations that have none.

For each such entity, Wikidata is searched for items whose label or alternative name is
exactly one of the entity's labels (in their languages); each item found is checked for the
Wikidata class the ontology matches our class to (``tg:City skos:closeMatch wd:Q515``, through
P31/P279*) and for the country (P17/P297 against ``tg:countryCode``). The proposals go to a CSV
review file with an empty ``decision`` column; nothing is ever written into ``data/``: a person
decides, and adds ``owl:sameAs`` to the data by hand.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from twingraph.queries import load_query
from twingraph.store import Store
from twingraph.wikidata.client import WikidataClient
from twingraph.wikidata.ours import WD

_QID = re.compile(r"^Q[1-9][0-9]*$")
COLUMNS = (
    "entity",
    "entity_label",
    "entity_type",
    "country",
    "qid",
    "wikidata_label",
    "wikidata_description",
    "type_matches",
    "country_matches",
    "score",
    "decision",
)
# An item of another class or country is still listed (the reviewer decides), but ranked low.
BASE_SCORE, TYPE_BONUS, COUNTRY_BONUS, COUNTRY_PENALTY = 50, 30, 20, 40


CLASS_ORDER = ("City", "Person", "School", "Organisation")


def _local(class_iri: str) -> str:
    return class_iri.rsplit("#", 1)[-1]


class ReviewFileError(Exception):
    """The review file cannot go where it was asked to (e.g. into data/)."""


@dataclass
class Unlinked:
    """One of our entities without a QID."""

    iri: str
    type_iri: str
    wikidata_class: str | None
    labels: list[tuple[str, str]] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Proposal:
    """A Wikidata item proposed for one of our entities, with why."""

    entity: Unlinked
    qid: str
    label: str
    description: str
    type_matches: bool
    country_matches: bool | None
    score: int


def unlinked_entities(store: Store) -> list[Unlinked]:
    """Cities, people, schools and organisations without a Wikidata QID (most specific class kept)."""
    found: dict[str, Unlinked] = {}
    for row in store.select(load_query("wikidata/our-unlinked")):
        iri, class_iri = row["entity"], row["class"]
        assert isinstance(iri, ox.NamedNode) and isinstance(class_iri, ox.NamedNode)
        wd_class = row.get("wikidataClass")
        entity = found.setdefault(iri.value, Unlinked(iri.value, class_iri.value, None))
        # a school is also an organisation: the more specific class (and its Wikidata match) wins
        if CLASS_ORDER.index(_local(class_iri.value)) <= CLASS_ORDER.index(_local(entity.type_iri)):
            entity.type_iri = class_iri.value
            entity.wikidata_class = (
                wd_class.value.removeprefix(WD) if isinstance(wd_class, ox.NamedNode) else None
            )
        label = row["label"]
        if isinstance(label, ox.Literal) and (label.value, label.language or "") not in entity.labels:
            entity.labels.append((label.value, label.language or ""))
        country = row.get("country")
        if isinstance(country, ox.Literal):
            entity.countries.add(country.value.upper())
    return sorted(found.values(), key=lambda e: e.iri)


def _names(entity: Unlinked) -> str:
    # Serialised by pyoxigraph, so quotes and backslashes in labels are escaped properly.
    return " ".join(str(ox.Literal(text, language=lang or "en")) for text, lang in entity.labels)


def propose(store: Store, client: WikidataClient) -> list[Proposal]:
    """Search Wikidata for each unlinked entity and score what it finds."""
    proposals: list[Proposal] = []
    for entity in unlinked_entities(store):
        if not entity.labels:
            continue
        wd_class = (
            entity.wikidata_class if entity.wikidata_class and _QID.match(entity.wikidata_class) else None
        )
        rows = client.select_template(
            "search-items", names=_names(entity), **{"class": f"wd:{wd_class}" if wd_class else "wd:Q35120"}
        )
        items: dict[str, dict[str, object]] = {}
        for row in rows:
            qid = row["item"].removeprefix(WD)
            item = items.setdefault(
                qid,
                {
                    "label": row.get("itemLabel", ""),
                    "description": row.get("description", ""),
                    "type": False,
                    "countries": set(),
                },
            )
            item["type"] = bool(item["type"]) or (
                wd_class is not None and row.get("typeMatches") in ("true", "1")
            )
            if "country" in row:
                countries = item["countries"]
                assert isinstance(countries, set)
                countries.add(row["country"].upper())
        for qid, item in items.items():
            countries = item["countries"]
            assert isinstance(countries, set)
            country_ok = None if not (countries and entity.countries) else bool(countries & entity.countries)
            score = BASE_SCORE + (TYPE_BONUS if item["type"] else 0)
            score += COUNTRY_BONUS if country_ok else (-COUNTRY_PENALTY if country_ok is False else 0)
            proposals.append(
                Proposal(
                    entity,
                    qid,
                    str(item["label"]),
                    str(item["description"]),
                    bool(item["type"]),
                    country_ok,
                    max(0, min(100, score)),
                )
            )
    proposals.sort(key=lambda p: (p.entity.iri, -p.score, p.qid))
    return proposals


def write_review_file(proposals: list[Proposal], path: Path, data_dir: Path, base_iri: str) -> Path:
    """Write the proposals as CSV for review; refuse any path inside ``data_dir``."""
    target = path.resolve()
    if target == data_dir.resolve() or data_dir.resolve() in target.parents:
        raise ReviewFileError(
            f"{path}: the review file may not be written into {data_dir} (data/ changes only "
            "after review, by hand)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for p in proposals:
            label = next((text for text, lang in p.entity.labels if lang == "en"), p.entity.labels[0][0])
            writer.writerow(
                [
                    p.entity.iri,
                    label,
                    p.entity.type_iri.removeprefix(base_iri + "ontology#"),
                    "/".join(sorted(p.entity.countries)),
                    p.qid,
                    p.label,
                    p.description,
                    "yes" if p.type_matches else "no",
                    {True: "yes", False: "no", None: "unknown"}[p.country_matches],
                    p.score,
                    "",
                ]
            )
    return target
