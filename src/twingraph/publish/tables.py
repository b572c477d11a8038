"""CSV tables for people who don't speak RDF, described by CSV on the Web (CSVW) metadata.

One table per kind of entity, one row per entity (its IRI in ``id``), one column per property.
A cell of a many-valued property (partners, sources, ...) holds its values sorted and joined by the
column's separator, which the CSVW metadata declares, so a CSVW parser splits them again. Where
sources disagree on a value (a recorded tg:Conflict) the cell stays empty: each contested value has
a row of its own, with its source and confidence, in ``contested-values.csv`` (``contested``).
The columns are declared here once; the CSV files and ``csv-metadata.json`` are both written
from these declarations, and the values come from the published triples (the same lexical
forms as the RDF dumps).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twingraph.namespaces import PREFIXES, BaseNamespaces
from twingraph.publish.contested import FILE_NAME as CONTESTED_FILE
from twingraph.publish.contested import contested_cells

METADATA_FILE = "csv-metadata.json"
IRI_SEPARATOR = " "
TEXT_SEPARATOR = " | "
DATE_FORMAT = r"^-?[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
RDFS, OWL, PROV, RDF = PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["prov"], PREFIXES["rdf"]
WIKIDATA, GEONAMES = "http://www.wikidata.org/entity/", "https://sws.geonames.org/"


class TableError(Exception):
    """A value cannot be written to its CSV column (it holds the column's separator)."""


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

    @property
    def separator(self) -> str:
        """Separator of several values in one cell."""
        return TEXT_SEPARATOR if self.kind == "text" else IRI_SEPARATOR


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
        Column(f"{name}_{lang}", predicate, f"{description}, in {language}.", "text", lang=lang)
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


SOURCES = Column("sources", PROV + "wasDerivedFrom", "IRIs of the sources that state facts about the entity.")
WIKIDATA_COLUMN = Column("wikidata", OWL + "sameAs", "Wikidata entity (owl:sameAs).", prefix=WIKIDATA)

TABLES: tuple[Table, ...] = (
    Table(
        "partnerships",
        "tg:Partnership",
        "Partnerships",
        "Town twinnings and other partnerships between cities, one row per partnership.",
        (
            *_labels(),
            Column("kind", "tg:kind", "Kind of partnership (a concept IRI: twinning, friendship, ...)."),
            Column("partners", "tg:partner", "IRIs of the partner cities."),
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
            Column("events", "tg:event", "IRIs of the dated events of the partnership (see events.csv)."),
            Column("status_periods", "tg:statusPeriod", "IRIs of the status periods."),
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
            Column("twinned_with", "tg:twinnedWith", "Cities linked by a twinning or friendship (derived)."),
            Column(
                "partnerships", "tg:partnerOf", "IRIs of the partnerships of the city (see partnerships.csv)."
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
            Column("participants", "tg:participant", "IRIs of the people who took part."),
            Column("acting_bodies", "tg:actingBody", "IRIs of the councils or organisations that acted."),
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
            Column("member_of", "tg:memberOf", "IRIs of organisations (parties) the person belonged to."),
            Column("pseudonym", "tg:pseudonym", "Pseudonyms (names without a language).", "text"),
            *_texts("occupation", "tg:occupation", "Occupation, as the source words it"),
            *_texts("award", "tg:award", "Awards, as the source words them"),
            Column("terms", "tg:term", "IRIs of the person's terms of office."),
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
            Column("schools", "tg:partnerSchool", "IRIs of the two schools (see schools.csv)."),
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
            Column("involved_in", "tg:involvedIn", "IRIs of the partnerships it carries."),
            WIKIDATA_COLUMN,
            SOURCES,
        ),
        exclude_classes=("tg:School",),
    ),
)


def _iri(name: str, ns: BaseNamespaces) -> str:
    return ns.tg + name[3:] if name.startswith("tg:") else name


def index_by_subject(triples: Iterable[ox.Triple]) -> dict[str, dict[str, list[ox.NamedNode | ox.Literal]]]:
    """subject IRI -> predicate IRI -> objects (IRIs and literals)."""
    index: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode | ox.Literal):
            index[t.subject.value][t.predicate.value].append(t.object)
    return index


def cell(values: list[ox.NamedNode | ox.Literal], column: Column, ns: BaseNamespaces) -> list[str]:
    """The sorted values of one cell, after the column's language, namespace and exclusion filters."""
    prefix, exclude = _iri(column.prefix, ns), {_iri(e, ns) for e in column.exclude}
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


def table_rows(table: Table, index: dict[str, dict[str, list[Any]]], ns: BaseNamespaces) -> list[list[str]]:
    """Header and rows of one table, sorted by id; raise TableError when a value holds its separator."""
    cls, rdf_type = _iri(table.cls, ns), RDF + "type"
    excluded = {_iri(c, ns) for c in table.exclude_classes}
    rows = [["id", *(c.name for c in table.columns)]]
    contested = contested_cells(index, ns)
    for subject in sorted(index):
        types = {t.value for t in index[subject].get(rdf_type, [])}
        if not subject.startswith(ns.resource) or cls not in types or types & excluded:
            continue
        row = [subject]
        for column in table.columns:
            predicate = _iri(column.predicate, ns)
            if (subject, predicate) in contested:
                row.append("")  # each value has its own row in contested-values.csv
                continue
            values = cell(index[subject].get(predicate, []), column, ns)
            for value in values:
                if column.separator in value:
                    raise TableError(
                        f"{table.file_name}: <{subject}> {column.name} value {value!r} contains the "
                        f"column's separator {column.separator!r}; a CSVW parser could not split it"
                    )
            row.append(column.separator.join(values))
        rows.append(row)
    return rows


def write_table(
    table: Table, index: dict[str, dict[str, list[Any]]], folder: Path, ns: BaseNamespaces
) -> int:
    """Write one CSV file (UTF-8, RFC 4180 line ends); return its number of rows."""
    rows = table_rows(table, index, ns)
    with (folder / table.file_name).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return len(rows) - 1


def _datatype(column: Column) -> Any:
    if column.kind == "iri":
        return "anyURI"
    if column.kind == "boolean":
        return "boolean"
    if column.kind == "date":
        return {
            "base": "string",
            "format": DATE_FORMAT,
            "dc:description": "xsd:date, xsd:gYearMonth or xsd:gYear, as precise as the source",
        }
    return "string"


def _column_metadata(column: Column, ns: BaseNamespaces) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": column.name,
        "titles": column.name,
        "dc:description": f"{column.description} Empty where sources disagree: see {CONTESTED_FILE}.",
        "propertyUrl": _iri(column.predicate, ns),
        "datatype": _datatype(column),
        "separator": column.separator,
    }
    if column.lang:
        meta["lang"] = column.lang
    return meta


