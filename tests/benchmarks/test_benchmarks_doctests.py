"""The doctests of the benchmark scripts (``--doctest-modules`` covers ``src/twingraph`` only: the
benchmark scripts are not a package)."""

from __future__ import annotations

import doctest
import importlib
import sys

import pytest

from twingraph.config import PROJECT_DIR

FOLDER = PROJECT_DIR / "benchmarks"
WITH_EXAMPLES = sorted(p.stem for p in FOLDER.glob("*.py") if ">>> " in p.read_text(encoding="utf-8"))


def test_the_benchmarks_hold_doctests() -> None:
    assert {"common", "bench_build"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_benchmark_doctests_pass(name: str) -> None:
    sys.path.insert(0, str(FOLDER))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(FOLDER))
    failed, attempted = doctest.testmod(module)
    assert attempted > 0
    assert failed == 0
