"""What changed since the previous release, by entity: ``CHANGES.md`` and ``changes.ttl``.

An entity is a resource under ``<base>id/`` with the triples it is the subject of (in the union
of all graphs). Each entity is added, removed or changed; a changed entity lists the values
removed and added per property. ``changes.ttl`` says the same with the Changeset vocabulary
(one ``cs:ChangeSet`` per entity, reified statements for the values of changed entities).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from twingraph.namespaces import PREFIXES, BaseNamespaces
from twingraph.publish.serialize import write_turtle

CS = "http://purl.org/vocab/changeset/schema#"
RDF, RDFS, XSD, DCT, PROV = (PREFIXES[p] for p in ("rdf", "rdfs", "xsd", "dct", "prov"))
RDF_TYPE, SUBCLASS = RDF + "type", RDFS + "subClassOf"


@dataclass
class EntityChange:
    """How one entity changed: ``kind`` is added, removed or changed."""

    iri: str
    kind: str
    label: str
    cls: str
    removed: list[ox.Triple] = field(default_factory=list)
    added: list[ox.Triple] = field(default_factory=list)


@dataclass
class Changes:
    """The changes of a release against the previous one (None for the first release)."""

    version: str
    date: str
    previous: str | None
    entities: list[EntityChange]
    other_added: int = 0
    other_removed: int = 0

    def count(self, kind: str) -> int:
        """How many entities were added, removed or changed."""
        return sum(1 for e in self.entities if e.kind == kind)

    def summary(self) -> str:
        """One sentence for the catalogue's version notes."""
        if self.previous is None:
            return f"First release: {self.count('added')} entities."
        return (
            f"Since {self.previous}: {self.count('added')} entities added, {self.count('removed')} removed, "
            f"{self.count('changed')} changed."
        )


def read_lines(release: Path) -> list[bytes]:
    """The N-Triples lines of a published release (its ``twingraph.nt.gz``).

    Raises OSError when the file cannot be read (a missing or broken gzip file).
    """
    with gzip.open(release / "twingraph.nt.gz", "rb") as handle:
        return handle.read().splitlines()


def ntriples_lines(triples: Iterable[ox.Triple]) -> list[bytes]:
    """``triples`` as N-Triples lines, as a release's file holds them."""
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").splitlines()


@dataclass
class GraphLines:
    """A graph's N-Triples lines by entity (the subject's IRI, between its angle brackets, as
    bytes: the lines' own spelling) and the other lines (ontology, sources, ...). The lines are
    compared as bytes and parsed only where they differ or are shown."""

    entities: dict[bytes, list[bytes]] = field(default_factory=dict)
    other: set[bytes] = field(default_factory=set)
    subclass: list[bytes] = field(default_factory=list)  # the rdfs:subClassOf lines


_SUBCLASS = f"> <{SUBCLASS}> <".encode()
_LABEL_OR_TYPE = b"|".join(re.escape(iri.encode()) for iri in (RDFS + "label", RDF_TYPE))
_DESCRIBING = re.compile(rb"<[^>]*> <(?:%s)> " % _LABEL_OR_TYPE)  # a label's or a type's line


def graph_lines(lines: Iterable[bytes], ns: BaseNamespaces) -> GraphLines:
    """Group N-Triples lines (a line ends after its `` .``, with or without the line break)."""
    prefix = f"<{ns.resource}".encode()
    graph = GraphLines()
    entities, other = graph.entities, graph.other
    for raw in lines:
        line = raw.rstrip(b"\r\n")
        if not line or line.startswith(b"#"):
            continue
        if _SUBCLASS in line:
            graph.subclass.append(line)
        if line.startswith(prefix):
            subject = line[1 : line.index(b"> ")]  # an N-Triples IRI holds neither "> " nor a space
            if subject in entities:
                entities[subject].append(line)
            else:
                entities[subject] = [line]
        else:
            other.add(line)
    return graph


def _parsed(lines: Iterable[bytes]) -> set[ox.Triple]:
    data = b"\n".join(lines)
    return {t.triple if isinstance(t, ox.Quad) else t for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}


def _label(triples: Iterable[ox.Triple]) -> str:
    labels: dict[str, str] = {}
    for t in sorted(triples, key=str):  # of two labels in one language, the first in this order
        if t.predicate.value == RDFS + "label" and isinstance(t.object, ox.Literal):
            labels.setdefault(t.object.language or "", t.object.value)
    return labels.get("en") or labels.get("de") or next(iter(sorted(labels.values())), "")


def _tg_types(triples: Iterable[ox.Triple], ns: BaseNamespaces) -> frozenset[str]:
    return frozenset(
        t.object.value
        for t in triples
        if t.predicate.value == RDF_TYPE
        and isinstance(t.object, ox.NamedNode)
        and t.object.value.startswith(ns.tg)
    )


