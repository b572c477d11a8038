"""Comparable dates: every stated date keeps its precision and gets xsd:date bounds that queries use.

The graph states 30 days, 6 months and 5 years as event dates; compared as they are, a FILTER on
days drops the years and months, and ORDER BY puts "1988-12" before 1988-12-01. The bounds
(rules/12-date-bounds.rq) are what filters and sorts compare.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox

from twingraph.config import Settings
from twingraph.load import LoadedGraph
from twingraph.publish.dataset import read_dataset_info
from twingraph.queries import load_query

PREFIXES = (
    "PREFIX tg: <https://w3id.org/twingraph/ontology#>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)
XSD = "http://www.w3.org/2001/XMLSchema#"
RATIFICATION = "https://w3id.org/twingraph/id/event/dortmund-zwickau-1988-12-01-council-ratification"
SIGNING = "https://w3id.org/twingraph/id/event/dortmund-zwickau-1988-12-signing"


def _select(loaded: LoadedGraph, query: str) -> list[dict[str, str]]:
    result = loaded.store.query(PREFIXES + query, base_iri=loaded.ns.base)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def test_the_1960_filter_over_the_bounds_keeps_every_later_event(loaded: LoadedGraph) -> None:
    after = _select(
        loaded,
        "SELECT DISTINCT ?e WHERE { ?e a tg:Event ; tg:dateEarliest ?d "
        'FILTER(?d >= "1960-01-01"^^xsd:date) }',
    )
    # Stated dates as text: every event whose year is 1960 or later, whatever its precision.
    stated = _select(loaded, "SELECT DISTINCT ?e ?d WHERE { ?e a tg:Event ; tg:date ?d }")
    later = {r["e"] for r in stated if int(r["d"][:4]) >= 1960}
    assert {r["e"] for r in after} == later
    assert len(later) == 35
    # The same filter on the stated values drops the years and months (what the bounds are for).
    naive = _select(
        loaded, 'SELECT DISTINCT ?e WHERE { ?e a tg:Event ; tg:date ?d FILTER(?d >= "1960-01-01"^^xsd:date) }'
    )
    assert len(naive) < 35


def test_every_stated_date_keeps_its_precision_and_has_bounds(loaded: LoadedGraph) -> None:
    rows = _select(
        loaded,
        """SELECT ?s ?p ?d ?e ?l WHERE {
          VALUES (?p ?pe ?pl) { (tg:date tg:dateEarliest tg:dateLatest)
                                (tg:startDate tg:startEarliest tg:startLatest)
                                (tg:endDate tg:endEarliest tg:endLatest) }
          ?s ?p ?d . OPTIONAL { ?s ?pe ?e ; ?pl ?l } }""",
    )
    assert len(rows) > 100
    types = {r["d"]: len(r["d"]) for r in rows}
    assert {4, 7, 10} <= set(types.values())  # years, months and days stay as stated
    for row in rows:
        assert "e" in row and "l" in row, row
        # The bounds hold the stated value (and span every source's value where sources disagree).
        assert row["e"][: len(row["d"])] <= row["d"] <= row["l"][: len(row["d"])], row
    zwickau = [r for r in rows if r["s"] == SIGNING]
    assert [(r["d"], r["e"], r["l"]) for r in zwickau] == [("1988-12", "1988-12-01", "1988-12-31")]


def test_sorting_follows_the_bounds(loaded: LoadedGraph) -> None:
    rows = _select(
        loaded,
        """SELECT ?e WHERE { ?e tg:partnership <https://w3id.org/twingraph/id/partnership/dortmund-zwickau> ;
             tg:dateEarliest ?a ; tg:dateLatest ?b } ORDER BY ?a ?b""",
    )
    order = [r["e"] for r in rows]
    assert order.index(RATIFICATION) < order.index(SIGNING)


def test_office_terms_have_bounds(loaded: LoadedGraph) -> None:
    rows = _select(
        loaded,
        """SELECT ?t ?s ?e ?se ?el WHERE { ?t a tg:OfficeTerm ;
             tg:holder <https://w3id.org/twingraph/id/person/dietrich-keuning> ;
             tg:startDate ?s ; tg:endDate ?e ; tg:startEarliest ?se ; tg:endLatest ?el
             FILTER(?s = "1954-01-19"^^xsd:date) }""",
    )
    assert [(r["e"], r["se"], r["el"]) for r in rows] == [("1969", "1954-01-19", "1969-12-31")]


def test_every_example_and_page_query_that_reads_a_date_uses_the_bounds() -> None:
    root = Path(__file__).resolve().parents[2] / "src" / "twingraph" / "queries"
    for path in [*root.glob("examples/*.rq"), *root.glob("pages/*.rq")]:
        text = path.read_text(encoding="utf-8")
        if any(p in text for p in ("tg:date ", "tg:startDate", "tg:endDate")) and "ORDER BY" in text:
            assert any(b in text for b in ("Earliest", "Latest")), path.name


def test_the_timeline_example_lists_the_ratification_before_the_signing(loaded: LoadedGraph) -> None:
    text = load_query("pages/example-timeline")
    result = loaded.store.query(text, base_iri=loaded.ns.base)
    assert isinstance(result, ox.QuerySolutions)
    events = [row["event"].value for row in result if row["event"] is not None]  # type: ignore[union-attr]
    assert events.index(RATIFICATION) < events.index(SIGNING)


def test_the_csv_tables_give_the_bounds(release_settings: Settings) -> None:
    folder = release_settings.dist_dir / read_dataset_info(release_settings).version
    with (folder / "events.csv").open(encoding="utf-8") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    assert (rows[SIGNING]["date"], rows[SIGNING]["date_earliest"], rows[SIGNING]["date_latest"]) == (
        "1988-12",
        "1988-12-01",
        "1988-12-31",
    )
    assert all(r["date_earliest"] for r in rows.values() if r["date"])
