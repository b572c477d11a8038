"""Every contested value names its own source, in every dump, without TriG.

The TriG dump says which source states which value (one named graph per source); the triple-only
dumps lose that, so the build adds a claim node per value under its tg:Conflict. This test reads the
claims back from each triple-only dump with real parsers (Oxigraph, rdflib for JSON-LD) and checks
them against the TriG dump: for each of the 7 conflicts, each value a disagreeing source states has a
claim naming that source and its confidence.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from twingraph.config import Settings
from twingraph.publish.dataset import read_dataset_info

TG = "https://w3id.org/twingraph/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def release(release_settings: Settings) -> Path:
    return release_settings.dist_dir / read_dataset_info(release_settings).version


def _stated(release: Path) -> set[tuple[str, str, str]]:
    """(conflict, source, value) for each value a conflict's source states, from the TriG dump."""
    quads = list(ox.parse(path=str(release / "twingraph.trig"), format=ox.RdfFormat.TRIG))
    by_graph: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for q in quads:
        by_graph[q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""].add(
            (q.subject.value, q.predicate.value, str(q.object))  # type: ignore[union-attr]
        )
    default = {t for ts in by_graph.values() for t in ts}
    conflicts = {s for s, p, o in default if p == RDF_TYPE and o == f"<{TG}Conflict>"}
    found = set()
    for conflict in conflicts:
        subject = next(o.strip("<>") for s, p, o in default if s == conflict and p == TG + "conflictSubject")
        prop = next(o.strip("<>") for s, p, o in default if s == conflict and p == TG + "conflictProperty")
        sources = {o.strip("<>") for s, p, o in default if s == conflict and p == TG + "conflictSource"}
        for source in sources:
            for s, p, o in by_graph[source]:
                if s == subject and p == prop:
                    found.add((conflict, source, o))
    return found


def _claims(triples: list[tuple[str, str, str]]) -> set[tuple[str, str, str, str]]:
    """(conflict, source, value, confidence) of each claim, from triples only."""
    by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        by_subject[s][p].append(o)
    out = set()
    for conflict, props in by_subject.items():
        for claim in props.get(TG + "claim", []):
            c = by_subject[claim.strip("<>")]
            (value,), (source,) = c[TG + "claimValue"], c[TG + "claimSource"]
            (confidence,) = c[TG + "confidence"]
            out.add((conflict, source.strip("<>"), value, confidence))
    return out


def _oxigraph(path: Path, fmt: ox.RdfFormat) -> list[tuple[str, str, str]]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return [
        (t.subject.value, t.predicate.value, str(t.object))  # type: ignore[union-attr]
        for t in ox.parse(data, format=fmt)
    ]


def _rdflib(path: Path, fmt: str) -> list[tuple[str, str, str]]:
    graph = Graph().parse(path, format=fmt)
    data = graph.serialize(format="nt", encoding="utf-8")
    return _oxigraph_bytes(data)


def _oxigraph_bytes(data: bytes) -> list[tuple[str, str, str]]:
    return [
        (t.subject.value, t.predicate.value, str(t.object))  # type: ignore[union-attr]
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]


@pytest.mark.parametrize("name", ["twingraph.ttl", "twingraph.nt.gz", "twingraph.rdf", "twingraph.jsonld"])
def test_each_contested_value_names_its_source_in_triples(release: Path, name: str) -> None:
    if name == "twingraph.jsonld":
        triples = _rdflib(release / name, "json-ld")
    else:
        fmt = {".ttl": ox.RdfFormat.TURTLE, ".gz": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML}
        triples = _oxigraph(release / name, fmt[Path(name).suffix])
    claims = _claims(triples)
    stated = _stated(release)
    assert {(c, s, v) for c, s, v, _ in claims} == stated
    assert len({c for c, _, _ in stated}) == 10  # the 7 of the first audit + friendship vs twinning (3)
    assert not any(s.startswith("_:") or o.startswith("_:") for s, _, o in triples)  # skolemized
    buffalo = {
        (s.rsplit("/", 1)[1], v, conf)
        for c, s, v, conf in claims
        if c.endswith("/conflict/dortmund-buffalo-start-date")
    }
    assert {(s, v) for s, v, _ in buffalo} == {
        ("dortmund-de-partnerships-list", '"1978"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
        ("ruhrnachrichten-2015", '"1977"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
    }
    # The low-confidence value is marked as such (the confidence is the source's).
    confidence = {s: conf for s, _, conf in buffalo}
    assert confidence["ruhrnachrichten-2015"] != confidence["dortmund-de-partnerships-list"]
