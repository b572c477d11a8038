"""Questions a reader of the seed page would ask, answered with SPARQL over the built graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from twingraph.load import LoadedGraph

QUESTIONS = Path(__file__).parent / "questions"


def ask(loaded: LoadedGraph, name: str) -> list[dict[str, str]]:
    """Run ``questions/<name>.rq`` over the union graph; values as plain strings (IRIs made relative)."""
    query = (QUESTIONS / f"{name}.rq").read_text(encoding="utf-8")
    solutions = loaded.store.query(query, base_iri=loaded.ns.base)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for n in names:
            term = solution[n]
            if term is not None:
                row[n] = term.value.removeprefix(loaded.ns.base)
        rows.append(row)
    return rows


def test_who_proclaimed_amiens_where_and_when(loaded: LoadedGraph) -> None:
    rows = ask(loaded, "amiens-proclamation")
    assert {r["date"] for r in rows} == {"1960-04-02"}
    assert {r["person"] for r in rows} == {"Dietrich Keuning", "Maurice Vast"}
    assert all("Goldsaal" in r["place"] for r in rows)


def test_how_many_twin_cities(loaded: LoadedGraph) -> None:
    assert ask(loaded, "twin-city-count") == [{"n": "11"}]


def test_which_partnership_is_dormant(loaded: LoadedGraph) -> None:
    assert ask(loaded, "dormant") == [
        {
            "partnership": "id/partnership/dortmund-rostov-on-don",
            "since": "2022-03-31",
            "decisionDate": "2022-03-31",
        }
    ]


def test_which_schools_are_paired_since_when(loaded: LoadedGraph) -> None:
    rows = ask(loaded, "school-pairs")
    assert len(rows) == 3
    dated = [r for r in rows if "since" in r]
    assert len(dated) == 1 and dated[0]["since"] == "1983"
    assert "Leibniz-Gymnasium" in dated[0]["schools"] and "Sacré-Coeur" in dated[0]["schools"]


def test_amiens_council_declaration(loaded: LoadedGraph) -> None:
    rows = ask(loaded, "amiens-counter-declaration")
    assert [r["date"] for r in rows] == ["1960-05-14"]
    assert "Beaux-Arts" in rows[0]["place"]


def test_charter_aims(loaded: LoadedGraph) -> None:
    aims = {r["aim"] for r in ask(loaded, "charter-aims")}
    assert len(aims) == 7
    assert {"international peace", "European friendship", "German-French understanding"} <= aims


def test_partners_raised_to_twinning(loaded: LoadedGraph) -> None:
    rows = ask(loaded, "raised-to-twinning")
    starts = {r["city"]: r["earlierStart"] for r in rows}
    assert starts == {"id/city/kumasi": "2011", "id/city/trabzon": "2010", "id/city/zhytomyr": "2023"}


def test_disputed_dates_keep_both_values_with_their_sources(loaded: LoadedGraph) -> None:
    rows = ask(loaded, "disputed-dates")
    by_event: dict[str, set[str]] = {}
    for r in rows:
        by_event.setdefault(r["event"], set()).add(r["date"])
    assert by_event["id/event/dortmund-rostov-on-don-1978-01-declaration"] == {"1978-01-23", "1978-01-13"}
    trabzon = next(dates for event, dates in by_event.items() if "trabzon" in event)
    assert trabzon == {"2014-06-02", "2014-06-01"}
    # each value is attributed to a different source
    assert len({r["source"] for r in rows if r["event"].endswith("1978-01-declaration")}) == 2


def test_lord_mayor_at_the_proclamation(loaded: LoadedGraph) -> None:
    assert ask(loaded, "mayor-at-proclamation") == [{"person": "id/person/dietrich-keuning"}]


def test_oldest_twinning(loaded: LoadedGraph) -> None:
    assert ask(loaded, "oldest") == [{"partnership": "id/partnership/dortmund-amiens", "start": "1960"}]


def test_idea_of_1952_and_the_disputed_office(loaded: LoadedGraph) -> None:
    rows = ask(loaded, "idea-1952")
    assert {r["person"] for r in rows} == {"id/person/ewald-goershop"}
    # German page: Bürgermeister; English page: Lord Mayor. Both kept.
    assert len({r["post"] for r in rows}) == 2


def test_twin_cities_with_wikidata_ids(loaded: LoadedGraph) -> None:
    rows = ask(loaded, "wikidata-ids")
    qids = {r["city"]: r["qid"].rsplit("/", 1)[-1] for r in rows}
    assert len(qids) == 11
    assert qids["id/city/amiens"] == "Q41604"
    assert qids["id/city/rostov-on-don"] == "Q908"
