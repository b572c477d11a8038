"""Network views of the twinning graph for researchers: degree, connected components, country pairs.

Degree per city and partnerships per country pair are SPARQL (``queries/network/*.rq``, also
offered as example queries). Connected components are not expressible in SPARQL (a property
path such as ``tg:twinnedWith+`` gives one city's component, see ``reachable-from-dortmund.rq``,
not a labelling of all of them), so they are computed here with networkx from the twin-city
links. The links are ``tg:twinnedWith`` (bilateral twinnings and friendships, Wikidata's P190).

The release hook is :func:`write_network_tables`: one CSV per table in the release folder.
"""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from twingraph.queries import load_query

Cell = str | int
Table = list[dict[str, Cell]]
CITIES_TABLE = "network-cities"
COUNTRY_PAIRS_TABLE = "network-country-pairs"
CITY_COLUMNS = (
    "city",
    "label_en",
    "country_code",
    "wikidata",
    "twin_cities",
    "partnerships",
    "component",
    "component_size",
)
COUNTRY_PAIR_COLUMNS = ("country_a", "country_b", "partnerships")


def network_tables(store: ox.Store, base_iri: str) -> dict[str, Table]:
    """The network views of a loaded graph (union materialised in the default graph, as load_graph leaves it).

    ``network-cities``: one row per city (IRI order) with its number of twin cities, of partnerships
    of any kind, and its connected component (1 is the largest; ties go by the smallest city IRI)
    with that component's size. ``network-country-pairs``: partnerships per pair of country codes.
    """
    edges = [(row["city"], row["twin"]) for row in _select(store, "network/twin-links", base_iri)]
    cities = _select(store, "network/city-degree", base_iri)
    graph = nx.Graph()
    graph.add_nodes_from(row["city"] for row in cities)
    graph.add_edges_from(edges)
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    component_of = {
        city: (number, len(members)) for number, members in enumerate(components, 1) for city in members
    }
    city_rows: Table = []
    for row in sorted(cities, key=lambda r: r["city"]):
        number, size = component_of[row["city"]]
        city_rows.append(
            {
                **{c: row.get(c, "") for c in CITY_COLUMNS[:4]},
                "twin_cities": int(row["twin_cities"]),
                "partnerships": int(row["partnerships"]),
                "component": number,
                "component_size": size,
            }
        )
    pairs: Table = [
        {
            "country_a": row["country_a"],
            "country_b": row["country_b"],
            "partnerships": int(row["partnerships"]),
        }
        for row in _select(store, "network/country-pairs", base_iri)
    ]
    return {CITIES_TABLE: city_rows, COUNTRY_PAIRS_TABLE: pairs}


_DESCRIPTIONS = {
    "city": ("anyURI", "IRI of the city."),
    "label_en": ("string", "English label of the city."),
    "country_code": ("string", "ISO 3166-1 alpha-2 code of the city's country."),
    "wikidata": ("anyURI", "Wikidata item of the city."),
    "twin_cities": ("integer", "Number of cities linked to this one by a twinning or friendship (degree)."),
    "partnerships": ("integer", "Number of partnerships of any kind."),
    "component": ("string", "Connected component of the twin-city network (its smallest city IRI)."),
    "component_size": ("integer", "Number of cities in that component."),
    "country_a": ("string", "Country code of one side (the smaller code)."),
    "country_b": ("string", "Country code of the other side."),
}
_TITLES = {
    CITIES_TABLE: ("Twin-city network: cities", "Degree and connected component of every city."),
    COUNTRY_PAIRS_TABLE: ("Twin-city network: country pairs", "Twinnings between each pair of countries."),
}


def network_table_metadata() -> list[dict[str, object]]:
    """CSVW table descriptions of the network CSVs, for ``csv-metadata.json``."""
    columns = {CITIES_TABLE: CITY_COLUMNS, COUNTRY_PAIRS_TABLE: COUNTRY_PAIR_COLUMNS}
    tables: list[dict[str, object]] = []
    for name, cols in columns.items():
        title, description = _TITLES[name]
        schema_columns = []
        for column in cols:
            datatype, text = _DESCRIPTIONS[column]
            if name == COUNTRY_PAIRS_TABLE and column == "partnerships":
                text = "Number of twinnings between the two countries."
            schema_columns.append(
                {"name": column, "titles": column, "datatype": datatype, "dc:description": text}
            )
        tables.append(
            {
                "url": f"{name}.csv",
                "dc:title": title,
                "dc:description": description,
                "tableSchema": {"columns": schema_columns},
            }
        )
    return tables


def write_network_tables(store: ox.Store, base_iri: str, folder: Path) -> list[tuple[str, int]]:
    """The release hook: write ``network-cities.csv`` and ``network-country-pairs.csv`` into ``folder``.

    Returns (file name, rows) per file. The CSVs are deterministic (fixed row order, CRLF as RFC 4180).
    """
    columns = {CITIES_TABLE: CITY_COLUMNS, COUNTRY_PAIRS_TABLE: COUNTRY_PAIR_COLUMNS}
    written = []
    for name, rows in network_tables(store, base_iri).items():
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns[name], lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append((path.name, len(rows)))
    return written


def _select(store: ox.Store, name: str, base_iri: str) -> list[dict[str, str]]:
    """Run a SELECT; each row maps variable names to the terms' values (IRIs and lexical forms)."""
    result = store.query(load_query(name), base_iri=base_iri)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]
