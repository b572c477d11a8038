"""What a resource page shows: its facts with their sources, conflicts side by side, incoming links.

Every triple lives in the named graph of the source that states it; facts found only in the
inferred graph are derived by the build and are shown as such, never as sourced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from twingraph.namespaces import PREFIXES, BaseNamespaces
from twingraph.queries import load_query
from twingraph.store import Store, Term
from twingraph.store.base import term_text
from twingraph.web.i18n import Language, format_date, pick
from twingraph.web.labels import SiteData, app_cached

RDF_TYPE = PREFIXES["rdf"] + "type"
FIRST_PREDICATES = (
    RDF_TYPE,
    PREFIXES["rdfs"] + "label",
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["skos"] + "altLabel",
)
INCOMING_PAGE_SIZE = 50
DATE_TYPES = ("xsd:date", "xsd:gYearMonth", "xsd:gYear")


@dataclass(frozen=True)
class SourceRef:
    """A source as a numbered footnote: its page here and, where known, the original page."""

    number: int
    name: str
    href: str
    url: str | None = None
    publisher: str | None = None


@dataclass
class Value:
    """One value of a property, ready to show."""

    text: str
    href: str | None = None
    lang: str = ""
    datatype: str = ""
    sources: list[SourceRef] = field(default_factory=list)
    derived: bool = False
    graphs: list[str] = field(default_factory=list)
    datetime: str = ""  # the machine-readable date, for <time datetime>


@dataclass
class PropertyRow:
    """A property and its values."""

    iri: str
    name: str
    href: str | None
    values: list[Value]
    disputed: bool = False


@dataclass
class ConflictView:
    """A recorded disagreement: what each source says about one property."""

    name: str
    href: str | None
    property_iri: str
    property_name: str
    note: str | None
    sides: list[tuple[SourceRef, list[Value]]]


@dataclass
class IncomingGroup:
    """Resources linking here through one property: the count and the links on this page."""

    name: str
    href: str | None
    count: int
    links: list[tuple[str, str | None]]


@dataclass
class Incoming:
    """Incoming links, grouped by property and paged."""

    total: int
    page: int
    pages: int
    groups: list[IncomingGroup]


@dataclass
class Description:
    """A resource page's content."""

    iri: str
    label: str
    types: list[tuple[str, str | None]]
    stated: list[PropertyRow]
    derived: list[PropertyRow]
    conflicts: list[ConflictView]
    incoming: Incoming
    facts: list[ox.Quad]


@dataclass
class _Conflict:
    prop: str
    sources: set[str] = field(default_factory=set)
    notes: set[tuple[str, str]] = field(default_factory=set)


