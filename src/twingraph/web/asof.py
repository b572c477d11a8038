"""``/as-of/<year>``: the partnerships active in a year with their status then (HTML, JSON, CSV).

Built on the status periods (``tg:StatusPeriod``: a partnership's status from a start date to an end
date) by ``queries/versions/as-of.rq``; the rules for imprecise and unknown dates are in that query
and in docs/versions.md. The same question as an example query: ``queries/examples/18-as-of-1975.rq``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import NotFound

from twingraph.queries import load_query
from twingraph.store.base import Row
from twingraph.web import get_store

bp = Blueprint("asof", __name__)
FIRST_YEAR, LAST_YEAR = 1, 9999  # four-digit years: the query compares the first four characters
COLUMNS = ("partnership", "name", "status", "status_name", "start", "end", "period")


@dataclass(frozen=True)
class ActiveRow:
    """A partnership in a status period that overlaps the year."""

    partnership: str
    name: str
    status: str
    status_name: str
    start: str
    end: str
    period: str


def active_in(year: int) -> list[ActiveRow]:
    """The status periods overlapping ``year``, by partnership name."""
    rows = get_store().select(
        load_query("versions/as-of"), {"year": ox.Literal(str(year), datatype=_INTEGER)}
    )

    def text(row: Row, key: str) -> str:
        term = row.get(key)
        return str(term.value) if isinstance(term, ox.NamedNode | ox.Literal) else ""

    return [
        ActiveRow(
            *(text(r, k) for k in ("partnership", "name", "status", "statusName", "start", "end", "period"))
        )
        for r in rows
    ]


_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@bp.get("/as-of/<int:year>")
@bp.get("/as-of/<int:year>.<any(json, csv, html):suffix>")
def as_of(year: int, suffix: str | None = None) -> Response:
    """The partnerships of ``year``: HTML, JSON or CSV by suffix or ``Accept``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    rows = active_in(year)
    if suffix is None:
        best = (
            request.accept_mimetypes.best_match(["text/html", "application/json", "text/csv"]) or "text/html"
        )
        suffix = {"application/json": "json", "text/csv": "csv"}.get(best, "html")
        vary = True
    else:
        vary = False
    if suffix == "json":
        response = jsonify({"year": year, "partnerships": [asdict(r) for r in rows]})
    elif suffix == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows([[getattr(r, c) for c in COLUMNS] for r in rows])
        response = Response(out.getvalue(), content_type="text/csv; charset=utf-8; header=present")
    else:
        body = render_template("asof.html", year=year, rows=rows, local=_local_path)
        response = Response(body, mimetype="text/html")
    if vary:
        response.vary.add("Accept")
    return response


def _local_path(iri: str) -> str:
    """The page of a resource IRI on this site (``/doc/...``), as the pages link them."""
    marker = "/id/"
    return "/doc/" + iri.split(marker, 1)[1] if marker in iri else iri
