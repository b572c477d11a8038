"""A list view as data: CSV (RFC 4180, one row per entity) and JSON, with every matching row.

The same query parameters that filter and sort the HTML list select the rows, so a download is
exactly what the page shows, unpaged (as datasette's ``.csv`` and ``.json`` of a table view).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from twingraph.web.lists import FACETS, ListRow, ListView

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _facet_keys(row: ListRow, facet: str) -> str:
    return "; ".join(sorted(row.facets.get(facet, ())))


def list_csv(view: ListView) -> str:
    """The view's rows as CSV: IRI, name, the shown columns as text, the facets' keys.

    Several values in one cell are joined with ``"; "``.
    """
    facets = [f for f in FACETS if f in view.facets]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["iri", "label", *(c.var for c in view.columns), *facets])
    for row in view.every_row:
        cells = [row.cells[c.var].text for c in view.columns]
        writer.writerow([row.iri, row.label, *cells, *(_facet_keys(row, f) for f in facets)])
    return out.getvalue()


def list_json(view: ListView, filters: dict[str, str]) -> dict[str, Any]:
    """The view as a JSON object: counts, the filters applied, facet values with counts, every row."""
    rows = []
    for row in view.every_row:
        item: dict[str, Any] = {"iri": row.iri, "label": row.label}
        for column in view.columns:
            cell = row.cells[column.var]
            item[column.var] = cell.count if cell.count is not None else [text for text, _ in cell.items]
        for facet in view.facets:
            item[facet] = sorted(row.facets.get(facet, ()))
        rows.append(item)
    return {
        "type": view.rtype.segment,
        "total": view.total,
        "matching": view.matching,
        "filters": filters,
        "facets": {
            facet: [{"value": v.key, "label": v.text, "count": v.count} for v in values]
            for facet, values in view.facets.items()
        },
        "rows": rows,
    }
