"""CSV tables for people who don't speak RDF, described by CSV on the Web (CSVW) metadata.

One table per kind of entity, one row per entity (its IRI in ``id``), one column per property, and
one value per cell. The values of many-valued properties (partners, events, sources, ...) are rows
of a long table beside it, ``<table>-values.csv`` (id, column, property, value): one row per value.
Where sources disagree on a value (a recorded tg:Conflict) the cell stays empty: each contested value
has a row of its own, with its source and confidence, in ``contested-values.csv`` (``contested``).
The columns are declared here once; the CSV files and ``csv-metadata.json`` are both written
from these declarations, and the values come from the published triples (the same lexical
forms as the RDF dumps).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twingraph.namespaces import PREFIXES, BaseNamespaces
from twingraph.publish.contested import CONTESTED_PROPERTIES, contested_cells

METADATA_FILE = "csv-metadata.json"
VALUES_HEADER = ("id", "column", "property", "value_iri", "value_text", "lang")
DATE_FORMAT = r"^-?[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
RDFS, OWL, PROV, RDF = PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["prov"], PREFIXES["rdf"]
WIKIDATA, GEONAMES = "http://www.wikidata.org/entity/", "https://sws.geonames.org/"


class TableError(Exception):
    """A value cannot be written to its CSV cell (a one-value column with several uncontested values)."""


@dataclass(frozen=True)
class Column:
    """One CSV column: the property it shows and how its values are typed and filtered."""

    name: str
    predicate: str  # a full IRI, or "tg:<local>" resolved against the ontology namespace
    description: str
    kind: str = "iri"  # iri | text | date | code | boolean
    lang: str = ""  # only literals in this language (label columns)
    prefix: str = ""  # only IRIs in this namespace (Wikidata, GeoNames columns)
    exclude: tuple[str, ...] = ()  # values left out (tg:Event in the events' type column)
    many: bool = False  # many-valued: its values are rows of <table>-values.csv, not a cell


@dataclass(frozen=True)
class Table:
    """One CSV file: the entities of a class (minus excluded classes), and its columns."""

    name: str
    cls: str
    title: str
    description: str
    columns: tuple[Column, ...]
    exclude_classes: tuple[str, ...] = field(default=())

    @property
    def file_name(self) -> str:
        """The CSV file's name."""
        return f"{self.name}.csv"

    @property
    def values_file_name(self) -> str:
        """The long table of the many-valued columns: one row per value."""
        return f"{self.name}-values.csv"

    @property
    def cell_columns(self) -> tuple[Column, ...]:
        """The one-value columns: the cells of the entity table."""
        return tuple(c for c in self.columns if not c.many)

    @property
    def many_columns(self) -> tuple[Column, ...]:
        """The many-valued columns: rows of the long table."""
        return tuple(c for c in self.columns if c.many)


LANGUAGES = {"en": "English", "de": "German", "fr": "French"}


def _labels() -> tuple[Column, Column]:
    # Every resource has a German or English label (modelling contract); labels in the partner
    # cities' languages (fr, ru, zh, ...) are in the RDF dumps only.
    return (
        Column("label_en", RDFS + "label", "Name in English.", "text", lang="en"),
        Column("label_de", RDFS + "label", "Name in German.", "text", lang="de"),
    )


def _texts(name: str, predicate: str, description: str) -> tuple[Column, ...]:
    """One column per language (en, de, fr) for a property whose values are language-tagged text."""
    return tuple(
        Column(f"{name}_{lang}", predicate, f"{description}, in {language}.", "text", lang=lang, many=True)
        for lang, language in LANGUAGES.items()
    )


def _bounds(name: str, stated: str) -> tuple[Column, Column]:
    """The comparable bounds of a stated date (xsd:date days; sort and filter by these)."""
    return (
        Column(
            f"{name}_earliest",
            f"tg:{name}Earliest",
            f"First day the stated {stated} can mean (xsd:date; spans every source's value).",
            "date",
        ),
        Column(
            f"{name}_latest",
            f"tg:{name}Latest",
            f"Last day the stated {stated} can mean (xsd:date; spans every source's value).",
            "date",
        ),
    )


SOURCES = Column(
    "sources", PROV + "wasDerivedFrom", "IRIs of the sources that state facts about the entity.", many=True
)
WIKIDATA_COLUMN = Column("wikidata", OWL + "sameAs", "Wikidata entity (owl:sameAs).", prefix=WIKIDATA)

