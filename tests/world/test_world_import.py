"""`twingraph import world-twinnings`: the Wikidata P190 snapshot as its own graph, merged by QID.

Expected numbers are computed here from the CSV files (read with the csv module) and from the
curated graph, never copied from the importer.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from support.paths import WORLD_SNAPSHOT
from twingraph.cli import main
from twingraph.config import Settings
from twingraph.importers.world_twinnings import OUTPUT_NAME, import_world_twinnings
from twingraph.load import LoadedGraph, load_graph

SNAPSHOT = WORLD_SNAPSHOT
WD = "http://www.wikidata.org/entity/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
LAT = "http://www.w3.org/2003/01/geo/wgs84_pos#lat"
DORTMUND_PARTNERS = (
    "amiens",
    "buffalo",
    "leeds",
    "netanya",
    "novi-sad",
    "rostov-on-don",
    "trabzon",
    "xian",
    "zwickau",
)


def _rows(name: str) -> list[dict[str, str]]:
    with (SNAPSHOT / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def cities() -> list[dict[str, str]]:
    return _rows("cities.csv")


@pytest.fixture(scope="module")
def links() -> set[frozenset[str]]:
    return {frozenset((row["source"], row["target"])) for row in _rows("links.csv")}


@pytest.fixture(scope="module")
def world_file(world_settings: Settings) -> Path:
    return world_settings.imports_dir / OUTPUT_NAME


@pytest.fixture(scope="module")
def quads(world_file: Path, settings: Settings) -> list[ox.Quad]:
    return list(ox.parse(path=str(world_file), format=ox.RdfFormat.TRIG, base_iri=settings.base_iri))


@pytest.fixture(scope="module")
def curated(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> LoadedGraph:
    """The curated graph alone (an empty imports folder), whatever lies in the project's imports/."""
    return load_graph(dataclasses.replace(settings, imports_dir=tmp_path_factory.mktemp("no-imports")))


def _objects(quads: list[ox.Quad], predicate: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        if q.predicate.value == predicate:
            found[q.subject.value].add(q.object.value)
    return found


def _typed(quads: list[ox.Quad], tg: str, cls: str) -> set[str]:
    return {q.subject.value for q in quads if q.predicate.value == RDF_TYPE and q.object.value == tg + cls}


def _curated_twinning_pairs(curated: LoadedGraph, settings: Settings) -> dict[frozenset[str], str]:
    """QID pairs of the curated twinnings (kind twinning, two partners) -> partnership IRI."""
    query = """PREFIX tg: <ontology#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?p ?qa ?qb WHERE { ?p a tg:Partnership ; tg:kind <id/concept/twinning> ; tg:partner ?a , ?b .
          ?a owl:sameAs ?qa . ?b owl:sameAs ?qb . FILTER(STR(?a) < STR(?b))
          FILTER(STRSTARTS(STR(?qa), STR(<http://www.wikidata.org/entity/>)) && STRSTARTS(STR(?qb), STR(<http://www.wikidata.org/entity/>)))
          FILTER NOT EXISTS { ?p tg:partner ?c FILTER(?c != ?a && ?c != ?b) } }"""
    result = curated.store.query(query, base_iri=settings.base_iri)
    assert isinstance(result, ox.QuerySolutions)
    return {
        frozenset((r["qa"].value.removeprefix(WD), r["qb"].value.removeprefix(WD))): r["p"].value
        for r in result
    }


def test_every_city_once_with_its_wikidata_item(
    quads: list[ox.Quad], cities: list[dict[str, str]], curated: LoadedGraph
) -> None:
    tg = curated.ns.tg
    city_iris = _typed(quads, tg, "City")
    items = _objects(quads, SAME_AS)
    assert len(city_iris) == len(cities) == 5470
    qid_to_city = defaultdict(set)
    for iri in city_iris:
        assert len(items[iri]) == 1, iri
        qid_to_city[next(iter(items[iri])).removeprefix(WD)].add(iri)
    assert set(qid_to_city) == {row["id"] for row in cities}
    assert all(len(iris) == 1 for iris in qid_to_city.values())


def test_each_link_is_one_partnership_between_its_two_cities(
    quads: list[ox.Quad], links: set[frozenset[str]], curated: LoadedGraph
) -> None:
    tg = curated.ns.tg
    qid = {iri: next(iter(items)).removeprefix(WD) for iri, items in _objects(quads, SAME_AS).items()}
    partners = _objects(quads, tg + "partner")
    partnerships = _typed(quads, tg, "Partnership")
    assert len(partnerships) == len(links) == 10596
    pairs = [frozenset(qid[city] for city in partners[p]) for p in partnerships]
    assert all(len(pair) == 2 for pair in pairs)
    assert set(pairs) == links
    kinds = _objects(quads, tg + "kind")
    assert all(kinds[p] == {curated.ns.resource + "concept/twinning"} for p in partnerships)


def test_links_of_curated_twinnings_reuse_their_iris(
    quads: list[ox.Quad], links: set[frozenset[str]], curated: LoadedGraph, settings: Settings
) -> None:
    curated_pairs = _curated_twinning_pairs(curated, settings)
    merged = {pair: iri for pair, iri in curated_pairs.items() if pair in links}
    partnerships = _typed(quads, curated.ns.tg, "Partnership")
    assert set(merged.values()) <= partnerships
    new = partnerships - set(curated_pairs.values())
    assert len(new) == len(links) - len(merged)
    assert all("/id/partnership/" in iri and "--" in iri for iri in new)
    labels = _objects(quads, LABEL)
    assert all(iri not in labels for iri in merged.values()), "curated partnerships keep their curated labels"


def test_dortmunds_nine_snapshot_links_are_its_curated_partnerships(
    quads: list[ox.Quad], curated: LoadedGraph
) -> None:
    dortmund_links = [r for r in _rows("links.csv") if "Q1295" in (r["source"], r["target"])]
    assert len(dortmund_links) == 9
    dortmund = curated.ns.resource + "city/dortmund"
    with_dortmund = {
        q.subject.value
        for q in quads
        if q.predicate.value == curated.ns.tg + "partner" and q.object.value == dortmund
    }
    assert with_dortmund == {
        f"{curated.ns.resource}partnership/dortmund-{city}" for city in DORTMUND_PARTNERS
    }
    partnership = ox.NamedNode(curated.ns.tg + "Partnership")
    curated_partnerships = {
        q.subject.value for q in curated.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), partnership)
    }
    assert with_dortmund <= curated_partnerships


