"""The matching index, built once per release from the store.

It holds every published resource (``<base>id/...``) with its names (labels in every language
and alternative names, normalised by :func:`~twingraph.names.name_key`), its
types (ontology classes, with the subclass closure from the ontology graph), its identifiers
(Wikidata QIDs and GeoNames IDs from ``owl:sameAs``, and our own IRI) and the values of every
property in :data:`~twingraph.reconcile.catalogue.PROPERTIES`. Queries then never touch the store.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from twingraph.gc_pause import collection_paused
from twingraph.names import compact_key, name_key
from twingraph.namespaces import PREFIXES, BaseNamespaces
from twingraph.queries import load_query
from twingraph.reconcile.catalogue import PROPERTIES, PropertySpec, property_query_name
from twingraph.store import Store

SKOS_CONCEPT = PREFIXES["skos"] + "Concept"
WDT = PREFIXES["wdt"]
PREFERRED_LANGUAGES = ("en", "de")
ALT_LABEL_PROPERTY = "altLabel"


@dataclass(frozen=True)
class Name:
    """One name of an entity: the text, its language tag, whether it is an alternative name, its keys.

    ``fuzzy`` is False for alternative names that only a dataset states (GeoNames' 117,000 alternate
    names): those find their entity by exact match only, so that typo-tolerant matching stays fast
    and is not led astray by transliterations of every language.
    """

    text: str
    lang: str
    alt: bool
    key: str
    compact: str
    fuzzy: bool = True


@dataclass
class Entity:
    """A published resource as the index sees it."""

    iri: str
    id: str
    types: frozenset[str] = frozenset()
    names: list[Name] = field(default_factory=list)
    values: dict[str, list[str | int]] = field(default_factory=dict)


@dataclass
class ClassInfo:
    """An ontology class usable as a reconciliation type."""

    iri: str
    id: str
    labels: dict[str, str] = field(default_factory=dict)
    definition: str = ""
    supers: set[str] = field(default_factory=set)

    def name(self, languages: tuple[str, ...] = PREFERRED_LANGUAGES) -> str:
        """Label in the first available preferred language, else the id."""
        return next((self.labels[lang] for lang in languages if lang in self.labels), self.id)


def _text(term: object) -> str:
    """The lexical value of an IRI or literal (terms are pyoxigraph terms on every backend)."""
    return term.value if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode) else str(term)


def _literal_lang(term: object) -> str:
    return (term.language or "") if isinstance(term, ox.Literal) else ""


class ReconIndex:
    """Entities, names, identifiers, types and property values of one release, in memory."""

    def __init__(self, base_iri: str, version: str) -> None:
        self.ns = BaseNamespaces(base_iri)
        self.version = version
        self.entities: list[Entity] = []
        self.by_id: dict[str, int] = {}
        self.qids: dict[str, list[int]] = defaultdict(list)
        self.geonames: dict[str, list[int]] = defaultdict(list)
        self.classes: dict[str, ClassInfo] = {}
        self.properties: dict[str, PropertySpec] = {spec.id: spec for spec in PROPERTIES}
        self.property_aliases: dict[str, str] = {}
        self.property_labels: dict[str, dict[str, str]] = {}
        # parallel lists: the normalised keys of every name, and (entity, name) owners
        self.choices: list[str] = []
        self.owners: list[tuple[int, int]] = []
        # the distinct keys that typo-tolerant (fuzzy) matching compares against, sorted by length
        # (a similarity cutoff bounds the lengths worth comparing), and the names behind each key
        self.fuzzy_keys: list[str] = []
        self.fuzzy_lengths: list[int] = []
        self.fuzzy_key_owners: list[list[tuple[int, int]]] = []
        self._fuzzy: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._seen_names: set[tuple[int, str, bool, str]] = set()
        self._closures: dict[str, frozenset[str]] = {}
        self.exact: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.sorted_keys: list[tuple[str, int]] = []

    # ---- identifiers and types -------------------------------------------------------------
    @property
    def identifier_space(self) -> str:
        """Prefix that entity ids are relative to."""
        return self.ns.resource

    @property
    def schema_space(self) -> str:
        """Prefix that type ids are relative to."""
        return self.ns.tg

    def local_id(self, iri: str) -> str:
        """Entity id of an IRI in our identifier space (``city/amiens``); other IRIs stay whole."""
        return iri.removeprefix(self.ns.resource)

    def entity(self, entity_id: str) -> Entity | None:
        """The entity with this id, or with this full IRI."""
        index = self.by_id.get(self.local_id(entity_id.strip()))
        return None if index is None else self.entities[index]

    def type_id(self, class_iri: str) -> str:
        """Type id of a class: the local name for ontology classes, the full IRI otherwise."""
        info = self.classes.get(class_iri)
        return info.id if info else class_iri

    def resolve_type(self, text: str) -> str | None:
        """Class IRI for a type id (``City``), a prefixed name (``tg:City``) or a full IRI."""
        text = text.strip()
        for candidate in (text, self.ns.tg + text.removeprefix("tg:")):
            if candidate in self.classes:
                return candidate
        lowered = text.lower()
        return next((iri for iri, info in self.classes.items() if info.id.lower() == lowered), None)

    def subclasses(self, class_iri: str) -> set[str]:
        """The class and all its subclasses (transitively)."""
        found = {class_iri}
        changed = True
        while changed:
            changed = False
            for iri, info in self.classes.items():
                if iri not in found and info.supers & found:
                    found.add(iri)
                    changed = True
        return found

    def subclass_closure(self, class_iri: str) -> frozenset[str]:
        """:meth:`subclasses`, computed once per class (matching asks for it once per candidate)."""
        found = self._closures.get(class_iri)
        if found is None:
            found = self._closures[class_iri] = frozenset(self.subclasses(class_iri))
        return found

    def specific_types(self, entity: Entity) -> list[str]:
        """The entity's most specific known classes (no class that is a superclass of another)."""
        supers = {s for t in entity.types for s in self.classes[t].supers}
        return sorted(t for t in entity.types if t not in supers)

    def resolve_property(self, pid: str) -> PropertySpec | None:
        """Property for an id, an alias (``P580``, ``tg:startDate``, the full ontology IRI)."""
        pid = pid.strip()
        if pid in self.properties:
            return self.properties[pid]
        target = self.property_aliases.get(pid) or self.property_aliases.get(pid.lower())
        return self.properties.get(target) if target else None

    # ---- names -------------------------------------------------------------------------------
    def display_name(self, entity: Entity, languages: tuple[str, ...] = PREFERRED_LANGUAGES) -> str:
        """The entity's label in the first preferred language it has, else any label, else its id."""
        labels = [n for n in entity.names if not n.alt] or entity.names
        for lang in languages:
            for n in labels:
                if n.lang == lang or n.lang.startswith(lang + "-"):
                    return n.text
        return min((n.text for n in labels), default=entity.id)

    def name_of(self, iri: str, languages: tuple[str, ...] = PREFERRED_LANGUAGES) -> str:
        """Display name of the resource with this IRI (the IRI itself when it is not indexed)."""
        found = self.entity(iri) if iri.startswith(self.ns.resource) else None
        return self.display_name(found, languages) if found else iri

    def fuzzy_hits(self, key: str, cutoff: float) -> Iterator[tuple[float, tuple[int, int]]]:
        """(similarity, name owner) for every fuzzy-matchable name whose key has ``fuzz.ratio`` >= cutoff.

        ``fuzz.ratio`` is 200 * matches / (len(a) + len(b)), so only keys whose length lies within
        ``len * c / (200 - c)`` and ``len * (200 - c) / c`` can reach the cutoff ``c``: a slice of the
        keys sorted by length, which keeps a batch of 100 queries over 16,000 entities fast.
        """
        shortest = math.floor(len(key) * cutoff / (200 - cutoff))
        longest = math.ceil(len(key) * (200 - cutoff) / cutoff)
        lo = bisect_left(self.fuzzy_lengths, shortest)
        hi = bisect_right(self.fuzzy_lengths, longest)
        for _choice, similarity, position in process.extract(
            key, self.fuzzy_keys[lo:hi], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            for owner in self.fuzzy_key_owners[lo + position]:
                yield float(similarity), owner

    def _finish(self) -> None:
        """Sort the keys for prefix search and the fuzzy keys by length, once all names are in."""
        self._seen_names.clear()
        self.sorted_keys = sorted((key, i) for i, key in enumerate(self.choices))
        ordered = sorted(self._fuzzy.items(), key=lambda item: (len(item[0]), item[0]))
        self.fuzzy_keys = [key for key, _owners in ordered]
        self.fuzzy_lengths = [len(key) for key in self.fuzzy_keys]
        self.fuzzy_key_owners = [owners for _key, owners in ordered]
        self._fuzzy.clear()

    # ---- building ----------------------------------------------------------------------------
    def _add_name(self, entity_index: int, text: str, lang: str, alt: bool, fuzzy: bool = True) -> None:
        key = name_key(text)
        if not key or (entity_index, key, alt, lang) in self._seen_names:
            return
        self._seen_names.add((entity_index, key, alt, lang))
        entity = self.entities[entity_index]
        entity.names.append(Name(text, lang, alt, key, compact_key(key), fuzzy))
        owner = (entity_index, len(entity.names) - 1)
        self.choices.append(key)
        self.owners.append(owner)
        if fuzzy:
            self._fuzzy[key].append(owner)
        self.exact[compact_key(key)].append(owner)


def build_index(store: Store, base_iri: str) -> ReconIndex:
    """Read entities, names, types, identifiers and property values from the store into an index."""
    with collection_paused():  # the world graph's 150,000 names and their keys, none of them garbage
        return _build_index(store, base_iri)


def _build_index(store: Store, base_iri: str) -> ReconIndex:
    index = ReconIndex(base_iri, store.version)
    _load_classes(index, store)
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.select(load_query("reconcile/entities")):
        iri, type_iri = _text(row["entity"]), _text(row["type"])
        if type_iri in index.classes:
            types[iri].add(type_iri)
    for iri in sorted(types):
        index.by_id[index.local_id(iri)] = len(index.entities)
        index.entities.append(Entity(iri=iri, id=index.local_id(iri), types=frozenset(types[iri])))
    for row in store.select(load_query("reconcile/names")):
        position = index.by_id.get(index.local_id(_text(row["entity"])))
        if position is not None:
            index._add_name(position, _text(row["name"]), _literal_lang(row["name"]), alt=False)
    # one query per kind keeps each under the store's time limit (the world graph has 117,000 variants)
    datasets = {_text(row["source"]) for row in store.select(load_query("reconcile/dataset-sources"))}
    rows = store.select(load_query("reconcile/alt-names"))
    # a name stated by a curated source too stays fuzzy: those rows go first (_add_name keeps the first)
    rows.sort(key=lambda row: _text(row["source"]) in datasets)
    for row in rows:
        position = index.by_id.get(index.local_id(_text(row["entity"])))
        if position is not None and isinstance(row["name"], ox.Literal):
            fuzzy = _text(row["source"]) not in datasets
            index._add_name(position, _text(row["name"]), _literal_lang(row["name"]), True, fuzzy)
    index._finish()
    _load_property_labels(index, store)
    for spec in PROPERTIES:
        if spec.id == ALT_LABEL_PROPERTY:
            continue  # filled from the names below, without reading 100,000 names twice
        for row in store.select(load_query(property_query_name(spec))):
            position = index.by_id.get(index.local_id(_text(row["entity"])))
            if position is None or "value" not in row:
                continue
            term = row["value"]
            value: str | int = int(_text(term)) if spec.kind == "int" else _text(term)
            values = index.entities[position].values.setdefault(spec.id, [])
            if value not in values:
                values.append(value)
    for entity in index.entities:
        alternatives = list(dict.fromkeys(n.text for n in entity.names if n.alt))
        if alternatives:
            entity.values[ALT_LABEL_PROPERTY] = list(alternatives)
    for position, entity in enumerate(index.entities):
        for values in entity.values.values():
            values.sort(key=lambda v: (isinstance(v, str), v if isinstance(v, int) else 0, str(v)))
        for qid in entity.values.get("wikidata", []):
            index.qids[str(qid)].append(position)
        for geonames_id in entity.values.get("geonames", []):
            index.geonames[str(geonames_id)].append(position)
    return index


def _load_classes(index: ReconIndex, store: Store) -> None:
    for row in store.select(load_query("reconcile/classes")):
        iri = _text(row["class"])
        info = index.classes.setdefault(iri, ClassInfo(iri=iri, id=iri.removeprefix(index.ns.tg)))
        if "label" in row:
            info.labels.setdefault(_literal_lang(row["label"]), _text(row["label"]))
        if "definition" in row:
            info.definition = _text(row["definition"])
        if "super" in row:
            info.supers.add(_text(row["super"]))
    concept = ClassInfo(
        iri=SKOS_CONCEPT, id="Concept", labels={"en": "Concept", "de": "Begriff", "fr": "Concept"}
    )
    concept.definition = "A concept of the model's concept schemes: kinds, statuses, aims."
    index.classes.setdefault(SKOS_CONCEPT, concept)


def _load_property_labels(index: ReconIndex, store: Store) -> None:
    by_ontology = {spec.ontology: spec.id for spec in PROPERTIES if spec.ontology}
    for spec in PROPERTIES:
        for alias in spec.aliases:
            index.property_aliases[alias] = spec.id
            index.property_aliases[alias.lower()] = spec.id
    for row in store.select(load_query("reconcile/property-labels")):
        local = _text(row["property"]).removeprefix(index.ns.tg)
        pid = by_ontology.get(local)
        if pid is None:
            continue
        index.property_aliases[_text(row["property"])] = pid
        index.property_aliases[f"tg:{local}"] = pid
        if "label" in row:
            index.property_labels.setdefault(pid, {}).setdefault(
                _literal_lang(row["label"]), _text(row["label"])
            )
        if "match" in row and _text(row["match"]).startswith(WDT):
            index.property_aliases.setdefault(_text(row["match"]).removeprefix(WDT), pid)
