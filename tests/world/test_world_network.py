"""Network views over the curated and the world graph: degree, components, country pairs, CSV files.

The expected values are computed here from the graph's quads in plain Python (or, for Dortmund's
component, with the SPARQL example query), not with the module under test.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from twingraph.load import LoadedGraph
from twingraph.network import (
    CITIES_TABLE,
    CITY_COLUMNS,
    COUNTRY_PAIR_COLUMNS,
    COUNTRY_PAIRS_TABLE,
    Table,
    network_tables,
    write_network_tables,
)
from twingraph.queries import load_query

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def tables(world_loaded: LoadedGraph) -> dict[str, Table]:
    return network_tables(world_loaded.store, world_loaded.ns.base)


@pytest.fixture(scope="module")
def twins(world_loaded: LoadedGraph) -> dict[str, set[str]]:
    """Each city's twin cities, read from the tg:twinnedWith quads."""
    found: dict[str, set[str]] = defaultdict(set)
    predicate = ox.NamedNode(world_loaded.ns.tg + "twinnedWith")
    for q in world_loaded.store.quads_for_pattern(None, predicate, None, ox.DefaultGraph()):
        found[q.subject.value].add(q.object.value)
        found[q.object.value].add(q.subject.value)
    return found


def _cities(world_loaded: LoadedGraph) -> set[str]:
    city = ox.NamedNode(world_loaded.ns.tg + "City")
    return {
        q.subject.value for q in world_loaded.store.quads_for_pattern(None, RDF_TYPE, city, ox.DefaultGraph())
    }


def test_one_row_per_city_with_its_degree(
    tables: dict[str, Table], twins: dict[str, set[str]], world_loaded: LoadedGraph
) -> None:
    rows = tables[CITIES_TABLE]
    assert [row["city"] for row in rows] == sorted(_cities(world_loaded))
    assert all(row["twin_cities"] == len(twins.get(str(row["city"]), ())) for row in rows)
    by_city = {row["city"]: row for row in rows}
    dortmund = by_city[world_loaded.ns.resource + "city/dortmund"]
    assert (dortmund["label_en"], dortmund["country_code"]) == ("Dortmund", "DE")
    assert dortmund["wikidata"] == "http://www.wikidata.org/entity/Q1295"
    partner_of = ox.NamedNode(world_loaded.ns.tg + "partnerOf")
    expected = len(
        list(
            world_loaded.store.quads_for_pattern(
                ox.NamedNode(str(dortmund["city"])), partner_of, None, ox.DefaultGraph()
            )
        )
    )
    assert dortmund["partnerships"] == expected > dortmund["twin_cities"] == 11


def test_components_partition_the_cities(tables: dict[str, Table], twins: dict[str, set[str]]) -> None:
    rows = tables[CITIES_TABLE]
    component = {row["city"]: row["component"] for row in rows}
    for city, others in twins.items():
        assert all(component[other] == component[city] for other in others)
    sizes = Counter(component.values())
    assert all(row["component_size"] == sizes[row["component"]] for row in rows)
    assert sum(sizes.values()) == len(rows)
    ordered = [sizes[number] for number in range(1, len(sizes) + 1)]
    assert ordered == sorted(ordered, reverse=True), "component 1 is the largest"
    isolated = [row for row in rows if row["twin_cities"] == 0]
    assert all(row["component_size"] == 1 for row in isolated)


def test_dortmunds_component_is_what_the_sparql_path_reaches(
    tables: dict[str, Table], world_loaded: LoadedGraph
) -> None:
    result = world_loaded.store.query(
        load_query("network/reachable-from-dortmund"), base_iri=world_loaded.ns.base
    )
    assert isinstance(result, ox.QuerySolutions)
    reachable = {row["city"].value for row in result}
    rows = tables[CITIES_TABLE]
    dortmund = next(row for row in rows if row["city"] == world_loaded.ns.resource + "city/dortmund")
    members = {row["city"] for row in rows if row["component"] == dortmund["component"]}
    assert reachable == members
    assert len(members) == dortmund["component_size"] > 1000


def test_partnerships_per_country_pair(tables: dict[str, Table], world_loaded: LoadedGraph) -> None:
    store, tg = world_loaded.store, world_loaded.ns.tg
    code = {
        q.subject.value: q.object.value
        for q in store.quads_for_pattern(None, ox.NamedNode(tg + "countryCode"), None, ox.DefaultGraph())
    }
    partners: dict[str, set[str]] = defaultdict(set)
    for q in store.quads_for_pattern(None, ox.NamedNode(tg + "partner"), None, ox.DefaultGraph()):
        partners[q.subject.value].add(q.object.value)
    expected: Counter[tuple[str, str]] = Counter()
    for cities in partners.values():
        pairs = {
            tuple(sorted((code[a], code[b])))
            for a in cities
            for b in cities
            if a != b and a in code and b in code
        }
        expected.update(pairs)  # type: ignore[arg-type]
    found = {(row["country_a"], row["country_b"]): row["partnerships"] for row in tables[COUNTRY_PAIRS_TABLE]}
    assert found == dict(expected)
    assert found[("DE", "GH")] >= 2  # Dortmund–Kumasi, twinning and climate partnership (curated only)


def test_release_hook_writes_deterministic_csv(world_loaded: LoadedGraph, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    written = write_network_tables(world_loaded.store, world_loaded.ns.base, first)
    write_network_tables(world_loaded.store, world_loaded.ns.base, second)
    assert [name for name, _rows in written] == [f"{CITIES_TABLE}.csv", f"{COUNTRY_PAIRS_TABLE}.csv"]
    for name, rows in written:
        assert (first / name).read_bytes() == (second / name).read_bytes()
        with (first / name).open(encoding="utf-8", newline="") as handle:
            table = list(csv.reader(handle))
        assert tuple(table[0]) == (CITY_COLUMNS if name.startswith(CITIES_TABLE) else COUNTRY_PAIR_COLUMNS)
        assert len(table) == rows + 1
