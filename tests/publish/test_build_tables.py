"""The CSV tables round-trip through a CSVW parser (the ``csvw`` package) to the graph they were made from."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from csvw import TableGroup
from csvw.metadata import CSVW

from twingraph.config import Settings
from twingraph.publish.dataset import read_dataset_info

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Columns whose values are a filtered part of their property's values (the rest show all of them).
FILTERS = {
    "wikidata": "http://www.wikidata.org/entity/",
    "geonames": "https://sws.geonames.org/",
}
CSVW_PREFIXES = {
    "rdf:": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
    "owl:": "http://www.w3.org/2002/07/owl#",
    "prov:": "http://www.w3.org/ns/prov#",
}


@pytest.fixture(scope="module")
def release(release_settings: Settings) -> Path:
    return release_settings.dist_dir / read_dataset_info(release_settings).version


@pytest.fixture(scope="module")
def graph(release: Path) -> dict[str, dict[str, set[tuple[str, str, str]]]]:
    """subject -> predicate -> {(kind, value, language)} of the published triples."""
    index: dict[str, dict[str, set[tuple[str, str, str]]]] = defaultdict(lambda: defaultdict(set))
    data = gzip.decompress((release / "twingraph.nt.gz").read_bytes())
    for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        o = quad.object
        entry = (
            ("iri", o.value, "") if isinstance(o, ox.NamedNode) else ("literal", o.value, o.language or "")
        )
        index[quad.subject.value][quad.predicate.value].add(entry)  # type: ignore[union-attr]
    return index


@pytest.fixture(scope="module")
def tables(release: Path) -> TableGroup:
    group = TableGroup.from_file(release / "csv-metadata.json")
    assert group.check_referential_integrity()
    return group


def _expand(iri: str) -> str:
    for prefix, namespace in CSVW_PREFIXES.items():
        if iri.startswith(prefix):
            return namespace + iri[len(prefix) :]
    return iri


def _text(value: Any) -> str:
    return (
        value.unsplit()
        if hasattr(value, "unsplit")
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def _values(cell: Any) -> list[Any]:
    """A cell's value as a list: empty for an empty cell (one value per cell otherwise)."""
    return [] if cell is None else [cell]


def _contested(graph: dict[str, Any]) -> set[tuple[str, str]]:
    """(subject, property) of the recorded conflicts: their cells stay empty (contested-values.csv)."""
    tg = "https://w3id.org/twingraph/ontology#"
    return {
        (s, p)
        for props in graph.values()
        for _k, s, _l in props.get(tg + "conflictSubject", ())
        for _k2, p, _l2 in props.get(tg + "conflictProperty", ())
    }


def _entity_tables(tables: TableGroup) -> list[Any]:
    """The tables with one row per entity (the network views hold computed figures, not statements)."""
    return [
        t
        for t in tables.tables
        if any(c.name == "id" for c in t.tableSchema.columns) and not str(t.url).endswith("-values.csv")
    ]


def _long_tables(tables: TableGroup) -> list[Any]:
    """The long tables: one row per value of a many-valued property."""
    return [t for t in tables.tables if str(t.url).endswith("-values.csv")]


def test_every_table_is_described_and_valid_csvw(release: Path, tables: TableGroup) -> None:
    described = {str(t.url) for t in tables.tables}
    assert described == {p.name for p in release.glob("*.csv")}
    assert len(described) == 17  # 7 entity tables, their 7 long tables, contested values, 2 network views
    assert CSVW(str(release / "csv-metadata.json")).is_valid
    for table in tables.tables:
        header = next(csv.reader((release / str(table.url)).open(encoding="utf-8")))
        assert header == [c.name for c in table.tableSchema.columns if not c.virtual]


def test_every_cell_value_is_a_triple_of_the_graph(tables: TableGroup, graph: dict[str, Any]) -> None:
    checked = 0
    for table in _entity_tables(tables):
        columns = {c.name: c for c in table.tableSchema.columns}
        for row in table.iterdicts():
            subject = _text(row["id"])
            for name, cell in row.items():
                values = _values(cell)
                column = columns[name]
                if name == "id" or column.virtual:
                    continue
                predicate = _expand(str(column.propertyUrl))
                kind = "iri" if column.datatype.base == "anyURI" else "literal"
                lang = str(column.lang) if column.lang and column.lang != "und" else ""
                for value in values:
                    entry = (kind, _text(value), lang)
                    assert entry in graph[subject][predicate], (table.url, subject, name, entry)
                    checked += 1
    assert checked > 500


def test_every_entity_has_a_row_with_all_its_values(tables: TableGroup, graph: dict[str, Any]) -> None:
    """The other way round: nothing of a class is missing from its table, no value of a column is dropped."""
    for table in _entity_tables(tables):
        columns = {c.name: c for c in table.tableSchema.columns}
        cls = next(c.valueUrl for c in table.tableSchema.columns if c.virtual)
        rows = {_text(row["id"]): row for row in table.iterdicts()}
        members = {s for s, props in graph.items() if ("iri", str(cls), "") in props[RDF_TYPE]}
        if str(table.url) == "organisations.csv":
            school = str(cls).replace("#Organisation", "#School")
            members = {s for s in members if ("iri", school, "") not in graph[s][RDF_TYPE]}
        assert set(rows) == members, table.url
        contested = _contested(graph)
        for subject, row in rows.items():
            for name, cell in row.items():
                values = _values(cell)
                column = columns[name]
                if name in ("id", "type") or column.virtual:
                    continue
                lang = str(column.lang) if column.lang and column.lang != "und" else ""
                kind = "iri" if column.datatype.base == "anyURI" else "literal"
                if (subject, _expand(str(column.propertyUrl))) in contested:
                    assert not values, (table.url, subject, name, "contested: one value per cell")
                    continue
                expected = {
                    v
                    for k, v, language in graph[subject][_expand(str(column.propertyUrl))]
                    if k == kind and language == lang and v.startswith(FILTERS.get(name, ""))
                }
                assert {_text(v) for v in values} == expected, (table.url, subject, name)


