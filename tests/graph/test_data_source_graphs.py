"""A source graph holds only what its source states: its dated labels carry only years it states.

Each named graph of ``data/`` is a source; a label that puts a year into it ("Günter Samtlebe, Lord
Mayor of Dortmund (1973–1999)") must find that year among the dates the same graph states (or in the
graph's notes, which quote the source). Labels composed from other graphs' dates, and conclusions
no source states, belong in the curator graph, with a note saying how they were derived.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox
import pytest

from twingraph.config import Settings
from twingraph.load import data_files, parse_file

YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATES = {XSD + "date", XSD + "gYear", XSD + "gYearMonth", XSD + "dateTime"}
CURATOR = "id/source/curators"


def _graphs(settings: Settings) -> dict[str, list[ox.Quad]]:
    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    for path in data_files(settings):
        for quad in parse_file(path, settings.base_iri):
            graphs[quad.graph_name.value].append(quad)  # type: ignore[union-attr]
    return graphs


def _stated_years(quads: list[ox.Quad], tg: str) -> set[str]:
    years = set()
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal) and (o.datatype.value in DATES or q.predicate.value == tg + "note"):
            years |= set(YEAR.findall(o.value))
    return years


def dated_label_problems(settings: Settings) -> list[str]:
    """Labels of a source graph that carry a year the graph does not state (its own title excepted)."""
    tg = settings.base_iri + "ontology#"
    problems = []
    for graph, quads in sorted(_graphs(settings).items()):
        if graph.endswith(CURATOR):
            continue
        stated = _stated_years(quads, tg)
        for q in quads:
            if q.predicate.value != RDFS_LABEL or q.subject.value == graph:  # a source's own title
                continue
            missing = set(YEAR.findall(q.object.value)) - stated
            if missing:
                problems.append(f"{graph}: <{q.subject.value}> {q.object} ({', '.join(sorted(missing))})")
    return problems


def test_every_dated_label_of_a_source_graph_matches_its_dates(settings: Settings) -> None:
    problems = dated_label_problems(settings)
    assert not problems, "\n".join(problems)


def test_the_walk_finds_a_label_with_a_year_its_graph_does_not_state(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The test above can fail: a label with a year the graph does not state is reported."""
    import dataclasses
    import shutil

    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(settings.data_dir, folder / "data")
    (folder / "data" / "zz.trig").write_text(
        "GRAPH <id/source/dortmund-de-leeds> { <id/term/x> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"Someone, Lord Mayor (1901–1902)"@en . }\n',
        encoding="utf-8",
    )
    problems = dated_label_problems(dataclasses.replace(settings, project_dir=folder))
    assert any("1901, 1902" in p and "dortmund-de-leeds" in p for p in problems)
