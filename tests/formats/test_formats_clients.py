"""Real clients nobody here wrote read what the server answers: Comunica, roqet, rapper, pyld.

Installed by the project's own files: ``make test`` installs roqet (rasqal-utils), rapper
(raptor2-utils) and Node from Debian, and Comunica with ``npm ci`` in ``tests/clients/``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from support.formats import jsonld_quads
from twingraph.config import Settings
from twingraph.release import resolve_release

AMIENS = "https://w3id.org/twingraph/id/city/amiens"
CLIENTS = Path(__file__).parents[1] / "clients"
COMUNICA = CLIENTS / "node_modules" / ".bin" / "comunica-sparql"


def run(command: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a client; its output as text."""
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def test_comunica_follows_the_iri_and_finds_its_triples(live_server: str) -> None:
    assert COMUNICA.exists(), "Comunica is missing: `make test` runs npm ci in tests/clients"
    query = f"SELECT ?p ?o WHERE {{ <{AMIENS}> ?p ?o }}"
    found = run(
        [str(COMUNICA), f"{live_server}/id/city/amiens", query, "-t", "application/sparql-results+json"]
    )
    assert found.returncode == 0, found.stderr[-2000:]
    rows = json.loads(found.stdout)["results"]["bindings"]
    # Comunica asks N-Quads first: the default graph carries the whole description, not nothing.
    turtle = httpx.get(f"{live_server}/doc/city/amiens.ttl").content
    expected = {
        (t.predicate.value, t.object.value)
        for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)
        if t.subject.value == AMIENS
    }
    assert {(r["p"]["value"], r["o"]["value"]) for r in rows} == expected
    assert len(expected) > 20


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("SELECT ?s WHERE { ?s a <https://w3id.org/twingraph/ontology#City> } ORDER BY ?s LIMIT 200", AMIENS),
        ("ASK { ?s ?p ?o }", "Query has a"),
        (f"CONSTRUCT {{ <{AMIENS}> ?p ?o }} WHERE {{ <{AMIENS}> ?p ?o }}", "Query has a"),
    ],
)
def test_roqet_queries_the_endpoint(live_server: str, query: str, expect: str) -> None:
    """roqet (rasqal) sends Accept: application/sparql-results+xml for every form; each is answered 200.

    rasqal 0.9.33 reads a protocol answer as a result set only, so for ASK and CONSTRUCT it prints no
    rows; what it can check is that the endpoint answered (a 4xx or 406 shows as "Error").
    """
    answer = run(["roqet", "-p", f"{live_server}/sparql", "-e", query])
    assert answer.returncode == 0, answer.stderr
    assert "Error" not in answer.stderr and "HTTP status" not in answer.stderr, answer.stderr
    assert expect in answer.stdout + answer.stderr


RAPPER = {
    "twingraph.ttl": "turtle",
    "twingraph.trig": "trig",
    "twingraph.rdf": "rdfxml",
    "twingraph.nt.gz": "ntriples",
}


@pytest.mark.parametrize("name", sorted(RAPPER))
def test_rapper_parses_every_dump(release_settings: Settings, name: str, tmp_path: Path) -> None:
    """raptor parses each RDF dump (JSON-LD: raptor has no JSON-LD parser, pyld reads it below)."""
    path = resolve_release(release_settings) / name
    if name.endswith(".gz"):
        plain = tmp_path / name.removesuffix(".gz")
        plain.write_bytes(gzip.decompress(path.read_bytes()))
        path = plain
    counted = run(["rapper", "-i", RAPPER[name], "-c", str(path)])
    assert counted.returncode == 0, counted.stderr
    triples = int(counted.stderr.split("returned ")[1].split()[0])
    merged = len(
        {
            q.triple
            for q in ox.parse(
                path=str(path),
                format=ox.RdfFormat.TRIG
                if name.endswith(".trig")
                else ox.RdfFormat.from_extension(path.suffix.lstrip(".")),
            )
        }
    )  # type: ignore[arg-type]
    assert triples >= merged > 1000


def test_pyld_round_trips_the_jsonld(live_server: str) -> None:
    """pyld expands the compacted JSON-LD (fetching the published context) to the Turtle's triples."""
    body = httpx.get(f"{live_server}/doc/city/amiens", headers={"Accept": "application/ld+json"}).content
    quads = jsonld_quads(body, lambda url: httpx.get(url).content)
    turtle = httpx.get(f"{live_server}/doc/city/amiens.ttl").content
    assert {q.triple for q in quads} == {q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}


def test_pyld_reads_the_jsonld_dump(release_settings: Settings) -> None:
    folder = resolve_release(release_settings)
    quads = jsonld_quads((folder / "twingraph.jsonld").read_bytes(), lambda url: b"{}")
    turtle = {q.triple for q in ox.parse(path=str(folder / "twingraph.ttl"), format=ox.RdfFormat.TURTLE)}
    assert {q.triple for q in quads} == turtle
