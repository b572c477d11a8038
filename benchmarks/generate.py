"""Scale the world twinning graph up synthetically to N triples, for benchmarks only (never released).

    .venv/bin/python benchmarks/generate.py --triples 1M --out /tmp/bench/imports/synthetic.trig

The output is a TriG file like ``twingraph import world-twinnings`` writes (relative IRIs, the
same classes and shapes: tg:City with label, country code and coordinates; tg:Partnership of
kind twinning without events), in its own named graph <id/source/synthetic-benchmark>, a source
marked as an undated dataset. Put it in an imports folder (``TWINGRAPH_IMPORTS_DIR``) and
``twingraph build`` / ``validate`` load it beside data/.

The network grows by preferential attachment (Barabási–Albert): each new city links to m cities
drawn in proportion to their degree, with m averaging the snapshot's links per city, so the
degree distribution is heavy-tailed like the real one (figures printed side by side). Names,
countries and coordinates are drawn from the real cities (coordinates jittered). Deterministic:
the same seed and N give the same bytes. The whole file is streamed (10M triples need no 10M
objects in memory); literals are escaped by pyoxigraph.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from array import array
from pathlib import Path
from typing import IO, Any

import click
import pyoxigraph as ox

from twingraph.atomic_file import write_atomically
from twingraph.importers.world_csv import CITIES_FILE, LINKS_FILE, WorldCity, read_cities, read_links
from twingraph.importers.world_twinnings import default_source

GRAPH = "id/source/synthetic-benchmark"
SEED_CITIES = 3  # a triangle to start the attachment from
_UNITS = {"k": 1_000, "m": 1_000_000}


def parse_count(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '2500' -> 2500."""
    text = text.strip().lower().replace("_", "")
    factor = _UNITS.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in _UNITS else text
    try:
        value = int(float(number) * factor)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not a count such as 10k, 1M or 2500") from exc
    if value < 100:
        raise click.BadParameter("at least 100 triples")
    return value


class Writer:
    """Streams entities into one GRAPH block and counts the triples written."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.triples = 0

    def entity(self, subject: str, pairs: list[tuple[str, list[str]]]) -> None:
        """Write one subject with its (predicate, objects) pairs, terms already in Turtle syntax."""
        lines = [f"{predicate} {' , '.join(objects)}" for predicate, objects in pairs]
        self.out.write(f"    <{subject}>\n        " + " ;\n        ".join(lines) + " .\n")
        self.triples += sum(len(objects) for _, objects in pairs)


def _text(value: str, lang: str) -> str:
    return str(ox.Literal(value, language=lang))


def _coordinate(value: str, jitter: float, limit: int) -> str:
    return f'"{max(-limit, min(limit, float(value) + jitter)):.6f}"^^xsd:decimal'


def generate(
    target: int, seed: int, cities_in: list[WorldCity], mean_links: float, out: IO[str]
) -> tuple[Writer, array[int]]:
    """Write the synthetic graph to ``out`` until it holds at least ``target`` triples."""
    rng = random.Random(seed)
    writer = Writer(out)
    writer.entity(
        GRAPH,
        [
            ("a", ["tg:Source"]),
            ("dct:type", ["dcmitype:Dataset"]),
            (
                "rdfs:label",
                [
                    _text("Synthetic twinning graph for benchmarks (not real data)", "en"),
                    _text("Synthetischer Partnerschaftsgraph für Benchmarks (keine echten Daten)", "de"),
                ],
            ),
            ("dct:publisher", ["<id/organisation/twingraph-benchmarks>"]),
            ("dct:language", ["<http://publications.europa.eu/resource/authority/language/ENG>"]),
            ("tg:confidence", ["<id/concept/confidence-medium>"]),
            (
                "tg:note",
                [
                    _text(
                        f"Synthetic, seed {seed}: names, countries and coordinates drawn from real cities.",
                        "en",
                    )
                ],
            ),
        ],
    )
    writer.entity(
        "id/organisation/twingraph-benchmarks",
        [
            ("a", ["tg:Organisation"]),
            (
                "rdfs:label",
                [_text("twingraph benchmarks (generate.py)", "en"), _text("twingraph-Benchmarks", "de")],
            ),
        ],
    )
    names: list[str] = []
    degree: array[int] = array("i")
    ends: array[int] = array("i")  # every link end once: drawing from it is drawing in proportion to degree

    def add_city() -> int:
        number = len(names)
        real = cities_in[rng.randrange(len(cities_in))]
        name = f"{real.name} {number}"
        pairs = [("a", ["tg:City"]), ("rdfs:label", [_text(name, "en")])]
        if real.country:
            pairs.append(("tg:countryCode", [f'"{real.country}"']))
        pairs += [
            ("geo:lat", [_coordinate(real.lat, rng.uniform(-0.5, 0.5), 90)]),
            ("geo:long", [_coordinate(real.long, rng.uniform(-0.5, 0.5), 180)]),
        ]
        writer.entity(f"id/city/synthetic-{number}", pairs)
        names.append(name)
        degree.append(0)
        return number

    def link(a: int, b: int) -> None:
        a, b = min(a, b), max(a, b)
        label = f"{names[a]} – {names[b]}"
        writer.entity(
            f"id/partnership/synthetic-{a}--synthetic-{b}",
            [
                ("a", ["tg:Partnership"]),
                ("rdfs:label", [_text(label, "en"), _text(label, "de")]),
                ("tg:partner", [f"<id/city/synthetic-{a}>", f"<id/city/synthetic-{b}>"]),
                ("tg:kind", ["<id/concept/twinning>"]),
            ],
        )
        degree[a] += 1
        degree[b] += 1
        ends.extend((a, b))

    for _ in range(SEED_CITIES):
        add_city()
    for a in range(SEED_CITIES):
        for b in range(a + 1, SEED_CITIES):
            link(a, b)
    whole, fraction = int(mean_links), mean_links - int(mean_links)
    while writer.triples < target:
        m = whole + (rng.random() < fraction)
        chosen: set[int] = set()
        while len(chosen) < min(m, len(names)):
            chosen.add(ends[rng.randrange(len(ends))])
        new = add_city()
        for other in sorted(chosen):
            link(other, new)
    return writer, degree


HEADER = """# Synthetic twinning graph for benchmarks only: NOT real data, never released.
# Generated by benchmarks/generate.py --triples {target} --seed {seed}; see that script.
@prefix tg: <ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcmitype: <http://purl.org/dc/dcmitype/> .

