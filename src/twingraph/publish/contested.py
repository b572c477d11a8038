"""The contested values as a CSV table of their own: one row per value, with its source and confidence.

Where sources disagree (a recorded tg:Conflict), the entity tables leave the cell empty rather than
put "1977 1978" in it: a reader would take the low-confidence value for as solid as the other. Each
value gets a row here instead, read from the claim nodes the build derives
(``rules/70-conflict-claims.rq``), so the table and the RDF dumps say the same thing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twingraph.namespaces import BaseNamespaces

FILE_NAME = "contested-values.csv"
HEADER = ("claim", "conflict", "subject", "property", "value", "datatype", "source", "confidence")

Index = dict[str, dict[str, list[ox.NamedNode | ox.Literal]]]
# The properties the contested-values table reads (local names in the ontology's namespace).
CONTESTED_PROPERTIES = (
    "conflictSubject",
    "conflictProperty",
    "claim",
    "claimValue",
    "claimSource",
    "confidence",
)


def contested_cells(index: Index, ns: BaseNamespaces) -> set[tuple[str, str]]:
    """(subject IRI, property IRI) of every recorded conflict: the cells the entity tables leave empty."""
    subject_p, property_p = (ns.tg + name for name in CONTESTED_PROPERTIES[:2])
    return {
        (s.value, p.value)
        for props in index.values()
        for s in props.get(subject_p, [])
        for p in props.get(property_p, [])
    }


def _one(props: dict[str, list[ox.NamedNode | ox.Literal]], predicate: str) -> str:
    values = sorted(v.value for v in props.get(predicate, []))
    return values[0] if values else ""


def contested_rows(index: Index, ns: BaseNamespaces) -> list[list[str]]:
    """Header and one row per claim (value of a contested fact), sorted by conflict and claim."""
    rows = []
    for conflict, props in index.items():
        for claim in props.get(ns.tg + "claim", []):
            c = index.get(claim.value, {})
            for value in c.get(ns.tg + "claimValue", []):
                datatype = value.datatype.value if isinstance(value, ox.Literal) else ""
                rows.append(
                    [
                        claim.value,
                        conflict,
                        _one(props, ns.tg + "conflictSubject"),
                        _one(props, ns.tg + "conflictProperty"),
                        value.value,
                        datatype,
                        _one(c, ns.tg + "claimSource"),
                        _one(c, ns.tg + "confidence"),
                    ]
                )
    return [list(HEADER), *sorted(rows, key=lambda r: (r[1], r[0], r[4]))]


def write_contested(index: Index, folder: Path, ns: BaseNamespaces) -> int:
    """Write ``contested-values.csv`` (UTF-8, CRLF); return its number of rows."""
    rows = contested_rows(index, ns)
    with (folder / FILE_NAME).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return len(rows) - 1


def contested_metadata(ns: BaseNamespaces) -> dict[str, Any]:
    """The CSVW description of ``contested-values.csv``: each row describes a claim node."""

    def plain(name: str, description: str, datatype: str = "anyURI") -> dict[str, Any]:
        # Only value, source and confidence become triples of the claim; the rest is for readers.
        shown = name in ("value", "source", "confidence")
        column = {"name": name, "titles": name, "dc:description": description, "datatype": datatype}
        return column if shown else {**column, "suppressOutput": True}

    return {
        "url": FILE_NAME,
        "dc:title": "Contested values",
        "dc:description": (
            "One row per value of a contested fact (a recorded tg:Conflict), with the source that "
            "states it and that source's confidence; the entity tables leave such cells empty."
        ),
        "tableSchema": {
            "columns": [
                {**plain("claim", "IRI of the claim (a tg:Claim under its conflict)."), "required": True},
                {**plain("conflict", "IRI of the tg:Conflict.")},
                {**plain("subject", "IRI of the resource the sources disagree on.")},
                {**plain("property", "IRI of the property they disagree on.")},
                {
                    **plain("value", "The value this source states (lexical form, or an IRI).", "string"),
                    "propertyUrl": ns.tg + "claimValue",
                },
                {**plain("datatype", "Datatype IRI of a literal value; empty for an IRI.")},
                {
                    **plain("source", "IRI of the source (tg:Source) that states the value."),
                    "propertyUrl": ns.tg + "claimSource",
                    "valueUrl": "{+source}",
                },
                {
                    **plain("confidence", "Confidence of the research notes in that source."),
                    "propertyUrl": ns.tg + "confidence",
                    "valueUrl": "{+confidence}",
                },
                {"name": "class", "virtual": True, "propertyUrl": "rdf:type", "valueUrl": ns.tg + "Claim"},
            ],
            "primaryKey": "claim",
            "aboutUrl": "{+claim}",
        },
    }