def _graph(quad: ox.Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


class Describer:
    """Builds descriptions from the store, in the reader's language."""

    def __init__(self, store: Store, site: SiteData, lang: Language) -> None:
        self.store = store
        self.site = site
        self.lang = lang
        self.ns = BaseNamespaces(site.uris.base)
        self.footnotes: dict[str, SourceRef] = {}

    def href(self, iri: str) -> str | None:
        """Local path for our IRIs, the IRI itself for web IRIs."""
        local = self.site.uris.local_path(iri)
        if local is not None:
            return local
        return iri if iri.startswith(("http://", "https://")) else None

    def source_ref(self, graph: str) -> SourceRef:
        """The footnote of the graph a fact comes from (numbered in order of first use on the page)."""
        ref = self.footnotes.get(graph)
        if ref is None:
            info = self.site.sources.get(graph)
            name = (
                self.lang.text("ontology") if graph == self.ns.ontology else self.site.name(graph, self.lang)
            )
            ref = SourceRef(
                len(self.footnotes) + 1,
                name,
                self.href(graph) or graph,
                info.url if info else None,
                info.publisher if info else None,
            )
            self.footnotes[graph] = ref
        return ref

    def value(self, term: Term) -> Value:
        """Display text and link of a term."""
        if isinstance(term, ox.NamedNode):
            return Value(self.site.name(term.value, self.lang), self.href(term.value))
        if isinstance(term, ox.Literal):
            datatype = "" if term.language else self.site.uris.curie(term.datatype.value)
            if datatype in DATE_TYPES:
                return Value(format_date(term.value, self.lang.ui), datetime=term.value)
            if datatype.startswith("xsd:") or datatype == "rdf:langString":
                datatype = ""  # numbers and strings read as what they are
            return Value(term.value, lang=term.language or "", datatype=datatype)
        return Value(str(term))

    def facts(self, iri: str) -> list[ox.Quad]:
        """Every statement about ``iri`` with its graph."""
        subject = ox.NamedNode(iri)
        rows = self.store.select(load_query("pages/facts"), {"this": subject})
        return [ox.Quad(subject, r["p"], r["o"], r["g"]) for r in rows]  # type: ignore[arg-type]

    def exists(self, iri: str) -> bool:
        """True when the store says anything about ``iri`` (as subject)."""
        return bool(self.store.ask("ASK { ?this ?p ?o }", {"this": ox.NamedNode(iri)}))

    def entailing(self) -> frozenset[tuple[str, str]]:
        """(narrow, broad) pairs of the ontology: a fact with ``narrow`` says what ``broad`` says."""
        query = load_query("pages/entailing")
        return app_cached(
            "entailing",
            self.site.version,
            lambda: frozenset(
                (term_text(r["narrow"]), term_text(r["broad"])) for r in self.store.select(query)
            ),
        )

    def describe(self, iri: str, incoming_page: int = 1) -> Description:
        """The whole page content of a resource.

        Each relation is read once: a derived alignment twin (``schema:location`` beside
        ``tg:location``, ``schema:City`` beside ``tg:City``) stays in the data but not on the page.
        """
        quads = self.facts(iri)
        graphs: dict[tuple[str, Term], list[str]] = defaultdict(list)
        for q in quads:
            graphs[(q.predicate.value, q.object)].append(_graph(q))
        graphs = {key: where for key, where in graphs.items() if not self._twin(key, graphs)}
        conflicts = self.conflicts(iri, quads)
        disputed = {c.property_iri for c in conflicts}
        stated: dict[str, list[Value]] = defaultdict(list)
        derived: dict[str, list[Value]] = defaultdict(list)
        for (pred, obj), where in graphs.items():
            sourced = [g for g in where if g != self.ns.inferred_graph]
            value = self.value(obj)
            value.graphs = sorted(set(sourced))
            value.derived = not sourced
            (derived if value.derived else stated)[pred].append(value)
        types = sorted((v.text, v.href) for v in stated.get(RDF_TYPE, []))
        stated_rows = self._rows(stated, disputed)
        for row in stated_rows:  # footnotes numbered in the order the table shows them
            for value in row.values:
                value.sources = sorted({self.source_ref(g) for g in value.graphs}, key=lambda r: r.number)
        return Description(
            iri=iri,
            label=self.site.name(iri, self.lang),
            types=types,
            stated=stated_rows,
            derived=self._rows(derived, disputed),
            conflicts=conflicts,
            incoming=self.incoming(iri, incoming_page),
            facts=quads,
        )

    def _twin(self, fact: tuple[str, Term], facts: Iterable[tuple[str, Term]]) -> bool:
        """True for a fact found only by derivation that a more specific fact beside it already says."""
        pred, obj = fact
        pairs = self.entailing()
        for other_pred, other_obj in facts:
            if other_pred == pred == RDF_TYPE:
                if isinstance(other_obj, ox.NamedNode) and (other_obj.value, term_text(obj)) in pairs:
                    return True
            elif other_obj == obj and (other_pred, pred) in pairs:
                return True
        return False

    def _rows(self, values: dict[str, list[Value]], disputed: set[str] | None = None) -> list[PropertyRow]:
        def order(pred: str) -> tuple[int, str]:
            rank = FIRST_PREDICATES.index(pred) if pred in FIRST_PREDICATES else len(FIRST_PREDICATES)
            return rank, self.site.name(pred, self.lang).casefold()

        rows = []
        for pred in sorted(values, key=order):
            name = self.site.name(pred, self.lang)
            items = sorted(values[pred], key=lambda v: (v.lang not in self.lang.data[:1], v.lang, v.text))
            rows.append(PropertyRow(pred, name, self.href(pred), items, pred in (disputed or set())))
        return rows

    def conflicts(self, iri: str, quads: list[ox.Quad]) -> list[ConflictView]:
        """Recorded conflicts about ``iri``, each with the values every disagreeing source gives."""
        found: dict[str, _Conflict] = {}
        for row in self.store.select(load_query("pages/conflicts"), {"this": ox.NamedNode(iri)}):
            entry = found.setdefault(term_text(row["conflict"]), _Conflict(term_text(row["property"])))
            entry.sources.add(term_text(row["source"]))
            note = row.get("note")
            if isinstance(note, ox.Literal):
                entry.notes.add((note.value, note.language or ""))
        views = []
        for conflict, entry in sorted(found.items()):
            sides = [
                (
                    self.source_ref(source),
                    [
                        self.value(q.object)
                        for q in quads
                        if q.predicate.value == entry.prop and _graph(q) == source
                    ],
                )
                for source in sorted(entry.sources)
            ]
            views.append(
                ConflictView(
                    name=self.site.name(conflict, self.lang),
                    href=self.href(conflict),
                    property_iri=entry.prop,
                    property_name=self.site.name(entry.prop, self.lang),
                    note=pick(sorted(entry.notes), self.lang.data),
                    sides=sides,
                )
            )
        return views

    def incoming(self, iri: str, page: int) -> Incoming:
        """Links to ``iri``, counted per property; one page of them listed."""
        rows = self.store.select(load_query("pages/incoming"), {"this": ox.NamedNode(iri)})
        found = {(term_text(row["p"]), term_text(row["x"])) for row in rows}
        pairs = self.entailing()
        by_pred: dict[str, list[str]] = defaultdict(list)
        for pred, x in sorted(found):
            if not any((other, pred) in pairs for other, y in found if y == x and other != pred):
                by_pred[pred].append(x)  # a link said twice (tg:location and schema:location) counts once
        ordered = sorted(by_pred, key=lambda p: self.site.name(p, self.lang).casefold())
        flat = [
            (p, x) for p in ordered for x in sorted(by_pred[p], key=lambda x: self.site.name(x, self.lang))
        ]
        pages = max(1, -(-len(flat) // INCOMING_PAGE_SIZE))
        page = min(max(page, 1), pages)
        shown = flat[(page - 1) * INCOMING_PAGE_SIZE : page * INCOMING_PAGE_SIZE]
        groups = []
        for pred in ordered:
            links = [(self.site.name(x, self.lang), self.href(x)) for p, x in shown if p == pred]
            if links:
                groups.append(
                    IncomingGroup(self.site.name(pred, self.lang), self.href(pred), len(by_pred[pred]), links)
                )
        return Incoming(total=len(flat), page=page, pages=pages, groups=groups)
