"""CSV on the Web (CSVW) metadata of the CSV tables: ``csv-metadata.json``.

Written from the same column declarations as the tables (``twingraph.publish.tables``), so that a CSVW
parser reads every cell back as the triple it came from: the entity tables one value per cell, the
long tables (``<table>-values.csv``) one triple per row through URI templates on the property column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from twingraph.namespaces import BaseNamespaces
from twingraph.publish.contested import FILE_NAME as CONTESTED_FILE
from twingraph.publish.tables import DATE_FORMAT, METADATA_FILE, TABLES, Column, Table, iri_of


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
        "propertyUrl": iri_of(column.predicate, ns),
        "datatype": _datatype(column),
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
            "valueUrl": iri_of(table.cls, ns),
        }
        tables.append(
            {
                "url": table.file_name,
                "dc:title": table.title,
                "dc:description": table.description,
                "tableSchema": {
                    "columns": [
                        id_column,
                        *(_column_metadata(c, ns) for c in table.cell_columns),
                        type_column,
                    ],
                    "primaryKey": "id",
                    "aboutUrl": "{+id}",
                },
            }
        )
        if table.many_columns:
            tables.append(_values_metadata(table))
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "dc:title": f"{title}: tables",
        "dc:license": {"@id": license_iri},
        "dc:issued": issued,
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n"]},
        "tables": [*tables, *extra_tables],
    }


def _values_metadata(table: Table) -> dict[str, Any]:
    """CSVW description of a long table: each row is one triple (id, property, value)."""
    names = ", ".join(c.name for c in table.many_columns)

    def column(name: str, description: str, datatype: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "titles": name, "dc:description": description, "datatype": datatype, **extra}

    return {
        "url": table.values_file_name,
        "dc:title": f"{table.title}: many-valued properties",
        "dc:description": (
            f"The values of the many-valued properties of {table.file_name} ({names}), one row per value."
        ),
        "tableSchema": {
            "columns": [
                column(
                    "id",
                    f"IRI of the entity (a row of {table.file_name}).",
                    "anyURI",
                    required=True,
                    suppressOutput=True,
                ),
                column("column", "Which property, by its column name.", "string", suppressOutput=True),
                column("property", "IRI of the property.", "anyURI", suppressOutput=True),
                column(
                    "value_iri",
                    "The value, when it is an IRI.",
                    "anyURI",
                    propertyUrl="{+property}",
                    valueUrl="{+value_iri}",
                ),
                column(
                    "value_text",
                    "The value, when it is text (language in lang).",
                    "string",
                    propertyUrl="{+property}",
                ),
                column("lang", "Language of a text value.", "string", suppressOutput=True),
            ],
            "aboutUrl": "{+id}",
            "foreignKeys": [
                {"columnReference": "id", "reference": {"resource": table.file_name, "columnReference": "id"}}
            ],
        },
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