def _most_specific(types: frozenset[str], supers: dict[str, set[str]]) -> str:
    specific = sorted(c for c in types if not any(c in supers.get(other, set()) for other in types - {c}))
    return specific[0] if specific else ""


def _superclasses(triples: Iterable[ox.Triple]) -> dict[str, set[str]]:
    direct: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if (
            t.predicate.value == SUBCLASS
            and isinstance(t.subject, ox.NamedNode)
            and isinstance(t.object, ox.NamedNode)
        ):
            direct[t.subject.value].add(t.object.value)
    closure: dict[str, set[str]] = {}
    for cls in direct:
        seen, todo = set(), list(direct[cls])
        while todo:
            sup = todo.pop()
            if sup not in seen:
                seen.add(sup)
                todo.extend(direct.get(sup, ()))
        closure[cls] = seen
    return closure


def compute_changes(
    current: list[ox.Triple],
    previous: list[ox.Triple] | None,
    ns: BaseNamespaces,
    version: str,
    date: str,
    previous_version: str | None,
) -> Changes:
    """Compare the current triples with the previous release's, entity by entity."""
    before = graph_lines(ntriples_lines(previous), ns) if previous is not None else None
    now = graph_lines(ntriples_lines(current), ns)
    return compare_lines(now, before, ns, version, date, previous_version)


def compare_lines(
    now: GraphLines,
    before: GraphLines | None,
    ns: BaseNamespaces,
    version: str,
    date: str,
    previous_version: str | None,
) -> Changes:
    """Compare two releases' lines (:func:`graph_lines`; ``before`` None: the first release).

    Equal lines are equal triples (one writer wrote both); lines that differ are parsed and
    compared as triples, so that a line spelt otherwise (an escape) is no change.
    """
    supers = _superclasses(_parsed(now.subclass))
    old_entities = before.entities if before is not None else {}
    entities = []
    describing: list[bytes] = []  # the label and type lines of the entities listed, parsed at once
    for key in sorted(now.entities.keys() | old_entities.keys()):
        new_lines, old_lines = now.entities.get(key, []), old_entities.get(key, [])
        if new_lines and old_lines and set(new_lines) == set(old_lines):
            continue
        change = EntityChange(key.decode("utf-8"), "added" if not old_lines else "removed", "", "")
        if new_lines and old_lines:
            new, old = _parsed(new_lines), _parsed(old_lines)
            if new == old:
                continue
            change.kind = "changed"
            change.removed, change.added = sorted(old - new, key=str), sorted(new - old, key=str)
        describing += filter(_DESCRIBING.match, new_lines or old_lines)
        entities.append(change)
    described: dict[str, list[ox.Triple]] = defaultdict(list)
    for triple in _parsed(describing):
        described[str(triple.subject)[1:-1]].append(triple)  # an entity's subject is an IRI
    most_specific = functools.cache(lambda types: _most_specific(types, supers))  # few sets of types
    for change in entities:
        triples = described.get(change.iri, [])
        change.label, change.cls = _label(triples), most_specific(_tg_types(triples, ns))
    added = removed = 0
    if before is not None:
        new_other, old_other = _parsed(now.other - before.other), _parsed(before.other - now.other)
        added, removed = len(new_other - old_other), len(old_other - new_other)
    return Changes(
        version=version,
        date=date,
        previous=previous_version,
        entities=entities,
        other_added=added,
        other_removed=removed,
    )