GRAPH <{graph}> {{
"""


def _quantiles(values: list[int]) -> str:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"mean {statistics.fmean(values):5.2f}  p50 {cuts[49]:4.0f}  p90 {cuts[89]:4.0f}  "
        f"p99 {cuts[98]:5.0f}  max {max(values):5d}"
    )


@click.command()
@click.option(
    "--triples", "target", required=True, type=parse_count, help="Triples to reach: 10k, 1M, 10M, ..."
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="TriG file to write."
)
@click.option("--seed", default=7, show_default=True, help="Random seed (same seed, same bytes).")
@click.option(
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the world twinnings snapshot (default: data/world-twinnings).",
)
def main(target: int, out: Path, seed: int, source: Path | None) -> None:
    """Write a synthetic twinning graph of about TRIPLES triples to OUT and print its figures."""
    from twingraph.load import DataError

    start = time.perf_counter()
    folder = source or default_source()
    try:
        real = read_cities(folder / CITIES_FILE)
        links = read_links(folder / LINKS_FILE, {c.qid for c in real})
    except DataError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    result: dict[str, tuple[Writer, array[int]]] = {}

    def body(handle: IO[Any]) -> None:
        handle.write(HEADER.format(target=target, seed=seed, graph=GRAPH))
        result["run"] = generate(target, seed, real, len(links) / len(real), handle)
        handle.write("}\n")

    write_atomically(out, body)
    writer, degree = result["run"]
    real_degree: dict[str, int] = {c.qid: 0 for c in real}
    for link in links:
        real_degree[link.a] += 1
        real_degree[link.b] += 1
    seconds = time.perf_counter() - start
    click.echo(
        f"wrote {out}: {writer.triples} triples, {len(degree)} cities, {sum(degree) // 2} partnerships, "
        f"{out.stat().st_size / 1e6:.1f} MB in {seconds:.1f} s"
    )
    click.echo(f"degree  synthetic: {_quantiles(list(degree))}")
    click.echo(f"degree  snapshot:  {_quantiles(list(real_degree.values()))}")


if __name__ == "__main__":
    main()
