"""The release of the curated graph: every file is there, every RDF file reads the same in rdflib and
pyoxigraph, checksums and the DCAT-AP / VoID catalogue tell the truth about the files."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.compare import isomorphic

from support.paths import CONFORMANCE
from twingraph.config import Settings
from twingraph.publish.dataset import read_dataset_info
from twingraph.release import read_release, read_sums

DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
DCT = "http://purl.org/dc/terms/"
# file -> (rdflib parser name, pyoxigraph format)
RDF_FILES = {
    "twingraph.ttl": ("turtle", ox.RdfFormat.TURTLE),
    "twingraph.nt.gz": ("nt", ox.RdfFormat.N_TRIPLES),
    "twingraph.trig": ("trig", ox.RdfFormat.TRIG),
    "twingraph.jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
    "twingraph.rdf": ("xml", ox.RdfFormat.RDF_XML),
    "ontology.ttl": ("turtle", ox.RdfFormat.TURTLE),
    "shapes.ttl": ("turtle", ox.RdfFormat.TURTLE),
    "catalog.ttl": ("turtle", ox.RdfFormat.TURTLE),
    "changes.ttl": ("turtle", ox.RdfFormat.TURTLE),
    "validation-report.ttl": ("turtle", ox.RdfFormat.TURTLE),
}
TABLES = ("partnerships", "cities", "events", "people", "schools", "school-partnerships", "organisations")


@pytest.fixture(scope="module")
def release(release_settings: Settings) -> Path:
    """The folder of the release built from the curated graph."""
    return release_settings.dist_dir / read_dataset_info(release_settings).version


def _bytes(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def _oxigraph_quads(path: Path) -> set[str]:
    return {str(q) for q in ox.parse(_bytes(path), format=RDF_FILES[path.name][1])}


def _rdflib_quads(path: Path) -> set[str]:
    """Parse with rdflib, then write N-Quads with rdflib: the lexical forms rdflib keeps."""
    parser = RDF_FILES[path.name][0]
    if parser == "trig":
        dataset = rdflib.Dataset()
        dataset.parse(data=_bytes(path), format=parser)
        written = b"".join(
            g.serialize(format="nt", encoding="utf-8").replace(b" .\n", f" <{g.identifier}> .\n".encode())
            if g.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID
            else g.serialize(format="nt", encoding="utf-8")
            for g in dataset.graphs()
            if len(g)
        )
        return {str(q) for q in ox.parse(written, format=ox.RdfFormat.N_QUADS)}
    graph = rdflib.Graph()
    graph.parse(data=_bytes(path), format=parser)
    return {
        str(t)
        for t in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    }


def test_the_release_holds_every_file(release: Path, release_settings: Settings) -> None:
    names = {p.name for p in release.iterdir()}
    expected = {*RDF_FILES, "context.jsonld", "csv-metadata.json", "CHANGES.md", "SHA256SUMS"}
    expected |= {f"{t}.csv" for t in TABLES} | {"network-cities.csv", "network-country-pairs.csv"}
    expected |= {"contested-values.csv"} | {f"{t}-values.csv" for t in TABLES}  # every table has sources
    assert names == expected
    assert (release_settings.dist_dir / "latest").resolve() == release.resolve()
    assert not list(release_settings.dist_dir.glob(".build-*")), "a temporary folder was left behind"


@pytest.mark.parametrize("name", sorted(RDF_FILES))
def test_rdflib_and_pyoxigraph_read_the_same_graph(release: Path, name: str) -> None:
    path = release / name
    from_oxigraph, from_rdflib = _oxigraph_quads(path), _rdflib_quads(path)
    assert len(from_oxigraph) > 1
    if any("_:" in q for q in from_oxigraph):  # the shapes keep their blank nodes (SHACL lists)
        a, b = rdflib.Graph(), rdflib.Graph()
        a.parse(data="\n".join(q + " ." for q in from_oxigraph), format="nt")
        b.parse(data="\n".join(q + " ." for q in from_rdflib), format="nt")
        assert isomorphic(a, b)
    else:
        assert from_oxigraph == from_rdflib, sorted(from_oxigraph ^ from_rdflib)[:5]


def test_every_single_graph_dump_is_the_union_of_the_trig(release: Path) -> None:
    union = {str(q.triple) for q in ox.parse(path=str(release / "twingraph.trig"), format=ox.RdfFormat.TRIG)}
    for name in ("twingraph.ttl", "twingraph.nt.gz", "twingraph.jsonld", "twingraph.rdf"):
        assert _oxigraph_quads(release / name) == union, name


def test_the_trig_keeps_one_named_graph_per_source(release: Path, release_settings: Settings) -> None:
    quads = list(ox.parse(path=str(release / "twingraph.trig"), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    base = release_settings.base_iri
    assert {f"{base}ontology", f"{base}graph/inferred"} <= graphs
    sources = {g for g in graphs if g.startswith(f"{base}id/source/")}
    assert len(sources) >= 10
    # The default graph is the merged description (what the single-graph dumps hold), each fact once.
    merged = {q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}
    assert merged == {q.triple for q in quads if isinstance(q.graph_name, ox.NamedNode)}


def test_published_data_has_no_blank_nodes(release: Path) -> None:
    for name in ("twingraph.nt.gz", "catalog.ttl", "changes.ttl", "validation-report.ttl"):
        for quad in ox.parse(_bytes(release / name), format=RDF_FILES[name][1]):
            assert not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode), (
                name
            )


def test_jsonld_carries_the_published_context(release: Path) -> None:
    context = json.loads((release / "context.jsonld").read_text(encoding="utf-8"))
    document = json.loads((release / "twingraph.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"]
    assert context["@context"]["tg"].endswith("ontology#")
    assert any(node.get("type") for node in document["@graph"])  # "type": "@type" in the context


def test_ntriples_are_sorted_and_the_gzip_header_has_no_time_or_name(release: Path) -> None:
    raw = (release / "twingraph.nt.gz").read_bytes()
    assert raw[4:8] == b"\0\0\0\0", "gzip MTIME must be 0"
    assert not raw[3] & 0x08, "gzip FNAME flag must be unset"
    lines = gzip.decompress(raw).splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))


def test_turtle_is_grouped_by_subject_with_prefixes(release: Path) -> None:
    text = (release / "twingraph.ttl").read_text(encoding="utf-8")
    assert "@prefix tg: <https://w3id.org/twingraph/ontology#> ." in text
    assert "\ncity:amiens a " in text
    subjects = [line.split(" ", 1)[0] for line in text.splitlines() if line and line[0] not in "#@\t"]
    assert len(subjects) == len(set(subjects)), "each subject is written in one block"


def test_sha256sums_checks_with_the_sha256sum_tool(release: Path) -> None:
    command = ["sha256sum", "--check", "--strict", "SHA256SUMS"]
    result = subprocess.run(command, cwd=release, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = set(read_sums(release))
    assert listed == {p.name for p in release.iterdir()} - {"SHA256SUMS"}


def _catalog(release: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(release / "catalog.ttl", format="turtle")
    return graph


def _dcat_ap_shapes() -> rdflib.Graph:
    # shapes.ttl + range.ttl: the combined dcat-ap-SHACL.ttl is broken upstream (tests/conformance/README.md).
    folder = CONFORMANCE / "dcat-ap" / "3.0.1" / "html" / "shacl"
    shapes = rdflib.Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(folder / name, format="turtle")
    return shapes


def test_catalog_conforms_to_dcat_ap_3(release: Path) -> None:
    shapes = _dcat_ap_shapes()
    conforms, _graph, text = pyshacl.validate(_catalog(release), shacl_graph=shapes, inference="none")
    assert conforms, text


def test_dcat_ap_shapes_catch_a_catalogue_without_publisher(release: Path) -> None:
    """The conformance test above can fail: the same catalogue without its publisher does not conform."""
    catalog = _catalog(release)
    catalog.remove((None, rdflib.URIRef(DCT + "publisher"), None))
    conforms, _graph, text = pyshacl.validate(catalog, shacl_graph=_dcat_ap_shapes(), inference="none")
    assert not conforms and "publisher" in text


def test_distributions_state_the_true_size_media_type_and_checksum(
    release: Path, release_settings: Settings
) -> None:
    catalog = _catalog(release)
    files = {f.name: f for f in read_release(release).files}
    distributions = set(catalog.subjects(rdflib.RDF.type, rdflib.URIRef(DCAT + "Distribution")))
    assert len(distributions) >= 9 + len(TABLES)
    for dist in distributions:
        url = str(catalog.value(dist, rdflib.URIRef(DCAT + "downloadURL")))
        name = url.rsplit("/", 1)[1]
        path = release / name
        assert int(catalog.value(dist, rdflib.URIRef(DCAT + "byteSize"))) == path.stat().st_size  # type: ignore[arg-type]
        checksum = catalog.value(dist, rdflib.URIRef(SPDX + "checksum"))
        value = str(catalog.value(checksum, rdflib.URIRef(SPDX + "checksumValue")))
        assert value == hashlib.sha256(path.read_bytes()).hexdigest() == files[name].sha256
        media = str(catalog.value(dist, rdflib.URIRef(DCAT + "mediaType")))
        assert media.startswith("http://www.iana.org/assignments/media-types/")
    license_iri = rdflib.URIRef(read_dataset_info(release_settings).license)
    assert (None, rdflib.URIRef(DCT + "license"), license_iri) in catalog


def test_void_statistics_count_the_published_graph(release: Path, release_settings: Settings) -> None:
    store = ox.Store()
    store.load(_bytes(release / "twingraph.nt.gz"), format=ox.RdfFormat.N_TRIPLES)
    catalog = _catalog(release)
    (dataset,) = set(catalog.subjects(rdflib.RDF.type, rdflib.URIRef(VOID + "Dataset"))) & set(
        catalog.subjects(rdflib.RDF.type, rdflib.URIRef(DCAT + "Dataset"))
    )

    def void(prop: str) -> int:
        return int(catalog.value(dataset, rdflib.URIRef(VOID + prop)))  # type: ignore[arg-type]

    def count(query: str) -> int:
        rows = list(store.query(query))  # type: ignore[arg-type]
        return int(rows[0][0].value)

    base = release_settings.base_iri
    assert void("triples") == len(store)
    assert void("properties") == count("SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }")
    assert void("classes") == count("SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }")
    entities = f'SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{base}id/")) }}'
    assert void("entities") == count(entities)
    wikidata = catalog.value(
        None, rdflib.URIRef(VOID + "objectsTarget"), rdflib.URIRef(f"{dataset}/target/wikidata")
    )
    links = int(catalog.value(wikidata, rdflib.URIRef(VOID + "triples")))  # type: ignore[arg-type]
    sameas = "SELECT (COUNT(*) AS ?n) { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o "
    assert links == count(sameas + 'FILTER(STRSTARTS(STR(?o), "http://www.wikidata.org/entity/")) }') > 0


def test_validation_report_and_first_changes(release: Path) -> None:
    report = rdflib.Graph()
    report.parse(release / "validation-report.ttl", format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(True)) in report
    changes = (release / "CHANGES.md").read_text(encoding="utf-8")
    assert changes.startswith(f"# Changes in release {release.name}")
    assert "First release" in changes and "### City" in changes and "`<id/city/amiens>`" in changes