class _Names:
    """Short names for IRIs and literals in Markdown: prefixed names, IRIs relative to the base."""

    def __init__(self, ns: BaseNamespaces, labels: dict[str, str]) -> None:
        self.ns = ns
        self.labels = labels
        self.prefixes = sorted(ns.prefixes().items(), key=lambda item: -len(item[1]))

    def iri(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and all(c.isalnum() or c in "_-" for c in local):
                return f"{prefix}:{local}"
        return f"<{iri[len(self.ns.base) :]}>" if iri.startswith(self.ns.base) else f"<{iri}>"

    def term(self, term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
        if isinstance(term, ox.Literal):
            text = term.value.replace("`", "'")
            if term.language:
                return f'`"{text}"@{term.language}`'
            if term.datatype.value == XSD + "string":
                return f'`"{text}"`'
            return f'`"{text}"^^{self.iri(term.datatype.value)}`'
        return f"`{self.iri(term.value)}`" if isinstance(term, ox.NamedNode) else f"`{term}`"


def _class_name(cls: str, names: _Names) -> str:
    return names.labels.get(cls) or (names.iri(cls) if cls else "Other")


def changes_markdown(changes: Changes, ns: BaseNamespaces, class_labels: dict[str, str]) -> str:
    """CHANGES.md: counts, then the entities added, removed and changed, grouped by class."""
    names = _Names(ns, class_labels)
    lines = [f"# Changes in release {changes.version} ({changes.date})", ""]
    if changes.previous is None:
        lines += ["First release: there is no earlier release to compare with. Every entity is new.", ""]
    else:
        lines += [f"Compared with release {changes.previous}.", ""]
    lines += ["| entities | count |", "|---|---:|"]
    lines += [f"| {kind} | {changes.count(kind)} |" for kind in ("added", "removed", "changed")]
    if changes.previous is not None:
        lines += [f"| other triples (ontology, ...) | +{changes.other_added} / -{changes.other_removed} |"]
    lines.append("")
    for kind in ("added", "removed", "changed"):
        group = [e for e in changes.entities if e.kind == kind]
        if not group:
            continue
        lines += [f"## {kind.capitalize()} ({len(group)})", ""]
        by_class: dict[str, list[EntityChange]] = defaultdict(list)
        for entity in group:
            by_class[_class_name(entity.cls, names)].append(entity)
        for cls_name in sorted(by_class):
            lines += [f"### {cls_name} ({len(by_class[cls_name])})", ""]
            for entity in by_class[cls_name]:
                title = f"{entity.label} " if entity.label else ""
                lines.append(f"- {title}`{names.iri(entity.iri)}`")
                lines += _property_lines(entity, names)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _property_lines(entity: EntityChange, names: _Names) -> list[str]:
    by_property: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for t in entity.removed:
        by_property[t.predicate.value][0].append(names.term(t.object))
    for t in entity.added:
        by_property[t.predicate.value][1].append(names.term(t.object))
    lines = []
    for prop in sorted(by_property):
        removed, added = by_property[prop]
        parts = ([f"removed {', '.join(removed)}"] if removed else []) + (
            [f"added {', '.join(added)}"] if added else []
        )
        lines.append(f"  - `{names.iri(prop)}`: {'; '.join(parts)}")
    return lines


def _statement_iri(changeset: str, what: str, triple: ox.Triple) -> str:
    digest = hashlib.sha256(str(triple).encode("utf-8")).hexdigest()[:16]
    return f"{changeset}#{what}-{digest}"


def changeset_iri(dataset: str, entity: str, ns: BaseNamespaces) -> str:
    """The IRI of an entity's change set: its path under the release's ``changes/``.

    A ``#`` of the entity's IRI (a conflict's claims: ``id/conflict/x#source--value``) is
    percent-encoded, so that the change set's reified statements can be fragments of it.

    >>> changeset_iri("https://x.org/dataset/2", "https://x.org/id/conflict/a#b", BaseNamespaces("https://x.org/"))
    'https://x.org/dataset/2/changes/conflict/a%23b'
    """
    return f"{dataset}/changes/{entity[len(ns.resource) :].replace('#', '%23')}"


def changes_triples(changes: Changes, ns: BaseNamespaces) -> list[ox.Triple]:
    """The changes as RDF: one cs:ChangeSet per entity, reified statements for changed values."""
    out: list[ox.Triple] = []

    def add(s: str, p: str, o: str | ox.Literal | ox.NamedNode | ox.BlankNode | ox.Triple) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        out.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    dataset = f"{ns.base}dataset/{changes.version}"
    date = ox.Literal(changes.date, datatype=ox.NamedNode(XSD + "date"))
    if changes.previous is not None:
        add(dataset, PROV + "wasRevisionOf", f"{ns.base}dataset/{changes.previous}")
    for entity in changes.entities:
        changeset = changeset_iri(dataset, entity.iri, ns)
        add(changeset, RDF_TYPE, CS + "ChangeSet")
        add(changeset, CS + "subjectOfChange", entity.iri)
        add(changeset, CS + "changeReason", ox.Literal(entity.kind, language="en"))
        add(changeset, CS + "createdDate", date)
        add(changeset, DCT + "isPartOf", dataset)
        for what, predicate, triples in (
            ("removal", CS + "removal", entity.removed),
            ("addition", CS + "addition", entity.added),
        ):
            for triple in triples:
                statement = _statement_iri(changeset, what, triple)
                add(changeset, predicate, statement)
                add(statement, RDF_TYPE, RDF + "Statement")
                add(statement, RDF + "subject", triple.subject)
                add(statement, RDF + "predicate", triple.predicate)
                add(statement, RDF + "object", triple.object)
    return out


def write_changes(changes: Changes, folder: Path, ns: BaseNamespaces, class_labels: dict[str, str]) -> None:
    """Write CHANGES.md and changes.ttl."""
    (folder / "CHANGES.md").write_text(changes_markdown(changes, ns, class_labels), encoding="utf-8")
    comment = [f"Changes of twingraph {changes.version} ({changes.date}), by entity.", changes.summary()]
    write_turtle(changes_triples(changes, ns), folder / "changes.ttl", ns, comment, extra_prefixes={"cs": CS})
