"""Lists per resource type, with sorting and filtering: one query per type, one table of columns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from twingraph.queries import load_query
from twingraph.store import Store, Term
from twingraph.web.i18n import Language
from twingraph.web.labels import SiteData, term_text
from twingraph.web.search import fold
from twingraph.web.uris import ResourceType, UriScheme

PAGE_SIZE = 100


@dataclass(frozen=True)
class Column:
    """A column of a list: the query variable, its UI string, and whether it is a count or a facet."""

    var: str
    title: str
    count: bool = False
    facet: bool = False


@dataclass(frozen=True)
class ListSpec:
    """How one type is listed."""

    query: str
    columns: tuple[Column, ...]
    default_sort: str = "label"


SPECS: dict[str, ListSpec] = {
    "partnership": ListSpec(
        "pages/list-partnership",
        (
            Column("partners", "partners"),
            Column("kind", "kind", facet=True),
            Column("start", "start"),
            Column("status", "status", facet=True),
        ),
        "start",
    ),
    "city": ListSpec(
        "pages/list-city",
        (Column("country", "country", facet=True), Column("partnerships", "partnerships", count=True)),
    ),
    "person": ListSpec(
        "pages/list-person", (Column("born", "born"), Column("died", "died"), Column("office", "properties"))
    ),
    "school": ListSpec(
        "pages/list-school",
        (Column("city", "city", facet=True), Column("partnerships", "partnerships", count=True)),
    ),
    "event": ListSpec(
        "pages/list-event",
        (Column("date", "date"), Column("type", "type", facet=True), Column("partnership", "partnerships")),
        "date",
    ),
}
GENERIC = ListSpec("pages/list-generic", ())


@dataclass
class Cell:
    """The values of one column in one row: (text, link) pairs, or a count."""

    items: list[tuple[str, str | None]] = field(default_factory=list)
    count: int | None = None
    bounds: str = ""  # "<earliest>/<latest>" xsd:dates of a date column: what it sorts by

    @property
    def sort_text(self) -> str:
        """What the column sorts by."""
        if self.count is not None:
            return f"{self.count:09d}"
        if self.bounds:
            return self.bounds  # "1988-12" sorts after 1988-12-01 by its bounds, not as text
        return " ".join(sorted(fold(text) if not text[:1].isdigit() else text for text, _ in self.items))


@dataclass
class ListRow:
    """One entity of a list."""

    iri: str
    label: str
    href: str | None
    cells: dict[str, Cell]


@dataclass
class ListView:
    """A sorted, filtered, paged list and its filter options."""

    rtype: ResourceType
    columns: tuple[Column, ...]
    rows: list[ListRow]
    total: int
    matching: int
    page: int
    pages: int
    facets: dict[str, list[str]]


def _text(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, site: SiteData, lang: Language
) -> tuple[str, str | None]:
    if isinstance(term, ox.NamedNode):
        return site.name(term.value, lang), site.uris.local_path(term.value)
    return (term.value if isinstance(term, ox.Literal) else str(term)), None


def list_rows(store: Store, site: SiteData, lang: Language, rtype: ResourceType) -> list[ListRow]:
    """Every entity of type ``rtype`` with its cells, unsorted (what the cache keeps)."""
    spec = SPECS.get(rtype.segment, GENERIC)
    uris = UriScheme(site.uris.base)
    values: dict[str, dict[str, set[tuple[str, str | None]]]] = defaultdict(lambda: defaultdict(set))
    # Every entity gets a row, with or without details (two plain queries: a UNION with an empty
    # branch makes Oxigraph join the slow way).
    bindings: dict[str, Term] = {"class": ox.NamedNode(uris.class_iri(rtype))}
    for row in store.select(load_query(GENERIC.query), bindings):
        values.setdefault(term_text(row["item"]), defaultdict(set))
    if spec.columns:
        for row in store.select(load_query(spec.query)):
            item = term_text(row["item"])
            if item in values:
                values[item][term_text(row["column"])].add(_text(row["value"], site, lang))
    rows = []
    for iri, cols in values.items():
        cells: dict[str, Cell] = {}
        for column in spec.columns:
            found = sorted(cols.get(column.var, set()), key=lambda v: v[0])
            cells[column.var] = Cell(count=len(found)) if column.count else Cell(items=found)
            bounds = cols.get(f"{column.var}:bounds")
            if bounds:
                cells[column.var].bounds = min(text for text, _ in bounds)
        rows.append(ListRow(iri, site.name(iri, lang), uris.local_path(iri), cells))
    return rows


def build_list(
    rows: list[ListRow],
    rtype: ResourceType,
    *,
    text: str = "",
    filters: dict[str, str] | None = None,
    sort: str = "",
    descending: bool = False,
    page: int = 1,
) -> ListView:
    """The rows filtered by label text and facets, sorted by a column, one page of them."""
    spec = SPECS.get(rtype.segment, GENERIC)
    total = len(rows)
    facets = {
        c.var: sorted({text for r in rows for text, _ in r.cells[c.var].items}, key=fold)
        for c in spec.columns
        if c.facet
    }
    folded = fold(text)
    if folded:
        rows = [r for r in rows if folded in fold(r.label)]
    for var, wanted in (filters or {}).items():
        if var in facets and wanted:
            rows = [r for r in rows if any(t == wanted for t, _ in r.cells[var].items)]
    key = sort if sort in {c.var for c in spec.columns} | {"label"} else spec.default_sort
    if key == "label":
        rows.sort(key=lambda r: fold(r.label), reverse=descending)
    else:
        # Rows without a value go last whichever the direction.
        filled: list[ListRow] = []
        empty: list[ListRow] = []
        for r in rows:
            (filled if r.cells[key].items or r.cells[key].count else empty).append(r)
        filled.sort(key=lambda r: (r.cells[key].sort_text, fold(r.label)), reverse=descending)
        rows = filled + sorted(empty, key=lambda r: fold(r.label))
    matching = len(rows)
    pages = max(1, -(-matching // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return ListView(rtype, spec.columns, shown, total, matching, page, pages, facets)
