"""Every benchmark script runs in its smoke mode (1-second wrk runs) end to end, on 1k generated
triples beside the curated graph (about 200 pages), and prints its figures. The figures themselves
are not asserted (they are machine-dependent; docs/benchmarks.md holds a measured set): only that
each script completes, starts and stops its servers, and prints its table with no failed request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from twingraph.config import PROJECT_DIR

pytestmark = [pytest.mark.slow, pytest.mark.server]

SCRIPTS = PROJECT_DIR / "benchmarks"
# (script, a line its report must hold)
RUNS = [
    ("bench_sparql.py", "### Geometric mean of throughput over the mix"),
    ("bench_pages.py", "| /doc Turtle"),
    ("bench_reconcile.py", "twingraph /reconcile, warm batch"),
    ("bench_server.py", "| twingraph serve (2 workers)"),
    ("bench_releases_memory.py", "| 3 x oxigraph serve-read-only"),
    ("bench_build.py", "| validate"),
]
# Smaller than --quick's 10k: every script does the same on it, bench_pages' pass over every page
# (nginx's cache filled) renders 400 pages instead of 3,600.
SIZE = "1k"
LOADED = ("bench_sparql.py", "bench_pages.py", "bench_server.py")  # the scripts that drive wrk
# bench_sparql's smoke mode measures the peers in one mode only: each column must still be there.
COLUMNS = {"bench_sparql.py": ("| twingraph remote", "### Virtuoso: the app on Virtuoso")}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One work folder for all scripts: the 1k release is generated and built once."""
    return tmp_path_factory.mktemp("bench")


@pytest.mark.parametrize(("script", "expected"), RUNS, ids=[r[0] for r in RUNS])
def test_benchmark_runs_in_smoke_mode(script: str, expected: str, work: Path) -> None:
    command = [sys.executable, str(SCRIPTS / script), "--quick", "--duration", "1", "--size", SIZE]
    command += ["--work", str(work)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert expected in done.stdout, done.stdout
    if script in LOADED:
        assert "failed requests in all runs: 0" in done.stdout, done.stdout
    for column in COLUMNS.get(script, ()):
        assert column in done.stdout, done.stdout


def test_build_benchmark_stops_a_build_at_its_memory_ceiling(work: Path) -> None:
    """``--ceiling`` (what ``make bench`` gives the 10M build): a build that outgrows it is killed with
    its workers, and the run still ends normally, reporting the target missed and where it stopped."""
    command = [sys.executable, str(SCRIPTS / "bench_build.py"), "--quick", "--size", SIZE, "--no-rdflib"]
    command += ["--work", str(work), "--ceiling", "0.05"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "stopped at the ceiling of 0.05 GiB" in done.stdout, done.stdout
    assert "builds on this machine: MISSED (stopped " in done.stdout, done.stdout
    rows = [json.loads(line) for line in (work / "targets.jsonl").read_text().splitlines()]
    assert rows[-1]["what"] == f"twingraph build, {SIZE}, on this 24 GiB machine"
    assert rows[-1]["met"] is False
    left = subprocess.run(["pgrep", "-f", f"bench_build.py --child build {work}"], capture_output=True)
    assert left.returncode == 1, left.stdout  # no build process of this run is left
