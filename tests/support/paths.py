"""Where the tests find the material vendored into the project (never anything beside it)."""

from __future__ import annotations

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
PROJECT_ROOT = TESTS_DIR.parent
# Small fixture graphs and tables written for the tests.
TEST_DATA = TESTS_DIR / "data"
# The official suites and schemas, copied verbatim with their origin (tests/conformance/README.md).
CONFORMANCE = TESTS_DIR / "conformance"
# The Wikidata P190 snapshot the build imports (data/world-twinnings/README.md).
WORLD_SNAPSHOT = PROJECT_ROOT / "data" / "world-twinnings"