def test_no_city_twice_for_one_wikidata_item(world_loaded: LoadedGraph) -> None:
    query = """PREFIX tg: <ontology#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?item (COUNT(DISTINCT ?city) AS ?n) WHERE { ?city a tg:City ; owl:sameAs ?item }
        GROUP BY ?item HAVING (COUNT(DISTINCT ?city) > 1)"""
    result = world_loaded.store.query(query, base_iri=world_loaded.ns.base)
    assert isinstance(result, ox.QuerySolutions)
    assert [(r["item"].value, r["n"].value) for r in result] == []


def test_curated_twinnings_missing_from_the_snapshot_stay(
    world_loaded: LoadedGraph, links: set[frozenset[str]]
) -> None:
    """Kumasi and Zhytomyr are cities of the snapshot, but not Dortmund's partners there."""
    ns, store = world_loaded.ns, world_loaded.store
    source = ox.NamedNode(ns.resource + "source/world-twinnings")
    for city, qid in (("kumasi", "Q182059"), ("zhytomyr", "Q156713")):
        assert frozenset(("Q1295", qid)) not in links
        partnership = ox.NamedNode(f"{ns.resource}partnership/dortmund-{city}")
        assert ox.Quad(partnership, ox.NamedNode(RDF_TYPE), ox.NamedNode(ns.tg + "Partnership")) in store
        assert list(store.quads_for_pattern(partnership, ox.NamedNode(ns.tg + "event"), None))
        assert not list(store.quads_for_pattern(partnership, None, None, source))
        cities = {
            q.subject.value
            for q in store.quads_for_pattern(
                None, ox.NamedNode(SAME_AS), ox.NamedNode(WD + qid), ox.DefaultGraph()
            )
        }
        assert cities == {f"{ns.resource}city/{city}"}


