"""The doctests of the benchmarks' shared helpers (``--doctest-modules`` covers ``src/twingraph`` only:
the benchmark scripts are not a package)."""

from __future__ import annotations

import doctest
import sys

from twingraph.config import PROJECT_DIR


def test_benchmark_helpers_doctests_pass() -> None:
    sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
    try:
        import common
    finally:
        sys.path.remove(str(PROJECT_DIR / "benchmarks"))
    failed, attempted = doctest.testmod(common)
    assert attempted >= 3
    assert failed == 0
