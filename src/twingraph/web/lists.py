"""Lists per resource type, as datasette shows tables: facets (country, kind, status, decade, source),
sorting, paging, and the same view as CSV and JSON. One query of columns and one of facets per type."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from twingraph.queries import load_query
from twingraph.store import Store, Term
from twingraph.store.base import term_text
from twingraph.web.i18n import Language
from twingraph.web.labels import SiteData
from twingraph.web.search import fold
from twingraph.web.uris import ResourceType, UriScheme

PAGE_SIZE = 100
# The facets every list may offer, in the order the filter form shows them (each a query parameter).
FACETS = ("country", "kind", "status", "decade", "source")


@dataclass(frozen=True)
class Column:
    """A column of a list: the query variable, its UI string, and whether it is a count."""

    var: str
    title: str
    count: bool = False


@dataclass(frozen=True)
class ListSpec:
    """How one type is listed: its columns and the query of its facet values (``facets-<type>.rq``)."""

    query: str
    columns: tuple[Column, ...]
    default_sort: str = "label"
    facet_query: str | None = None


SPECS: dict[str, ListSpec] = {
    "partnership": ListSpec(
        "pages/list-partnership",
        (
            Column("partners", "partners"),
            Column("kind", "kind"),
            Column("start", "start"),
            Column("status", "status"),
        ),
        "start",
        "pages/facets-partnership",
    ),
    "city": ListSpec(
        "pages/list-city",
        (Column("country", "country"), Column("partnerships", "partnerships", count=True)),
        facet_query="pages/facets-city",
    ),
    "person": ListSpec(
        "pages/list-person",
        (Column("born", "born"), Column("died", "died"), Column("office", "properties")),
        facet_query="pages/facets-person",
    ),
    "school": ListSpec(
        "pages/list-school",
        (Column("city", "city"), Column("partnerships", "partnerships", count=True)),
        facet_query="pages/facets-school",
    ),
    "event": ListSpec(
        "pages/list-event",
        (Column("date", "date"), Column("type", "type"), Column("partnership", "partnerships")),
        "date",
        "pages/facets-event",
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

    @property
    def text(self) -> str:
        """The cell as one string (what CSV holds)."""
        return str(self.count) if self.count is not None else "; ".join(text for text, _ in self.items)


@dataclass
class ListRow:
    """One entity of a list: its cells, and its facet values as stable keys (``FR``, ``1960``, a slug)."""

    iri: str
    label: str
    href: str | None
    cells: dict[str, Cell]
    facets: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: its key in the URL, its name in the reader's language, how many rows have it."""

    key: str
    text: str
    count: int


@dataclass
class ListView:
    """A sorted, filtered list, one page of it, and its facets with counts over the filtered rows."""

    rtype: ResourceType
    columns: tuple[Column, ...]
    rows: list[ListRow]
    total: int
    matching: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    every_row: list[ListRow] = field(default_factory=list)  # all matching rows, sorted (for downloads)


@dataclass
class ListData:
    """What the cache keeps per type and language: the rows and the names of the facet keys."""

    rows: list[ListRow]
    names: dict[str, dict[str, str]]


def _text(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, site: SiteData, lang: Language
) -> tuple[str, str | None]:
    if isinstance(term, ox.NamedNode):
        return site.name(term.value, lang), site.uris.local_path(term.value)
    return (term.value if isinstance(term, ox.Literal) else str(term)), None


def facet_key(facet: str, value: str) -> str:
    """The key of a facet value in URLs: a country code, a decade, or the last segment of an IRI.

    >>> facet_key("decade", "1978-06"), facet_key("kind", "https://w3id.org/twingraph/id/concept/twinning")
    ('1970', 'twinning')
    >>> facet_key("country", "FR"), facet_key("decade", "about 1960")
    ('FR', '')
    """
    if facet == "decade":
        year = value[:4]
        return f"{int(year) // 10 * 10}" if year.isdigit() else ""
    if value.startswith(("http://", "https://")):
        return value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return value


