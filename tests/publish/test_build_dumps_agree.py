"""Every dump of a release is the graph of its TriG, read with rdflib and with pyoxigraph: the curated +
world release and a small generated one (the build writes the dumps in worker processes, from sorted
files, with Oxigraph's serializers and a streaming JSON-LD writer). The JSON-LD is compacted as rdflib
compacts it with the published context, node for node.

At world size (460,000 triples) pyoxigraph reads every dump, and rdflib reads the N-Triples, so that
every world term (the scripts, escapes and IRIs of 5,470 cities' names) passes its parser. rdflib's other
parsers took 180 s of the suite's CPU there; they read the same writers' output in the generated
release (every dump, and the TriG graph by graph)."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from support.paths import PROJECT_ROOT
from twingraph.build import build_release
from twingraph.config import Settings

pytestmark = pytest.mark.slow

# file -> (rdflib parser, pyoxigraph format); each holds the merged graph of the TriG's named graphs
DUMPS = {
    "twingraph.ttl": ("turtle", ox.RdfFormat.TURTLE),
    "twingraph.nt.gz": ("nt", ox.RdfFormat.N_TRIPLES),
    "twingraph.jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
    "twingraph.rdf": ("xml", ox.RdfFormat.RDF_XML),
}
RDFLIB_AT_WORLD_SIZE = {"twingraph.nt.gz"}  # the other dumps in rdflib: the generated release (docstring)


@pytest.fixture(scope="module")
def generated_release(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release built from the curated graph plus 10k generated triples."""
    dist = tmp_path_factory.mktemp("dist-generated")
    imports = tmp_path_factory.mktemp("generated-imports")
    generator = [sys.executable, str(PROJECT_ROOT / "benchmarks" / "generate.py"), "--triples", "10k"]
    subprocess.run([*generator, "--out", str(imports / "synthetic.trig")], check=True, capture_output=True)
    return build_release(dataclasses.replace(settings, imports_dir=imports, dist_dir=dist)).folder


@pytest.fixture(params=["world", "generated"])
def release(request: pytest.FixtureRequest) -> Path:
    """Each test on both releases, each built once for the module whatever order the tests run in (a
    parametrized module fixture was built twice per release under make test's xdist workers)."""
    return Path(request.getfixturevalue(f"{request.param}_release"))


def _is_world(release: Path) -> bool:
    return release.parent.name.startswith("dist-world")


def _bytes(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def _trig(release: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(release / "twingraph.trig"), format=ox.RdfFormat.TRIG))


@functools.lru_cache(maxsize=2)  # read once per release (the world TriG: 500,000 quads), not per dump
def _merged(release: Path) -> frozenset[str]:
    """The reference: the merge of the TriG's named graphs (sources, ontology, inferred)."""
    return frozenset(str(q.triple) for q in _trig(release) if isinstance(q.graph_name, ox.NamedNode))


def _through_rdflib(graph: rdflib.Graph) -> set[str]:
    """What rdflib read, written as N-Triples by rdflib and read back (rdflib's lexical forms)."""
    written = graph.serialize(format="nt", encoding="utf-8")
    return {str(t) for t in ox.parse(written, format=ox.RdfFormat.N_TRIPLES)}


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_each_dump_reads_as_the_merged_trig_in_pyoxigraph_and_rdflib(release: Path, name: str) -> None:
    reference = _merged(release)
    parser, fmt = DUMPS[name]
    data = _bytes(release / name)
    from_oxigraph = {str(t.triple if isinstance(t, ox.Quad) else t) for t in ox.parse(data, format=fmt)}
    assert from_oxigraph == reference, sorted(from_oxigraph ^ reference)[:5]
    if _is_world(release) and name not in RDFLIB_AT_WORLD_SIZE:
        return
    graph = rdflib.Graph()
    graph.parse(data=data, format=parser)
    from_rdflib = _through_rdflib(graph)
    assert from_rdflib == reference, sorted(from_rdflib ^ reference)[:5]


def test_the_trig_reads_the_same_in_rdflib_graph_by_graph(release: Path) -> None:
    by_graph: dict[str, set[str]] = {}  # grouped once: 44 graphs of the world release
    for quad in _trig(release):
        by_graph.setdefault(str(quad.graph_name), set()).add(str(quad.triple))
    assert len(by_graph) > 3
    # The default graph is the merge (what the single-graph dumps hold).
    assert by_graph.get("DEFAULT", set()) == _merged(release)
    if _is_world(release):
        return  # rdflib reads the TriG graph by graph in the generated release (module docstring)
    dataset = rdflib.Dataset()
    dataset.parse(release / "twingraph.trig", format="trig")
    for graph in dataset.graphs():
        name = (
            "DEFAULT"
            if graph.identifier == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
            else f"<{graph.identifier}>"
        )
        if not len(graph):
            continue
        assert _through_rdflib(graph) == by_graph.get(name, set()), name


def test_jsonld_nodes_are_what_rdflib_compacts_with_the_published_context(release: Path) -> None:
    if _is_world(release):
        pytest.skip("rdflib's compaction of the world graph takes minutes: the generated release suffices")
    context = json.loads((release / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    document = json.loads((release / "twingraph.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == context
    graph = rdflib.Graph(bind_namespaces="none")
    graph.parse(data=_bytes(release / "twingraph.nt.gz"), format="nt")
    compacted = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))

    def nodes(graph_nodes: list[dict[str, object]]) -> list[str]:
        # rdflib orders arrays by its store's internals: compare each node with its arrays sorted
        def canonical(value: object) -> object:
            if isinstance(value, dict):
                return {k: canonical(v) for k, v in value.items()}
            if isinstance(value, list):
                return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
            return value

        return sorted(json.dumps(canonical(node), sort_keys=True) for node in graph_nodes)

    ours = nodes(document["@graph"])
    assert ours == nodes(compacted["@graph"])
    assert len(ours) > 1000