def test_values_come_from_the_csv_and_curated_values_win(
    quads: list[ox.Quad], cities: list[dict[str, str]], world_loaded: LoadedGraph
) -> None:
    ns = world_loaded.ns
    by_qid = {row["id"]: row for row in cities}
    qid = {iri: next(iter(items)).removeprefix(WD) for iri, items in _objects(quads, SAME_AS).items()}
    lats = {q.subject.value: q.object for q in quads if q.predicate.value == LAT}
    assert lats, "coordinates are imported"
    for iri, lat in lats.items():
        assert isinstance(lat, ox.Literal) and lat.datatype.value.endswith("#decimal")
        assert lat.value == by_qid[qid[iri]]["lat"], "the CSV's lexical form"
    fukaya = ns.resource + "city/fukaya-q734532"
    assert {(q.predicate.value, str(q.object)) for q in quads if q.subject.value == fukaya} >= {
        (LABEL, '"Fukaya"@en'),
        (ns.tg + "countryCode", '"JP"'),
        (SAME_AS, f"<{WD}Q734532>"),
    }
    munster = next(iri for iri, q in qid.items() if q == "Q506599")
    assert _objects(quads, LABEL)[munster] == {"Munster, Lower Saxony"}
    store = world_loaded.store
    for city in {iri for iri in qid if iri.startswith(ns.resource + "city/")}:
        for prop in (LAT, ns.tg + "countryCode"):
            assert (
                len(
                    list(
                        store.quads_for_pattern(
                            ox.NamedNode(city), ox.NamedNode(prop), None, ox.DefaultGraph()
                        )
                    )
                )
                <= 1
            )


@pytest.mark.parametrize(
    ("qid", "code"), [("Q3935", "NA"), ("Q1867", "TW"), ("Q25270", None), ("Q168652", None), ("Q1295", "DE")]
)
def test_country_codes(quads: list[ox.Quad], world_loaded: LoadedGraph, qid: str, code: str | None) -> None:
    """NA is Namibia; Taiwan's CN-TW is ISO 3166-1's TW; XK (Kosovo) and XS (Somaliland) are not in it."""
    store, ns = world_loaded.store, world_loaded.ns
    city = next(
        q.subject
        for q in store.quads_for_pattern(
            None, ox.NamedNode(SAME_AS), ox.NamedNode(WD + qid), ox.DefaultGraph()
        )
    )
    codes = {
        q.object.value
        for q in store.quads_for_pattern(city, ox.NamedNode(ns.tg + "countryCode"), None, ox.DefaultGraph())
    }
    assert codes == ({code} if code else set())


