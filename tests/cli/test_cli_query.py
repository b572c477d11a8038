"""`twingraph query`: SPARQL from the terminal against the release, in every answer format.

Each answer is read back with a parser nobody here wrote (pyoxigraph, rdflib, json, csv) and compared
with what pyoxigraph itself answers on the release's dump.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result

from twingraph.cli import main
from twingraph.config import Settings
from twingraph.release import resolve_release
from twingraph.serve import settings_environment

CITIES = (
    "SELECT DISTINCT ?city ?label WHERE { ?city a <https://w3id.org/twingraph/ontology#City> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?city ?label"
)
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/twingraph/ontology#City> ; ?p ?o }"


@pytest.fixture(scope="module")
def reference(release_settings: Settings) -> ox.Store:
    """The release's dump in a pyoxigraph store of its own: what the answers must agree with."""
    store = ox.Store()
    store.load(path=str(resolve_release(release_settings) / "twingraph.trig"), format=ox.RdfFormat.TRIG)
    return store


def run(settings: Settings, *args: str, stdin: str | None = None) -> Result:
    """``twingraph query ARGS`` with the environment of ``settings`` (nothing else of the caller's)."""
    return CliRunner().invoke(main, ["query", *args], env=settings_environment(settings), input=stdin)


def expected_rows(reference: ox.Store, query: str) -> list[tuple[str, ...]]:
    solutions = reference.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [tuple(str(s[n].value) for n in names) for s in solutions]  # type: ignore[union-attr]


def test_select_prints_a_table_by_default(release_settings: Settings) -> None:
    result = run(release_settings, CITIES)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "?city\t?label"
    assert result.stdout_bytes == run(release_settings, "--format", "tsv", CITIES).stdout_bytes


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "application/sparql-results+json"])
def test_select_in_each_results_format(release_settings: Settings, reference: ox.Store, fmt: str) -> None:
    result = run(release_settings, "--format", fmt, CITIES)
    assert result.exit_code == 0, result.output
    if fmt == "csv":  # plain values, no term syntax (pyoxigraph does not read it back: lossy)
        got = [tuple(row) for row in csv.reader(io.StringIO(result.stdout))][1:]
    else:
        parser = {
            "json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "tsv": ox.QueryResultsFormat.TSV,
        }[fmt]
        solutions = ox.parse_query_results(result.stdout_bytes, format=parser)
        assert isinstance(solutions, ox.QuerySolutions)
        got = [tuple(str(s[v].value) for v in ("city", "label")) for s in solutions]  # type: ignore[union-attr]
    assert got == expected_rows(reference, CITIES)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "rdf", "trig", "nquads"])
def test_construct_in_each_graph_format(release_settings: Settings, reference: ox.Store, fmt: str) -> None:
    result = run(release_settings, "--format", fmt, GRAPH)
    assert result.exit_code == 0, result.output
    triples: set[tuple[object, object, object]]
    if fmt in ("trig", "nquads"):  # datasets: pyoxigraph's parser (rdflib's warns of deprecated API)
        quads = ox.parse(result.stdout_bytes, format=ox.RdfFormat.from_extension(fmt.replace("nquads", "nq")))
        triples = {(q.subject, q.predicate, q.object) for q in quads}  # type: ignore[union-attr]
    else:
        rdflib_format = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}[fmt]
        triples = set(rdflib.Graph().parse(data=result.stdout_bytes, format=rdflib_format))
    expected = reference.query(GRAPH, use_default_graph_as_union=True)
    assert len(triples) == len(set(expected)) > 50  # type: ignore[arg-type]


def test_ask_and_query_from_a_file_and_from_stdin(release_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "ask.rq"
    path.write_text("# is Amiens there?\nASK { <https://w3id.org/twingraph/id/city/amiens> ?p ?o }\n")
    from_file = run(release_settings, "--format", "json", "--file", str(path))
    assert from_file.exit_code == 0, from_file.output
    assert json.loads(from_file.stdout) == {"head": {}, "boolean": True}
    from_stdin = run(release_settings, "--format", "json", "--file", "-", stdin=path.read_text())
    assert json.loads(from_stdin.stdout)["boolean"] is True


def test_a_cut_answer_says_so(release_settings: Settings) -> None:
    import dataclasses

    result = run(dataclasses.replace(release_settings, result_limit=3), "SELECT * WHERE { ?s ?p ?o }")
    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) == 1 + 3
    assert "stops at the result limit (3; TWINGRAPH_RESULT_LIMIT)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELEC ?x"], "error: malformed query"),
        (["INSERT DATA { <a:a> <a:b> <a:c> }"], "error: INSERT is SPARQL Update"),
        (["ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "error: SERVICE (federated query)"),
        (["--format", "turtle", "SELECT * { ?s ?p ?o }"], "error: format 'turtle' does not fit"),
    ],
)
def test_bad_queries_end_in_one_line_and_exit_2(
    release_settings: Settings, args: list[str], message: str
) -> None:
    result = run(release_settings, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_no_release_is_one_line(settings: Settings, tmp_path: Path) -> None:
    import dataclasses

    result = run(dataclasses.replace(settings, dist_dir=tmp_path), "ASK {}")
    assert result.exit_code == 2
    assert result.stderr == f"error: no release 'latest' in {tmp_path}: run 'twingraph build' first\n"


def test_a_query_is_needed_once(release_settings: Settings, tmp_path: Path) -> None:
    assert run(release_settings).exit_code == 2
    path = tmp_path / "q.rq"
    path.write_text("ASK {}")
    both = run(release_settings, "--file", str(path), "ASK {}")
    assert both.exit_code == 2 and "either as an argument or with --file" in both.stderr
