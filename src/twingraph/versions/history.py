"""What changed in each release, read back from its ``changes.ttl``, and in which releases an entity exists.

The build writes ``changes.ttl`` (publish/changes.py): one ``cs:ChangeSet`` per entity added,
removed or changed since the previous release, with the changed statements reified. Replaying
those change sets from the first release gives the entities of every release without loading a
single dump; where the chain is broken (a release's ``prov:wasRevisionOf`` is not the release
before it on disk, e.g. one was deleted), the entities are read from that release's dump instead.
"""

from __future__ import annotations

import gzip
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from twingraph.versions.registry import Release

CHANGES_FILE = "changes.ttl"
NT_DUMP = "twingraph.nt.gz"
# The vocabularies publish/changes.py writes (not imported: the server reads releases, never the build).
CS = "http://purl.org/vocab/changeset/schema#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
KINDS = ("added", "changed", "removed")


@dataclass(frozen=True)
class EntityChange:
    """One entity's change in a release: ``kind`` is added, changed or removed."""

    iri: str
    kind: str
    changeset: str
    properties: tuple[str, ...]


@dataclass(frozen=True)
class ReleaseChanges:
    """The changes a release made to the one it revises (``previous`` None for the first release)."""

    version: str
    previous: str | None
    changes: tuple[EntityChange, ...]


def read_changes(folder: Path) -> ReleaseChanges:
    """Read ``changes.ttl`` of the release in ``folder``, entities in IRI order."""
    triples = list(ox.parse(path=str(folder / CHANGES_FILE), format=ox.RdfFormat.TURTLE))
    by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    previous: str | None = None
    for t in triples:
        by_subject[_text(t.subject)][t.predicate.value].append(_text(t.object))
        if t.predicate.value == PROV + "wasRevisionOf":
            previous = _text(t.object).rsplit("/", 1)[1]
    changes = []
    for changeset, props in by_subject.items():
        if not props.get(CS + "subjectOfChange"):
            continue
        statements = [*props.get(CS + "addition", []), *props.get(CS + "removal", [])]
        predicates = sorted({p for s in statements for p in by_subject.get(s, {}).get(RDF + "predicate", [])})
        reason = props[CS + "changeReason"][0] if props.get(CS + "changeReason") else "changed"
        kind = reason if reason in KINDS else "changed"
        iri = props[CS + "subjectOfChange"][0]
        changes.append(EntityChange(iri, kind, changeset, tuple(predicates)))
    return ReleaseChanges(folder.name, previous, tuple(sorted(changes, key=lambda c: c.iri)))


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """An IRI's or a literal's lexical value (blank nodes and quoted triples: their N-Triples form)."""
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def entities_of(folder: Path, resource_prefix: str) -> set[str]:
    """The entities (subjects under ``<base>id/``) of a release, read from its N-Triples dump."""
    with gzip.open(folder / NT_DUMP, "rb") as handle:
        triples = ox.parse(handle.read(), format=ox.RdfFormat.N_TRIPLES)
        return {
            t.subject.value
            for t in triples
            if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(resource_prefix)
        }


class History:
    """Change sets of every release (cached: releases are immutable) and where each entity exists."""

    def __init__(self, resource_prefix: str) -> None:
        """``resource_prefix`` is ``<base>id/``, where the entities live."""
        self._prefix = resource_prefix
        self._lock = threading.Lock()
        self._changes: dict[Path, ReleaseChanges] = {}
        self._index_key: tuple[str, ...] = ()
        self._index: dict[str, list[int]] = {}

    def changes(self, release: Release) -> ReleaseChanges:
        """The change sets of ``release``."""
        with self._lock:
            found = self._changes.get(release.folder)
        if found is None:
            found = read_changes(release.folder)
            with self._lock:
                self._changes[release.folder] = found
        return found

    def releases_with(self, iri: str, releases: list[Release]) -> list[Release]:
        """The releases (oldest first) in which the entity ``iri`` exists."""
        key = tuple(r.version for r in releases)
        with self._lock:
            stale = key != self._index_key
        if stale:
            index = self._build_index(releases)
            with self._lock:
                self._index, self._index_key = index, key
        with self._lock:
            positions = self._index.get(iri, [])
        return [releases[i] for i in positions]

    def _build_index(self, releases: list[Release]) -> dict[str, list[int]]:
        index: dict[str, list[int]] = defaultdict(list)
        current: set[str] = set()
        for i, release in enumerate(releases):
            changes = self.changes(release)
            expected = releases[i - 1].version if i else None
            if changes.previous != expected:
                current = entities_of(release.folder, self._prefix)
            else:
                for change in changes.changes:
                    if change.kind == "removed":
                        current.discard(change.iri)
                    else:
                        current.add(change.iri)
            for iri in current:
                index[iri].append(i)
        return dict(index)