def _facet_name(facet: str, key: str, iri: str | None, site: SiteData, lang: Language) -> str:
    if facet == "country":
        return str(lang.locale.territories.get(key, key))
    if facet == "decade":
        return lang.text("decade_of", decade=key)
    return site.name(iri, lang) if iri else key


def list_rows(store: Store, site: SiteData, lang: Language, rtype: ResourceType) -> ListData:
    """Every entity of type ``rtype`` with its cells and facets, unsorted (what the cache keeps)."""
    spec = SPECS.get(rtype.segment, GENERIC)
    uris = UriScheme(site.uris.base)
    values: dict[str, dict[str, set[tuple[str, str | None]]]] = defaultdict(lambda: defaultdict(set))
    facets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    names: dict[str, dict[str, str]] = defaultdict(dict)
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
    found: list[tuple[str, str, str]] = []
    if spec.facet_query:
        found += [
            (term_text(r["item"]), term_text(r["facet"]), term_text(r["value"]))
            for r in store.select(load_query(spec.facet_query))
        ]
    found += [
        (term_text(r["item"]), "source", term_text(r["value"]))
        for r in store.select(load_query("pages/facets-source"), bindings)
    ]
    for item, facet, value in found:
        facet = "decade" if facet == "date" else facet
        key = facet_key(facet, value)
        if item in values and key:
            facets[item][facet].add(key)
            if key not in names[facet]:
                iri = value if value.startswith(("http://", "https://")) else None
                names[facet][key] = _facet_name(facet, key, iri, site, lang)
    rows = []
    for iri, cols in values.items():
        cells: dict[str, Cell] = {}
        for column in spec.columns:
            items = sorted(cols.get(column.var, set()), key=lambda v: v[0])
            cells[column.var] = Cell(count=len(items)) if column.count else Cell(items=items)
            bounds = cols.get(f"{column.var}:bounds")
            if bounds:
                cells[column.var].bounds = min(text for text, _ in bounds)
        rows.append(
            ListRow(iri, site.name(iri, lang), uris.local_path(iri), cells, dict(facets.get(iri, {})))
        )
    return ListData(rows, dict(names))


def build_list(
    data: ListData,
    rtype: ResourceType,
    *,
    text: str = "",
    filters: dict[str, str] | None = None,
    sort: str = "",
    descending: bool = False,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ListView:
    """The rows filtered by label text and facets, sorted by a column, one page of them.

    Facet counts are taken over the rows the other filters leave (as datasette counts them), so that
    each count says how many rows choosing that value would show.
    """
    spec = SPECS.get(rtype.segment, GENERIC)
    rows = data.rows
    total = len(rows)
    folded = fold(text)
    if folded:
        rows = [r for r in rows if folded in fold(r.label)]
    wanted = {k: v for k, v in (filters or {}).items() if k in FACETS and v}
    facets: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        if facet not in data.names:
            continue
        others = [r for r in rows if all(v in r.facets.get(k, ()) for k, v in wanted.items() if k != facet)]
        counts = Counter(key for r in others for key in r.facets.get(facet, ()))
        names = data.names[facet]
        ordered = sorted(counts, key=lambda k: k if facet == "decade" else fold(names.get(k) or k))
        facets[facet] = [FacetValue(k, names.get(k, k), counts[k]) for k in ordered]
    rows = [r for r in rows if all(v in r.facets.get(k, ()) for k, v in wanted.items())]
    key = sort if sort in {c.var for c in spec.columns} | {"label"} else spec.default_sort
    if key == "label":
        rows = sorted(rows, key=lambda r: fold(r.label), reverse=descending)
    else:
        # Rows without a value go last whichever the direction.
        filled: list[ListRow] = []
        empty: list[ListRow] = []
        for r in rows:
            (filled if r.cells[key].items or r.cells[key].count else empty).append(r)
        filled.sort(key=lambda r: (r.cells[key].sort_text, fold(r.label)), reverse=descending)
        rows = filled + sorted(empty, key=lambda r: fold(r.label))
    matching = len(rows)
    pages = max(1, -(-matching // page_size))
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * page_size : page * page_size]
    return ListView(rtype, spec.columns, shown, total, matching, page, pages, facets, rows)