def test_no_value_of_a_shown_property_is_dropped(tables: TableGroup, graph: dict[str, Any]) -> None:
    """Per property, the table's columns together show every value (a new language needs a new column).

    Labels are the documented exception: only English and German are in the tables.
    """
    label = CSVW_PREFIXES["rdfs:"] + "label"
    contested = _contested(graph)
    for table in _entity_tables(tables):
        by_predicate: dict[str, list[Any]] = defaultdict(list)
        for column in table.tableSchema.columns:
            if column.name != "id" and not column.virtual:
                by_predicate[_expand(str(column.propertyUrl))].append(column)
        for row in table.iterdicts():
            subject = _text(row["id"])
            for predicate, columns in by_predicate.items():
                if predicate in (label, RDF_TYPE) or any(c.name in FILTERS for c in columns):
                    continue
                if (subject, predicate) in contested:
                    continue  # test_contested_values_have_rows_of_their_own
                shown = {_text(v) for c in columns for v in _values(row[c.name])}
                assert shown == {v for _k, v, _lang in graph[subject][predicate]}, (
                    table.url,
                    subject,
                    predicate,
                )


def test_tables_are_plain_utf8_with_crlf(release: Path) -> None:
    raw = (release / "cities.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    text = raw.decode("utf-8")
    assert text.startswith("id,label_en,label_de,")


def test_every_table_and_column_is_documented() -> None:
    """docs/releases.md names every table and every column, in order (it fails when a column is added)."""
    from twingraph.config import PROJECT_DIR
    from twingraph.publish.tables import TABLES

    docs = (PROJECT_DIR / "docs" / "releases.md").read_text(encoding="utf-8")
    for table in TABLES:
        columns = ", ".join(f"`{name}`" for name in ["id", *(c.name for c in table.cell_columns)])
        assert f"| `{table.file_name}` | {columns}" in docs, table.file_name
        many = ", ".join(f"`{c.name}`" for c in table.many_columns)
        assert f"| `{table.values_file_name}` | {many}" in docs, table.values_file_name


def test_contested_values_have_rows_of_their_own(release: Path, graph: dict[str, Any]) -> None:
    """Each value of each recorded conflict has one row, with its source and that source's confidence."""
    tg = "https://w3id.org/twingraph/ontology#"
    with (release / "contested-values.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(len(r) == 8 and " " not in r["source"] for r in rows)
    claims = {(c, v) for c, props in graph.items() for _k, v, _l in props.get(tg + "claimValue", ())}
    assert {(r["claim"], r["value"]) for r in rows} == claims
    for row in rows:
        assert ("iri", row["source"], "") in graph[row["claim"]][tg + "claimSource"]
        assert {v for _k, v, _l in graph[row["source"]][tg + "confidence"]} == {row["confidence"]}
        assert any(v == row["value"] for _k, v, _l in graph[row["subject"]][row["property"]])
    buffalo = {
        (r["value"], r["source"].rsplit("/", 1)[1])
        for r in rows
        if r["conflict"].endswith("buffalo-start-date")
    }
    assert buffalo == {("1978", "dortmund-de-partnerships-list"), ("1977", "ruhrnachrichten-2015")}
    assert len({r["conflict"] for r in rows}) == 10


def test_long_tables_hold_one_value_per_row_and_drop_none(release: Path, graph: dict[str, Any]) -> None:
    """Each row of a long table is a triple of the graph; with the entity table, no value is dropped."""
    from twingraph.publish.tables import TABLES

    checked = 0
    for table in TABLES:
        if not table.many_columns:
            continue
        with (release / table.values_file_name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with (release / table.file_name).open(encoding="utf-8", newline="") as handle:
            ids = {r["id"] for r in csv.DictReader(handle)}
        shown: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in rows:
            assert row["id"] in ids, (table.values_file_name, row)
            assert bool(row["value_iri"]) != bool(row["value_text"]), row  # one value per row
            kind = "iri" if row["value_iri"] else "literal"
            value = row["value_iri"] or row["value_text"]
            assert (kind, value, row["lang"]) in graph[row["id"]][row["property"]], row
            shown[(row["id"], row["column"])].add(value)
            checked += 1
        for column in table.many_columns:
            predicate = _expand(column.predicate.replace("tg:", "https://w3id.org/twingraph/ontology#"))
            for subject in ids:
                expected = {
                    v
                    for k, v, lang in graph[subject][predicate]
                    if k == ("iri" if column.kind == "iri" else "literal") and lang == column.lang
                }
                where = (table.values_file_name, subject, column.name)
                assert shown[(subject, column.name)] == expected, where
    assert checked > 300


def test_no_cell_holds_two_values(tables: TableGroup) -> None:
    """No column of any table declares a separator: a cell is one value, never a list."""
    for table in tables.tables:
        for column in table.tableSchema.columns:
            assert column.separator is None, (table.url, column.name)
