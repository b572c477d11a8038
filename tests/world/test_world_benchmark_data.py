"""benchmarks/generate.py, in a tiny smoke run: the synthetic graph parses, is deterministic,
has a heavy-tailed degree distribution and passes the shapes beside the curated graph."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from twingraph.config import PROJECT_DIR, Settings
from twingraph.load import load_graph

GENERATE = PROJECT_DIR / "benchmarks" / "generate.py"
TARGET = 10_000


def _generate(out: Path, seed: int = 7) -> str:
    result = subprocess.run(
        [sys.executable, str(GENERATE), "--triples", "10k", "--seed", str(seed), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("imports") / "synthetic.trig"
    return out, _generate(out)


def test_reaches_the_target_and_reports_it(generated: tuple[Path, str], settings: Settings) -> None:
    out, stdout = generated
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.TRIG, base_iri=settings.base_iri))
    assert TARGET <= len(set(quads)) < TARGET + 20
    assert (
        f"{len(quads)} triples" in stdout and "degree  synthetic:" in stdout and "degree  snapshot:" in stdout
    )
    assert {q.graph_name.value for q in quads} == {settings.base_iri + "id/source/synthetic-benchmark"}  # type: ignore[union-attr]


def test_same_seed_same_bytes_other_seed_other_graph(generated: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = generated
    _generate(tmp_path / "again.trig")
    _generate(tmp_path / "other.trig", seed=8)
    assert (tmp_path / "again.trig").read_bytes() == out.read_bytes()
    assert (tmp_path / "other.trig").read_bytes() != out.read_bytes()


def test_degrees_are_heavy_tailed(generated: tuple[Path, str], settings: Settings) -> None:
    """Preferential attachment: the best-connected city has many times the mean degree (uniform
    attachment of this size stays near three times)."""
    out, _ = generated
    partner = settings.base_iri + "ontology#partner"
    degree = Counter(
        q.object.value
        for q in ox.parse(path=str(out), format=ox.RdfFormat.TRIG, base_iri=settings.base_iri)
        if q.predicate.value == partner
    )
    mean = sum(degree.values()) / len(degree)
    assert 3 < mean < 5
    assert max(degree.values()) > 8 * mean


@pytest.mark.slow
def test_synthetic_graph_conforms_beside_the_curated_graph(
    generated: tuple[Path, str], settings: Settings
) -> None:
    from twingraph.validate import validate

    out, _ = generated
    imported = dataclasses.replace(settings, imports_dir=out.parent)
    report = validate(load_graph(imported), imported)
    assert report.conforms, report.format_text()[:5000]