TABLES: tuple[Table, ...] = (
    Table(
        "partnerships",
        "tg:Partnership",
        "Partnerships",
        "Town twinnings and other partnerships between cities, one row per partnership.",
        (
            *_labels(),
            Column(
                "kind",
                "tg:kind",
                "Kind of partnership (a concept IRI: twinning, friendship, ...).",
                many=True,
            ),
            Column("partners", "tg:partner", "IRIs of the partner cities.", many=True),
            Column("multilateral", "tg:multilateral", "Whether more than two cities take part.", "boolean"),
            Column(
                "start_date",
                "tg:startDate",
                "Start, at the precision the source gives (year, month or day).",
                "date",
            ),
            *_bounds("start", "start"),
            Column("end_date", "tg:endDate", "End, at the precision the source gives.", "date"),
            *_bounds("end", "end"),
            Column(
                "current_status", "tg:currentStatus", "Status of the latest status period (a concept IRI)."
            ),
            Column("charter", "tg:charter", "IRI of the charter document."),
            Column(
                "events",
                "tg:event",
                "IRIs of the dated events of the partnership (see events.csv).",
                many=True,
            ),
            Column("status_periods", "tg:statusPeriod", "IRIs of the status periods.", many=True),
            Column("preceded_by", "tg:precededBy", "Partnership this one grew out of."),
            Column("succeeded_by", "tg:succeededBy", "Partnership that followed this one."),
            SOURCES,
        ),
    ),
    Table(
        "cities",
        "tg:City",
        "Cities",
        "Cities taking part in partnerships, one row per city.",
        (
            *_labels(),
            Column("country_code", "tg:countryCode", "ISO 3166-1 alpha-2 code of the country.", "code"),
            WIKIDATA_COLUMN,
            Column("geonames", OWL + "sameAs", "GeoNames feature (owl:sameAs).", prefix=GEONAMES),
            Column(
                "twinned_with",
                "tg:twinnedWith",
                "Cities linked by a twinning or friendship (derived).",
                many=True,
            ),
            Column(
                "partnerships",
                "tg:partnerOf",
                "IRIs of the partnerships of the city (see partnerships.csv).",
                many=True,
            ),
            SOURCES,
        ),
    ),
    Table(
        "events",
        "tg:Event",
        "Events",
        "Dated steps in the life of a partnership, one row per event.",
        (
            Column(
                "type",
                RDF + "type",
                "Kind of event (an ontology class IRI: Signing, CouncilDecision, ...).",
                prefix="tg:",
                exclude=("tg:Event",),
            ),
            *_labels(),
            Column("partnership", "tg:partnership", "IRI of the partnership."),
            Column("date", "tg:date", "Date, at the precision the source gives.", "date"),
            *_bounds("date", "date"),
            Column("end_date", "tg:endOfEvent", "Last day of an event spanning several days.", "date"),
            Column("location", "tg:location", "IRI of the place or city where it happened."),
            Column("participants", "tg:participant", "IRIs of the people who took part.", many=True),
            Column(
                "acting_bodies",
                "tg:actingBody",
                "IRIs of the councils or organisations that acted.",
                many=True,
            ),
            SOURCES,
        ),
    ),
    Table(
        "people",
        "tg:Person",
        "People",
        "People involved in partnerships, one row per person.",
        (
            *_labels(),
            Column("birth_date", "tg:birthDate", "Date of birth, at the source's precision.", "date"),
            Column("death_date", "tg:deathDate", "Date of death, at the source's precision.", "date"),
            Column("birth_place", "tg:birthPlace", "IRI of the place of birth."),
            Column("death_place", "tg:deathPlace", "IRI of the place of death."),
            Column(
                "member_of",
                "tg:memberOf",
                "IRIs of organisations (parties) the person belonged to.",
                many=True,
            ),
            Column("pseudonym", "tg:pseudonym", "Pseudonyms (names without a language).", "text", many=True),
            *_texts("occupation", "tg:occupation", "Occupation, as the source words it"),
            *_texts("award", "tg:award", "Awards, as the source words them"),
            Column("terms", "tg:term", "IRIs of the person's terms of office.", many=True),
            WIKIDATA_COLUMN,
            SOURCES,
        ),
    ),
    Table(
        "schools",
        "tg:School",
        "Schools",
        "Schools in school partnerships, one row per school.",
        (
            *_labels(),
            Column("located_in", "tg:locatedIn", "IRI of the city the school is in."),
            WIKIDATA_COLUMN,
            SOURCES,
        ),
    ),
    Table(
        "school-partnerships",
        "tg:SchoolPartnership",
        "School partnerships",
        "Partnerships or contacts between two schools, one row per school partnership.",
        (
            *_labels(),
            Column("schools", "tg:partnerSchool", "IRIs of the two schools (see schools.csv).", many=True),
            Column("partnership", "tg:partnership", "IRI of the town twinning it belongs to."),
            Column("start_date", "tg:startDate", "Start, at the source's precision.", "date"),
            *_bounds("start", "start"),
            SOURCES,
        ),
    ),
    Table(
        "organisations",
        "tg:Organisation",
        "Organisations",
        "Associations, clubs, parties and institutions (schools are in schools.csv), one row each.",
        (
            *_labels(),
            Column("located_in", "tg:locatedIn", "IRI of the city the organisation is in."),
            Column("involved_in", "tg:involvedIn", "IRIs of the partnerships it carries.", many=True),
            WIKIDATA_COLUMN,
            SOURCES,
        ),
        exclude_classes=("tg:School",),
    ),
)