def test_file_is_one_graph_with_relative_iris_and_a_dataset_source(
    world_file: Path, quads: list[ox.Quad], settings: Settings
) -> None:
    text = world_file.read_text(encoding="utf-8")
    assert "@base" not in text and settings.base_iri not in text
    source = settings.base_iri + "id/source/world-twinnings"
    assert {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} == {source}
    assert not [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    assert (
        ox.Quad(
            ox.NamedNode(source),
            ox.NamedNode("http://purl.org/dc/terms/type"),
            ox.NamedNode("http://purl.org/dc/dcmitype/Dataset"),
            ox.NamedNode(source),
        )
        in quads
    )


def test_import_is_deterministic_and_independent_of_the_base(world_file: Path, tmp_path: Path) -> None:
    """The same input gives the same bytes, in this process and in another one under another base IRI."""
    env = {
        **os.environ,
        "TWINGRAPH_IMPORTS_DIR": str(tmp_path / "other"),
        "TWINGRAPH_BASE_IRI": "https://example.org/tg/",
    }
    subprocess.run(
        [
            str(Path(sys.executable).parent / "twingraph"),
            "import",
            "world-twinnings",
            "--source",
            str(SNAPSHOT),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (tmp_path / "other" / OUTPUT_NAME).read_bytes() == world_file.read_bytes()


def test_load_graph_reads_the_imports(world_loaded: LoadedGraph, world_settings: Settings) -> None:
    assert str(world_settings.imports_dir / OUTPUT_NAME) in world_loaded.files


@pytest.mark.slow
def test_curated_and_world_graph_conform_to_the_shapes(world_release: Path) -> None:
    """The world release was built: the build validated the curated and world graph with the shapes
    (publishing nothing otherwise), and its report says it conforms."""
    report = ox.Store()
    report.load(path=str(world_release / "validation-report.ttl"), format=ox.RdfFormat.TURTLE)
    sh = "http://www.w3.org/ns/shacl#"
    (conforms,) = report.quads_for_pattern(None, ox.NamedNode(sh + "conforms"), None)
    assert conforms.object.value == "true"


# --- The command line and bad input ---


def _snapshot_copy(folder: Path, cities_extra: str = "", links_extra: str = "") -> Path:
    """A small snapshot: the first 40 cities, the links among them, plus the given lines."""
    folder.mkdir(parents=True, exist_ok=True)
    cities = (SNAPSHOT / "cities.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:41]
    known = {line.split(",", 1)[0] for line in cities[1:]}
    links = [
        line
        for line in (SNAPSHOT / "links.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:]
        if set(line.strip().split(",")) <= known
    ]
    (folder / "cities.csv").write_text("".join(cities) + cities_extra, encoding="utf-8")
    (folder / "links.csv").write_text("source,target\n" + "".join(links) + links_extra, encoding="utf-8")
    return folder


def _run(source: Path, imports: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["import", "world-twinnings", "--source", str(source)],
        env={"TWINGRAPH_IMPORTS_DIR": str(imports)},
    )
    return result.exit_code, result.output


def test_cli_imports_a_small_snapshot(tmp_path: Path) -> None:
    source = _snapshot_copy(tmp_path / "in")
    code, output = _run(source, tmp_path / "imports")
    assert code == 0, output
    assert output.startswith("40 cities (0 curated), ")
    assert (tmp_path / "imports" / OUTPUT_NAME).is_file()


BAD_INPUT = [
    ("cities.csv", 42, "Q1,Nowhere,abc,1.0,Country,DE,Europe\n", "", "lng 'abc' is not a decimal number"),
    ("cities.csv", 42, "Q1,Nowhere,10.0,91.5,Country,DE,Europe\n", "", "lat 91.5 is outside -90..90"),
    ("cities.csv", 42, "Q1,Nowhere,10.0\n", "", "3 fields where the header has 7"),
    ("cities.csv", 42, "X1,Nowhere,10.0,50.0,Country,DE,Europe\n", "", "id 'X1' is not a Wikidata item"),
    (
        "cities.csv",
        42,
        "Q734532,Fukaya again,10.0,50.0,Japan,JP,Asia\n",
        "",
        "id Q734532 appears twice (first on line 2)",
    ),
    ("links.csv", None, "", "Q734532,Q999999999\n", "Q999999999 is not a city of cities.csv"),
    ("links.csv", None, "", "Q734532,Q734532\n", "Q734532 is linked to itself"),
]


@pytest.mark.parametrize(("name", "line", "cities_extra", "links_extra", "message"), BAD_INPUT)
def test_bad_row_is_reported_with_file_and_line(
    tmp_path: Path, name: str, line: int | None, cities_extra: str, links_extra: str, message: str
) -> None:
    source = _snapshot_copy(tmp_path / "in", cities_extra, links_extra)
    if line is None:
        line = len((source / name).read_text(encoding="utf-8").splitlines())
    code, output = _run(source, tmp_path / "imports")
    assert code == 2
    assert f"error: {source / name}:{line}: {message}" in output
    assert "Traceback" not in output
    assert not (tmp_path / "imports").exists() or not list((tmp_path / "imports").iterdir())


def test_missing_file_and_bad_header_exit_2(tmp_path: Path) -> None:
    code, output = _run(tmp_path / "nowhere", tmp_path / "imports")
    assert code == 2 and f"error: {tmp_path / 'nowhere' / 'cities.csv'}: cannot be read" in output
    source = _snapshot_copy(tmp_path / "in")
    (source / "links.csv").write_text("from,to\nQ734532,Q873835\n", encoding="utf-8")
    code, output = _run(source, tmp_path / "imports")
    assert code == 2 and f"{source / 'links.csv'}:1: header lacks the column(s) source, target" in output


def test_failed_import_keeps_the_previous_file(tmp_path: Path) -> None:
    source = _snapshot_copy(tmp_path / "in")
    assert _run(source, tmp_path / "imports")[0] == 0
    before = (tmp_path / "imports" / OUTPUT_NAME).read_bytes()
    with (source / "links.csv").open("a", encoding="utf-8") as handle:
        handle.write("Q734532,Q1\n")
    assert _run(source, tmp_path / "imports")[0] == 2
    assert (tmp_path / "imports" / OUTPUT_NAME).read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "imports").iterdir()) == [OUTPUT_NAME]


def test_import_function_takes_settings(tmp_path: Path, settings: Settings) -> None:
    """The plain function behind the command: counts of a small snapshot, curated Dortmund included."""
    source = _snapshot_copy(tmp_path / "in", "Q1295,Dortmund,7.465277777,51.513888888,Germany,DE,Europe\n")
    result = import_world_twinnings(dataclasses.replace(settings, imports_dir=tmp_path / "imports"), source)
    assert (result.cities, result.curated_cities) == (41, 1)
    text = result.path.read_text(encoding="utf-8")
    assert "<id/city/dortmund> a tg:City" in text and "dortmund-q1295" not in text