def metadata(
    ns: BaseNamespaces,
    title: str,
    license_iri: str,
    issued: str,
    extra_tables: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The CSVW metadata document describing every table (``csv-metadata.json``)."""
    tables: list[dict[str, Any]] = []
    for table in TABLES:
        id_column = {
            "name": "id",
            "titles": "id",
            "dc:description": "IRI of the entity.",
            "datatype": "anyURI",
            "required": True,
            "suppressOutput": True,
        }
        type_column = {
            "name": "class",
            "virtual": True,
            "propertyUrl": "rdf:type",
            "valueUrl": _iri(table.cls, ns),
        }
        tables.append(
            {
                "url": table.file_name,
                "dc:title": table.title,
                "dc:description": table.description,
                "tableSchema": {
                    "columns": [id_column, *(_column_metadata(c, ns) for c in table.columns), type_column],
                    "primaryKey": "id",
                    "aboutUrl": "{+id}",
                },
            }
        )
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "dc:title": f"{title}: tables",
        "dc:license": {"@id": license_iri},
        "dc:issued": issued,
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n"]},
        "tables": [*tables, *extra_tables],
    }


def write_metadata(
    folder: Path,
    ns: BaseNamespaces,
    title: str,
    license_iri: str,
    issued: str,
    extra_tables: Sequence[dict[str, Any]] = (),
) -> None:
    """Write ``csv-metadata.json`` beside the tables (``extra_tables``: further CSVW table descriptions)."""
    document = metadata(ns, title, license_iri, issued, extra_tables)
    (folder / METADATA_FILE).write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