def iri_of(name: str, ns: BaseNamespaces) -> str:
    """A column's property or class as a full IRI ("tg:<local>" resolves against the ontology)."""
    return ns.tg + name[3:] if name.startswith("tg:") else name


Index = dict[str, dict[str, list[Any]]]


def index_by_subject(triples: Iterable[ox.Triple]) -> dict[str, dict[str, list[ox.NamedNode | ox.Literal]]]:
    """subject IRI -> predicate IRI -> objects (IRIs and literals)."""
    index: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode | ox.Literal):
            index[t.subject.value][t.predicate.value].append(t.object)
    return index


def table_predicates(ns: BaseNamespaces) -> set[str]:
    """Every property the tables and ``contested-values.csv`` read: all an index for them needs."""
    columns = {iri_of(column.predicate, ns) for table in TABLES for column in table.columns}
    return columns | {RDF + "type"} | {ns.tg + name for name in CONTESTED_PROPERTIES}


def cell(values: list[ox.NamedNode | ox.Literal], column: Column, ns: BaseNamespaces) -> list[str]:
    """The sorted values of one cell, after the column's language, namespace and exclusion filters."""
    prefix, exclude = iri_of(column.prefix, ns), {iri_of(e, ns) for e in column.exclude}
    out = set()
    for value in values:
        if isinstance(value, ox.Literal) and (value.language or "") != column.lang:
            continue
        if (column.kind == "iri") != isinstance(value, ox.NamedNode):
            continue
        if (prefix and not value.value.startswith(prefix)) or value.value in exclude:
            continue
        out.add(value.value)
    return sorted(out)


def _members(table: Table, index: Index, ns: BaseNamespaces) -> list[str]:
    """The entities of the table's class (minus its excluded classes), sorted by IRI."""
    cls, rdf_type = iri_of(table.cls, ns), RDF + "type"
    excluded = {iri_of(c, ns) for c in table.exclude_classes}
    found = []
    for subject in sorted(index):
        types = {t.value for t in index[subject].get(rdf_type, [])}
        if subject.startswith(ns.resource) and cls in types and not types & excluded:
            found.append(subject)
    return found


def table_rows(table: Table, index: Index, ns: BaseNamespaces) -> list[list[str]]:
    """Header and rows of one entity table, sorted by id: one value per cell.

    A contested value (a recorded conflict) leaves its cell empty; several uncontested values in a
    one-value column raise TableError naming the entity (the shapes let no such data through).
    """
    rows = [["id", *(c.name for c in table.cell_columns)]]
    contested = contested_cells(index, ns)
    for subject in _members(table, index, ns):
        row = [subject]
        for column in table.cell_columns:
            predicate = iri_of(column.predicate, ns)
            if (subject, predicate) in contested:
                row.append("")  # each value has its own row in contested-values.csv
                continue
            values = cell(index[subject].get(predicate, []), column, ns)
            if len(values) > 1:
                raise TableError(
                    f"{table.file_name}: <{subject}> has {len(values)} values in the one-value column "
                    f"{column.name} ({' / '.join(values)}); record a tg:Conflict, or declare the column many"
                )
            row.append(values[0] if values else "")
        rows.append(row)
    return rows


def values_rows(table: Table, index: Index, ns: BaseNamespaces) -> list[list[str]]:
    """Header and rows of the table's long table: one row per value of a many-valued column."""
    rows = [list(VALUES_HEADER)]
    for subject in _members(table, index, ns):
        for column in table.many_columns:
            predicate = iri_of(column.predicate, ns)
            for value in cell(index[subject].get(predicate, []), column, ns):
                iri, text = (value, "") if column.kind == "iri" else ("", value)
                rows.append([subject, column.name, predicate, iri, text, column.lang])
    return rows


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def write_table(table: Table, index: Index, folder: Path, ns: BaseNamespaces) -> int:
    """Write the entity table and its long table (UTF-8, RFC 4180 line ends); return the entities."""
    rows = table_rows(table, index, ns)
    _write_csv(folder / table.file_name, rows)
    if table.many_columns:
        _write_csv(folder / table.values_file_name, values_rows(table, index, ns))
    return len(rows) - 1
