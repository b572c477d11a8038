"""`twingraph wikidata diff | quickstatements | link` against a real local SPARQL server.

The server is `oxigraph serve` loaded with tests/data/wikidata-fixture.ttl, a small graph in
Wikidata's RDF model whose statements are arranged to produce every case of the report (see the
fixture's header). Our side is the curated graph of data/.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from support.oxigraph import oxigraph_server
from support.paths import TEST_DATA
from twingraph.cli import main
from twingraph.config import Settings
from twingraph.store import Store
from twingraph.wikidata.commands import make_client, working_store
from twingraph.wikidata.diff import DiffReport, PairReport, diff
from twingraph.wikidata.ours import OurDate, Source, Twinning
from twingraph.wikidata.quickstatements import lines_for_pair, quickstatements

FIXTURE = TEST_DATA / "wikidata-fixture.ttl"
LIST = "https://www.dortmund.de/themen/internationales/staedtepartnerschaften/"
QS_LINE = re.compile(
    r"^Q\d+\tP190\tQ\d+(\tP58[02]\t\+\d{4}-\d{2}-\d{2}T00:00:00Z/(9|10|11))*"
    r'(\tS854\t"https?://[^"\t]+"\tS813\t\+\d{4}-\d{2}-\d{2}T00:00:00Z/11)?$'
)

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server([FIXTURE], tmp_path_factory.mktemp("wikidata") / "store") as url:
        yield url


@pytest.fixture(scope="module")
def ours(settings: Settings) -> Store:
    return working_store(settings)


@pytest.fixture(scope="module")
def report(ours: Store, endpoint: str, settings: Settings) -> DiffReport:
    return diff(ours, make_client(settings, endpoint))


def pair(report: DiffReport, qid: str) -> PairReport:
    return next(p for p in report.pairs if qid in p.qids)


def test_diff_puts_every_partnership_in_its_group(report: DiffReport) -> None:
    assert report.focus == ["Q1295"]
    assert {p.qids[1] if p.qids[0] == "Q1295" else p.qids[0]: p.status for p in report.pairs} == {
        "Q41604": "in-both",
        "Q39121": "in-both",
        "Q908": "in-both",
        "Q192225": "in-both",
        "Q55630": "in-both",
        "Q3778": "in-both",
        "Q5826": "in-both",
        "Q45301": "in-both",
        "Q40435": "one-direction",
        "Q182059": "missing-in-wikidata",
        "Q156713": "missing-in-wikidata",
        "Q1439157": "missing-here",
    }
    assert report.counts() == {
        "in-both": 8,
        "one-direction": 1,
        "missing-in-wikidata": 2,
        "missing-here": 1,
        "no-qid": 0,
        "dates-disagree": 1,
    }


def test_diff_compares_dates_at_the_coarser_precision(report: DiffReport) -> None:
    amiens, rostov, leeds, buffalo = (pair(report, q) for q in ("Q41604", "Q908", "Q39121", "Q40435"))
    assert (amiens.dates, amiens.our_starts, amiens.wikidata_starts) == ("agree", ["1960"], ["1960"])
    assert (rostov.dates, rostov.our_starts, rostov.wikidata_starts) == ("disagree", ["1977"], ["1973"])
    assert leeds.dates == "only-ours"
    # our sources disagree (1977 / 1978): Wikidata's 1978 agrees with one of them
    assert (buffalo.dates, buffalo.our_starts) == ("agree", ["1977", "1978"])
    present = [s for s in (buffalo.forward, buffalo.backward) if s]
    assert [(s.subject, s.object) for s in present] == [("Q40435", "Q1295")]
    assert buffalo.missing_directions == [("Q1295", "Q40435")]
    statements = [s for s in (amiens.forward, amiens.backward) if s]
    assert sorted(s.references for s in statements) == [(), (LIST,)]


def test_deprecated_and_out_of_focus_statements_are_ignored(
    report: DiffReport, ours: Store, endpoint: str, settings: Settings
) -> None:
    # Tulsa: Dortmund P190 Tulsa is deprecated, and Amiens P190 Tulsa is outside the focus
    assert not any("Q44989" in p.qids for p in report.pairs)
    focused = diff(ours, make_client(settings, endpoint), focus=["Q41604"])
    assert [p.status for p in focused.pairs if "Q44989" in p.qids] == ["missing-here"]
    assert not any("Q1439157" in p.qids for p in focused.pairs)


EXPECTED_LINES = [
    f'Q1295\tP190\tQ40435\tS854\t"{LIST}buffalo/"\tS813\t+2026-05-01T00:00:00Z/11',
    f'Q1295\tP190\tQ182059\tP580\t+2024-00-00T00:00:00Z/9\tS854\t"{LIST}"\tS813\t+2026-05-01T00:00:00Z/11',
    f'Q182059\tP190\tQ1295\tP580\t+2024-00-00T00:00:00Z/9\tS854\t"{LIST}"\tS813\t+2026-05-01T00:00:00Z/11',
    f'Q1295\tP190\tQ156713\tP580\t+2025-00-00T00:00:00Z/9\tS854\t"{LIST}"\tS813\t+2026-05-01T00:00:00Z/11',
    f'Q156713\tP190\tQ1295\tP580\t+2025-00-00T00:00:00Z/9\tS854\t"{LIST}"\tS813\t+2026-05-01T00:00:00Z/11',
]


def test_quickstatements_for_what_wikidata_lacks(report: DiffReport) -> None:
    lines = quickstatements(report, date(2026, 5, 1))
    assert [line.text for line in lines] == EXPECTED_LINES
    assert all(QS_LINE.match(line.text) for line in lines)
    buffalo = lines[0]
    assert "our sources disagree (1977 / 1978)" in buffalo.note


def _twinning(start: str, precision: int) -> PairReport:
    source = Source("https://w3id.org/twingraph/id/source/x", "https://example.org/page", "high")
    twinning = Twinning(
        "p",
        "A–B",
        ("a", "b"),
        ("A", "B"),
        ("Q1", "Q2"),
        starts=[OurDate(start, precision, source.iri)],
        sources=[source],
    )
    return PairReport("missing-in-wikidata", ("Q1", "Q2"), ("A", "B"), twinning)


@pytest.mark.parametrize(
    ("start", "precision", "time"),
    [
        ("1969", 9, "+1969-00-00T00:00:00Z/9"),
        ("1970-04", 10, "+1970-04-00T00:00:00Z/10"),
        ("1960-04-02", 11, "+1960-04-02T00:00:00Z/11"),
    ],
)
def test_quickstatements_keep_the_precision(start: str, precision: int, time: str) -> None:
    lines = [line.text for line in lines_for_pair(_twinning(start, precision), date(2026, 1, 2))]
    tail = f'\tP580\t{time}\tS854\t"https://example.org/page"\tS813\t+2026-01-02T00:00:00Z/11'
    assert lines == [f"Q1\tP190\tQ2{tail}", f"Q2\tP190\tQ1{tail}"]


# The CLI reads data/ and the generated imports/: an empty imports folder keeps these tests to the
# curated graph, whatever `make build` imported into the working tree.
NO_IMPORTS = {"TWINGRAPH_IMPORTS_DIR": str(Path(__file__).parent / "data" / "no-imports")}


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, env={**NO_IMPORTS, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def test_cli_diff_text_and_json(endpoint: str) -> None:
    code, out, _err = _run(["wikidata", "diff", "--endpoint", endpoint])
    assert code == 0
    for heading in (
        "In both",
        "One direction only",
        "Missing in Wikidata: 2",
        "Missing here",
        "Dates that disagree: 1",
    ):
        assert heading in out
    assert "Dortmund–Rostov-on-Don twinning" in out.split("Dates that disagree")[1]
    code, out, _err = _run(
        ["wikidata", "diff", "--format", "json"], env={"TWINGRAPH_WIKIDATA_ENDPOINT": endpoint}
    )
    assert code == 0
    document = json.loads(out)
    assert document["endpoint"] == endpoint and document["counts"]["missing-in-wikidata"] == 2
    kumasi = next(p for p in document["pairs"] if "Q182059" in p["qids"])
    assert sorted(kumasi["missing"]) == ["Q1295 P190 Q182059", "Q182059 P190 Q1295"]


def test_cli_quickstatements_to_a_file(endpoint: str, tmp_path: Path) -> None:
    out = tmp_path / "p190.qs"
    code, _out, err = _run(
        [
            "wikidata",
            "quickstatements",
            "--endpoint",
            endpoint,
            "--out",
            str(out),
            "--retrieved",
            "2026-05-01",
        ]
    )
    assert code == 0, err
    assert out.read_text(encoding="utf-8").splitlines() == EXPECTED_LINES
    assert "note: Q1295 P190 Q40435: start left out" in err


def test_cli_link_writes_a_review_file(endpoint: str, tmp_path: Path, settings: Settings) -> None:
    before = sorted(p.stat().st_mtime_ns for p in settings.data_dir.rglob("*"))
    out = tmp_path / "review.csv"
    code, stdout, err = _run(["wikidata", "link", "--endpoint", endpoint, "--out", str(out)])
    assert code == 0, err
    assert "for review" in stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    found = [
        (r["entity"].rsplit("/id/", 1)[1], r["qid"], r["type_matches"], r["score"], r["decision"])
        for r in rows
    ]
    assert found == [
        ("city/dura", "Q4115189", "yes", "80", ""),
        ("city/dura", "Q13406268", "no", "50", ""),
        ("person/dietrich-keuning", "Q15397819", "yes", "80", ""),
    ]
    assert sorted(p.stat().st_mtime_ns for p in settings.data_dir.rglob("*")) == before


def test_cli_link_refuses_to_write_into_data(endpoint: str, settings: Settings) -> None:
    target = settings.data_dir / "proposals.csv"
    code, _out, err = _run(["wikidata", "link", "--endpoint", endpoint, "--out", str(target)])
    assert code == 2 and "may not be written into" in err
    assert not target.exists()


def test_cli_reports_an_unreachable_endpoint() -> None:
    code, _out, err = _run(["wikidata", "diff", "--endpoint", "http://127.0.0.1:9/sparql"])
    assert code == 3 and "cannot reach http://127.0.0.1:9/sparql" in err and "Traceback" not in err


def test_every_statement_carries_a_reference_never_wikidata_itself() -> None:
    wikidata = Source(
        "https://w3id.org/twingraph/id/source/world-twinnings",
        "https://www.wikidata.org/wiki/Property:P190",
        "high",
    )
    page = "https://w3id.org/twingraph/id/partnership/a--b"
    twinning = Twinning(page, "A – B", ("a", "b"), ("A", "B"), ("Q1", "Q2"), sources=[wikidata])
    lines = lines_for_pair(
        PairReport("missing-in-wikidata", ("Q1", "Q2"), ("A", "B"), twinning), date(2026, 1, 2)
    )
    assert [line.text for line in lines] == [
        f'Q1\tP190\tQ2\tS854\t"{page}"\tS813\t+2026-01-02T00:00:00Z/11',
        f'Q2\tP190\tQ1\tS854\t"{page}"\tS813\t+2026-01-02T00:00:00Z/11',
    ]
    assert "this dataset's page" in lines[0].note


def test_symmetry_gaps_as_csv(report: DiffReport, endpoint: str, tmp_path: Path) -> None:
    from twingraph.wikidata.report import SYMMETRY_COLUMNS, symmetry_gaps_csv

    text, count = symmetry_gaps_csv(report, date(2026, 5, 1))
    rows = list(csv.DictReader(text.splitlines()))
    assert count == len(rows) == 1 and tuple(rows[0]) == SYMMETRY_COLUMNS
    buffalo = rows[0]
    assert (buffalo["item"], buffalo["lacks_p190_to"], buffalo["twin_label"]) == (
        "Q1295",
        "Q40435",
        "Buffalo",
    )
    assert buffalo["existing_statement"].startswith("http://www.wikidata.org/entity/statement/")
    assert buffalo["quickstatements"] == EXPECTED_LINES[0]
    assert buffalo["item_page"] == "https://www.wikidata.org/wiki/Q1295#P190"
    out = tmp_path / "gaps.csv"
    code, _out, err = _run(
        ["wikidata", "diff", "--endpoint", endpoint, "--csv", str(out)],
        env={"TWINGRAPH_IMPORTS_DIR": str(tmp_path / "no-imports")},
    )
    assert code == 0, err
    assert "wrote 1 one-directional P190 statements" in err
    assert [r["item"] for r in csv.DictReader(out.open(encoding="utf-8"))] == ["Q1295"]
